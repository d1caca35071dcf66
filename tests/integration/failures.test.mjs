// Upstream failures: refused, reset, HTTP errors, timeouts, garbage. Each
// must end in a clean error (an `error` event, or an HTTP error before the
// stream starts), leave a log line with the request id, close the upstream
// connection, and leave the gateway serving.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { eventually, postJson, request, stream } from './lib/client.mjs';
import { standardConfig, UPSTREAM_KEY } from './lib/fixture.mjs';
import { startMock } from './lib/mocks.mjs';
import { startSluice } from './lib/sluice.mjs';

const ctx = {};

async function closedPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

before(async () => {
  ctx.mock = await startMock();
  const dead = `http://127.0.0.1:${await closedPort()}`;
  const config = standardConfig(ctx.mock.url) + `
[providers.dead_ollama]
kind = "ollama"
base_url = "${dead}"
connect_timeout_ms = 1000

[providers.dead_openai]
kind = "openai"
base_url = "${dead}"
connect_timeout_ms = 1000

[models."dead-o"]
provider = "dead_ollama"
upstream = "ok"

[models."dead-a"]
provider = "dead_openai"
upstream = "ok"
`;
  ctx.gw = await startSluice({ config, env: { UPSTREAM_KEY } });
});

after(async () => {
  try {
    if (ctx.gw) await ctx.gw.stop();
  } finally {
    if (ctx.mock) await ctx.mock.close();
  }
});

const PROMPT = 'A table of users with an id and an email';
const USER = [{ role: 'user', content: 'Make a table' }];
let seq = 0;

// name, model suffix per provider, tokens sent before the failure, HTTP status
// for a failure before any token, words the message must contain, timing window.
const FAILURES = [
  { name: 'connection refused', models: ['dead-o', 'dead-a'], tokens: 0, status: 502, upstream: false },
  { name: 'reset before the response', scenario: 'reset-now', tokens: 0, status: 502 },
  { name: 'reset mid-stream', scenario: 'reset', tokens: 2, status: 502 },
  { name: 'HTTP 500', scenario: 'http500', tokens: 0, status: 502, words: ['500', 'the GPU caught fire'] },
  { name: 'HTTP 404 model not found', scenario: 'http404', tokens: 0, status: 502, words: ['404'] },
  { name: 'first-token timeout (no response head)', scenario: 'silent', fast: true, tokens: 0, status: 504,
    words: ['first-token'], window: [450, 2000] },
  { name: 'first-token timeout (head, no body)', scenario: 'head-only', fast: true, tokens: 0, status: 504,
    words: ['first-token'], window: [450, 2000] },
  { name: 'idle timeout after one token', scenario: 'stall', fast: true, tokens: 1, status: 504,
    words: ['idle'], window: [450, 2000] },
  { name: 'garbage line', scenario: 'garbage', tokens: 1, status: 502, words: ['malformed'] },
  { name: 'error object mid-stream', scenario: 'error-line', tokens: 1, status: 502 },
  { name: 'stream ends without its final line', scenario: 'truncated', tokens: 2, status: 502 },
];

function modelsFor(f) {
  if (f.models) return f.models;
  return f.fast ? [`ot/${f.scenario}`, `at/${f.scenario}`] : [`o/${f.scenario}`, `a/${f.scenario}`];
}

// After a failure: the log line, the upstream socket closed, /health still 200.
async function assertCleanAfter(id, f, expectStatus, path) {
  const log = await ctx.gw.requestLog(id);
  assert.equal(log.path, path);
  assert.equal(log.status, expectStatus);
  assert.equal(typeof log.error, 'string');
  assert.ok(log.error.length > 0, `log line has no error: ${JSON.stringify(log)}`);
  assert.ok(['dead_ollama', 'dead_openai', 'ollama', 'openai', 'ollama_fast', 'openai_fast'].includes(log.provider));
  assert.equal(typeof log.duration_ms, 'number');
  if (f.upstream !== false) {
    const up = ctx.mock.requests.find((r) => r.headers['x-request-id'] === id);
    assert.ok(up, 'the mock never saw the request');
    const closed = await eventually(() => up.socket.closedAt !== undefined, 1000);
    assert.ok(closed, 'the upstream connection was left open');
  }
  const h = await request(ctx.gw.url, { path: '/health' });
  assert.equal(h.status, 200);
}

function checkMessage(message, f) {
  assert.equal(typeof message, 'string');
  assert.ok(message.length > 0);
  for (const w of f.words ?? []) assert.ok(message.includes(w), `message ${JSON.stringify(message)} lacks "${w}"`);
}

