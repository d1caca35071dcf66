// POST /v1/chat/completions, GET /v1/models, /health, /ready in OpenAI's shapes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { postJson, request, stream } from './lib/client.mjs';
import { UPSTREAM_KEY, useGateway } from './lib/fixture.mjs';
import { TABLE_OBJECT, TABLE_SCHEMA, TABLE_TOKENS } from './lib/mocks.mjs';

const ctx = useGateway();
const HELLO = 'Hello, world!';
const USER = [{ role: 'user', content: 'Say hello' }];

const jsonSchemaFormat = (schema = TABLE_SCHEMA) =>
  ({ type: 'json_schema', json_schema: { name: 'table', schema, strict: true } });

const chat = (body, headers) => postJson(ctx.gw.url, '/v1/chat/completions', body, headers);
const upstreamFor = (id) => ctx.mock.requests.find((r) => r.headers['x-request-id'] === id);

function assertOpenAIError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.ok(r.json && typeof r.json.error === 'object', r.text);
  const e = r.json.error;
  for (const k of ['message', 'type', 'param', 'code']) assert.ok(k in e, `error lacks ${k}: ${r.text}`);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  if (code !== undefined) assert.equal(e.code, code, r.text);
  return e;
}

describe('basic endpoints', () => {
  test('GET /health', async () => {
    const r = await request(ctx.gw.url, { path: '/health' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'healthy' });
  });

  test('GET /ready is 200 when the upstream answers its probe', async () => {
    const before = ctx.mock.requests.length;
    const r = await request(ctx.gw.url, { path: '/ready' });
    assert.equal(r.status, 200, r.text);
    const probes = ctx.mock.requests.slice(before).map((q) => `${q.method} ${q.url}`);
    assert.ok(probes.includes('GET /api/version') || probes.includes('GET /v1/models'), probes.join());
  });

  test('GET /v1/models lists the exact model names in OpenAI list shape', async () => {
    const r = await request(ctx.gw.url, { path: '/v1/models' });
    assert.equal(r.status, 200);
    assert.equal(r.json.object, 'list');
    assert.deepEqual(r.json.data.map((m) => m.id).sort(), ['g', 'm']);
    for (const m of r.json.data) {
      assert.equal(m.object, 'model');
      assert.equal(typeof m.created, 'number');
      assert.equal(typeof m.owned_by, 'string');
    }
  });

  test('an unknown path is 404 and a wrong method 405', async () => {
    assert.equal((await request(ctx.gw.url, { path: '/nope' })).status, 404);
    assert.equal((await request(ctx.gw.url, { path: '/v1/chat/completions' })).status, 405);
  });
});

