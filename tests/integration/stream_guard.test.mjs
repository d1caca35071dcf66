// The stream guard: structured answers from upstream models are checked byte
// by byte while they stream; the upstream request stops at the first byte
// that cannot lead to a valid document, then sluice re-asks once with the
// error as feedback ([structured] retries) or ends with a validation error
// naming the byte offset and the JSON path.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { eventually, postJson, stream } from './lib/client.mjs';
import { standardConfig, UPSTREAM_KEY, useGateway } from './lib/fixture.mjs';
import {
  REORDERED_OBJECT, REORDERED_TOKENS, TABLE_OBJECT, TABLE_SCHEMA, TABLE_TOKENS, VIOLATION_TOKENS,
} from './lib/mocks.mjs';
import { startSluice } from './lib/sluice.mjs';

const ctx = useGateway();
const PROMPT = 'A table of orders';
const USER = [{ role: 'user', content: 'Orders table please' }];
const FORMAT = { type: 'json_schema', json_schema: { name: 'table', strict: true, schema: TABLE_SCHEMA } };
// Where VIOLATION_TOKENS breaks the schema: the 'O' of "Order ID" (names are snake_case).
const CUT = VIOLATION_TOKENS[1].slice(0, VIOLATION_TOKENS[1].indexOf('O'));
const BAD_OFFSET = Buffer.byteLength(VIOLATION_TOKENS[0] + CUT);

async function generate(body, id) {
  const s = stream(ctx.gw.url, '/generate/structured', body, { 'x-request-id': id });
  s.head = await s.response;
  await s.done;
  return s;
}
const upstreamRequests = (id) => ctx.mock.requests.filter((r) => r.headers['x-request-id'] === id);

describe('the upstream request stops at the violating byte', () => {
  for (const prefix of ['o', 'a']) {
    test(`${prefix}/violation-drip: closed right after the bad token, not at the end of the answer`, async () => {
      const id = `guard-drip-${prefix}`;
      const s = stream(ctx.gw.url, '/generate/structured', { prompt: PROMPT, model: `${prefix}/violation-drip` },
        { 'x-request-id': id });
      const up = await ctx.mock.waitForRequest((r) => r.headers['x-request-id'] === id);
      const second = await s.next(2);  // the valid part of the bad token
      assert.equal(second.json.token, CUT);
      assert.ok(await eventually(() => up.socket.closedAt !== undefined, 1000, 2), 'upstream left open');
      const delay = up.socket.closedAt - second.at;
      assert.ok(delay < 100, `upstream closed ${delay.toFixed(1)} ms after the bad token reached the client`);
      await s.done;
      const last = s.events.at(-1).json;
      assert.equal(last.status, 'validation_error', s.text);
      assert.equal(last.errors[0].path, '/columns/0/name');
      assert.match(last.errors[0].message, new RegExp(`at byte ${BAD_OFFSET}\\b`));
      assert.match(last.errors[0].message, /got 'O'/);
      // Nothing after the bad byte was relayed, on either attempt.
      assert.ok(!s.text.includes('data_type'), s.text);
    });
  }
});

