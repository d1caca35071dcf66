// Token-by-token relay and client-disconnect cancellation, measured in time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { eventually, request, sleep, stream } from './lib/client.mjs';
import { useGateway } from './lib/fixture.mjs';

const ctx = useGateway();
const PROMPT = 'A table of users with an id and an email';
const USER = [{ role: 'user', content: 'Make a table' }];

let seq = 0;
function open(path, model, extra = {}) {
  const id = `it-streaming-${++seq}`;
  const body = path === '/generate/structured'
    ? { prompt: PROMPT, model, ...extra }
    : { model, messages: USER, stream: true, stream_options: { include_usage: true }, ...extra };
  const startedAt = performance.now();
  const s = stream(ctx.gw.url, path, body, { 'x-request-id': id });
  return { s, id, startedAt };
}

const isToken = (path) => (e) => (path === '/generate/structured'
  ? e.json?.status === 'generating'
  : Boolean(e.json?.choices?.[0]?.delta?.content));

describe('tokens are relayed as they arrive', () => {
  // The mock sends the first token, pauses 700 ms, then sends the rest.
  for (const [path, model] of [
    ['/generate/structured', 'o/slow'],
    ['/generate/structured', 'a/slow'],
    ['/v1/chat/completions', 'o/slow'],
    ['/v1/chat/completions', 'a/slow'],
  ]) {
    test(`${path} via ${model}: the first token arrives before the upstream pause ends`, async () => {
      const { s, startedAt } = open(path, model);
      await s.done;
      const tokens = s.events.filter(isToken(path));
      assert.ok(tokens.length >= 2, s.text);
      const first = tokens[0].at;
      const second = tokens[1].at;
      // The first token must not wait for the 700 ms pause.
      assert.ok(second - first >= 600, `first token at +${(first - startedAt).toFixed(0)} ms, ` +
        `second at +${(second - startedAt).toFixed(0)} ms: the first was held back`);
      assert.ok(first - startedAt < 500, `first token only after ${(first - startedAt).toFixed(0)} ms`);
      assert.ok(s.endedAt - first >= 600);
    });
  }

  test('tokens 200 ms apart arrive 200 ms apart', async () => {
    const { s } = open('/generate/structured', 'o/drip');
    await s.done;
    const at = s.events.filter(isToken('/generate/structured')).map((e) => e.at);
    assert.equal(at.length, 8);
    for (let i = 1; i < at.length; i++) {
      assert.ok(at[i] - at[i - 1] >= 150, `gap ${i}: ${(at[i] - at[i - 1]).toFixed(0)} ms`);
    }
  });
});

describe('client disconnect cancels the upstream request', () => {
  // Aborts after the first token (upstream then stalls forever) or before any
  // (upstream never answers) and measures, on the mock, when the upstream
  // socket closed.
  const cases = [
    ['/generate/structured', 'o/stall', 1],
    ['/generate/structured', 'a/stall', 1],
    ['/v1/chat/completions', 'o/stall', 1],
    ['/v1/chat/completions', 'a/stall', 1],
    ['/generate/structured', 'o/drip', 2],
    ['/v1/chat/completions', 'a/silent', 0],
    ['/generate/structured', 'o/head-only', 0],
  ];
  for (const [path, model, afterEvents] of cases) {
    test(`${path} via ${model}, abort after ${afterEvents} token(s): upstream closed within 100 ms`, async () => {
      const { s, id } = open(path, model);
      const up = await ctx.mock.waitForRequest((r) => r.headers['x-request-id'] === id);
      if (afterEvents > 0) {
        await s.next(afterEvents);
      } else {
        await sleep(50);  // the upstream request is pending
      }
      assert.equal(up.socket.closedAt, undefined, 'upstream closed before the client left');
      const abortedAt = s.abort();
      const closed = await eventually(() => up.socket.closedAt !== undefined, 2000, 2);
      assert.ok(closed, 'the upstream connection was never closed after the client left');
      const delay = up.socket.closedAt - abortedAt;
      assert.ok(delay < 100, `upstream closed ${delay.toFixed(1)} ms after the client aborted`);
      const log = await ctx.gw.requestLog(id);
      assert.equal(log.error, 'cancelled');
      assert.equal(log.path, path);
    });
  }

  test('the gateway still serves after the cancellations', async () => {
    const r = await request(ctx.gw.url, { path: '/health' });
    assert.equal(r.status, 200);
    assert.equal(ctx.gw.running, true);
  });
});
