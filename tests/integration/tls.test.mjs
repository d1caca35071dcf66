// HTTPS upstreams: certificate verification is on by default and honours
// SSL_CERT_FILE; host names are checked.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { eventually, postJson, request, stream } from './lib/client.mjs';
import { startMock, TABLE_OBJECT } from './lib/mocks.mjs';
import { scratchDir, startSluice, tomlConfig } from './lib/sluice.mjs';

// A self-signed certificate for `name`, with the given subjectAltName.
function selfSigned(tag, cn, san) {
  const dir = scratchDir();
  const key = join(dir, `${tag}.key`);
  const cert = join(dir, `${tag}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', cert],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  return { key: readFileSync(key), cert: readFileSync(cert), certPath: cert };
}

const PROMPT = 'A table of users with an id and an email';
const USER = [{ role: 'user', content: 'Say hello' }];
const ctx = { gateways: [] };

before(async () => {
  ctx.good = selfSigned('localhost', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  ctx.wrong = selfSigned('wrong', 'wrong.example', 'DNS:wrong.example');
  ctx.mock = await startMock({ tls: { key: ctx.good.key, cert: ctx.good.cert } });
  ctx.wrongMock = await startMock({ tls: { key: ctx.wrong.key, cert: ctx.wrong.cert } });
});

after(async () => {
  try {
    await Promise.all(ctx.gateways.map((gw) => gw.stop()));
  } finally {
    await ctx.mock?.close();
    await ctx.wrongMock?.close();
  }
});

async function gateway(env) {
  const base = { connect_timeout_ms: 3000, first_token_timeout_ms: 5000, idle_timeout_ms: 5000 };
  const config = tomlConfig({
    server: { default_model: 'm' },
    providers: {
      by_name: { kind: 'ollama', base_url: `https://localhost:${ctx.mock.port}`, ...base },
      by_ip: { kind: 'openai', base_url: `https://127.0.0.1:${ctx.mock.port}/v1`, ...base },
      wrong_name: { kind: 'ollama', base_url: `https://localhost:${ctx.wrongMock.port}`, ...base },
    },
    models: {
      m: { provider: 'by_name', upstream: 'ok' },
      'n/*': { provider: 'by_name' },
      'i/*': { provider: 'by_ip' },
      'w/*': { provider: 'wrong_name' },
    },
  });
  const gw = await startSluice({ config, env });
  ctx.gateways.push(gw);
  return gw;
}

describe('HTTPS upstream trusted through SSL_CERT_FILE', () => {
  let gw;
  before(async () => {
    gw = await gateway({ SSL_CERT_FILE: ctx.good.certPath });
  });

  test('structured generation over HTTPS (host name localhost, SNI)', async () => {
    const s = stream(gw.url, '/generate/structured', { prompt: PROMPT, model: 'n/ok' });
    assert.equal((await s.response).status, 200);
    await s.done;
    assert.deepEqual(s.events.at(-1).json, { status: 'success', data: TABLE_OBJECT }, s.text);
    assert.equal(ctx.mock.requests.at(-1).url, '/api/chat');
  });

  test('OpenAI chat over HTTPS to an IP address with a /v1 base path', async () => {
    const r = await postJson(gw.url, '/v1/chat/completions', { model: 'i/hello', messages: USER });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, 'Hello, world!');
    assert.equal(ctx.mock.requests.at(-1).url, '/v1/chat/completions');
  });

  test('a trusted certificate for another host name is rejected', async () => {
    const r = await postJson(gw.url, '/v1/chat/completions', { model: 'w/hello', messages: USER });
    assert.equal(r.status, 502, r.text);
    assert.match(r.json.error.message, /tls|ssl|certificate|verif|host/i);
    assert.equal(ctx.wrongMock.requests.length, 0, 'the request was sent over an unverified connection');
  });
});

describe('HTTPS upstream without trusting its certificate', () => {
  let gw;
  before(async () => {
    gw = await gateway({});
  });

  test('non-streamed chat → 502 naming the certificate problem; nothing sent', async () => {
    const before = ctx.mock.requests.length;
    const r = await postJson(gw.url, '/v1/chat/completions', { model: 'n/hello', messages: USER });
    assert.equal(r.status, 502, r.text);
    assert.equal(r.json.error.type, 'server_error');
    assert.match(r.json.error.message, /tls|ssl|certificate/i);
    assert.equal(ctx.mock.requests.length, before);
  });

  test('structured → one clean error event naming TLS/certificate', async () => {
    const s = stream(gw.url, '/generate/structured', { prompt: PROMPT, model: 'n/ok' });
    await s.done;
    assert.equal(s.events.length, 1, s.text);
    assert.equal(s.events[0].json.status, 'error');
    assert.match(s.events[0].json.message, /tls|ssl|certificate/i);
    assert.ok(await eventually(() => ctx.mock.openSockets().length === 0, 1000), 'TLS connection left open');
  });

  test('/ready is 503', async () => {
    const r = await request(gw.url, { path: '/ready' });
    assert.equal(r.status, 503, r.text);
  });
});
