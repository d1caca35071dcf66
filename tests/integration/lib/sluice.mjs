// Starts the real `sluice` binary on an ephemeral port and collects its JSON
// log lines (stderr). Used by tests/integration and tests/e2e.
//
//   const gw = await startSluice({ config: toml, env: { KEY: 'v' } });
//   ... gw.port, gw.url, gw.logs, await gw.waitForLog(l => l.request_id === id)
//   await gw.stop();            // SIGTERM, then SIGKILL after a while
//
// The binary comes from $SLUICE_BIN, default build/debug/src/cli/sluice
// relative to the repository root.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function sluiceBin() {
  const bin = process.env.SLUICE_BIN
    ? resolve(process.env.SLUICE_BIN)
    : join(repoRoot, 'build/debug/src/cli/sluice');
  if (!existsSync(bin)) {
    throw new Error(
      `sluice binary not found at ${bin}. Build it first ` +
        '(cmake --preset debug && cmake --build build/debug --target sluice) ' +
        'or point SLUICE_BIN at it.');
  }
  return bin;
}

// A private temporary directory, removed at process exit.
let scratch = null;
export function scratchDir() {
  if (scratch === null) {
    scratch = mkdtempSync(join(tmpdir(), 'sluice-it-'));
    process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
  }
  return scratch;
}

let configSeq = 0;
export function writeConfig(text) {
  const path = join(scratchDir(), `config-${process.pid}-${++configSeq}.toml`);
  writeFileSync(path, text);
  return path;
}

// Environment for the child: ours minus anything that would reconfigure sluice.
export function childEnv(extra) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('SLUICE_') || k === 'OLLAMA_API_URL' || k.startsWith('SSL_CERT')) {
      delete env[k];
    }
  }
  // Debug builds run under ASan; a leak report at exit must not change the exit code.
  env.ASAN_OPTIONS = env.ASAN_OPTIONS ?? 'detect_leaks=0';
  return { ...env, ...extra };
}

export class Sluice {
  constructor(child) {
    this.child = child;
    this.logs = [];          // parsed JSON log lines, in order
    this.stderrText = '';    // everything, for failure messages
    this.port = 0;
    this.exitCode = undefined;
    this.exitSignal = undefined;
    this.exitedAt = undefined;
    this._waiters = [];
    this.exited = new Promise((res) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        this.exitedAt = performance.now();
        res({ code, signal });
        this._notify();
      });
    });
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      this.stderrText += s;
      pending += s;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          // not a log line (sanitizer output, …): kept in stderrText only
        }
      }
      this._notify();
    });
    child.stdout.resume();
  }

  get url() { return `${this.scheme}://127.0.0.1:${this.port}`; }
  get running() { return this.exitCode === undefined && this.exitSignal === undefined; }

  _notify() {
    for (const w of [...this._waiters]) w();
  }

  // Resolves with the first log line matching `pred` (already logged or future).
  waitForLog(pred, timeoutMs = 5000) {
    return new Promise((res, rej) => {
      const check = () => {
        const hit = this.logs.find(pred);
        if (hit) {
          done();
          res(hit);
          return true;
        }
        if (!this.running) {
          done();
          rej(new Error(`sluice exited before the expected log line; stderr:\n${this.tail()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`timed out waiting for a log line; stderr:\n${this.tail()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this._waiters = this._waiters.filter((w) => w !== check);
      };
      if (!check()) this._waiters.push(check);
    });
  }

  requestLog(requestId, timeoutMs = 5000) {
    return this.waitForLog((l) => l.msg === 'request' && l.request_id === requestId, timeoutMs);
  }

  tail(n = 4000) { return this.stderrText.slice(-n); }

  signal(sig) {
    this.stopRequested = true;
    if (this.running) this.child.kill(sig);
  }

  // SIGTERM, wait up to `graceMs`, then SIGKILL. Safe to call twice.
  // Throws when the process had died on its own (a crash), with its stderr.
  async stop(graceMs = 15000) {
    if (!this.running) {
      if (!this.stopRequested) {
        throw new Error(`sluice died during the tests (exit code ${this.exitCode}, ` +
          `signal ${this.exitSignal}); stderr tail:\n${this.tail()}`);
      }
      return this.exited;
    }
    this.stopRequested = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }
}

// Spawns `sluice serve` with `config` (TOML text, or null for none) on
// `listen` (default 127.0.0.1:0) and resolves once it logged its port.
export async function startSluice({ config = null, env = {}, args = [], listen = '127.0.0.1:0' } = {}) {
  const bin = sluiceBin();
  const argv = ['serve', '--listen', listen, ...args];
  if (config !== null) argv.push('--config', writeConfig(config));
  const child = spawn(bin, argv, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const gw = new Sluice(child);
  const spawnError = new Promise((_, rej) => child.on('error', rej));
  const line = await Promise.race([
    gw.waitForLog((l) => l.msg === 'listening', 20000),
    spawnError,
  ]).catch(async (err) => {
    child.kill('SIGKILL');
    throw err;
  });
  gw.port = line.port;
  gw.scheme = line.scheme ?? 'http';
  return gw;
}

// A config routing `prefix/*` and a few exact names to one provider per entry.
//   providers: { name: { kind, base_url, ...other keys } }
//   models:    { 'name': { provider, upstream } }
export function tomlConfig({ server = {}, providers = {}, models = {} }) {
  const val = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const lines = ['[server]'];
  for (const [k, v] of Object.entries(server)) lines.push(`${k} = ${val(v)}`);
  for (const [name, p] of Object.entries(providers)) {
    lines.push('', `[providers.${name}]`);
    for (const [k, v] of Object.entries(p)) lines.push(`${k} = ${val(v)}`);
  }
  for (const [name, m] of Object.entries(models)) {
    lines.push('', `[models.${JSON.stringify(name)}]`);
    for (const [k, v] of Object.entries(m)) lines.push(`${k} = ${val(v)}`);
  }
  return lines.join('\n') + '\n';
}
