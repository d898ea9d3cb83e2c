-- (c) the cash checkout: POST /api/sales with a unique idempotency key per request
-- ($BENCH_NONCE-<thread id>-<counter>).
--   $BENCH_CART   fixed: a JSON array of lines, the same cart every time
--   $BENCH_CARTS  rotate: a file of JSON line arrays (one cart a line), taken in turn
--   $BENCH_CASH   cash_given_fen (>= every cart's total)
--   $BENCH_COOKIE, $BENCH_CSRF   the cashier's cookies and the CSRF token (x-csrftoken)
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/wrk_report.lua")

local carts = {}
local n = 0
local nonce, cash

function init(args)
   nonce = os.getenv("BENCH_NONCE")
   cash = os.getenv("BENCH_CASH")
   if os.getenv("BENCH_CARTS") and #os.getenv("BENCH_CARTS") > 0 then
      for line in io.lines(os.getenv("BENCH_CARTS")) do
         if #line > 0 then carts[#carts + 1] = line end
      end
   else
      carts[1] = os.getenv("BENCH_CART")
   end
   assert(#carts > 0 and carts[1], "no cart")
   wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
   wrk.headers["x-csrftoken"] = os.getenv("BENCH_CSRF")
   wrk.headers["Content-Type"] = "application/json"
   n = 0
end

function request()
   n = n + 1
   local cart = carts[((n + (id or 1) * 7919) % #carts) + 1]
   local body = '{"till":"T1","idempotency_key":"' .. nonce .. '-' .. (id or 1) .. '-' .. n ..
      '","cash_given_fen":' .. cash .. ',"lines":' .. cart .. '}'
   return wrk.format("POST", "/api/sales", nil, body)
end
