-- Shared by bench/load-read.lua and bench/load-write.lua: each thread counts its answers in the
-- globals `ok` and `failed`; `done` adds them up over the threads and prints one RESULT line
-- for bench/load.sh to read.
threads = {}

function report(summary, latency)
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

function done(summary, latency, requests)
  report(summary, latency)
end
