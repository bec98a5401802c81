-- wrk script: POST /v1/events with NDJSON batches of 100 events, every event id unique (so each
-- request is stored, never a duplicate). The key comes from the environment (HYPERLENS_KEY).
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
end

function request()
  counter = counter + 1
  local lines = {}
  for i = 1, 100 do
    lines[i] = string.format(
      '{"event_id":"w%d-%d-%d","event_type":"session.joined","timestamp":"2026-12-06T10:00:00+00:00","session_id":"s%d","agent_did":"did:mesh:a%d","causal_trace_id":null,"parent_event_id":null,"payload":{"ring":3,"reason":"load"}}',
      tid, counter, i, counter % 1000, i % 50)
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
