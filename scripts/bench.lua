-- wrk script for scripts/bench. Environment:
--   BENCH_MODE  get | list | post | auth | search | offset
--   BENCH_TOKEN the JWT;  BENCH_IDS file of group ids (get);  BENCH_USER / BENCH_PASSWORD (auth)
--   BENCH_QUERY the path+query for search/offset modes
-- done() prints one line: RESULT rps=… p50_ms=… p99_ms=… non2xx=… errors=…
local mode = os.getenv("BENCH_MODE") or "get"
local ids, counter = {}, 0
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  tid = tid or 0
  math.randomseed(os.time() * 1000 + tid * 7919)
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
  wrk.headers["Content-Type"] = "application/json"
  if mode == "get" then
    for line in io.lines(os.getenv("BENCH_IDS")) do
      if #line > 0 then ids[#ids + 1] = line end
    end
  end
end

function request()
  if mode == "get" then
    return wrk.format("GET", "/api/v1/groups/" .. ids[math.random(#ids)], nil, "")
  elseif mode == "list" then
    return wrk.format("GET", "/api/v1/groups?limit=50", nil, "")
  elseif mode == "post" then
    counter = counter + 1
    local body = '{"name":"bench-' .. tid .. '-' .. counter .. '-' .. math.random(1e9) ..
                 '","description":"created by scripts/bench"}'
    return wrk.format("POST", "/api/v1/groups", nil, body)
  elseif mode == "auth" then
    local body = '{"username":"' .. os.getenv("BENCH_USER") .. '","password":"' .. os.getenv("BENCH_PASSWORD") .. '"}'
    return wrk.format("POST", "/v2/user/auth", nil, body)
  else
    return wrk.format("GET", os.getenv("BENCH_QUERY"), nil, "")
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
