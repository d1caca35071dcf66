// API keys (issue 7): `sluice keys` CLI, authentication on every model route,
// model scoping, open probe routes, the loopback-only open default, and keys
// kept out of logs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { postJson, request, sleep, stream } from './lib/client.mjs';
import {
  bearer, chatBody, createKey, freshDbPath, keysCli, metricSample, revokeKey, runSluice,
  startStack, useStack,
} from './lib/security.mjs';

// Unique strings that must never reach the logs.
const SECRET_PROMPT = 'the-launch-code-is-7f3a9c21-do-not-log';

function assertOpenAIAuthError(r, what) {
  assert.equal(r.status, 401, `${what}: ${r.text}`);
  assert.equal(r.json?.error?.type, 'authentication_error', `${what}: ${r.text}`);
  assert.equal(r.json?.error?.code, 'unauthenticated', `${what}: ${r.text}`);
  assert.equal(typeof r.json.error.message, 'string');
}

// "2026-11-24T20:07:03Z", `seconds` from now (rounded up to a whole second).
function isoIn(seconds) {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('API keys: authentication', () => {
  const db = freshDbPath('auth');
  const keys = {};
  const ctx = useStack(async () => {
    keys.alice = await createKey(db, { name: 'alice' });
    keys.bob = await createKey(db, { name: 'bob', models: ['m'] });
    keys.carol = await createKey(db, { name: 'carol' });
    // Same format and a valid checksum, but stored in another database.
    keys.stranger = await createKey(freshDbPath('other'), { name: 'stranger' });
    return { args: ['--keys-db', db] };
  });

  test('no key → 401 in each route\'s error shape', async () => {
    const chat = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody());
    assertOpenAIAuthError(chat, 'chat without key');
    const models = await request(ctx.gw.url, { path: '/v1/models' });
    assertOpenAIAuthError(models, '/v1/models without key');
    const lab = await postJson(ctx.gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok' });
    assert.equal(lab.status, 401, lab.text);
    assert.equal(typeof lab.json?.detail, 'string', lab.text);
    assert.equal(ctx.mock.requests.filter((r) => r.method === 'POST').length, 0, 'nothing reached the upstream');
  });

  test('Authorization: Bearer and x-api-key both authenticate', async () => {
    const a = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(keys.alice.key));
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.object, 'chat.completion');
    const b = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), { 'x-api-key': keys.alice.key });
    assert.equal(b.status, 200, b.text);
    const s = stream(ctx.gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok' },
      bearer(keys.alice.key));
    assert.equal((await s.response).status, 200);
    await s.done;
    assert.ok(s.events.length > 0, s.text);
  });

  test('malformed, checksum-broken, unknown and non-Bearer keys → 401', async () => {
    const k = keys.alice.key;
    const last = k.at(-1);
    const flipped = k.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    const cases = {
      'checksum broken': bearer(flipped),
      'body typo': bearer(k.slice(0, 12) + (k[12] === 'x' ? 'y' : 'x') + k.slice(13)),
      truncated: bearer(k.slice(0, -3)),
      'wrong prefix': bearer(k.replace('sk-sluice-', 'sk-other-')),
      garbage: bearer('sk-sluice-nope'),
      empty: { Authorization: 'Bearer ' },
      'unknown key': bearer(keys.stranger.key),
      'Basic scheme': { Authorization: `Basic ${Buffer.from(`u:${k}`).toString('base64')}` },
      'x-api-key checksum broken': { 'x-api-key': flipped },
    };
    for (const [what, headers] of Object.entries(cases)) {
      const r = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), headers);
      assertOpenAIAuthError(r, what);
    }
  });

  test('a key revoked with the CLI while the gateway runs → 401', async () => {
    const before = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(keys.carol.key));
    assert.equal(before.status, 200, before.text);
    await revokeKey(db, keys.carol.id);
    const after = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(keys.carol.key));
    assertOpenAIAuthError(after, 'revoked key');
    const list = await keysCli(db, ['list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${keys.carol.id}\\s+carol\\s.*\\brevoked$`, 'm'));
  });

  test('an expired key → 401', async () => {
    const expires = isoIn(2);
    const dave = await createKey(db, { name: 'dave', expires });
    const ok = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(dave.key));
    assert.equal(ok.status, 200, `before ${expires}: ${ok.text}`);
    const wait = Date.parse(expires) - Date.now() + 50;
    if (wait > 0) await sleep(wait);
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(dave.key));
    assertOpenAIAuthError(r, 'expired key');
    const lab = await postJson(ctx.gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok' },
      bearer(dave.key));
    assert.equal(lab.status, 401, lab.text);
    assert.equal(typeof lab.json?.detail, 'string');
  });

  test('a key scoped to other models → 403; /v1/models lists only its models', async () => {
    const ok = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(keys.bob.key));
    assert.equal(ok.status, 200, ok.text);
    const other = await postJson(ctx.gw.url, '/v1/chat/completions', { ...chatBody(), model: 'g' },
      bearer(keys.bob.key));
    assert.equal(other.status, 403, other.text);
    assert.equal(other.json?.error?.code, 'permission_denied', other.text);
    const prefixed = await postJson(ctx.gw.url, '/v1/chat/completions', { ...chatBody(), model: 'o/ok' },
      bearer(keys.bob.key));
    assert.equal(prefixed.status, 403, prefixed.text);
    const lab = await postJson(ctx.gw.url, '/generate/structured', { prompt: 'a users table', model: 'o/ok' },
      bearer(keys.bob.key));
    assert.equal(lab.status, 403, lab.text);
    assert.equal(typeof lab.json?.detail, 'string', lab.text);

    const bobModels = await request(ctx.gw.url, { path: '/v1/models', headers: bearer(keys.bob.key) });
    assert.equal(bobModels.status, 200, bobModels.text);
    assert.deepEqual(bobModels.json.data.map((m) => m.id), ['m']);
    const aliceModels = await request(ctx.gw.url, { path: '/v1/models', headers: bearer(keys.alice.key) });
    assert.equal(aliceModels.status, 200, aliceModels.text);
    const ids = aliceModels.json.data.map((m) => m.id);
    assert.ok(ids.includes('m') && ids.includes('g'), JSON.stringify(ids));
  });

  test('/health, /ready and /metrics need no key', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      const r = await request(ctx.gw.url, { path });
      assert.equal(r.status, 200, `${path}: ${r.text}`);
    }
  });

  test('logs and metrics carry the key name, never the key or the prompt', async () => {
    const id = 'auth-log-check-1';
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(SECRET_PROMPT),
      { ...bearer(keys.alice.key), 'x-request-id': id });
    assert.equal(r.status, 200, r.text);
    const line = await ctx.gw.requestLog(id);
    assert.equal(line.key, 'alice');
    assert.equal(line.status, 200);
    // The prompt did go upstream (so it was there to leak).
    assert.ok(ctx.mock.requests.some((q) => q.text.includes(SECRET_PROMPT)));
    const s = stream(ctx.gw.url, '/generate/structured', { prompt: SECRET_PROMPT, model: 'o/ok' },
      { 'x-api-key': keys.alice.key, 'x-request-id': 'auth-log-check-2' });
    await s.done;
    assert.equal((await ctx.gw.requestLog('auth-log-check-2')).key, 'alice');

    const m = await request(ctx.gw.url, { path: '/metrics' });
    assert.ok(metricSample(m.text, 'sluice_tokens_total', 'model="m",key="alice",direction="in"') > 0, m.text);
    assert.ok(metricSample(m.text, 'sluice_tokens_total', 'model="m",key="alice",direction="out"') > 0, m.text);
    assert.ok(!m.text.includes('sk-sluice-'), 'no key in /metrics');

    const stderr = ctx.gw.stderrText;
    for (const [name, k] of Object.entries(keys)) {
      assert.ok(!stderr.includes(k.key), `key of ${name} appears in the logs`);
      // Not even a recognisable part of it.
      assert.ok(!stderr.includes(k.key.slice(10, 30)), `part of the key of ${name} appears in the logs`);
    }
    assert.ok(!stderr.includes(SECRET_PROMPT), 'the prompt appears in the logs');
  });
});

