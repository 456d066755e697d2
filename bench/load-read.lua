-- wrk script for bench/load.sh: GET one path, every connection pausing DELAY ms between its
-- requests (so that C connections make about C * 1000 / DELAY requests per second), and
-- counting the answers by status.
local path = os.getenv("LOAD_PATH") or "/api/decisions"
local pause = tonumber(os.getenv("LOAD_DELAY_MS") or "0")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, failed = 0, 0
end

function request()
  return wrk.format("GET", path)
end

function delay()
  return pause
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_failed = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_failed = total_failed + t:get("failed")
  end
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f ok=%d failed=%d errors=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration / 1e6, total_ok, total_failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
