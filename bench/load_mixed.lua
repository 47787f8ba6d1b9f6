-- wrk script of bench/load_mixed.py: rotate through the pre-built request list (LOAD_REQUESTS, a Lua
-- file returning {{method, path, headers, body}, ...}); each thread starts at its own offset.
-- done() prints one "JSON {...}" line with throughput, latency percentiles and every kind of error.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  requests = dofile(os.getenv("LOAD_REQUESTS"))
  i = (id * 997) % #requests
  non2xx = 0
  statuses = {}
end

function request()
  i = i % #requests + 1
  local r = requests[i]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  local codes = {}
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    for code, n in pairs(t:get("statuses")) do
      table.insert(codes, string.format('"%d": %d', code, n))
    end
  end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "p999": %d, "max": %d, "mean": %d}}\n',
    summary.requests, summary.duration, summary.bytes, bad, table.concat(codes, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
