// POST /generate/structured: the lab SSE contract, against Ollama and OpenAI mocks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { postJson, request, stream } from './lib/client.mjs';
import { useGateway } from './lib/fixture.mjs';
import { repoRoot } from './lib/sluice.mjs';
import {
  TABLE_OBJECT, TABLE_TOKENS, UNICODE_OBJECT, UNICODE_TOKENS, VIOLATION_TOKENS,
} from './lib/mocks.mjs';

const ctx = useGateway();
const PROMPT = 'A table of users with an id and an email';
const LAB_SYSTEM_PROMPT = 'You are a helpful database schema generation assistant.';

// Runs one structured request to the end; returns the stream with parsed events.
async function generate(body, headers = {}) {
  const s = stream(ctx.gw.url, '/generate/structured', body, headers);
  s.head = await s.response;
  await s.done;
  return s;
}

function tokensOf(s) {
  return s.events.filter((e) => e.json?.status === 'generating').map((e) => e.json.token);
}

// Every event is JSON; all but the last are "generating"; returns the last.
function finalEvent(s) {
  assert.ok(s.events.length >= 1, `no events in: ${s.text}`);
  for (const e of s.events) assert.notEqual(e.json, undefined, `event is not JSON: ${e.data}`);
  const last = s.events.at(-1).json;
  for (const e of s.events.slice(0, -1)) assert.equal(e.json.status, 'generating', e.data);
  assert.notEqual(last.status, 'generating', 'the stream has no final event');
  return last;
}