for (const f of FAILURES) {
  describe(f.name, () => {
    for (const model of modelsFor(f)) {
      test(`/generate/structured via ${model}: tokens then one error event`, async () => {
        const id = `it-fail-${++seq}`;
        const t0 = performance.now();
        const s = stream(ctx.gw.url, '/generate/structured', { prompt: PROMPT, model }, { 'x-request-id': id });
        const head = await s.response;
        await s.done;
        assert.equal(head.status, 200);
        const statuses = s.events.map((e) => e.json?.status);
        assert.deepEqual(statuses, [...Array(f.tokens).fill('generating'), 'error'], s.text);
        const last = s.events.at(-1).json;
        assert.deepEqual(Object.keys(last).sort(), ['message', 'status']);
        checkMessage(last.message, f);
        if (f.window) {
          const ms = s.endedAt - t0;
          assert.ok(ms >= f.window[0] && ms <= f.window[1], `error after ${ms.toFixed(0)} ms`);
        }
        await assertCleanAfter(id, f, 200, '/generate/structured');
      });

      test(`/v1/chat/completions stream via ${model}`, async () => {
        const id = `it-fail-${++seq}`;
        const s = stream(ctx.gw.url, '/v1/chat/completions', { model, messages: USER, stream: true },
          { 'x-request-id': id });
        const head = await s.response;
        await s.done;
        assert.equal(head.headers['x-request-id'], id);
        if (f.tokens === 0) {
          // Nothing was streamed: a real HTTP error status and an OpenAI error body.
          assert.equal(head.status, f.status, s.text);
          const body = JSON.parse(s.text);
          checkMessage(body.error.message, f);
          assert.equal(body.error.type, 'server_error');
          await assertCleanAfter(id, f, f.status, '/v1/chat/completions');
        } else {
          assert.equal(head.status, 200);
          assert.ok(!s.events.some((e) => e.data === '[DONE]'), s.text);
          const last = s.events.at(-1).json;
          assert.ok(last.error, s.text);
          checkMessage(last.error.message, f);
          const content = s.events.slice(0, -1).filter((e) => e.json?.choices?.[0]?.delta?.content);
          assert.equal(content.length, f.tokens, s.text);
          await assertCleanAfter(id, f, 200, '/v1/chat/completions');
        }
      });

      test(`/v1/chat/completions non-stream via ${model}: HTTP ${f.status}`, async () => {
        const id = `it-fail-${++seq}`;
        const r = await postJson(ctx.gw.url, '/v1/chat/completions', { model, messages: USER }, { 'x-request-id': id });
        assert.equal(r.status, f.status, r.text);
        checkMessage(r.json.error.message, f);
        for (const k of ['type', 'param', 'code']) assert.ok(k in r.json.error, r.text);
        await assertCleanAfter(id, f, f.status, '/v1/chat/completions');
      });
    }
  });
}

describe('after all failures', () => {
  test('the process is alive and every upstream connection is closed', async () => {
    assert.equal(ctx.gw.running, true);
    assert.equal(await ctx.mock.allClosed(2000), true,
      `open upstream sockets: ${JSON.stringify(ctx.mock.openSockets())}`);
    const r = await request(ctx.gw.url, { path: '/ready' });
    assert.equal(r.status, 200);
  });
});

describe('readiness', () => {
  test('/ready is 503 with a reason when no provider answers', async () => {
    const port = await closedPort();
    const gw = await startSluice({
      config: `[providers.down]\nkind = "ollama"\nbase_url = "http://127.0.0.1:${port}"\nconnect_timeout_ms = 500\n` +
        `[providers.down2]\nkind = "openai"\nbase_url = "http://127.0.0.1:${port}"\nconnect_timeout_ms = 500\n` +
        '[models.m]\nprovider = "down"\n',
    });
    try {
      const r = await request(gw.url, { path: '/ready' });
      assert.equal(r.status, 503, r.text);
      assert.equal(typeof r.json.reason, 'string');
      assert.ok(r.json.reason.length > 0);
      assert.equal(r.json.providers.length, 2);
      for (const p of r.json.providers) {
        assert.equal(p.ready, false);
        assert.ok(typeof p.reason === 'string' && p.reason.length > 0);
      }
    } finally {
      await gw.stop();
    }
  });

  test('OLLAMA_API_URL without a config file points the default provider (model llama3.2)', async () => {
    const mock = await startMock();
    mock.scenarios['llama3.2'] = mock.scenarios.hello;
    const gw = await startSluice({ env: { OLLAMA_API_URL: `${mock.url}/api/generate` } });
    try {
      assert.equal((await request(gw.url, { path: '/ready' })).status, 200);
      const r = await postJson(gw.url, '/v1/chat/completions', { messages: USER });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.choices[0].message.content, 'Hello, world!');
      assert.equal(mock.requests.at(-1).json.model, 'llama3.2');
      assert.equal(mock.requests.at(-1).url, '/api/chat');
    } finally {
      await gw.stop();
      await mock.close();
    }
  });
});
