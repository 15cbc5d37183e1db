-- wrk script for bench/load. LOAD_MODE=mixed: 70 % reads (50 % progress profiles of the
-- therapist's open episodes, 20 % their caseload) and 30 % check-in writes (15 % goal
-- ratings, 15 % alliance ratings on each episode's latest session); LOAD_MODE=health:
-- GET /healthz, the baseline. The ids come from bench/load-ids.lua (LOAD_IDS), written by
-- bench/load from the API. LOAD_OUT receives one JSON line of results.
local mode = os.getenv("LOAD_MODE") or "mixed"
local token = os.getenv("LOAD_TOKEN") or ""
if mode == "mixed" then dofile(os.getenv("LOAD_IDS")) end

local reads = { ["Authorization"] = "Bearer " .. token }
local writes = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }

local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(7919 * id)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function request()
  if mode == "health" then return wrk.format("GET", "/healthz") end
  local r = math.random(100)
  local i = math.random(#episodes)
  local episode = "/api/v1/episodes/" .. episodes[i]
  if r <= 50 then return wrk.format("GET", episode .. "/profile", reads) end
  if r <= 70 then return wrk.format("GET", "/api/v1/therapists/" .. therapist .. "/caseload", reads) end
  if r <= 85 then
    return wrk.format("POST", episode .. "/goal-ratings", writes, string.format(
      '{"session":%d,"goal_key":"%s","value":%d}', sessions[i], goals[i], math.random(0, 10)))
  end
  return wrk.format("POST", episode .. "/alliance", writes,
    string.format('{"session":%d,"value":%d}', sessions[i], math.random(0, 10)))
end

function done(summary, latency, requests)
  local non = 0
  for _, thread in ipairs(threads) do non = non + thread:get("non2xx") end
  local e = summary.errors
  local out = io.open(os.getenv("LOAD_OUT"), "w")
  out:write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, non,
    e.connect + e.read + e.write + e.timeout))
  out:close()
end
