// Hostile clients (issue 7): oversized headers, bodies and JSON nesting,
// slowloris and slow-read clients, the connection cap, and thousands of idle
// connections, while normal requests keep being served.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';

import { eventually, postJson, request, sleep } from './lib/client.mjs';
import { ollamaDoneLine, ollamaTokenLine } from './lib/mocks.mjs';
import { chatBody, connect, freshDbPath, rawExchange, useStack } from './lib/security.mjs';

const BODY_LIMIT = 4096;

// A request with `depth` levels of nesting in all (the body object counts as one).
function nestedBody(depth, base) {
  const inner = depth - 1;
  return `${JSON.stringify(base).slice(0, -1)},"metadata_x":${'['.repeat(inner)}${']'.repeat(inner)}}`;
}

// Times one plain chat request; asserts it succeeded.
async function timedChat(gw, what) {
  const t0 = performance.now();
  const r = await postJson(gw.url, '/v1/chat/completions', chatBody());
  const ms = performance.now() - t0;
  assert.equal(r.status, 200, `${what}: ${r.text}`);
  return ms;
}

describe('oversized requests', () => {
  const ctx = useStack(async () => ({
    args: ['--keys-db', freshDbPath('none')], server: { body_limit: BODY_LIMIT },
  }));

  test('a request header block over 16 KiB → 431 (one large field)', async () => {
    const ok = await rawExchange(ctx.gw.port,
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(15000)}\r\nConnection: close\r\n\r\n`);
    assert.equal(ok.status, 200, ok.text.slice(0, 200));
    for (const path of ['/health', '/v1/chat/completions']) {
      const r = await rawExchange(ctx.gw.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
      assert.equal(r.status, 431, `${path}: ${r.text.slice(0, 300)}`);
      assert.match(r.text, /\r\nconnection: close\r\n/i);
    }
  });

  test('a request header block over 16 KiB → 431 (many small fields)',
    async () => {
      let fields = '';
      for (let i = 0; fields.length < 18 * 1024; i++) fields += `x-f${i}: 1\r\n`;
      const r = await rawExchange(ctx.gw.port, `GET /health HTTP/1.1\r\nHost: x\r\n${fields}Connection: close\r\n\r\n`);
      assert.equal(r.status, 431, `${fields.length}-byte header block: ${r.text.slice(0, 120)}`);
    });

  test('a body over [server] body_limit → 413 (Content-Length and chunked)', async () => {
    const fits = chatBody('x'.repeat(BODY_LIMIT - 200));
    assert.ok(JSON.stringify(fits).length <= BODY_LIMIT);
    const ok = await postJson(ctx.gw.url, '/v1/chat/completions', fits);
    assert.equal(ok.status, 200, ok.text);

    const big = chatBody('x'.repeat(BODY_LIMIT + 100));
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', big);
    assert.equal(r.status, 413, r.text);
    assert.equal(r.json?.error?.code, 'payload_too_large', r.text);
    const lab = await postJson(ctx.gw.url, '/generate/structured',
      { prompt: 'x'.repeat(BODY_LIMIT + 100), model: 'o/ok' });
    assert.equal(lab.status, 413, lab.text);
    assert.equal(typeof lab.json?.detail, 'string', lab.text);

    const half = 'y'.repeat(3000);
    const chunk = (s) => `${s.length.toString(16)}\r\n${s}\r\n`;
    const chunked = await rawExchange(ctx.gw.port,
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Transfer-Encoding: chunked\r\n\r\n${chunk(`{"model":"m","messages":[{"role":"user","content":"${half}`)}` +
      `${chunk(`${half}"}]}`)}0\r\n\r\n`);
    assert.equal(chunked.status, 413, chunked.text.slice(0, 300));
    // The gateway is still fine.
    assert.equal((await postJson(ctx.gw.url, '/v1/chat/completions', chatBody())).status, 200);
  });

  test('JSON nested deeper than 64 → 400; 64 levels are accepted', async () => {
    const at = await postJson(ctx.gw.url, '/v1/chat/completions', nestedBody(64, chatBody()));
    assert.equal(at.status, 200, at.text);
    const deeper = await postJson(ctx.gw.url, '/v1/chat/completions', nestedBody(65, chatBody()));
    assert.equal(deeper.status, 400, deeper.text);
    assert.match(deeper.json?.error?.message, /deep/);
    const labBase = { prompt: 'a users table', model: 'o/ok' };
    const labDeep = await postJson(ctx.gw.url, '/generate/structured', nestedBody(65, labBase));
    assert.equal(labDeep.status, 400, labDeep.text);
    assert.ok(Array.isArray(labDeep.json?.detail), labDeep.text);
    // Far deeper input neither crashes nor stalls the parser.
    const huge = `{"model":"m","messages":${'['.repeat(1900)}${']'.repeat(1900)}}`;
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', huge);
    assert.equal(r.status, 400, r.text);
  });
});

describe('slow and idle clients', () => {
  const ctx = useStack(async () => ({ args: ['--keys-db', freshDbPath('none')] }));

  test('20 slowloris connections do not stop normal requests', async (t) => {
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n';
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(ctx.gw.port)));
    t.after(() => sockets.forEach((s) => s.destroy()));
    let sent = 0;
    const trickle = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write(head[sent % head.length]);
      sent++;
    }, 500);
    t.after(() => clearInterval(trickle));

    const times = [];
    const end = performance.now() + 3000;
    while (performance.now() < end) {
      times.push(await timedChat(ctx.gw, 'during slowloris'));
      await sleep(200);
    }
    assert.ok(sent >= 5, 'the trickle ran');
    assert.ok(times.length >= 5, `${times.length} requests`);
    assert.ok(Math.max(...times) < 1000, `request times under slowloris: ${times.map(Math.round)}`);
    assert.ok(sockets.every((s) => !s.destroyed), 'the head deadline (30 s) is not cut short');
  });

  test('a client that never reads a long stream does not block others', async (t) => {
    // ~24 MB of SSE if nothing pushed back: far more than the socket buffers hold.
    const token = 'z'.repeat(1000);
    ctx.mock.scenarios.firehose = (kind, model) =>
      [...Array.from({ length: 20000 }, () => ollamaTokenLine(model, token)), ollamaDoneLine(model)];
    const sock = await connect(ctx.gw.port);
    t.after(() => sock.destroy());
    const body = JSON.stringify({ ...chatBody(), model: 'o/firehose', stream: true });
    sock.pause();  // never read
    sock.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await ctx.mock.waitForRequest((r) => r.json?.model === 'firehose');
    await sleep(500);

    for (let i = 0; i < 5; i++) {
      const ms = await timedChat(ctx.gw, 'beside a slow reader');
      assert.ok(ms < 1000, `request ${i + 1} took ${Math.round(ms)} ms`);
    }
    const m = await request(ctx.gw.url, { path: '/metrics' });
    assert.match(m.text, /^sluice_active_streams 1$/m, 'the slow reader\'s stream is still open');
    sock.destroy();
    const closed = await eventually(async () => /^sluice_active_streams 0$/m.test(
      (await request(ctx.gw.url, { path: '/metrics' })).text), 3000, 50);
    assert.ok(closed, 'the stream ends once the slow reader is gone');
  });

  test('2000 idle connections do not stop new requests', async (t) => {
    const sockets = [];
    t.after(() => sockets.forEach((s) => s.destroy()));
    for (let batch = 0; batch < 8; batch++) {
      sockets.push(...await Promise.all(Array.from({ length: 250 }, () => connect(ctx.gw.port))));
    }
    assert.equal(sockets.length, 2000);
    for (let i = 0; i < 5; i++) {
      const ms = await timedChat(ctx.gw, `with ${sockets.length} idle connections`);
      assert.ok(ms < 2000, `request ${i + 1} took ${Math.round(ms)} ms`);
    }
    const m = await request(ctx.gw.url, { path: '/metrics' });
    const open = Number(/^sluice_active_connections (\d+)$/m.exec(m.text)?.[1]);
    assert.ok(open >= 2000, `sluice_active_connections ${open}`);
  });
});

