// The embedded provider: a random-weight GGUF model run in-process, behind
// /v1/chat/completions, /generate/structured and /v1/embeddings.
//
// The model is written at test time by `sluice model random` (qwen2 layout,
// synthetic byte-level vocabulary with a ChatML template). Its weights are
// random, so the text is noise — but the grammar still guarantees that
// structured output is valid JSON for the schema.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { postJson, request, stream } from './lib/client.mjs';
import { scratchDir, sluiceBin, startSluice, tomlConfig } from './lib/sluice.mjs';

const ctx = { gw: null };

function writeModel() {
  const path = join(scratchDir(), 'tiny-qwen2.gguf');
  const r = spawnSync(sluiceBin(), ['model', 'random', path, '--arch', 'qwen2', '--vocab', '512',
    '--embd', '128', '--layers', '2', '--heads', '4', '--kv-heads', '2', '--ff', '256',
    '--context', '4096', '--seed', '7'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sluice model random failed: ${r.stderr}`);
  return path;
}

before(async () => {
  const model = writeModel();
  ctx.gw = await startSluice({
    config: tomlConfig({
      server: { default_model: 'tiny', shutdown_grace_ms: 2000 },
      providers: { engine: { kind: 'embedded', model, threads: 2, context: 4096 } },
      models: { tiny: { provider: 'engine' } },
    }),
  });
});
after(async () => {
  if (ctx.gw) await ctx.gw.stop();
});

const chat = (extra = {}) => ({
  model: 'tiny',
  messages: [{ role: 'user', content: 'Say something.' }],
  max_tokens: 16,
  temperature: 0.8,
  seed: 42,
  ...extra,
});

describe('embedded /v1/chat/completions', () => {
  test('answers a non-streamed request with real usage', async () => {
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chat());
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, 'chat.completion');
    const choice = r.json.choices[0];
    assert.equal(typeof choice.message.content, 'string');
    assert.ok(['stop', 'length'].includes(choice.finish_reason));
    assert.ok(r.json.usage.prompt_tokens > 5, JSON.stringify(r.json.usage));
    assert.ok(r.json.usage.completion_tokens >= 1 && r.json.usage.completion_tokens <= 16);
  });

  test('the same seed gives the same answer', async () => {
    const a = await postJson(ctx.gw.url, '/v1/chat/completions', chat({ max_tokens: 24 }));
    const b = await postJson(ctx.gw.url, '/v1/chat/completions', chat({ max_tokens: 24 }));
    assert.equal(a.json.choices[0].message.content, b.json.choices[0].message.content);
  });

  test('streams token by token, then finish, usage and [DONE]', async () => {
    const s = stream(ctx.gw.url, '/v1/chat/completions',
      chat({ stream: true, max_tokens: 20, stream_options: { include_usage: true } }));
    const head = await s.response;
    await s.done;
    assert.equal(head.status, 200);
    assert.equal(s.events.at(-1).data, '[DONE]');
    const chunks = s.events.slice(0, -1).map((e) => e.json);
    const deltas = chunks.filter((c) => c.choices?.[0]?.delta?.content);
    assert.ok(deltas.length >= 2, `expected several token chunks: ${s.text}`);
    const finish = chunks.find((c) => c.choices?.[0]?.finish_reason);
    assert.ok(finish, 'no finish chunk');
    const usage = chunks.find((c) => c.usage);
    assert.ok(usage && usage.usage.completion_tokens <= 20);
  });

  test('a prompt longer than the context is a 400, and the gateway carries on', async () => {
    const long = 'lorem ipsum dolor sit amet '.repeat(1200);
    const r = await postJson(ctx.gw.url, '/v1/chat/completions',
      chat({ messages: [{ role: 'user', content: long }] }));
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.error.message, /context holds 4096/);
    const ok = await postJson(ctx.gw.url, '/v1/chat/completions', chat({ max_tokens: 2 }));
    assert.equal(ok.status, 200);
  });

  test('response_format json_schema is enforced by the grammar', async () => {
    const schema = {
      type: 'object',
      properties: { ok: { type: 'boolean' }, n: { enum: [1, 2, 3] } },
      required: ['ok', 'n'],
      additionalProperties: false,
    };
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chat({
      max_tokens: 200,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
    }));
    assert.equal(r.status, 200, r.text);
    const value = JSON.parse(r.json.choices[0].message.content);
    assert.equal(typeof value.ok, 'boolean');
    assert.ok([1, 2, 3].includes(value.n));
  });
});

describe('embedded /generate/structured', () => {
  test('random weights still produce a document valid against the lab schema', async () => {
    const s = stream(ctx.gw.url, '/generate/structured',
      { prompt: 'A table of users', model: 'tiny', max_tokens: 3500, seed: 3, temperature: 1.0 });
    const head = await s.response;
    await s.done;
    assert.equal(head.status, 200);
    const last = s.events.at(-1).json;
    assert.equal(last.status, 'success', `final event: ${s.events.at(-1).data}`);
    assert.match(last.data.table_name, /^[a-z][a-z0-9_]*$/);
    assert.ok(Array.isArray(last.data.columns));
    for (const c of last.data.columns) {
      assert.match(c.name, /^[a-z][a-z0-9_]*$/);
      assert.equal(typeof c.data_type, 'string');
    }
    const tokens = s.events.slice(0, -1).map((e) => e.json.token).join('');
    assert.deepEqual(JSON.parse(tokens), last.data);
  });
});

describe('embedded /v1/embeddings', () => {
  test('float vectors, unit length, one per input', async () => {
    const r = await postJson(ctx.gw.url, '/v1/embeddings',
      { model: 'tiny', input: ['hello world', 'another text'] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, 'list');
    assert.equal(r.json.model, 'tiny');
    assert.equal(r.json.data.length, 2);
    for (const [i, d] of r.json.data.entries()) {
      assert.equal(d.object, 'embedding');
      assert.equal(d.index, i);
      assert.equal(d.embedding.length, 128);
      const norm = Math.sqrt(d.embedding.reduce((s, x) => s + x * x, 0));
      assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
    }
    assert.ok(r.json.usage.prompt_tokens >= 4);
    assert.equal(r.json.usage.total_tokens, r.json.usage.prompt_tokens);
    assert.notDeepEqual(r.json.data[0].embedding, r.json.data[1].embedding);
  });

  test('base64 is the same vector as little-endian float32', async () => {
    const f = await postJson(ctx.gw.url, '/v1/embeddings', { model: 'tiny', input: 'hello world' });
    const b = await postJson(ctx.gw.url, '/v1/embeddings',
      { model: 'tiny', input: 'hello world', encoding_format: 'base64' });
    assert.equal(b.status, 200, b.text);
    const buf = Buffer.from(b.json.data[0].embedding, 'base64');
    assert.equal(buf.length, 128 * 4);
    const floats = Array.from({ length: 128 }, (_, i) => buf.readFloatLE(i * 4));
    const expected = f.json.data[0].embedding;
    for (let i = 0; i < 128; i++) assert.ok(Math.abs(floats[i] - expected[i]) < 1e-6);
  });

  test('bad inputs are 400s', async () => {
    for (const body of [{ model: 'tiny' }, { model: 'tiny', input: [1, 2] },
      { model: 'tiny', input: 'x', encoding_format: 'int8' }, { model: 'tiny', input: '' }]) {
      const r = await postJson(ctx.gw.url, '/v1/embeddings', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.text}`);
    }
  });
});

