// Minimal HTTP client helpers over node:http, with an SSE reader that
// records when each event arrived.
import http from 'node:http';
import https from 'node:https';

// CA certificates trusted for https:// bases (a test's self-signed one).
let trustedCa;
export function trustCa(pem) {
  trustedCa = pem;
}

// http.request or https.request by the URL's scheme.
function open(url, options, onResponse) {
  if (url.startsWith('https:')) return https.request(url, { ...options, ca: trustedCa }, onResponse);
  return http.request(url, options, onResponse);
}

// Incremental Server-Sent Events parser (WHATWG rules for `data:` lines:
// LF, CR or CRLF line ends; an empty line ends the event; comments ignored).
export class SseParser {
  constructor() {
    this.buf = '';
    this.data = [];
    this.sawCr = false;
  }

  // Feeds decoded text; returns the data strings of completed events.
  feed(text) {
    const out = [];
    for (const ch of text) {
      if (this.sawCr) {
        this.sawCr = false;
        if (ch === '\n') continue;  // the LF of a CRLF
      }
      if (ch === '\r' || ch === '\n') {
        this.sawCr = ch === '\r';
        this._line(this.buf, out);
        this.buf = '';
      } else {
        this.buf += ch;
      }
    }
    return out;
  }

  _line(line, out) {
    if (line === '') {
      if (this.data.length > 0) out.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
  }
}

function encodeBody(body) {
  if (body === undefined) return undefined;
  return typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
}

// One request; resolves with { status, headers, text, json } once the body is complete.
export function request(base, { method = 'GET', path = '/', headers = {}, body } = {}) {
  const payload = encodeBody(body);
  const h = { ...headers };
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
    h['Content-Type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = open(`${base}${path}`, { method, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const postJson = (base, path, body, headers = {}) =>
  request(base, { method: 'POST', path, body, headers });

// Opens a streaming POST. Returns an object with:
//   response: Promise<{status, headers}> (the head)
//   events:   array of { data, json, at } filled as events arrive (`at`: performance.now())
//   done:     Promise resolving when the body ends (or rejecting on a transport error)
//   next(n):  Promise resolving once at least n events arrived
//   abort():  destroys the client socket; returns the performance.now() of the abort
//   text:     the raw body so far
export function stream(base, path, body, headers = {}) {
  const payload = encodeBody(body);
  const s = { events: [], text: '', ended: false };
  let waiters = [];
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let req;
  s.response = new Promise((resolveHead, rejectHead) => {
    s.done = new Promise((resolveDone, rejectDone) => {
      req = open(`${base}${path}`, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', ...headers },
      }, (res) => {
        resolveHead({ status: res.statusCode, headers: res.headers });
        const parser = new SseParser();
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          s.text += chunk;
          const at = performance.now();
          for (const data of parser.feed(chunk)) {
            let json;
            try {
              json = JSON.parse(data);
            } catch {
              json = undefined;
            }
            s.events.push({ data, json, at });
          }
          notify();
        });
        res.on('end', () => {
          s.ended = true;
          s.endedAt = performance.now();
          notify();
          resolveDone(s);
        });
        res.on('error', (e) => {
          notify();
          rejectDone(e);
        });
        res.on('aborted', () => notify());
      });
      // No test idles this long: a hung stream fails instead of hanging the suite.
      req.setTimeout(20000, () => req.destroy(new Error('no data from sluice for 20 s')));
      req.on('error', (e) => {
        rejectHead(e);
        rejectDone(e);
        notify();
      });
      req.end(payload);
    });
  });
  s.done.catch(() => {});  // callers that abort don't await it
  s.response.catch(() => {});
  s.next = (n, timeoutMs = 10000) => new Promise((res, rej) => {
    const check = () => {
      if (s.events.length >= n) {
        finish();
        res(s.events[n - 1]);
        return true;
      }
      if (s.ended) {
        finish();
        rej(new Error(`stream ended after ${s.events.length} events, wanted ${n}: ${s.text}`));
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      finish();
      rej(new Error(`timed out waiting for event ${n}; got: ${s.text}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      waiters = waiters.filter((w) => w !== check);
    };
    if (!check()) waiters.push(check);
  });
  s.abort = () => {
    const at = performance.now();
    req.destroy();
    return at;
  };
  return s;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` until it returns truthy or `timeoutMs` passes; returns the last value.
export async function eventually(fn, timeoutMs = 2000, stepMs = 10) {
  const end = performance.now() + timeoutMs;
  let v = await fn();
  while (!v && performance.now() < end) {
    await sleep(stepMs);
    v = await fn();
  }
  return v;
}
