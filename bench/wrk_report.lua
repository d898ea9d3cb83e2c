-- Shared by the wrk scripts: counts 2xx / non-2xx per thread and prints one
-- machine-readable line at the end (read by http_bench.py):
--   WRK_JSON {...}        requests, rps inputs, latency percentiles (microseconds), errors
--   WRK_BAD <status> <body start>   the first few non-2xx answers, to see what went wrong
-- Every thread gets a global `id` (1, 2, ...) before its init() runs.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

ok, bad, bad_sample = 0, 0, ""

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      bad = bad + 1
      if bad <= 3 then
         local text = string.gsub(string.sub(body or "", 1, 300), "[\r\n]", " ")
         bad_sample = bad_sample .. "WRK_BAD " .. status .. " " .. text .. "\n"
      end
   end
end

function done(summary, latency, requests)
   local ok_total, bad_total, samples = 0, 0, ""
   for _, thread in ipairs(threads) do
      ok_total = ok_total + (thread:get("ok") or 0)
      bad_total = bad_total + (thread:get("bad") or 0)
      samples = samples .. (thread:get("bad_sample") or "")
   end
   io.write(samples)
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
      '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
      '"ok_2xx": %d, "non_2xx": %d, "lat_mean_us": %.1f, "lat_max_us": %d, ' ..
      '"p50_us": %d, "p90_us": %d, "p99_us": %d, "p999_us": %d}\n',
      summary.requests, summary.duration, summary.bytes, summary.errors.connect,
      summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
      ok_total, bad_total, latency.mean, latency.max,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