describe('API keys: configuration and safe default', () => {
  test('[auth] keys_db in the config and $SLUICE_KEYS_DB both enable authentication', async (t) => {
    const db = freshDbPath('cfg');
    const { key } = await createKey(db, { name: 'cfg' });
    const fromToml = await startStack(t, { auth: { keys_db: db } });
    const fromEnv = await startStack(t, { mock: fromToml.mock, env: { SLUICE_KEYS_DB: db } });
    for (const [what, { gw }] of [['toml', fromToml], ['env', fromEnv]]) {
      const no = await postJson(gw.url, '/v1/chat/completions', chatBody());
      assert.equal(no.status, 401, `${what}: ${no.text}`);
      const yes = await postJson(gw.url, '/v1/chat/completions', chatBody(), bearer(key));
      assert.equal(yes.status, 200, `${what}: ${yes.text}`);
    }
  });

  test('no keys: open on loopback', async (t) => {
    const { gw } = await startStack(t, { args: ['--keys-db', freshDbPath('none')] });
    const r = await postJson(gw.url, '/v1/chat/completions', chatBody());
    assert.equal(r.status, 200, r.text);
  });

  test('no keys on 0.0.0.0 → refuses to start, naming --allow-unauthenticated', async () => {
    const r = await runSluice(['serve', '--listen', '0.0.0.0:0', '--keys-db', freshDbPath('none')]);
    assert.notEqual(r.code, 0, `exit code; stderr:\n${r.stderr}`);
    assert.equal(r.signal, null, 'exited on its own, not killed by the timeout');
    assert.match(r.stderr, /--allow-unauthenticated/);
    assert.doesNotMatch(r.stderr, /"msg":"listening"/);
  });

  test('no keys on 0.0.0.0 with --allow-unauthenticated → starts with a warning', async (t) => {
    const { gw } = await startStack(t, {
      listen: '0.0.0.0:0', args: ['--allow-unauthenticated', '--keys-db', freshDbPath('none')],
    });
    const warn = gw.logs.find((l) => l.level === 'warn' && /without API keys/.test(l.msg));
    assert.ok(warn, `no warning line; logs:\n${gw.tail()}`);
    const r = await postJson(gw.url, '/v1/chat/completions', chatBody());
    assert.equal(r.status, 200, r.text);
  });

  test('keys on 0.0.0.0 → starts without the flag or a warning, and requires them', async (t) => {
    const db = freshDbPath('wide');
    const { key } = await createKey(db, { name: 'wide' });
    const { gw } = await startStack(t, { listen: '0.0.0.0:0', args: ['--keys-db', db] });
    assert.ok(!gw.logs.some((l) => l.level === 'warn'), gw.tail());
    assert.equal((await postJson(gw.url, '/v1/chat/completions', chatBody())).status, 401);
    assert.equal((await postJson(gw.url, '/v1/chat/completions', chatBody(), bearer(key))).status, 200);
  });
});

