-- wrk script for bench/load.sh: GET one path, every connection pausing DELAY ms between its
-- requests (so that C connections make about C * 1000 / DELAY requests per second), and
-- counting the answers by status.
dofile("bench/load-report.lua")
local path = os.getenv("LOAD_PATH") or "/api/decisions"
local pause = tonumber(os.getenv("LOAD_DELAY_MS") or "0")

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