describe('embedded cancellation', () => {
  test('a client that disconnects stops compute; the next request is served promptly', async () => {
    // A long answer (the grammar allows no end before 3000 characters).
    const s = stream(ctx.gw.url, '/v1/chat/completions', chat({
      stream: true, max_tokens: 4000,
      response_format: { type: 'json_schema', json_schema: { name: 'long', schema: { type: 'string', minLength: 3000 } } },
    }), { 'x-request-id': 'it-embedded-cancel' });
    await s.response;
    await s.next(3);
    s.abort();
    const log = await ctx.gw.requestLog('it-embedded-cancel');
    assert.equal(log.error, 'cancelled');
    const t0 = performance.now();
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chat({ max_tokens: 4 }));
    const ms = performance.now() - t0;
    assert.equal(r.status, 200);
    assert.ok(ms < 1500, `the next request took ${ms.toFixed(0)} ms (compute not cancelled?)`);
    assert.equal((await request(ctx.gw.url, { path: '/health' })).status, 200);
  });
});

describe('embedded engine metrics', () => {
  test('/metrics reports engine tokens, compute seconds and generation speed', async () => {
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chat({ max_tokens: 8 }));
    assert.equal(r.status, 200, r.text);
    const m = await request(ctx.gw.url, { path: '/metrics' });
    assert.equal(m.status, 200);
    const value = (re) => Number((m.text.match(re) ?? [])[1] ?? NaN);
    assert.ok(value(/^sluice_engine_tokens_total\{model="tiny",phase="prompt"\} (\d+)$/m) > 5, m.text);
    assert.ok(value(/^sluice_engine_tokens_total\{model="tiny",phase="generate"\} (\d+)$/m) >= 1, m.text);
    assert.ok(value(/^sluice_engine_seconds_total\{model="tiny",phase="generate"\} ([\d.e+-]+)$/m) > 0, m.text);
    assert.ok(value(/^sluice_engine_generation_tokens_per_second_count\{model="tiny"\} (\d+)$/m) >= 1, m.text);
  });
});
