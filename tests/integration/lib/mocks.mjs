// Mock upstreams that speak Ollama's NDJSON chat stream and OpenAI's SSE
// chat-completion stream byte for byte, with scripted misbehaviour.
//
// One mock server answers both protocols:
//   GET  /api/version            → {"version":"0.5.7"}                (Ollama probe)
//   POST /api/chat               → NDJSON stream                      (Ollama)
//   GET  /v1/models              → OpenAI model list                  (OpenAI probe)
//   POST /v1/chat/completions    → SSE stream                         (OpenAI)
// The upstream model name in the request body picks the scenario (see
// SCENARIOS); sluice's prefix routes ("o/<scenario>") make that easy.
// Every TCP connection and every request is recorded with timestamps
// (performance.now()), so tests can check that sluice closed its upstream
// connections, and when.
import http from 'node:http';
import https from 'node:https';

// --- Wire encoders ---------------------------------------------------------

// Go's encoding/json (Ollama) escapes <, > and & as \u003c, \u003e, \u0026.
export function goJson(value) {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CREATED_AT = '2024-11-24T19:00:00.123456789Z';

export function ollamaTokenLine(model, content) {
  return goJson({
    model,
    created_at: CREATED_AT,
    message: { role: 'assistant', content },
    done: false,
  }) + '\n';
}

export function ollamaDoneLine(model, { promptEval = 12, evalCount = 5, reason = 'stop' } = {}) {
  return goJson({
    model,
    created_at: CREATED_AT,
    message: { role: 'assistant', content: '' },
    done_reason: reason,
    done: true,
    total_duration: 1234567890,
    load_duration: 12345678,
    prompt_eval_count: promptEval,
    prompt_eval_duration: 2345678,
    eval_count: evalCount,
    eval_duration: 345678901,
  }) + '\n';
}

export const OPENAI_ID = 'chatcmpl-AXa1b2c3d4e5f6g7h8i9j0';
const OPENAI_CREATED = 1732474800;

function openaiChunkObject(model, delta, finishReason) {
  return {
    id: OPENAI_ID,
    object: 'chat.completion.chunk',
    created: OPENAI_CREATED,
    model,
    system_fingerprint: 'fp_0ba0d124f1',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
  };
}

export function openaiEvent(obj, eol = '\n') {
  const data = typeof obj === 'string' ? obj : JSON.stringify(obj);
  return `data: ${data}${eol}${eol}`;
}

// The full SSE body OpenAI sends for `tokens` with include_usage.
export function openaiStreamEvents(model, tokens, { promptTokens = 9, eol = '\n', reason = 'stop' } = {}) {
  const out = [openaiEvent(openaiChunkObject(model, { role: 'assistant', content: '', refusal: null }, null), eol)];
  for (const t of tokens) out.push(openaiEvent(openaiChunkObject(model, { content: t }, null), eol));
  out.push(openaiEvent(openaiChunkObject(model, {}, reason), eol));
  out.push(openaiEvent({
    id: OPENAI_ID,
    object: 'chat.completion.chunk',
    created: OPENAI_CREATED,
    model,
    system_fingerprint: 'fp_0ba0d124f1',
    choices: [],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: tokens.length,
      total_tokens: promptTokens + tokens.length,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0,
      },
    },
  }, eol));
  out.push(`data: [DONE]${eol}${eol}`);
  return out;
}

// --- Canned answers ---------------------------------------------------------

// A valid lab DatabaseSchema answer, cut into model-like tokens.
export const TABLE_TOKENS = [
  '{"table_name": "', 'users', '", "columns": [', '{"name": "id", ',
  '"data_type": "INTEGER", "is_nullable": false}', ', {"name": "email", ',
  '"data_type": "VARCHAR(255)"}', ']}',
];
// A strict JSON Schema the TABLE_OBJECT answer satisfies (client-side tests
// send it as response_format).
export const TABLE_SCHEMA = {
  type: 'object',
  properties: {
    table_name: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
    columns: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
          data_type: { type: 'string' },
          is_nullable: { type: 'boolean' },
        },
        required: ['name', 'data_type'],
        additionalProperties: false,
      },
    },
  },
  required: ['table_name', 'columns'],
  additionalProperties: false,
};