describe('retry with feedback', () => {
  test('/generate/structured: the retried answer succeeds; tokens already sent stay sent', async () => {
    const id = 'guard-fix-lab';
    const s = await generate({ prompt: PROMPT, model: 'o/fix-on-retry' }, id);
    const tokens = s.events.slice(0, -1).map((e) => e.json.token);
    assert.deepEqual(tokens, [VIOLATION_TOKENS[0], CUT, ...TABLE_TOKENS]);
    assert.deepEqual(s.events.at(-1).json, { status: 'success', data: TABLE_OBJECT });
    const ups = upstreamRequests(id);
    assert.equal(ups.length, 2);
    const retry = ups[1].json.messages;
    assert.equal(retry.at(-2).role, 'assistant');
    assert.equal(retry.at(-2).content, VIOLATION_TOKENS[0] + VIOLATION_TOKENS[1]);
    assert.equal(retry.at(-1).role, 'user');
    assert.match(retry.at(-1).content, new RegExp(`byte ${BAD_OFFSET}\\b.*/columns/0/name`));
  });

  for (const prefix of ['o', 'a']) {
    test(`${prefix}/fix-on-retry: non-streamed chat returns the corrected answer`, async () => {
      const id = `guard-fix-chat-${prefix}`;
      const r = await postJson(ctx.gw.url, '/v1/chat/completions',
        { model: `${prefix}/fix-on-retry`, messages: USER, response_format: FORMAT }, { 'x-request-id': id });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(JSON.parse(r.json.choices[0].message.content), TABLE_OBJECT);
      assert.equal(upstreamRequests(id).length, 2);
    });
  }

  test('a streamed chat that already sent part of the answer is not retried: error event', async () => {
    const id = 'guard-fix-stream';
    const s = stream(ctx.gw.url, '/v1/chat/completions',
      { model: 'o/fix-on-retry', messages: USER, stream: true, response_format: FORMAT }, { 'x-request-id': id });
    await s.done;
    const last = s.events.at(-1).json;
    assert.equal(last.error.code, 'schema_validation_failed', s.text);
    assert.equal(last.error.errors[0].path, '/columns/0/name');
    assert.ok(!s.events.some((e) => e.data === '[DONE]'));
    const content = s.events.slice(0, -1).flatMap((e) => e.json.choices).map((c) => c.delta?.content ?? '').join('');
    assert.equal(content, VIOLATION_TOKENS[0] + CUT);
    assert.equal(upstreamRequests(id).length, 1);
  });

  test('a valid answer passes the guard untouched', async () => {
    const s = await generate({ prompt: PROMPT, model: 'a/ok' }, 'guard-ok');
    assert.deepEqual(s.events.slice(0, -1).map((e) => e.json.token), TABLE_TOKENS);
    assert.deepEqual(s.events.at(-1).json, { status: 'success', data: TABLE_OBJECT });
    assert.equal(upstreamRequests('guard-ok').length, 1);
  });
});

describe('valid answers are never stopped', () => {
  for (const prefix of ['o', 'a']) {
    test(`${prefix}/reordered: members out of schema order, pretty-printed → success`, async () => {
      const s = await generate({ prompt: PROMPT, model: `${prefix}/reordered` }, `guard-reordered-${prefix}`);
      assert.deepEqual(s.events.slice(0, -1).map((e) => e.json.token), REORDERED_TOKENS);
      assert.deepEqual(s.events.at(-1).json, { status: 'success', data: REORDERED_OBJECT });
      assert.equal(upstreamRequests(`guard-reordered-${prefix}`).length, 1);
    });
  }

  test('an answer inside a ```json code fence passes the guard and the validator', async () => {
    const s = await generate({ prompt: PROMPT, model: 'o/fenced' }, 'guard-fenced');
    assert.deepEqual(s.events.at(-1).json, { status: 'success', data: TABLE_OBJECT }, s.text);
    assert.equal(upstreamRequests('guard-fenced').length, 1);
  });

  test('chat json_schema with members out of order → 200', async () => {
    const r = await postJson(ctx.gw.url, '/v1/chat/completions',
      { model: 'a/reordered', messages: USER, response_format: FORMAT });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(r.json.choices[0].message.content), REORDERED_OBJECT);
  });
});

describe('[structured] retries = 0', () => {
  const local = {};
  before(async () => {
    local.gw = await startSluice({
      config: `${standardConfig(ctx.mock.url)}\n[structured]\nretries = 0\n`,
      env: { UPSTREAM_KEY },
    });
  });
  after(async () => local.gw?.stop());

  test('one upstream request, then validation_error', async () => {
    const id = 'guard-no-retry';
    const s = stream(local.gw.url, '/generate/structured', { prompt: PROMPT, model: 'o/fix-on-retry' },
      { 'x-request-id': id });
    await s.done;
    assert.equal(s.events.at(-1).json.status, 'validation_error', s.text);
    assert.equal(upstreamRequests(id).length, 1);
  });
});