describe('connection cap', () => {
  const ctx = useStack(async () => ({
    args: ['--keys-db', freshDbPath('none')], server: { max_connections: 5 },
  }));

  // Holds `n` idle connections open; the caller destroys them.
  async function fill(t, n) {
    const idle = [];
    t.after(() => idle.forEach((s) => s.destroy()));
    for (let i = 0; i < n; i++) idle.push(await connect(ctx.gw.port));
    await sleep(200);  // let the server register them
    return idle;
  }

  test('[server] max_connections = 5: the 6th connection → 503 with Retry-After, then room again', async (t) => {
    const idle = await fill(t, 5);
    const r = await rawExchange(ctx.gw.port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r.status, 503, r.text);
    assert.match(r.text, /\r\nRetry-After: 1\r\n/i);
    idle[0].destroy();
    const back = await eventually(async () => (await rawExchange(ctx.gw.port,
      'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status === 200, 2000, 50);
    assert.ok(back, 'a freed connection slot is reused');
  });

  test('an HTTP client reads the whole 503 answer',
    async (t) => {
      const idle = await fill(t, 5);
      const r = await new Promise((resolve, reject) => {
        const req = http.get(`${ctx.gw.url}/health`, { agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => { text += c; });
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        });
        req.on('error', reject);
      });
      assert.equal(r.status, 503);
      assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text));
      assert.equal(typeof JSON.parse(r.text).detail, 'string');
      idle.forEach((s) => s.destroy());
    });
});