export const TABLE_OBJECT = {
  table_name: 'users',
  columns: [
    { name: 'id', data_type: 'INTEGER', is_nullable: false },
    { name: 'email', data_type: 'VARCHAR(255)' },
  ],
};

// Same shape with non-ASCII text (2-, 3- and 4-byte UTF-8) and characters
// that Go escapes (<, >, &).
export const UNICODE_TOKENS = [
  '{"table_name": "caf', 'e_menu', '", "columns": [{"name": "pr', 'ice", "data_type": ',
  '"NUMERIC -- ', 'prix €, 価格 ', '🦀 <a&b> ', 'naïve"}]}',
];
export const UNICODE_OBJECT = {
  table_name: 'cafe_menu',
  columns: [{ name: 'price', data_type: 'NUMERIC -- prix €, 価格 🦀 <a&b> naïve' }],
};

// Valid JSON that breaks the default schema: column name not snake_case.
export const VIOLATION_TOKENS = ['{"table_name": "orders", ', '"columns": [{"name": "Order ID", ',
  '"data_type": "INTEGER"}]}'];
// Valid for TABLE_SCHEMA and the lab schema, keys out of order, pretty-printed.
export const REORDERED_TOKENS = ['{\n  "columns": [\n    {"is_nullable": false, ', '"data_type": "INTEGER", "name": "id"}\n',
  '  ],\n  "table_name": "users"\n}\n'];
export const REORDERED_OBJECT = {
  table_name: 'users', columns: [{ name: 'id', data_type: 'INTEGER', is_nullable: false }],
};
export const INVALID_JSON_TOKENS = ['Sure! Here is ', 'the table: ', '{"table_name": ', 'users'];
export const HELLO_TOKENS = ['Hel', 'lo', ', wor', 'ld!'];

// --- Scenarios -------------------------------------------------------------
//
// A scenario is a function (kind, model) → steps. Steps:
//   string | Buffer        one write (one chunk, flushed on its own)
//   { head: {status, headers} }   the response head (default 200 + the protocol's type)
//   { delay: ms }          pause
//   { destroy: true }      socket.destroy() (a reset mid-stream)
//   { hang: true }         stop here and never end the response
// The response ends after the last step.

function tokensBody(kind, model, tokens, opts = {}) {
  return kind === 'ollama'
    ? [...tokens.map((t) => ollamaTokenLine(model, t)), ollamaDoneLine(model, { evalCount: tokens.length, ...opts })]
    : openaiStreamEvents(model, tokens, opts);
}

// Cuts the concatenated body into writes at awkward byte positions: inside
// every multi-byte UTF-8 character, between every CR and LF, and every 7 bytes.
export function splitAwkwardly(pieces) {
  const bytes = Buffer.from(pieces.join(''), 'utf8');
  const cuts = new Set();
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b >= 0xc0) cuts.add(i + 1);                     // just after a lead byte
    if (b === 0x0d && bytes[i + 1] === 0x0a) cuts.add(i + 1);  // between CR and LF
    if (i % 7 === 3) cuts.add(i);
  }
  const sorted = [...cuts].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const steps = [];
  let prev = 0;
  for (const c of sorted) {
    steps.push(bytes.subarray(prev, c), { delay: 1 });
    prev = c;
  }
  steps.push(bytes.subarray(prev));
  return steps;
}

function errorBody(kind, status, message) {
  return kind === 'ollama'
    ? JSON.stringify({ error: message })
    : JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } });
}

