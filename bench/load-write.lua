-- wrk script for bench/load.sh: POST votes that are all different (proposal `load-P` by member
-- M, P and M taken from a counter that starts at LOAD_OFFSET and is shared out between the
-- threads, so no two requests record the same stance), every connection pausing DELAY ms between its requests, and counting the
-- answers: 201 recorded, anything else refused. The entry number of every acknowledged vote is
-- written to LOAD_ACKS-THREAD, one per line, for the script to look for in the store after.
local pause = tonumber(os.getenv("LOAD_DELAY_MS") or "0")
local token = os.getenv("LOAD_TOKEN")
local members = {}
for m in string.gmatch(os.getenv("LOAD_MEMBERS"), "[^,]+") do table.insert(members, m) end
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  thread:set("stride", tonumber(os.getenv("LOAD_THREADS")))
  thread:set("offset", tonumber(os.getenv("LOAD_OFFSET") or "0"))
  table.insert(threads, thread)
end

function init(args)
  created, refused, n = 0, 0, 0
  acks = io.open(os.getenv("LOAD_ACKS") .. "-" .. id, "w")
  acks:setvbuf("line")
end

function request()
  local index = offset + n * stride + id
  n = n + 1
  local proposal = math.floor(index / #members)
  local member = members[(index % #members) + 1]
  local body = string.format('{"proposal":"load-%d","member":"%s","stance":"consent"}', proposal, member)
  return wrk.format("POST", "/api/votes",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function delay()
  return pause
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    acks:write(string.match(body, '"entries":%[(%d+)%]'), "\n")
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local total_created, total_refused = 0, 0
  for _, t in ipairs(threads) do
    total_created = total_created + t:get("created")
    total_refused = total_refused + t:get("refused")
  end
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f ok=%d failed=%d errors=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration / 1e6, total_created, total_refused,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