describe('sluice keys CLI', () => {
  test('create prints the key once; list shows limits but never the key; bad input fails', async () => {
    const db = freshDbPath('cli');
    const k = await createKey(db, {
      name: 'erin', models: ['m', 'g'], rpm: 7, tpm: 900, maxConcurrent: 2, budgetTokens: 5000, budgetPeriod: 'month',
      expires: '2099-01-02',
    });
    assert.match(k.key, /^sk-sluice-[0-9A-Za-z]{22,}$/);
    assert.match(k.id, /^key_[0-9A-Za-z]+$/);
    const list = await keysCli(db, ['list']);
    assert.equal(list.code, 0, list.stderr);
    const row = list.stdout.split('\n').find((l) => l.startsWith(k.id));
    assert.ok(row, list.stdout);
    for (const cell of ['erin', 'm,g', '7', '900', '2', '5000', '2099-01-02', 'active']) {
      assert.ok(row.includes(cell), `${cell} missing from: ${row}`);
    }
    assert.ok(!list.stdout.includes(k.key) && !list.stdout.includes(k.key.slice(10, 30)), 'list shows the key');

    const second = await createKey(db, { name: 'erin2' });
    assert.notEqual(second.key, k.key);

    for (const bad of [
      ['create', '--name', 'x', '--expires', '2020-01-01'],
      ['create', '--name', 'x', '--expires', 'tomorrow'],
      ['create', '--name', 'x', '--budget-period', 'week', '--budget-tokens', '5'],
      ['revoke', 'key_doesnotexist'],
    ]) {
      const r = await keysCli(db, bad);
      assert.notEqual(r.code, 0, `${bad.join(' ')} succeeded: ${r.stdout}`);
    }
  });
});