export const SCENARIOS = {
  ok: (kind, model) => tokensBody(kind, model, TABLE_TOKENS),
  hello: (kind, model) => tokensBody(kind, model, HELLO_TOKENS),
  unicode: (kind, model) => tokensBody(kind, model, UNICODE_TOKENS),
  // Same bytes as `unicode`, split mid-line / mid-UTF-8 / mid-CRLF (OpenAI with CRLF line ends).
  split: (kind, model) => splitAwkwardly(tokensBody(kind, model, UNICODE_TOKENS, { eol: '\r\n' })),
  violation: (kind, model) => tokensBody(kind, model, VIOLATION_TOKENS),
  // The table inside a markdown code fence, as chat models often write it.
  fenced: (kind, model) => tokensBody(kind, model, ['```json\n', ...TABLE_TOKENS, '\n```']),
  // A valid table with members in another order than the schema's, pretty-printed.
  reordered: (kind, model) => tokensBody(kind, model, REORDERED_TOKENS),
  // The violation, with 300 ms between tokens (so an early stop is visible).
  'violation-drip': (kind, model) => tokensBody(kind, model, VIOLATION_TOKENS).flatMap((s) => [s, { delay: 300 }]),
  // A violation on the first try; the table once the request carries feedback
  // (a previous assistant turn), as a model corrected by sluice's retry would.
  'fix-on-retry': (kind, model, rec) => tokensBody(kind, model,
    rec.json?.messages?.some((m) => m.role === 'assistant') ? TABLE_TOKENS : VIOLATION_TOKENS),
  'invalid-json': (kind, model) => tokensBody(kind, model, INVALID_JSON_TOKENS),
  // First token, a 700 ms pause, then the rest.
  slow: (kind, model) => {
    const b = tokensBody(kind, model, TABLE_TOKENS);
    const firstTokenEnd = kind === 'ollama' ? 1 : 2;  // OpenAI: role chunk + first token
    return [...b.slice(0, firstTokenEnd), { delay: 700 }, ...b.slice(firstTokenEnd)];
  },
  // Tokens 200 ms apart.
  drip: (kind, model) => tokensBody(kind, model, TABLE_TOKENS).flatMap((s) => [s, { delay: 200 }]),
  // One token, then silence (idle timeout / client cancel).
  stall: (kind, model) => [...tokensBody(kind, model, TABLE_TOKENS).slice(0, kind === 'ollama' ? 1 : 2), { hang: true }],
  // Never answers: no status line at all.
  silent: () => [{ hang: true, noHead: true }],
  // A 200 head and then nothing.
  'head-only': () => [{ hang: true }],
  // Two tokens, then the TCP connection is reset.
  reset: (kind, model) => [...tokensBody(kind, model, TABLE_TOKENS).slice(0, kind === 'ollama' ? 2 : 3), { delay: 20 }, { destroy: true }],
  // Reset before any response byte.
  'reset-now': () => [{ destroy: true, noHead: true }],
  http500: (kind) => [{ head: { status: 500, headers: { 'Content-Type': 'application/json' } } },
    errorBody(kind, 500, 'the GPU caught fire')],
  http404: (kind, model) => [{ head: { status: 404, headers: { 'Content-Type': 'application/json' } } },
    errorBody(kind, 404, kind === 'ollama' ? `model "${model}" not found, try pulling it first`
      : `The model \`${model}\` does not exist or you do not have access to it.`)],
  http429: (kind) => [{ head: { status: 429, headers: { 'Content-Type': 'application/json' } } },
    errorBody(kind, 429, 'Rate limit reached')],
  // One good token then an HTML line (a proxy error page in the middle of the stream).
  garbage: (kind, model) => [tokensBody(kind, model, TABLE_TOKENS)[kind === 'ollama' ? 0 : 1],
    kind === 'ollama' ? '<html><body>502 Bad Gateway</body></html>\n' : 'data: <html><body>502 Bad Gateway</body></html>\n\n'],
  // Ollama: an {"error":…} line mid-stream, as Ollama sends when generation fails.
  'error-line': (kind, model) => kind === 'ollama'
    ? [ollamaTokenLine(model, '{"table'), goJson({ error: 'an error was encountered while running the model: unexpected EOF' }) + '\n']
    : [openaiStreamEvents(model, ['{"table'])[1], openaiEvent({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })],
  // OpenAI-compatible servers that send no usage chunk (older llama.cpp servers).
  'no-usage': (kind, model) => tokensBody(kind, model, HELLO_TOKENS)
    .filter((e) => typeof e !== 'string' || !e.includes('"usage":{')),
  // The body ends cleanly but without the final done line / [DONE].
  truncated: (kind, model) => tokensBody(kind, model, TABLE_TOKENS).slice(0, kind === 'ollama' ? 2 : 3),
};

// --- Server ----------------------------------------------------------------

