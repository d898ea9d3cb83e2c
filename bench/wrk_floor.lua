-- (a') the stack floor: GET /bench/floor/hello, the bare endpoint's own answer behind the app's stack, as the
-- logged-in cashier ($BENCH_COOKIE).
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/wrk_report.lua")

function init(args)
   wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
end
