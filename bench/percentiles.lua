-- wrk script for bench/web.py: the method and body come as script arguments (`-- POST body`);
-- done() prints one machine-readable line with wrk's own latency percentiles.
local request_text

function init(args)
  local method = args[1] or "GET"
  local body = args[2]
  if body == "" then body = nil end
  -- wrk.format uses only the table it is given: keep the -H headers (cookies, token).
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if body then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  request_text = wrk.format(method, nil, headers, body)
end

function request()
  return request_text
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
