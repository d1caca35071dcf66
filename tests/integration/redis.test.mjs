// Limits shared through Redis (issue 7): two sluice processes, one real
// redis-server, one key database. Skipped when redis-server is not installed
// (Debian: apt-get install redis-server; or set REDIS_SERVER).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { eventually, postJson, stream } from './lib/client.mjs';
import { startMock } from './lib/mocks.mjs';
import { haveRedis, REDIS_SERVER, startRedis } from './lib/redis.mjs';
import { bearer, chatBody, createKey, freshDbPath, startStack } from './lib/security.mjs';

const skip = haveRedis() ? false : `${REDIS_SERVER} not found (install redis-server or set REDIS_SERVER)`;

// Two gateways in front of one mock sharing `redis` and `db`: `a` configured
// through [limits] in the TOML, `b` through the command-line flags.
async function twoGateways(t, redis, db, { modeA = 'fail_open', modeB = 'fail_open' } = {}) {
  const mock = await startMock();
  t.after(() => mock.close());
  const a = await startStack(t, {
    mock, args: ['--keys-db', db], limits: { redis_url: redis.url, redis_fail_mode: modeA },
  });
  const b = await startStack(t, {
    mock, args: ['--keys-db', db, '--redis', redis.url, '--redis-fail-mode', modeB],
  });
  for (const gw of [a.gw, b.gw]) {
    assert.ok(gw.logs.some((l) => l.msg === 'security' && l.limiter === 'redis'), gw.tail());
  }
  return { mock, a: a.gw, b: b.gw };
}

async function startRedisFor(t) {
  const redis = await startRedis();
  t.after(() => redis.kill());
  return redis;
}

describe('limits shared through Redis', { skip }, () => {
  test('two instances enforce one rpm limit; redis killed → fail_open serves, fail_closed 503', async (t) => {
    let redis = await startRedisFor(t);
    const db = freshDbPath('redis');
    const { key } = await createKey(db, { name: 'shared', rpm: 3 });
    const { a, b } = await twoGateways(t, redis, db, { modeA: 'fail_open', modeB: 'fail_closed' });
    const chat = (gw) => postJson(gw.url, '/v1/chat/completions', chatBody(), bearer(key));

    const order = [a, b, a];
    for (let i = 0; i < order.length; i++) {
      const r = await chat(order[i]);
      assert.equal(r.status, 200, `request ${i + 1}: ${r.text}`);
      assert.equal(r.headers['x-ratelimit-limit-requests'], '3');
      assert.equal(r.headers['x-ratelimit-remaining-requests'], String(2 - i), `request ${i + 1}`);
    }
    const fourth = await chat(b);
    assert.equal(fourth.status, 429, `the shared limit: ${fourth.text}`);
    assert.ok(Number(fourth.headers['retry-after']) >= 1);
    assert.equal(fourth.headers['x-ratelimit-remaining-requests'], '0');
    assert.equal((await chat(a)).status, 429, 'the other instance sees the same count');

    await redis.kill();
    // fail_open: per-instance limits, a fresh bucket of 3.
    const open = await chat(a);
    assert.equal(open.status, 200, `fail_open with Redis down: ${open.text}`);
    assert.ok(a.logs.some((l) => l.level === 'warn' && /unreachable/.test(l.msg)), a.tail());
    for (let i = 0; i < 2; i++) assert.equal((await chat(a)).status, 200);
    assert.equal((await chat(a)).status, 429, 'the fallback still enforces rpm per instance');
    // fail_closed: 503 with Retry-After.
    const closed = await chat(b);
    assert.equal(closed.status, 503, `fail_closed with Redis down: ${closed.text}`);
    assert.ok(Number(closed.headers['retry-after']) >= 1, JSON.stringify(closed.headers));
    assert.equal(closed.json?.error?.type, 'server_error');

    // Redis back (empty, same port): fail_closed serves again after its backoff.
    redis = await startRedis({ port: redis.port });
    t.after(() => redis.kill());
    const back = await eventually(async () => (await chat(b)).status === 200, 8000, 100);
    assert.ok(back, `fail_closed instance never recovered; logs:\n${b.tail()}`);
  });

  test('a shared concurrency slot: held on one instance, refused on the other, freed on disconnect', async (t) => {
    const redis = await startRedisFor(t);
    const db = freshDbPath('redis-conc');
    const { key } = await createKey(db, { name: 'shared-conc', maxConcurrent: 1 });
    const { a, b } = await twoGateways(t, redis, db);

    const s = stream(a.url, '/v1/chat/completions', { ...chatBody(), model: 'o/stall', stream: true }, bearer(key));
    assert.equal((await s.response).status, 200);
    await s.next(1);
    const busy = await postJson(b.url, '/v1/chat/completions', chatBody(), bearer(key));
    assert.equal(busy.status, 429, busy.text);
    assert.match(busy.json.error.message, /concurrent/);
    s.abort();
    const freed = await eventually(
      async () => (await postJson(b.url, '/v1/chat/completions', chatBody(), bearer(key))).status === 200, 2000, 25);
    assert.ok(freed, 'the Redis lease was not released within 2 s of the disconnect');
  });
});