describe('/generate/structured success', () => {
  test('relays every Ollama token, then one success event with the validated object', async () => {
    const s = await generate({ prompt: PROMPT, model: 'o/ok' }, { 'x-request-id': 'it-structured-ok' });
    assert.equal(s.head.status, 200);
    assert.equal(s.head.headers['content-type'], 'text/event-stream');
    assert.equal(s.head.headers['cache-control'], 'no-cache');
    assert.equal(s.head.headers['x-request-id'], 'it-structured-ok');
    assert.deepEqual(tokensOf(s), TABLE_TOKENS);
    assert.deepEqual(finalEvent(s), { status: 'success', data: TABLE_OBJECT });
    // Wire format: each event is exactly `data: <json>\n\n`.
    const expected = [...TABLE_TOKENS.map((t) => ({ status: 'generating', token: t })),
      { status: 'success', data: TABLE_OBJECT }];
    assert.equal(s.text, expected.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''));
  });

  test('sends Ollama the schema as format, the lab system prompt and temperature 0.1', async () => {
    const s = await generate({ prompt: PROMPT, model: 'o/ok' }, { 'x-request-id': 'it-structured-wire' });
    assert.equal(s.head.status, 200);
    const up = ctx.mock.requests.find((r) => r.headers['x-request-id'] === 'it-structured-wire');
    assert.ok(up, 'the mock saw no request carrying the request id');
    assert.equal(up.url, '/api/chat');
    assert.equal(up.json.model, 'ok');
    assert.equal(up.json.stream, true);
    assert.equal(up.json.options.temperature, 0.1);
    // The default schema is the lab's DatabaseSchema with snake_case patterns.
    const f = up.json.format;
    assert.equal(f.type, 'object');
    assert.deepEqual(f.required, ['table_name', 'columns']);
    assert.equal(f.properties.table_name.pattern, '^[a-z][a-z0-9_]*$');
    assert.equal(f.properties.columns.items.properties.name.pattern, '^[a-z][a-z0-9_]*$');
    assert.deepEqual(f.properties.columns.items.required, ['name', 'data_type']);
    assert.equal(f.properties.columns.items.properties.is_nullable.type, 'boolean');
    assert.equal(up.json.messages.length, 2);
    const [sys, user] = up.json.messages;
    assert.equal(sys.role, 'system');
    assert.ok(sys.content.startsWith(LAB_SYSTEM_PROMPT), sys.content);
    assert.ok(sys.content.includes(JSON.stringify(f)), 'system prompt lacks the schema');
    assert.match(sys.content, /raw JSON/i);
    assert.deepEqual(user, { role: 'user', content: PROMPT });
    // The bundled demo model was trained on this exact message
    // (tools/demo_model/make_data.py writes it; check_data.py keeps the file in step).
    const trained = readFileSync(join(repoRoot, 'tools/demo_model/eval/system.txt'), 'utf8');
    assert.equal(sys.content, trained, 'the lab system message differs from the demo model\'s training data');
  });

  test('uses the default model when none is named', async () => {
    const s = await generate({ prompt: PROMPT }, { 'x-request-id': 'it-structured-default' });
    assert.deepEqual(finalEvent(s), { status: 'success', data: TABLE_OBJECT });
    const up = ctx.mock.requests.find((r) => r.headers['x-request-id'] === 'it-structured-default');
    assert.equal(up.json.model, 'ok');
    const log = await ctx.gw.requestLog('it-structured-default');
    assert.equal(log.model, 'm');
    assert.equal(log.provider, 'ollama');
  });

  test('passes the caller system prompt, schema and sampling options upstream', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'integer', minimum: 0 } },
      required: ['answer'],
      additionalProperties: false,
    };
    ctx.mock.scenarios['answer42'] = (kind, model) => (kind === 'ollama'
      ? [`{"model":"${model}","created_at":"2024-11-24T19:00:00Z","message":{"role":"assistant","content":"{\\"answer\\": 42}"},"done":false}\n`,
        `{"model":"${model}","created_at":"2024-11-24T19:00:01Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":3,"eval_count":1}\n`]
      : []);
    const s = await generate({
      prompt: 'What is six times seven?',
      system_prompt: 'You are a calculator.',
      temperature: 1.5,
      schema,
      model: 'o/answer42',
      max_tokens: 64,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
    }, { 'x-request-id': 'it-structured-options' });
    assert.deepEqual(finalEvent(s), { status: 'success', data: { answer: 42 } });
    const up = ctx.mock.requests.find((r) => r.headers['x-request-id'] === 'it-structured-options');
    assert.deepEqual(up.json.format, schema);
    assert.deepEqual(up.json.options, { temperature: 1.5, top_p: 0.9, top_k: 40, seed: 7, num_predict: 64 });
    const sys = up.json.messages[0].content;
    assert.ok(sys.startsWith('You are a calculator.'), sys);
    assert.ok(!sys.includes(LAB_SYSTEM_PROMPT));
    assert.ok(sys.includes(JSON.stringify(schema)), sys);
    const log = await ctx.gw.requestLog('it-structured-options');
    assert.equal(log.prompt_tokens, 3);
    assert.equal(log.completion_tokens, 1);
  });

  test('reassembles NDJSON split mid-line and mid-UTF-8 across TCP writes', async () => {
    const s = await generate({ prompt: PROMPT, model: 'o/split' });
    assert.deepEqual(tokensOf(s), UNICODE_TOKENS);
    assert.deepEqual(finalEvent(s), { status: 'success', data: UNICODE_OBJECT });
  });

  test('reassembles OpenAI SSE with CRLF line ends split mid-CRLF and mid-UTF-8', async () => {
    const s = await generate({ prompt: PROMPT, model: 'a/split' });
    assert.deepEqual(tokensOf(s), UNICODE_TOKENS);
    assert.deepEqual(finalEvent(s), { status: 'success', data: UNICODE_OBJECT });
  });

  test('works through an OpenAI upstream with the schema as response_format', async () => {
    const s = await generate({ prompt: PROMPT, model: 'a/ok' }, { 'x-request-id': 'it-structured-openai' });
    assert.deepEqual(tokensOf(s), TABLE_TOKENS);
    assert.deepEqual(finalEvent(s), { status: 'success', data: TABLE_OBJECT });
    const up = ctx.mock.requests.find((r) => r.headers['x-request-id'] === 'it-structured-openai');
    assert.equal(up.url, '/v1/chat/completions');
    assert.equal(up.json.response_format.type, 'json_schema');
    assert.equal(up.json.response_format.json_schema.schema.properties.table_name.pattern, '^[a-z][a-z0-9_]*$');
    assert.equal(up.json.temperature, 0.1);
    const log = await ctx.gw.requestLog('it-structured-openai');
    assert.equal(log.prompt_tokens, 9);
    assert.equal(log.completion_tokens, TABLE_TOKENS.length);
  });
});

describe('/generate/structured validation', () => {
  test('valid JSON breaking the schema ends with validation_error naming the path', async () => {
    const s = await generate({ prompt: PROMPT, model: 'o/violation' }, { 'x-request-id': 'it-structured-violation' });
    assert.equal(s.head.status, 200);
    // The stream guard stops at the bad byte (the 'O' of "Order ID"), retries
    // once with feedback, and the mock repeats the same mistake.
    const cut = VIOLATION_TOKENS[1].slice(0, VIOLATION_TOKENS[1].indexOf('O'));
    assert.deepEqual(tokensOf(s), [VIOLATION_TOKENS[0], cut, VIOLATION_TOKENS[0], cut]);
    const last = finalEvent(s);
    assert.equal(last.status, 'validation_error');
    assert.equal(last.message, 'Output did not match expected database schema format.');
    assert.ok(Array.isArray(last.errors) && last.errors.length >= 1, JSON.stringify(last));
    assert.ok(last.errors.some((e) => e.path === '/columns/0/name' && typeof e.message === 'string' && e.message.length > 0),
      JSON.stringify(last.errors));
    assert.ok(!s.events.some((e) => e.json.status === 'success'));
    const log = await ctx.gw.requestLog('it-structured-violation');
    assert.equal(log.status, 200);
    assert.equal(log.error, 'schema_validation_failed');
  });

  test('output that is not JSON ends with validation_error, never success', async () => {
    const s = await generate({ prompt: PROMPT, model: 'o/invalid-json' });
    const last = finalEvent(s);
    assert.equal(last.status, 'validation_error');
    assert.equal(last.message, 'Output did not match expected database schema format.');
    assert.ok(last.errors.length >= 1);
  });

  test('a violation through the OpenAI provider is also validation_error', async () => {
    const s = await generate({ prompt: PROMPT, model: 'a/violation' });
    const last = finalEvent(s);
    assert.equal(last.status, 'validation_error');
    assert.ok(last.errors.some((e) => e.path === '/columns/0/name'), JSON.stringify(last.errors));
  });
});