describe('non-streamed chat completions', () => {
  test('through Ollama: chat.completion with usage from prompt_eval_count/eval_count', async () => {
    const r = await chat({ model: 'o/hello', messages: USER }, { 'x-request-id': 'it-chat-ollama' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-request-id'], 'it-chat-ollama');
    const c = r.json;
    assert.equal(c.object, 'chat.completion');
    assert.equal(typeof c.id, 'string');
    assert.equal(typeof c.created, 'number');
    assert.equal(c.model, 'o/hello');
    assert.equal(c.choices.length, 1);
    assert.equal(c.choices[0].index, 0);
    assert.deepEqual(c.choices[0].message.role, 'assistant');
    assert.equal(c.choices[0].message.content, HELLO);
    assert.equal(c.choices[0].finish_reason, 'stop');
    assert.deepEqual(c.usage, { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    const up = upstreamFor('it-chat-ollama');
    assert.equal(up.json.model, 'hello');
    assert.equal(up.json.stream, true);
    assert.deepEqual(up.json.messages, USER);
  });

  test('through OpenAI: Bearer key, include_usage and sampling passed upstream', async () => {
    const r = await chat({
      model: 'g', messages: [{ role: 'system', content: 'Be brief.' }, ...USER],
      temperature: 0.5, top_p: 0.8, max_tokens: 20, seed: 3, stop: ['\n\n'],
    }, { 'x-request-id': 'it-chat-openai' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.model, 'g');
    assert.equal(r.json.choices[0].message.content, HELLO);
    assert.deepEqual(r.json.usage, { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 });
    const up = upstreamFor('it-chat-openai');
    assert.equal(up.url, '/v1/chat/completions');
    assert.equal(up.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.equal(up.json.model, 'hello');
    assert.equal(up.json.stream, true);
    assert.deepEqual(up.json.stream_options, { include_usage: true });
    assert.deepEqual(up.json.messages, [{ role: 'system', content: 'Be brief.' }, ...USER]);
    assert.equal(up.json.temperature, 0.5);
    assert.equal(up.json.top_p, 0.8);
    assert.equal(up.json.seed, 3);
    assert.deepEqual(up.json.stop, ['\n\n']);
    assert.ok(up.json.max_tokens === 20 || up.json.max_completion_tokens === 20, up.text);
  });

  test('text-part message content is flattened for Ollama', async () => {
    const r = await chat({
      model: 'o/hello',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say ' }, { type: 'text', text: 'hello' }] }],
    }, { 'x-request-id': 'it-chat-parts' });
    assert.equal(r.status, 200, r.text);
    assert.equal(upstreamFor('it-chat-parts').json.messages[0].content, 'Say hello');
  });

  test('response_format json_schema: valid output is returned; Ollama gets the schema as format', async () => {
    const r = await chat({ model: 'o/ok', messages: USER, response_format: jsonSchemaFormat() },
      { 'x-request-id': 'it-chat-schema-ok' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(r.json.choices[0].message.content), TABLE_OBJECT);
    assert.deepEqual(upstreamFor('it-chat-schema-ok').json.format, TABLE_SCHEMA);
  });

  test('response_format json_schema is passed through to an OpenAI upstream', async () => {
    const r = await chat({ model: 'a/ok', messages: USER, response_format: jsonSchemaFormat() },
      { 'x-request-id': 'it-chat-schema-openai' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(r.json.choices[0].message.content), TABLE_OBJECT);
    const rf = upstreamFor('it-chat-schema-openai').json.response_format;
    assert.equal(rf.type, 'json_schema');
    assert.equal(rf.json_schema.name, 'table');
    assert.equal(rf.json_schema.strict, true);
    assert.deepEqual(rf.json_schema.schema, TABLE_SCHEMA);
  });

  test('response_format violation → 502 schema_validation_failed with the error list', async () => {
    const r = await chat({ model: 'o/violation', messages: USER, response_format: jsonSchemaFormat() },
      { 'x-request-id': 'it-chat-schema-bad' });
    const e = assertOpenAIError(r, 502, 'schema_validation_failed');
    assert.ok(Array.isArray(e.errors) && e.errors.length >= 1, r.text);
    assert.ok(e.errors.some((x) => x.path === '/columns/0/name'), r.text);
    assert.ok(!('choices' in r.json));
    const log = await ctx.gw.requestLog('it-chat-schema-bad');
    assert.equal(log.status, 502);
  });

  test('response_format json_object with non-JSON output → 502; Ollama gets format "json"', async () => {
    const r = await chat({ model: 'o/invalid-json', messages: USER, response_format: { type: 'json_object' } },
      { 'x-request-id': 'it-chat-jsonobj' });
    assertOpenAIError(r, 502, 'schema_validation_failed');
    assert.equal(upstreamFor('it-chat-jsonobj').json.format, 'json');
  });
});

describe('streamed chat completions', () => {
  async function run(body, id) {
    const s = stream(ctx.gw.url, '/v1/chat/completions', body, { 'x-request-id': id });
    s.head = await s.response;
    await s.done;
    return s;
  }

  for (const model of ['o/hello', 'a/hello']) {
    test(`${model}: chunks, finish chunk, usage chunk, [DONE]`, async () => {
      const s = await run({ model, messages: USER, stream: true, stream_options: { include_usage: true } },
        `it-stream-${model.replace('/', '-')}`);
      assert.equal(s.head.status, 200);
      assert.equal(s.head.headers['content-type'], 'text/event-stream');
      assert.equal(s.events.at(-1).data, '[DONE]');
      const chunks = s.events.slice(0, -1).map((e) => e.json);
      for (const c of chunks) {
        assert.equal(c.object, 'chat.completion.chunk');
        assert.equal(c.model, model);
        assert.equal(c.id, chunks[0].id);
      }
      const content = chunks.flatMap((c) => c.choices).map((ch) => ch.delta?.content ?? '').join('');
      assert.equal(content, HELLO);
      const tokenChunks = chunks.filter((c) => c.choices[0]?.delta?.content);
      assert.equal(tokenChunks.length, 4, 'one chunk per upstream token');
      const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
      assert.equal(finish.length, 1);
      assert.equal(finish[0].choices[0].finish_reason, 'stop');
      const usage = chunks.at(-1);
      assert.deepEqual(usage.choices, []);
      const promptTokens = model.startsWith('o/') ? 12 : 9;
      assert.deepEqual(usage.usage, { prompt_tokens: promptTokens, completion_tokens: 4, total_tokens: promptTokens + 4 });
    });
  }

  test('without include_usage there is no usage chunk', async () => {
    const s = await run({ model: 'o/hello', messages: USER, stream: true }, 'it-stream-nousage');
    assert.equal(s.events.at(-1).data, '[DONE]');
    const chunks = s.events.slice(0, -1).map((e) => e.json);
    assert.ok(chunks.every((c) => c.choices.length === 1), s.text);
    assert.ok(chunks.every((c) => c.usage === undefined || c.usage === null), s.text);
  });

  test('a schema violation after streaming is an error event and no [DONE]', async () => {
    const s = await run({ model: 'o/violation', messages: USER, stream: true, response_format: jsonSchemaFormat() },
      'it-stream-violation');
    assert.equal(s.head.status, 200);
    assert.ok(!s.events.some((e) => e.data === '[DONE]'), s.text);
    const last = s.events.at(-1).json;
    assert.equal(last.error.code, 'schema_validation_failed', s.text);
    assert.ok(last.error.errors.some((x) => x.path === '/columns/0/name'), s.text);
  });

  test('a streamed json_schema success ends with [DONE]', async () => {
    const s = await run({ model: 'a/ok', messages: USER, stream: true, response_format: jsonSchemaFormat() },
      'it-stream-schema-ok');
    assert.equal(s.events.at(-1).data, '[DONE]');
    const content = s.events.slice(0, -1).flatMap((e) => e.json.choices).map((c) => c.delta?.content ?? '').join('');
    assert.equal(content, TABLE_TOKENS.join(''));
  });
});

describe('chat completion request errors', () => {
  test('n: 2 → 400 with param n', async () => {
    const e = assertOpenAIError(await chat({ model: 'g', messages: USER, n: 2 }), 400);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.param, 'n');
  });

  test('missing messages → 400', async () => {
    assertOpenAIError(await chat({ model: 'g' }), 400);
  });

  test('malformed JSON → 400', async () => {
    const r = await request(ctx.gw.url, { method: 'POST', path: '/v1/chat/completions', body: '{"model":' });
    assertOpenAIError(r, 400);
  });

  test('unknown model → 404 model_not_found, upstream never called', async () => {
    const before = ctx.mock.requests.length;
    const e = assertOpenAIError(await chat({ model: 'gpt-nonexistent', messages: USER }), 404, 'model_not_found');
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(ctx.mock.requests.length, before);
  });

  test('wrong content type → 415', async () => {
    const r = await request(ctx.gw.url, {
      method: 'POST', path: '/v1/chat/completions',
      body: JSON.stringify({ model: 'g', messages: USER }), headers: { 'Content-Type': 'text/plain' },
    });
    assertOpenAIError(r, 415);
  });

  test('body over the limit → 413', async () => {
    const body = JSON.stringify({ model: 'g', messages: [{ role: 'user', content: 'y'.repeat(1100000) }] });
    const r = await request(ctx.gw.url, { method: 'POST', path: '/v1/chat/completions', body });
    assert.equal(r.status, 413);
  });

  test('an uncompilable response_format schema → 422', async () => {
    const r = await chat({ model: 'g', messages: USER,
      response_format: jsonSchemaFormat({ type: 'object', properties: { a: { minimum: 'zero' } } }) });
    assertOpenAIError(r, 422);
  });
});
