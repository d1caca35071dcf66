// GET /metrics: Prometheus text format, fed by real requests through the gateway.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { useGateway } from './lib/fixture.mjs';
import { postJson, request, stream } from './lib/client.mjs';

const PROMPT = 'Generate a user_accounts schema';

// The value of the sample `name{labels}` (labels as rendered), or undefined.
function sample(text, name, labels) {
  const prefix = `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

describe('/metrics', () => {
  const ctx = useGateway();

  test('counts requests, tokens, upstream errors and latency', async () => {
    const ok = await postJson(ctx.gw.url, '/v1/chat/completions',
      { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(ok.status, 200, ok.text);
    const s = stream(ctx.gw.url, '/generate/structured', { prompt: PROMPT, model: 'o/ok' });
    await s.done;
    const bad = await postJson(ctx.gw.url, '/v1/chat/completions',
      { model: 'o/http500', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(bad.status, 502, bad.text);
    await request(ctx.gw.url, { path: '/no/such/path' });

    const r = await request(ctx.gw.url, { path: '/metrics' });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    const t = r.text;
    assert.match(t, /# TYPE sluice_requests_total counter/);
    assert.equal(sample(t, 'sluice_requests_total',
      'route="/v1/chat/completions",model="m",provider="ollama",status="200"'), 1);
    assert.equal(sample(t, 'sluice_requests_total',
      'route="/generate/structured",model="o/ok",provider="ollama",status="200"'), 1);
    assert.equal(sample(t, 'sluice_requests_total',
      'route="/v1/chat/completions",model="o/http500",provider="ollama",status="502"'), 1);
    // Unknown paths share one label value, so scanners cannot blow up cardinality.
    assert.equal(sample(t, 'sluice_requests_total',
      'route="unmatched",model="",provider="",status="404"'), 1);
    assert.equal(sample(t, 'sluice_upstream_errors_total', 'provider="ollama",kind="upstream_error"'), 1);
    assert.ok(sample(t, 'sluice_tokens_total', 'model="m",key="",direction="in"') > 0);
    assert.ok(sample(t, 'sluice_tokens_total', 'model="m",key="",direction="out"') > 0);
    assert.equal(sample(t, 'sluice_request_duration_seconds_count',
      'route="/v1/chat/completions",model="m"'), 1);
    assert.equal(sample(t, 'sluice_time_to_first_token_seconds_count',
      'route="/generate/structured",model="o/ok"'), 1);
    assert.ok(sample(t, 'sluice_gateway_overhead_seconds_count', 'route="/v1/chat/completions"') >= 2);
    assert.match(t, /^sluice_active_streams 0$/m);
    assert.match(t, /^sluice_active_connections [1-9]\d*$/m); // this very request's connection
  });
});
