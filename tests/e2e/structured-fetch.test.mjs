// /generate/structured read the way a browser app reads it: fetch() and a
// hand-written EventSource-style parser over the response body stream.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { useGateway } from '../integration/lib/fixture.mjs';
import { TABLE_OBJECT, TABLE_TOKENS, UNICODE_OBJECT, UNICODE_TOKENS } from '../integration/lib/mocks.mjs';

const ctx = useGateway();
const PROMPT = 'Create a table for storing users with id and email';

// Yields the data of each event, as EventSource would dispatch it.
async function* sseEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let data = [];
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let m;
    while ((m = /\r\n|\r|\n/.exec(buf)) !== null) {
      if (m[0] === '\r' && m.index === buf.length - 1) break;  // maybe half a CRLF
      const line = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      if (line === '') {
        if (data.length) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}

async function generate(body) {
  const res = await fetch(`${ctx.gw.url}/generate/structured`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  const events = [];
  for await (const data of sseEvents(res.body)) events.push(JSON.parse(data));
  return { res, events };
}

describe('fetch + SSE reader', () => {
  for (const [model, tokens, object] of [
    ['o/ok', TABLE_TOKENS, TABLE_OBJECT],
    ['a/ok', TABLE_TOKENS, TABLE_OBJECT],
    ['o/split', UNICODE_TOKENS, UNICODE_OBJECT],
  ]) {
    test(`generating events then success (${model})`, async () => {
      const { res, events } = await generate({ prompt: PROMPT, model });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.deepEqual(events, [
        ...tokens.map((token) => ({ status: 'generating', token })),
        { status: 'success', data: object },
      ]);
      // What the client concatenates is exactly the JSON it receives as data.
      assert.deepEqual(JSON.parse(events.slice(0, -1).map((e) => e.token).join('')), events.at(-1).data);
    });
  }

  test('a schema violation ends with validation_error', async () => {
    const { events } = await generate({ prompt: PROMPT, model: 'o/violation' });
    const last = events.at(-1);
    assert.equal(last.status, 'validation_error');
    assert.equal(last.message, 'Output did not match expected database schema format.');
    assert.ok(last.errors.some((e) => e.path === '/columns/0/name'));
    assert.ok(events.slice(0, -1).every((e) => e.status === 'generating'));
  });

  test('an upstream failure ends with one error event', async () => {
    const { res, events } = await generate({ prompt: PROMPT, model: 'o/http500' });
    assert.equal(res.status, 200);
    assert.equal(events.length, 1);
    assert.equal(events[0].status, 'error');
    assert.match(events[0].message, /500/);
  });

  test('validation failures are 422 with FastAPI-style detail', async () => {
    const res = await fetch(`${ctx.gw.url}/generate/structured`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'hi' }),
    });
    assert.equal(res.status, 422);
    const body = await res.json();
    assert.deepEqual(body.detail.map((d) => d.loc), [['body', 'prompt']]);
  });
});
