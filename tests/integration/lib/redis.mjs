// A throwaway redis-server on a free loopback port, for the shared-limit tests.
//
//   if (!haveRedis()) skip;
//   const r = await startRedis();      // r.port, r.url
//   await r.kill();                    // SIGKILL (simulates a crash)
//   const r2 = await startRedis({ port: r.port });
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export function haveRedis() {
  return existsSync(REDIS_SERVER);
}

// A port that was free a moment ago (listen on 0, read it, close).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  constructor(child, port) {
    this.child = child;
    this.port = port;
    this.output = '';
    this.exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
    this.running = true;
    this.exited.then(() => { this.running = false; });
  }

  get url() { return `redis://127.0.0.1:${this.port}`; }

  async kill(signal = 'SIGKILL') {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }
}

// Starts redis-server without persistence; resolves once it accepts connections.
export async function startRedis({ port = null, timeoutMs = 10000 } = {}) {
  const p = port ?? await freePort();
  const child = spawn(REDIS_SERVER, [
    '--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--protected-mode', 'yes', '--loglevel', 'warning',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r = new RedisServer(child, p);
  child.stdout.setEncoding('utf8').on('data', (s) => { r.output += s; });
  child.stderr.setEncoding('utf8').on('data', (s) => { r.output += s; });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!r.running) throw new Error(`redis-server exited at start:\n${r.output}`);
    if (await ping(p)) return r;
    if (performance.now() > deadline) {
      await r.kill();
      throw new Error(`redis-server did not answer PING on ${p}:\n${r.output}`);
    }
    await new Promise((res) => setTimeout(res, 25));
  }
}

// True when something on `port` answers PING with +PONG.
function ping(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (c) => {
      data += c.toString('latin1');
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}
