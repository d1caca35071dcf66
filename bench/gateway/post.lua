-- wrk script: POST an OpenAI chat request; BENCH_STREAM=1 asks for SSE.
-- On exit it prints one machine-readable line (latencies in microseconds)
-- that bench/gateway/run.sh parses.
local stream = os.getenv("BENCH_STREAM") == "1"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if stream then
  wrk.body = '{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}'
else
  wrk.body = '{"model":"m","messages":[{"role":"user","content":"hi"}]}'
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "RESULT rps=%.1f p50=%d p90=%d p99=%d mean=%.1f max=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, summary.requests, errors))
end
