// Per-key limits (rpm, tpm, concurrency, token budget), OpenAI rate-limit
// headers, reconciliation with the usage the upstream reports, global load
// shedding and the max_tokens cap (issue 7), against the in-process limiter.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';

import { eventually, postJson, request, stream } from './lib/client.mjs';
import { ollamaTokenLine } from './lib/mocks.mjs';
import {
  bearer, chatBody, createKey, freshDbPath, metricSample, RESET_FORMAT, startStack,
} from './lib/security.mjs';

// 100 bytes of content: the gateway estimates (100 + 16) / 4 + 1 = 30 prompt tokens.
const PROMPT_100 = 'x'.repeat(100);
const EST_100 = 30;
// The mock's "ok" scenario over Ollama reports prompt_eval_count 12 + eval_count 8.
const OLLAMA_OK_USAGE = 20;
// The mock's "hello" scenario over OpenAI reports usage 9 + 4.
const OPENAI_HELLO_USAGE = 13;

const intHeader = (r, name) => {
  assert.ok(r.headers[name] !== undefined, `no ${name} header: ${JSON.stringify(r.headers)}`);
  assert.match(r.headers[name], /^\d+$/, `${name}: ${r.headers[name]}`);
  return Number(r.headers[name]);
};

async function rateLimited(gw, limit) {
  const m = await request(gw.url, { path: '/metrics' });
  return metricSample(m.text, 'sluice_rate_limited_total', `limit="${limit}"`);
}

// A scenario: `n` tokens at once, then silence (the client must end it).
function burstThenStall(n) {
  return (kind, model) => {
    if (kind !== 'ollama') throw new Error('burst-stall is Ollama only');
    return [...Array.from({ length: n }, (_, i) => ollamaTokenLine(model, `t${i} `)), { hang: true }];
  };
}

// One chat request; resolves once the gateway logged it. The limiter is
// reconciled with the reported usage after the answer is written, just before
// that log line, so a client can otherwise race ahead of the reconciliation.
let settleSeq = 0;
async function chatSettled(gw, body, headers) {
  const id = `settle-${process.pid}-${++settleSeq}`;
  const r = await postJson(gw.url, '/v1/chat/completions', body, { ...headers, 'x-request-id': id });
  await gw.requestLog(id);
  return r;
}

// One request, resolving with the status (0 when the connection failed).
const statusOf = (p) => p.then((r) => r.status, () => 0);