export class MockUpstream {
  constructor({ tls = null } = {}) {
    this.tls = tls;
    this.sockets = [];    // { id, openedAt, closedAt }
    this.requests = [];   // { method, url, headers, text, json, socket, receivedAt, scenario }
    this.scenarios = { ...SCENARIOS };
    this._live = new Set();
    this._waiters = [];
  }

  get url() { return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`; }

  async start() {
    const handler = (req, res) => this._handle(req, res);
    this.server = this.tls ? https.createServer(this.tls, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 60000;
    const track = (sock) => {
      const rec = { id: this.sockets.length + 1, openedAt: performance.now(), closedAt: undefined };
      this.sockets.push(rec);
      this._live.add(sock);
      sock.setNoDelay(true);
      sock.on('close', () => {
        rec.closedAt = performance.now();
        this._live.delete(sock);
        this._notify();
      });
      sock.__rec = rec;
    };
    this.server.on(this.tls ? 'secureConnection' : 'connection', track);
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = this.server.address().port;
    return this;
  }

  _notify() {
    for (const w of [...this._waiters]) w();
  }

  openSockets() { return this.sockets.filter((s) => s.closedAt === undefined); }

  // Resolves true once every connection is closed, false after timeoutMs.
  allClosed(timeoutMs = 1000) {
    return new Promise((res) => {
      const check = () => {
        if (this.openSockets().length === 0) {
          done();
          res(true);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        res(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this._waiters = this._waiters.filter((w) => w !== check);
      };
      if (!check()) this._waiters.push(check);
    });
  }

  // Resolves with the n-th (1-based) request that matches `pred`.
  waitForRequest(pred = () => true, timeoutMs = 5000) {
    return new Promise((res, rej) => {
      const check = () => {
        const hit = this.requests.find(pred);
        if (hit) {
          done();
          res(hit);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error('mock upstream: expected request never came'));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this._waiters = this._waiters.filter((w) => w !== check);
      };
      if (!check()) this._waiters.push(check);
    });
  }

  async _handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const rec = {
      method: req.method, url: req.url, headers: req.headers, text, json,
      socket: req.socket.__rec, receivedAt: performance.now(),
    };
    this.requests.push(rec);
    this._notify();

    if (req.method === 'GET' && req.url === '/api/version') {
      return this._json(res, 200, { version: '0.5.7' });
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      return this._json(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }],
      });
    }
    let kind;
    if (req.method === 'POST' && req.url === '/api/chat') kind = 'ollama';
    else if (req.method === 'POST' && req.url === '/v1/chat/completions') kind = 'openai';
    else return this._json(res, 404, { error: `mock: no route ${req.method} ${req.url}` });

    const model = json?.model ?? '';
    const scenario = this.scenarios[model];
    rec.scenario = model;
    if (!scenario) {
      return this._json(res, 404, kind === 'ollama'
        ? { error: `model "${model}" not found, try pulling it first` }
        : { error: { message: `mock: unknown scenario ${model}`, type: 'invalid_request_error', param: null, code: 'model_not_found' } });
    }
    await this._play(req, res, kind, scenario(kind, model, rec));
  }

  _json(res, status, obj) {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  async _play(req, res, kind, steps) {
    const sock = req.socket;
    let headSent = false;
    const sendHead = (status = 200, headers = null) => {
      if (headSent) return;
      headSent = true;
      res.writeHead(status, headers ?? (kind === 'ollama'
        ? { 'Content-Type': 'application/x-ndjson', Date: new Date().toUTCString() }
        : { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'openai-processing-ms': '42' }));
      res.flushHeaders();
    };
    for (const step of steps) {
      if (sock.destroyed) return;
      if (typeof step === 'string' || Buffer.isBuffer(step)) {
        sendHead();
        res.write(step);
      } else if (step.head) {
        sendHead(step.head.status, step.head.headers);
      } else if (step.delay !== undefined) {
        await new Promise((r) => setTimeout(r, step.delay));
      } else if (step.destroy) {
        if (!step.noHead) sendHead();
        sock.destroy();
        return;
      } else if (step.hang) {
        if (!step.noHead) sendHead();
        return;  // never ends; the socket stays until the client closes it
      }
    }
    sendHead();
    res.end();
  }

  async close() {
    for (const s of this._live) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

export async function startMock(opts) {
  return new MockUpstream(opts).start();
}
