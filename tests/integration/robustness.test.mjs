// Less common but real wire situations: keep-alive reuse after a stream,
// concurrent streams, SSE comments, length finishes, cancelling a
// non-streamed request, HEAD.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';

import { eventually, postJson, request, sleep, stream } from './lib/client.mjs';
import { useGateway } from './lib/fixture.mjs';
import {
  ollamaDoneLine, ollamaTokenLine, openaiStreamEvents, TABLE_OBJECT, TABLE_TOKENS, UNICODE_TOKENS,
} from './lib/mocks.mjs';

const ctx = useGateway();
const USER = [{ role: 'user', content: 'Say hello' }];
const PROMPT = 'A table of users with an id and an email';

// Sends requests one after another on one keep-alive connection.
function keepAliveClient(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set();
  const send = (method, path, body) => new Promise((res, rej) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent,
      headers: body ? { 'Content-Type': 'application/json' } : {} }, (r) => {
      sockets.add(r.socket);
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c) => { text += c; });
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, text }));
    });
    req.on('error', rej);
    req.end(body ? JSON.stringify(body) : undefined);
  });
  return { send, sockets, close: () => agent.destroy() };
}

describe('connection reuse', () => {
  test('a keep-alive connection serves a stream, an error and another stream', async () => {
    const c = keepAliveClient(ctx.gw.port);
    try {
      const a = await c.send('POST', '/generate/structured', { prompt: PROMPT, model: 'o/ok' });
      assert.equal(a.status, 200);
      assert.ok(a.text.endsWith(`data: ${JSON.stringify({ status: 'success', data: TABLE_OBJECT })}\n\n`), a.text);
      const b = await c.send('POST', '/v1/chat/completions', { model: 'nope', messages: USER });
      assert.equal(b.status, 404);
      const d = await c.send('POST', '/v1/chat/completions', { model: 'a/hello', messages: USER, stream: true });
      assert.equal(d.status, 200);
      assert.ok(d.text.endsWith('data: [DONE]\n\n'), d.text);
      const h = await c.send('GET', '/health');
      assert.equal(h.status, 200);
      assert.equal(c.sockets.size, 1, 'the connection was not reused');
    } finally {
      c.close();
    }
  });

  test('HEAD /health answers headers only', async () => {
    const r = await request(ctx.gw.url, { method: 'HEAD', path: '/health' });
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });
});

describe('concurrency', () => {
  test('24 concurrent streams over both providers all complete correctly', async () => {
    const runs = [];
    for (let i = 0; i < 24; i++) {
      const model = ['o/drip', 'a/ok', 'o/split', 'a/split'][i % 4];
      const s = stream(ctx.gw.url, '/generate/structured', { prompt: PROMPT, model });
      runs.push(s.done.then(() => ({ model, s })));
    }
    for (const { model, s } of await Promise.all(runs)) {
      const last = s.events.at(-1).json;
      assert.equal(last.status, 'success', `${model}: ${s.text}`);
      const tokens = s.events.slice(0, -1).map((e) => e.json.token);
      assert.deepEqual(tokens, model.endsWith('split') ? UNICODE_TOKENS : TABLE_TOKENS);
    }
    assert.equal(await ctx.mock.allClosed(2000), true, 'upstream connections left open');
  });
});

describe('wire details', () => {
  test('SSE comments, event names and ids from an OpenAI-compatible upstream are ignored', async () => {
    ctx.mock.scenarios.comments = (kind, model) => {
      const ev = openaiStreamEvents(model, ['Hel', 'lo']);
      return [': OPENROUTER PROCESSING\n\n', ev[0], 'event: message\nid: 1\n' + ev[1], ': ping\n\n', 'retry: 1000\n\n', ...ev.slice(2)];
    };
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', { model: 'a/comments', messages: USER });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, 'Hello');
  });

  test('done_reason "length" from Ollama becomes finish_reason "length"', async () => {
    ctx.mock.scenarios.long = (kind, model) => [ollamaTokenLine(model, 'To be'), ollamaTokenLine(model, ' or'),
      ollamaDoneLine(model, { reason: 'length', evalCount: 2 })];
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', { model: 'o/long', messages: USER, max_tokens: 2 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].finish_reason, 'length');
    assert.equal(r.json.choices[0].message.content, 'To be or');
    assert.equal(ctx.mock.requests.at(-1).json.options.num_predict, 2);
  });

  test('finish_reason "length" from OpenAI is relayed in the stream', async () => {
    ctx.mock.scenarios.long = (kind, model) => openaiStreamEvents(model, ['To be', ' or'], { reason: 'length' });
    const s = stream(ctx.gw.url, '/v1/chat/completions', { model: 'a/long', messages: USER, stream: true });
    await s.done;
    const finish = s.events.map((e) => e.json?.choices?.[0]?.finish_reason).filter(Boolean);
    assert.deepEqual(finish, ['length']);
  });

  test('split CRLF SSE relayed through the chat stream keeps every byte', async () => {
    const s = stream(ctx.gw.url, '/v1/chat/completions', { model: 'a/split', messages: USER, stream: true });
    await s.done;
    const tokens = s.events.slice(0, -1).map((e) => e.json.choices[0]?.delta?.content).filter(Boolean);
    assert.deepEqual(tokens, UNICODE_TOKENS);
  });

  test('max_completion_tokens reaches Ollama as num_predict', async () => {
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', { model: 'o/hello', messages: USER, max_completion_tokens: 7 },
      { 'x-request-id': 'it-robust-mct' });
    assert.equal(r.status, 200, r.text);
    const up = ctx.mock.requests.find((q) => q.headers['x-request-id'] === 'it-robust-mct');
    assert.equal(up.json.options.num_predict, 7);
  });
});

describe('cancelling a non-streamed request', () => {
  test('the upstream is closed within 100 ms of the client leaving', async () => {
    const id = 'it-robust-cancel';
    const req = http.request(`${ctx.gw.url}/v1/chat/completions`, {
      method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'x-request-id': id },
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ model: 'o/stall', messages: USER }));
    const up = await ctx.mock.waitForRequest((r) => r.headers['x-request-id'] === id);
    await sleep(100);  // the first token has been sent and held by the gateway
    assert.equal(up.socket.closedAt, undefined);
    const abortedAt = performance.now();
    req.destroy();
    assert.ok(await eventually(() => up.socket.closedAt !== undefined, 2000, 2), 'upstream never closed');
    const delay = up.socket.closedAt - abortedAt;
    assert.ok(delay < 100, `upstream closed ${delay.toFixed(1)} ms after the client left`);
    const log = await ctx.gw.requestLog(id);
    assert.equal(log.error, 'cancelled');
  });
});
