-- wrk script: POST /v1/evaluate with realistic bodies, count non-2xx
-- responses, and print machine-readable results.
--
-- Usage:
--   ASSAY_LOAD_TOKEN=<token> wrk -s benches/load/evaluate.lua \
--       http://127.0.0.1:8080/v1/evaluate -- <bodies.jsonl>
--
-- The bodies file holds one compact JSON request body per line (run.sh
-- writes it to target/load/bodies.jsonl). Its path may also come from
-- ASSAY_LOAD_BODIES. The token is read from ASSAY_LOAD_TOKEN so that it does
-- not show in the process list.
--
-- done() prints lines of the form `@load <name> <value>` for run.sh to read
-- (latencies in microseconds), plus one `@load status <code> <count>` line per
-- HTTP status seen.

-- Setup phase (the main Lua state): number the threads and remember them,
-- because per-thread counters live in each thread's own Lua state and can
-- only be collected in done() through thread:get().
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

-- Running phase (one Lua state per thread).
local requests = {}
local index = 0

local function read_bodies(path)
   local file, err = io.open(path, "r")
   if not file then
      error("cannot open the bodies file: " .. tostring(err))
   end
   local bodies = {}
   for line in file:lines() do
      if line:match("%S") then
         table.insert(bodies, line)
      end
   end
   file:close()
   if #bodies == 0 then
      error("no request bodies in " .. path)
   end
   return bodies
end

function init(args)
   local path = args[1] or os.getenv("ASSAY_LOAD_BODIES")
   if not path or path == "" then
      error("pass the bodies file after `--` or in ASSAY_LOAD_BODIES")
   end
   local token = os.getenv("ASSAY_LOAD_TOKEN")
   if not token or token == "" then
      error("set ASSAY_LOAD_TOKEN to an API key's token")
   end

   -- Pre-format every request once: request() then only picks the next one.
   for _, body in ipairs(read_bodies(path)) do
      local headers = {
         ["Content-Type"] = "application/json",
         ["Authorization"] = "Bearer " .. token,
      }
      table.insert(requests, wrk.format("POST", wrk.path, headers, body))
   end

   -- Start each thread at a different place in the list so that the threads
   -- do not send the same body at the same moment. The golden-ratio step
   -- spreads any number of threads over the list without knowing how many
   -- there are.
   index = math.floor(((id or 1) - 1) * #requests * 0.6180339887) % #requests

   -- Globals, so that done() can read them with thread:get().
   ok2xx = 0
   non2xx = 0
   statuses = {}
end

function request()
   index = index % #requests + 1
   return requests[index]
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status >= 200 and status < 300 then
      ok2xx = ok2xx + 1
   else
      non2xx = non2xx + 1
   end
end

-- Done phase (the main Lua state again).
function done(summary, latency, _)
   local ok, bad, by_status = 0, 0, {}
   for _, thread in ipairs(threads) do
      ok = ok + (thread:get("ok2xx") or 0)
      bad = bad + (thread:get("non2xx") or 0)
      for status, count in pairs(thread:get("statuses") or {}) do
         by_status[status] = (by_status[status] or 0) + count
      end
   end

   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6

   local function emit(name, value)
      io.write(string.format("@load %s %s\n", name, value))
   end
   io.write("\n")
   emit("duration_us", string.format("%.0f", summary.duration))
   emit("requests", string.format("%.0f", summary.requests))
   emit("rps", string.format("%.2f", summary.requests / seconds))
   emit("p50_us", string.format("%.0f", latency:percentile(50)))
   emit("p90_us", string.format("%.0f", latency:percentile(90)))
   emit("p99_us", string.format("%.0f", latency:percentile(99)))
   emit("max_us", string.format("%.0f", latency.max))
   emit("ok2xx", string.format("%.0f", ok))
   emit("non2xx", string.format("%.0f", bad))
   emit("socket_errors", string.format("%.0f", socket_errors))
   emit("errors_connect", string.format("%.0f", e.connect))
   emit("errors_read", string.format("%.0f", e.read))
   emit("errors_write", string.format("%.0f", e.write))
   emit("errors_timeout", string.format("%.0f", e.timeout))

   local codes = {}
   for status in pairs(by_status) do
      table.insert(codes, status)
   end
   table.sort(codes)
   for _, status in ipairs(codes) do
      emit("status", string.format("%d %.0f", status, by_status[status]))
   end
end
