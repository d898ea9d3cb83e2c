-- (b) the till's scan lookup: GET /api/till/items/{barcode}, cycling over the codes in
-- the file $BENCH_BARCODES (one a line), each thread from its own offset.
-- $BENCH_COOKIE is the logged-in cashier's Cookie header; $BENCH_SCAN_PREFIX the path before the
-- code (default /api/till/items/).
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/wrk_report.lua")

local codes = {}
local i = 0
local prefix = "/api/till/items/"

function init(args)
   for line in io.lines(os.getenv("BENCH_BARCODES")) do
      if #line > 0 then codes[#codes + 1] = line end
   end
   assert(#codes > 0, "no barcodes in " .. tostring(os.getenv("BENCH_BARCODES")))
   wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
   prefix = os.getenv("BENCH_SCAN_PREFIX") or prefix
   i = ((id or 1) * 7919) % #codes
end

function request()
   i = i + 1
   return wrk.format("GET", prefix .. codes[(i % #codes) + 1])
end