describe('per-key limits', () => {
  test('rpm: 3 requests pass with counting headers, the 4th → 429 with retry-after', async (t) => {
    const db = freshDbPath('rpm');
    const { key } = await createKey(db, { name: 'rpm3', rpm: 3 });
    const { gw } = await startStack(t, { args: ['--keys-db', db] });
    for (let i = 1; i <= 3; i++) {
      const r = await postJson(gw.url, '/v1/chat/completions', chatBody(), bearer(key));
      assert.equal(r.status, 200, r.text);
      assert.equal(intHeader(r, 'x-ratelimit-limit-requests'), 3);
      assert.equal(intHeader(r, 'x-ratelimit-remaining-requests'), 3 - i);
      assert.match(r.headers['x-ratelimit-reset-requests'], RESET_FORMAT);
      assert.equal(r.headers['x-ratelimit-limit-tokens'], undefined, 'no tpm, no token headers');
      assert.equal(r.headers['retry-after'], undefined, 'retry-after only on refusals');
    }
    const r = await postJson(gw.url, '/v1/chat/completions', chatBody(), bearer(key));
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json?.error?.type, 'rate_limit_error', r.text);
    assert.match(r.json.error.message, /rpm/);
    const retry = intHeader(r, 'retry-after');
    assert.ok(retry >= 1 && retry <= 20, `retry-after ${retry}: one request refills in 20 s`);
    assert.equal(intHeader(r, 'x-ratelimit-limit-requests'), 3);
    assert.equal(intHeader(r, 'x-ratelimit-remaining-requests'), 0);
    assert.match(r.headers['x-ratelimit-reset-requests'], RESET_FORMAT);

    const lab = await postJson(gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok' }, bearer(key));
    assert.equal(lab.status, 429, lab.text);
    assert.equal(typeof lab.json?.detail, 'string', lab.text);
    assert.ok(intHeader(lab, 'retry-after') >= 1);
    assert.equal(await rateLimited(gw, 'rpm'), 2);
  });

  test('tpm: estimate charged up front, reconciled with reported usage, then 429', async (t) => {
    const db = freshDbPath('tpm');
    const ollama = await createKey(db, { name: 'tpm-ollama', tpm: 100 });
    const openai = await createKey(db, { name: 'tpm-openai', tpm: 100 });
    const { gw } = await startStack(t, { args: ['--keys-db', db] });

    const r1 = await chatSettled(gw, chatBody(PROMPT_100), bearer(ollama.key));
    assert.equal(r1.status, 200, r1.text);
    assert.equal(intHeader(r1, 'x-ratelimit-limit-tokens'), 100);
    assert.equal(intHeader(r1, 'x-ratelimit-remaining-tokens'), 100 - EST_100);
    assert.match(r1.headers['x-ratelimit-reset-tokens'], RESET_FORMAT);
    // Reconciled to the 20 tokens the upstream reported, then charged 30 again.
    const r2 = await chatSettled(gw, chatBody(PROMPT_100), bearer(ollama.key));
    assert.equal(r2.status, 200, r2.text);
    const left = intHeader(r2, 'x-ratelimit-remaining-tokens');
    const want = 100 - OLLAMA_OK_USAGE - EST_100;
    assert.ok(left >= want && left <= want + 3,
      `remaining ${left}, want ~${want} (without reconciliation it would be ${100 - 2 * EST_100})`);

    // 250 bytes → 67 tokens, more than what is left.
    const r3 = await postJson(gw.url, '/v1/chat/completions', chatBody('y'.repeat(250)), bearer(ollama.key));
    assert.equal(r3.status, 429, r3.text);
    assert.match(r3.json.error.message, /tpm/);
    assert.ok(intHeader(r3, 'retry-after') >= 1);
    assert.equal(intHeader(r3, 'x-ratelimit-limit-tokens'), 100);
    assert.equal(await rateLimited(gw, 'tpm'), 1);

    // A request larger than the whole per-minute allowance can never pass.
    const huge = await postJson(gw.url, '/v1/chat/completions', chatBody('z'.repeat(600)), bearer(openai.key));
    assert.equal(huge.status, 429, huge.text);

    // OpenAI upstream: reconciled with `usage` from the stream.
    const o1 = await chatSettled(gw, { ...chatBody(PROMPT_100), model: 'g' }, bearer(openai.key));
    assert.equal(o1.status, 200, o1.text);
    assert.equal(o1.json.usage.total_tokens, OPENAI_HELLO_USAGE, o1.text);
    const o2 = await postJson(gw.url, '/v1/chat/completions', { ...chatBody(PROMPT_100), model: 'g' }, bearer(openai.key));
    assert.equal(o2.status, 200, o2.text);
    const oLeft = intHeader(o2, 'x-ratelimit-remaining-tokens');
    const oWant = 100 - OPENAI_HELLO_USAGE - EST_100;
    assert.ok(oLeft >= oWant && oLeft <= oWant + 3, `remaining ${oLeft}, want ~${oWant}`);
  });

  test('tpm: a stream the client ends early is reconciled with the tokens it produced', async (t) => {
    const db = freshDbPath('early');
    const { key } = await createKey(db, { name: 'early', tpm: 600 });
    const { mock, gw } = await startStack(t, { args: ['--keys-db', db] });
    mock.scenarios['burst-stall'] = burstThenStall(100);

    const s = stream(gw.url, '/v1/chat/completions',
      { ...chatBody(PROMPT_100), model: 'o/burst-stall', stream: true },
      { ...bearer(key), 'x-request-id': 'early-end-1' });
    const head = await s.response;
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['x-ratelimit-remaining-tokens']), 600 - EST_100);
    await s.next(100);
    s.abort();
    await gw.requestLog('early-end-1');

    const r = await postJson(gw.url, '/v1/chat/completions', chatBody(PROMPT_100), bearer(key));
    assert.equal(r.status, 200, r.text);
    const left = intHeader(r, 'x-ratelimit-remaining-tokens');
    // First call: its 30-token estimate + the 100 tokens streamed; this one: 30.
    const want = 600 - (EST_100 + 100) - EST_100;
    assert.ok(left >= want && left <= want + 25,
      `remaining ${left}, want ~${want} (unreconciled: ${600 - 2 * EST_100})`);
  });

  test('budget: tokens per day, reconciled, then 429 until the period ends', async (t) => {
    const db = freshDbPath('budget');
    const { key } = await createKey(db, { name: 'budget', budgetTokens: 50, budgetPeriod: 'day' });
    const { gw } = await startStack(t, { args: ['--keys-db', db] });
    // Used 20 (reconciled from the estimate of 30), then 20 + 30 ≤ 50 still fits.
    for (let i = 0; i < 2; i++) {
      const r = await chatSettled(gw, chatBody(PROMPT_100), bearer(key));
      assert.equal(r.status, 200, `request ${i + 1}: ${r.text}`);
    }
    const r = await postJson(gw.url, '/v1/chat/completions', chatBody(PROMPT_100), bearer(key));
    assert.equal(r.status, 429, r.text);
    assert.match(r.json.error.message, /budget/);
    const retry = intHeader(r, 'retry-after');
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const toMidnight = Math.ceil((midnight - now.getTime()) / 1000);
    assert.ok(Math.abs(retry - toMidnight) <= 3, `retry-after ${retry}, next UTC day in ${toMidnight} s`);
    assert.equal(await rateLimited(gw, 'budget'), 1);
    // A small request that still fits goes through: 40 + 6 ≤ 50.
    const small = await postJson(gw.url, '/v1/chat/completions', chatBody('hi'), bearer(key));
    assert.equal(small.status, 200, small.text);
  });
});

