-- wrk script for bench/load.sh: POST votes that are all different (proposal `load-P` by member
-- M, P and M taken from a counter that starts at LOAD_OFFSET and is shared out between the
-- threads, so no two requests record the same stance), every connection pausing DELAY ms
-- between its requests, and counting the answers: 201 recorded (`ok`), anything else refused
-- (`failed`). The entry number of every acknowledged vote is written to LOAD_ACKS-THREAD, one
-- per line, for the script to look for in the store after.
dofile("bench/load-report.lua")
local pause = tonumber(os.getenv("LOAD_DELAY_MS") or "0")
local token = os.getenv("LOAD_TOKEN")
local members = {}
for m in string.gmatch(os.getenv("LOAD_MEMBERS"), "[^,]+") do table.insert(members, m) end

function setup(thread)
  thread:set("id", #threads)
  thread:set("stride", tonumber(os.getenv("LOAD_THREADS")))
  thread:set("offset", tonumber(os.getenv("LOAD_OFFSET") or "0"))
  table.insert(threads, thread)
end

function init(args)
  ok, failed, n = 0, 0, 0
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
    ok = ok + 1
    acks:write(string.match(body, '"entries":%[(%d+)%]'), "\n")
  else
    failed = failed + 1
  end
end
