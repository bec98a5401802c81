-- wrk script: POST /v1/events with NDJSON batches of 100 events, every event id unique (so each
-- request is stored, never a duplicate, also across runs against one hub: HYPERLENS_RUN names the
-- run). The key comes from the environment (HYPERLENS_KEY).
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  key = os.getenv("HYPERLENS_KEY")
  run = os.getenv("HYPERLENS_RUN") or ""
end

-- Each line is its constant parts around the three numbers that change, joined with `..`: a
-- quarter of what string.format costs, so the load generator stays off the measured path.
local tails = {}
for i = 1, 100 do
  tails[i] = '","event_type":"session.joined","timestamp":"2026-12-06T10:00:00+00:00","session_id":"s'
end

function request()
  counter = counter + 1
  local prefix = '{"event_id":"w' .. run .. tid .. "-" .. counter .. "-"
  local session = (counter % 1000) .. '","agent_did":"did:mesh:a'
  local lines = {}
  for i = 1, 100 do
    lines[i] = prefix .. i .. tails[i] .. session .. (i % 50)
      .. '","causal_trace_id":null,"parent_event_id":null,"payload":{"ring":3,"reason":"load"}}'
  end
  return wrk.format("POST", "/v1/events",
    {["Content-Type"] = "application/x-ndjson", ["Authorization"] = "Bearer " .. key},
    table.concat(lines, "\n"))
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d errors=%d seconds=%.3f p50_us=%d p99_us=%d\n",
    summary.requests, errors, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99)))
end
