// Helpers for the API-key, limit and hostile-client tests (issue 7):
// the `sluice keys` CLI, one-shot `sluice serve` runs that are expected to
// fail at start, a gateway stack whose processes are stopped by the test's
// own after hook, raw sockets, and the rate-limit headers.
//
//   const db = freshDbPath();
//   const { id, key } = await createKey(db, { name: 'alice', rpm: 3 });
//   const { mock, gw } = await startStack(t, { args: ['--keys-db', db], limits: { max_tokens: 64 } });
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { after, before } from 'node:test';

import { standardConfig, UPSTREAM_KEY } from './fixture.mjs';
import { startMock } from './mocks.mjs';
import { childEnv, scratchDir, sluiceBin, startSluice } from './sluice.mjs';

let dbSeq = 0;
// A path for a key database that does not exist yet.
export function freshDbPath(tag = 'keys') {
  return join(scratchDir(), `${tag}-${process.pid}-${++dbSeq}.db`);
}

// Runs the binary to completion (killed after `timeoutMs`); resolves with
// { code, signal, stdout, stderr }.
export function runSluice(args, { env = {}, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(sluiceBin(), args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // 'exit' can come before the pipes are drained.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
}

export async function keysCli(db, args) {
  return runSluice(['keys', '--db', db, ...args]);
}

// `sluice keys create`; resolves with { id, key, stdout }. Throws on failure.
export async function createKey(db, {
  name, models, rpm, tpm, maxConcurrent, budgetTokens, budgetPeriod, expires,
}) {
  const args = ['create', '--name', name];
  if (models) args.push('--models', models.join(','));
  if (rpm !== undefined) args.push('--rpm', String(rpm));
  if (tpm !== undefined) args.push('--tpm', String(tpm));
  if (maxConcurrent !== undefined) args.push('--max-concurrent', String(maxConcurrent));
  if (budgetTokens !== undefined) args.push('--budget-tokens', String(budgetTokens));
  if (budgetPeriod !== undefined) args.push('--budget-period', budgetPeriod);
  if (expires !== undefined) args.push('--expires', expires);
  const r = await keysCli(db, args);
  const id = /^id:\s+(key_\S+)$/m.exec(r.stdout)?.[1];
  const key = /^key:\s+(sk-sluice-\S+)$/m.exec(r.stdout)?.[1];
  if (r.code !== 0 || !id || !key) {
    throw new Error(`sluice keys create failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { id, key, stdout: r.stdout };
}

export async function revokeKey(db, id) {
  const r = await keysCli(db, ['revoke', id]);
  if (r.code !== 0) throw new Error(`sluice keys revoke ${id} failed (exit ${r.code}):\n${r.stderr}`);
  return r;
}

// TOML tables appended to a config: tomlTables({ auth: { keys_db: 'x' }, limits: { rpm: 3 } }).
export function tomlTables(tables) {
  const val = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const lines = [];
  for (const [table, entries] of Object.entries(tables)) {
    if (!entries) continue;
    lines.push('', `[${table}]`);
    for (const [k, v] of Object.entries(entries)) lines.push(`${k} = ${val(v)}`);
  }
  return lines.join('\n') + '\n';
}

// A mock upstream (unless `mock` is given) and a sluice in front of it with
// the standard config plus `auth`/`limits` tables. Both are stopped by
// `t.after` (the test's context, or anything with an `after(fn)` method) when
// the test ends, pass or fail.
export async function startStack(t, {
  mock = null, server = {}, auth = null, limits = null, env = {}, args = [], listen,
} = {}) {
  let m = mock;
  if (m === null) {
    m = await startMock();
    t.after(() => m.close());
  }
  const config = standardConfig(m.url, { server }) + tomlTables({ auth, limits });
  const gw = await startSluice({ config, env: { UPSTREAM_KEY, ...env }, args, listen });
  t.after(() => gw.stop());
  return { mock: m, gw };
}

// A stack shared by a describe block: `prepare(ctx)` (run in `before`)
// returns startStack's options; ctx.mock and ctx.gw are filled in; everything
// is stopped in `after`, and the first cleanup error (a crashed sluice) fails the suite.
export function useStack(prepare = async () => ({})) {
  const ctx = {};
  const cleanups = [];
  before(async () => {
    const opts = await prepare(ctx);
    Object.assign(ctx, await startStack({ after: (fn) => cleanups.push(fn) }, opts));
  });
  after(async () => {
    let first = null;
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  });
  return ctx;
}

export const bearer = (key) => ({ Authorization: `Bearer ${key}` });

export function chatBody(content = 'hi', extra = {}) {
  return { model: 'm', messages: [{ role: 'user', content }], ...extra };
}

// The value of the Prometheus sample `name{labels}`, or undefined.
export function metricSample(text, name, labels) {
  const prefix = `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

// OpenAI's reset durations: "1s", "6m0s", "1h2m3.5s", "250ms", "0s".
export const RESET_FORMAT = /^(?:\d+ms|(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?s)$/;

// Opens a raw TCP connection; resolves once connected.
export function connect(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    sock.once('connect', () => {
      sock.removeListener('error', reject);
      sock.on('error', () => {});  // resets are expected in these tests
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

// Sends `raw` on a fresh connection and resolves with everything the server
// sent until it closed the connection (or `timeoutMs` passed).
export async function rawExchange(port, raw, timeoutMs = 5000) {
  const sock = await connect(port);
  return new Promise((resolve) => {
    const chunks = [];
    let timer = null;
    const finish = (timedOut) => {
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ text, status, timedOut });
    };
    timer = setTimeout(() => finish(true), timeoutMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('close', () => finish(false));
    sock.write(raw);
  });
}