describe('/generate/structured bad input', () => {
  test('malformed JSON → 400', async () => {
    const r = await request(ctx.gw.url, {
      method: 'POST', path: '/generate/structured', body: '{"prompt": "hello world",',
    });
    assert.equal(r.status, 400);
    assert.ok(r.json?.detail, r.text);
    assert.ok(r.headers['x-request-id']);
  });

  test('every bad field is listed in a 422 detail', async () => {
    const r = await postJson(ctx.gw.url, '/generate/structured',
      { prompt: 'hey', temperature: 3, top_p: 2, max_tokens: 0 });
    assert.equal(r.status, 422);
    assert.ok(Array.isArray(r.json.detail), r.text);
    const locs = r.json.detail.map((d) => d.loc.join('.')).sort();
    assert.deepEqual(locs, ['body.max_tokens', 'body.prompt', 'body.temperature', 'body.top_p']);
    for (const d of r.json.detail) {
      assert.equal(typeof d.msg, 'string');
      assert.equal(typeof d.type, 'string');
      assert.ok(d.msg.length > 0 && d.type.length > 0);
    }
  });

  test('a missing prompt and a wrongly typed temperature → 422', async () => {
    const r = await postJson(ctx.gw.url, '/generate/structured', { temperature: 'hot' });
    assert.equal(r.status, 422);
    const locs = r.json.detail.map((d) => d.loc.join('.')).sort();
    assert.deepEqual(locs, ['body.prompt', 'body.temperature']);
  });

  test('a schema that does not compile → 422 on schema', async () => {
    const r = await postJson(ctx.gw.url, '/generate/structured',
      { prompt: PROMPT, schema: { type: 'object', properties: { a: { type: 'banana' } } } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.detail.map((d) => d.loc), [['body', 'schema']]);
  });

  // The lab (pydantic `temperature: float = 0.1`) answers 422 to null; treating
  // null as "absent" with the 0.1 default would also be fine. Sending the
  // upstream no temperature at all (its own default, 0.8 for Ollama) is not.
  test('temperature: null → 422, or the 0.1 default upstream', async () => {
    const s = stream(ctx.gw.url, '/generate/structured', { prompt: PROMPT, model: 'o/ok', temperature: null },
      { 'x-request-id': 'it-structured-null-temp' });
    const head = await s.response;
    await s.done;
    if (head.status === 422) {
      assert.deepEqual(JSON.parse(s.text).detail.map((d) => d.loc), [['body', 'temperature']]);
      return;
    }
    assert.equal(head.status, 200, s.text);
    const up = ctx.mock.requests.find((r) => r.headers['x-request-id'] === 'it-structured-null-temp');
    assert.equal(up.json.options?.temperature, 0.1, `upstream options: ${JSON.stringify(up.json.options)}`);
  });

  test('wrong content type → 415', async () => {
    const r = await request(ctx.gw.url, {
      method: 'POST', path: '/generate/structured', body: JSON.stringify({ prompt: PROMPT }),
      headers: { 'Content-Type': 'text/plain' },
    });
    assert.equal(r.status, 415);
  });

  test('body over the 1 MiB default limit → 413', async () => {
    const body = JSON.stringify({ prompt: 'x'.repeat(1024 * 1024 + 16) });
    const r = await request(ctx.gw.url, { method: 'POST', path: '/generate/structured', body });
    assert.equal(r.status, 413);
  });

  test('an unknown model → 404 before streaming', async () => {
    const r = await postJson(ctx.gw.url, '/generate/structured', { prompt: PROMPT, model: 'no-such-model' });
    assert.equal(r.status, 404);
    assert.ok(r.json?.detail, r.text);
    assert.equal(ctx.mock.requests.filter((q) => q.json?.model === 'no-such-model').length, 0);
  });
});
