-- (a) the bare endpoint: GET /hello, nothing per request but counting the answers.
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/wrk_report.lua")