describe('concurrency slots', () => {
  test('max-concurrent 1: a second request → 429 while a stream runs; slot freed on every path', async (t) => {
    const db = freshDbPath('conc');
    const { key } = await createKey(db, { name: 'conc1', maxConcurrent: 1 });
    const { mock, gw } = await startStack(t, { args: ['--keys-db', db] });
    const auth = bearer(key);
    const chat = (extra = {}) => postJson(gw.url, '/v1/chat/completions', { ...chatBody(), ...extra }, auth);
    // Polls until a plain request is admitted; returns the ms it took.
    const admittedWithin = async (what) => {
      const t0 = performance.now();
      const ok = await eventually(async () => (await chat()).status === 200, 2000, 25);
      assert.ok(ok, `slot not released within 2 s after ${what}`);
      return performance.now() - t0;
    };

    // 1. Client disconnect mid-stream (/v1, streamed).
    const s = stream(gw.url, '/v1/chat/completions', { ...chatBody(), model: 'o/stall', stream: true }, auth);
    assert.equal((await s.response).status, 200);
    await s.next(1);
    const busy = await chat();
    assert.equal(busy.status, 429, busy.text);
    assert.equal(busy.headers['retry-after'], '1');
    assert.match(busy.json.error.message, /concurrent/);
    const busyLab = await postJson(gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok' }, auth);
    assert.equal(busyLab.status, 429, busyLab.text);
    s.abort();
    await admittedWithin('a client disconnect mid-stream');
    assert.ok(await mock.allClosed(2000), 'upstream stream closed after the disconnect');

    // 2. Client disconnect on /generate/structured.
    const lab = stream(gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/stall' }, auth);
    assert.equal((await lab.response).status, 200);
    await lab.next(1);
    assert.equal((await chat()).status, 429);
    lab.abort();
    await admittedWithin('a client disconnect on /generate/structured');

    // 3. Client disconnect while a non-streamed answer is being collected.
    const before = mock.requests.length;
    const req = http.request(`${gw.url}/v1/chat/completions`, {
      method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', ...auth },
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ ...chatBody(), model: 'o/stall' }));
    await mock.waitForRequest((r) => mock.requests.indexOf(r) >= before && r.json?.model === 'stall');
    assert.equal((await chat()).status, 429);
    req.destroy();
    await admittedWithin('a client disconnect before the answer');

    // 4. Upstream error.
    const err = await chat({ model: 'o/http500' });
    assert.equal(err.status, 502, err.text);
    await admittedWithin('an upstream error');

    // 5. Upstream idle timeout mid-stream (500 ms on the ot/ routes).
    const slow = stream(gw.url, '/v1/chat/completions', { ...chatBody(), model: 'ot/stall', stream: true }, auth);
    assert.equal((await slow.response).status, 200);
    await slow.done;
    assert.match(slow.text, /"error"/, 'the stream ends with an error event');
    await admittedWithin('an upstream timeout');

    assert.ok(await rateLimited(gw, 'concurrency') >= 4);
  });

  test('global max_concurrent: past the cap → 503 with Retry-After; open routes still answer', async (t) => {
    const { gw } = await startStack(t, {
      args: ['--keys-db', freshDbPath('none')], limits: { max_concurrent: 2 },
    });
    const streams = [1, 2].map(() =>
      stream(gw.url, '/v1/chat/completions', { ...chatBody(), model: 'o/stall', stream: true }));
    for (const s of streams) {
      assert.equal((await s.response).status, 200);
      await s.next(1);
    }
    const r = await postJson(gw.url, '/v1/chat/completions', chatBody());
    assert.equal(r.status, 503, r.text);
    assert.ok(Number(r.headers['retry-after']) >= 1, JSON.stringify(r.headers));
    assert.equal(r.json?.error?.type, 'server_error', r.text);
    const lab = await postJson(gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok' });
    assert.equal(lab.status, 503, lab.text);
    assert.ok(Number(lab.headers['retry-after']) >= 1);
    assert.equal((await request(gw.url, { path: '/health' })).status, 200);
    assert.equal(await rateLimited(gw, 'global_concurrency'), 2);
    streams[0].abort();
    assert.ok(await eventually(async () => (await statusOf(postJson(gw.url, '/v1/chat/completions', chatBody()))) === 200,
      2000, 25), 'a slot frees up when a stream ends');
    streams[1].abort();
  });
});

describe('max_tokens cap', () => {
  test('[limits] max_tokens: over → 400 / 422; none asked → the cap is sent upstream', async (t) => {
    const { mock, gw } = await startStack(t, { args: ['--keys-db', freshDbPath('none')], limits: { max_tokens: 64 } });
    const upstreamFor = (marker) => mock.waitForRequest((r) => r.text.includes(marker), 2000);

    const over = await postJson(gw.url, '/v1/chat/completions', chatBody('a', { max_tokens: 65 }));
    assert.equal(over.status, 400, over.text);
    assert.equal(over.json?.error?.param, 'max_tokens', over.text);
    const overNew = await postJson(gw.url, '/v1/chat/completions', chatBody('b', { max_completion_tokens: 1000 }));
    assert.equal(overNew.status, 400, overNew.text);
    const overLab = await postJson(gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok', max_tokens: 65 });
    assert.equal(overLab.status, 422, overLab.text);
    assert.deepEqual(overLab.json?.detail?.[0]?.loc, ['body', 'max_tokens'], overLab.text);
    assert.equal(mock.requests.filter((r) => r.method === 'POST').length, 0, 'refused before the upstream');

    const ol = await postJson(gw.url, '/v1/chat/completions', chatBody('marker-ollama-none'));
    assert.equal(ol.status, 200, ol.text);
    assert.equal((await upstreamFor('marker-ollama-none')).json.options?.num_predict, 64);
    const oa = await postJson(gw.url, '/v1/chat/completions', { ...chatBody('marker-openai-none'), model: 'g' });
    assert.equal(oa.status, 200, oa.text);
    assert.equal((await upstreamFor('marker-openai-none')).json.max_tokens, 64);
    const lab = stream(gw.url, '/generate/structured', { prompt: 'marker-lab-none', model: 'o/ok' });
    assert.equal((await lab.response).status, 200);
    await lab.done;
    assert.equal((await upstreamFor('marker-lab-none')).json.options?.num_predict, 64);

    const under = await postJson(gw.url, '/v1/chat/completions', chatBody('marker-under', { max_tokens: 10 }));
    assert.equal(under.status, 200, under.text);
    assert.equal((await upstreamFor('marker-under')).json.options?.num_predict, 10);
    const at = await postJson(gw.url, '/v1/chat/completions', { ...chatBody('marker-at', { max_tokens: 64 }), model: 'g' });
    assert.equal(at.status, 200, at.text);
    assert.equal((await upstreamFor('marker-at')).json.max_tokens, 64);
  });
});
