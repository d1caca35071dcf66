// Request ids and log lines; graceful shutdown on SIGTERM.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { eventually, postJson, request, sleep, stream } from './lib/client.mjs';
import { standardConfig, UPSTREAM_KEY } from './lib/fixture.mjs';
import { startMock, TABLE_OBJECT, TABLE_TOKENS } from './lib/mocks.mjs';
import { startSluice } from './lib/sluice.mjs';

const PROMPT = 'A table of users with an id and an email';
const USER = [{ role: 'user', content: 'Say hello' }];

let mock;
const gateways = [];
before(async () => {
  mock = await startMock();
});
after(async () => {
  try {
    await Promise.all(gateways.map((gw) => gw.stop()));
  } finally {
    await mock.close();
  }
});

async function gateway(server = {}) {
  const gw = await startSluice({ config: standardConfig(mock.url, { server }), env: { UPSTREAM_KEY } });
  gateways.push(gw);
  return gw;
}

// Resolves with the error code of a fresh connection attempt, or 'connected'.
function tryConnect(port) {
  return new Promise((res) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (r) => {
      r.resume();
      res(`connected:${r.statusCode}`);
    });
    req.on('error', (e) => res(e.code));
    req.setTimeout(1000, () => {
      req.destroy();
      res('timeout');
    });
  });
}

describe('request ids and log lines', () => {
  let gw;
  before(async () => {
    gw = await gateway();
  });

  test('a client id is echoed and logged with every field (structured)', async () => {
    const s = stream(gw.url, '/generate/structured', { prompt: PROMPT, model: 'o/ok' }, { 'x-request-id': 'client-id-123' });
    const head = await s.response;
    await s.done;
    assert.equal(head.headers['x-request-id'], 'client-id-123');
    const log = await gw.requestLog('client-id-123');
    assert.equal(log.level, 'info');
    assert.equal(log.method, 'POST');
    assert.equal(log.path, '/generate/structured');
    assert.equal(log.status, 200);
    assert.equal(log.model, 'o/ok');
    assert.equal(log.provider, 'ollama');
    assert.equal(typeof log.duration_ms, 'number');
    assert.ok(log.duration_ms > 0);
    assert.equal(log.prompt_tokens, 12);
    assert.equal(log.completion_tokens, TABLE_TOKENS.length);
    assert.equal(log.error, '');
    assert.equal(typeof log.ts, 'string');
    // The id is forwarded upstream too.
    assert.ok(mock.requests.some((r) => r.headers['x-request-id'] === 'client-id-123'));
  });

  test('an id is generated when the client sends none, and differs per request', async () => {
    const a = await postJson(gw.url, '/v1/chat/completions', { model: 'g', messages: USER });
    const b = await postJson(gw.url, '/v1/chat/completions', { model: 'g', messages: USER });
    assert.equal(a.status, 200);
    const ida = a.headers['x-request-id'];
    const idb = b.headers['x-request-id'];
    assert.match(ida, /^[A-Za-z0-9_.:-]{8,128}$/);
    assert.notEqual(ida, idb);
    const log = await gw.requestLog(ida);
    assert.equal(log.method, 'POST');
    assert.equal(log.path, '/v1/chat/completions');
    assert.equal(log.status, 200);
    assert.equal(log.model, 'g');
    assert.equal(log.provider, 'openai');
    assert.equal(log.prompt_tokens, 9);
    assert.equal(log.completion_tokens, 4);
  });

  test('a header-unsafe client id is replaced by a generated one', async () => {
    const r = await request(gw.url, { path: '/health', headers: { 'x-request-id': 'has spaces & <angle>' } });
    assert.equal(r.status, 200);
    const id = r.headers['x-request-id'];
    assert.ok(id && id !== 'has spaces & <angle>');
    const log = await gw.requestLog(id);
    assert.equal(log.path, '/health');
    assert.equal(log.method, 'GET');
  });

  test('errors have ids and log lines too', async () => {
    const r = await postJson(gw.url, '/v1/chat/completions', { model: 'nope', messages: USER }, { 'x-request-id': 'err-1' });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-request-id'], 'err-1');
    const log = await gw.requestLog('err-1');
    assert.equal(log.status, 404);
    assert.equal(log.level, 'warn');
    assert.ok(log.error.length > 0);
    const bad = await request(gw.url, { method: 'POST', path: '/generate/structured', body: '{', headers: { 'x-request-id': 'err-2' } });
    assert.equal(bad.status, 400);
    assert.equal((await gw.requestLog('err-2')).status, 400);
  });
});

describe('SIGTERM', () => {
  test('an in-flight stream completes, new connections are refused, exit 0', async () => {
    const gw = await gateway({ shutdown_grace_ms: 5000 });
    // 8 tokens 200 ms apart: about 1.6 s of streaming.
    const s = stream(gw.url, '/generate/structured', { prompt: PROMPT, model: 'o/drip' });
    await s.next(1);
    gw.signal('SIGTERM');
    const termAt = performance.now();
    await sleep(100);
    assert.equal(await tryConnect(gw.port), 'ECONNREFUSED');
    await s.done;
    assert.deepEqual(s.events.slice(0, -1).map((e) => e.json.token), TABLE_TOKENS);
    assert.deepEqual(s.events.at(-1).json, { status: 'success', data: TABLE_OBJECT });
    const { code, signal } = await gw.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, gw.tail());
    // It waited for the stream, not for the whole grace period.
    assert.ok(gw.exitedAt - termAt < 3500, `exited ${(gw.exitedAt - termAt).toFixed(0)} ms after SIGTERM`);
    assert.ok(gw.exitedAt >= s.endedAt - 50);
  });

  test('a stream longer than the grace period is cut and the process still exits', async () => {
    const gw = await gateway({ shutdown_grace_ms: 1000 });
    const s = stream(gw.url, '/generate/structured', { prompt: PROMPT, model: 'o/stall' }, { 'x-request-id': 'grace-1' });
    await s.next(1);
    const up = await mock.waitForRequest((r) => r.headers['x-request-id'] === 'grace-1');
    gw.signal('SIGTERM');
    const termAt = performance.now();
    const { code } = await gw.exited;
    const ms = gw.exitedAt - termAt;
    assert.ok(ms >= 900, `exited after ${ms.toFixed(0)} ms, before the grace period`);
    assert.ok(ms < 2000, `exited after ${ms.toFixed(0)} ms (grace 1000 ms)`);
    assert.equal(code, 0, gw.tail());
    await s.done.catch(() => {});
    assert.ok(await eventually(() => up.socket.closedAt !== undefined, 1000), 'upstream left open');
  });

  test('idle keep-alive connections do not hold up shutdown', async () => {
    const gw = await gateway({ shutdown_grace_ms: 5000 });
    const agent = new http.Agent({ keepAlive: true });
    await new Promise((res, rej) => {
      http.get({ host: '127.0.0.1', port: gw.port, path: '/health', agent }, (r) => {
        r.resume();
        r.on('end', res);
      }).on('error', rej);
    });
    gw.signal('SIGTERM');
    const termAt = performance.now();
    const { code } = await gw.exited;
    agent.destroy();
    assert.equal(code, 0);
    assert.ok(gw.exitedAt - termAt < 1000, `exited ${(gw.exitedAt - termAt).toFixed(0)} ms after SIGTERM`);
  });
});
