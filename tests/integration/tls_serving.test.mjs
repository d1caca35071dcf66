// HTTPS serving (--tls-cert / --tls-key): requests, streams and disconnect
// detection work over TLS; plain HTTP and bad handshakes are turned away
// without harming the server; half a TLS configuration is refused at start.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { eventually, postJson, request, stream, trustCa } from './lib/client.mjs';
import { startMock, TABLE_OBJECT } from './lib/mocks.mjs';
import { childEnv, scratchDir, sluiceBin, startSluice, tomlConfig } from './lib/sluice.mjs';

const ctx = {};

before(async () => {
  const dir = scratchDir();
  ctx.key = join(dir, 'server.key');
  ctx.cert = join(dir, 'server.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', ctx.key, '-out', ctx.cert], { stdio: ['ignore', 'ignore', 'pipe'] });
  trustCa(readFileSync(ctx.cert));
  ctx.mock = await startMock();
  ctx.gw = await startSluice({
    config: tomlConfig({
      server: { default_model: 'o/ok' },
      providers: { up: { kind: 'ollama', base_url: `http://127.0.0.1:${ctx.mock.port}` } },
      models: { 'o/*': { provider: 'up' } },
    }),
    args: ['--tls-cert', ctx.cert, '--tls-key', ctx.key],
  });
});

after(async () => {
  try {
    await ctx.gw?.stop();
  } finally {
    await ctx.mock?.close();
  }
});

test('the listening log line says https', () => {
  assert.ok(ctx.gw.url.startsWith('https://'), ctx.gw.url);
});

test('GET /health and a non-streamed chat over HTTPS', async () => {
  assert.equal((await request(ctx.gw.url, { path: '/health' })).status, 200);
  const r = await postJson(ctx.gw.url, '/v1/chat/completions', {
    model: 'o/hello', messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.choices[0].message.content, 'Hello, world!');
});

test('/generate/structured streams over HTTPS', async () => {
  const s = stream(ctx.gw.url, '/generate/structured', { prompt: 'users table', model: 'o/ok' });
  assert.equal((await s.response).status, 200);
  await s.done;
  assert.ok(s.events.length > 2, s.text);
  assert.deepEqual(s.events.at(-1).json, { status: 'success', data: TABLE_OBJECT }, s.text);
});

test('a client leaving a TLS stream cancels the upstream request', async () => {
  const id = `tls-abort-${Date.now()}`;
  const s = stream(ctx.gw.url, '/v1/chat/completions',
    { model: 'o/stall', stream: true, messages: [{ role: 'user', content: 'x' }] },
    { 'x-request-id': id });
  const up = await ctx.mock.waitForRequest((r) => r.headers['x-request-id'] === id);
  await s.next(1);
  s.abort();
  assert.ok(await eventually(() => up.socket.closedAt !== undefined, 2000, 5),
    'upstream connection left open after the TLS client left');
});

test('plain HTTP to the HTTPS port gets no answer, and the server keeps serving', async () => {
  const answer = await new Promise((resolve) => {
    const sock = net.connect(ctx.gw.port, '127.0.0.1', () => sock.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'));
    let got = '';
    sock.on('data', (d) => { got += d.toString('latin1'); });
    sock.on('close', () => resolve(got));
    sock.on('error', () => {});
    sock.setTimeout(5000, () => sock.destroy());
  });
  assert.ok(!answer.startsWith('HTTP/1.1 200'), answer);
  assert.equal((await request(ctx.gw.url, { path: '/health' })).status, 200);
});

test('a client that does not trust the certificate fails its handshake; others are unaffected', async () => {
  const err = await new Promise((resolve) => {
    const sock = tls.connect({ port: ctx.gw.port, host: '127.0.0.1', servername: 'localhost' });
    sock.on('secureConnect', () => resolve(null));
    sock.on('error', resolve);
  });
  assert.ok(err, 'handshake succeeded without trusting the certificate');
  assert.equal((await request(ctx.gw.url, { path: '/health' })).status, 200);
});

test('--tls-cert without --tls-key is refused at start', () => {
  const r = spawnSync(sluiceBin(), ['serve', '--listen', '127.0.0.1:0', '--tls-cert', ctx.cert],
    { env: childEnv({}), encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /tls_cert and tls_key/);
});
