// The admin API for keys (issue 7): /admin/keys guarded by $SLUICE_MASTER_KEY.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';

import { postJson, request } from './lib/client.mjs';
import { bearer, chatBody, freshDbPath, keysCli, runSluice, startStack, useStack } from './lib/security.mjs';

const MASTER = 'master-key-for-tests-0123456789';

const admin = (gw, method, path, body, headers = bearer(MASTER)) =>
  request(gw.url, { method, path, body, headers });

describe('admin API', () => {
  const db = freshDbPath('admin');
  const ctx = useStack(async () => {
    assert.ok(!existsSync(db));
    return { args: ['--keys-db', db], env: { SLUICE_MASTER_KEY: MASTER } };
  });

  test('the master key creates the database; model routes then need a key', async () => {
    assert.ok(existsSync(db), 'key database created at start');
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody());
    assert.equal(r.status, 401, r.text);
  });

  test('without or with a wrong master key → 401; API keys are not master keys', async () => {
    const cases = {
      none: {},
      wrong: bearer('master-key-for-tests-0123456788'),
      prefix: bearer(MASTER.slice(0, -1)),
      longer: bearer(`${MASTER}x`),
      'x-api-key wrong': { 'x-api-key': 'nope' },
    };
    for (const [what, headers] of Object.entries(cases)) {
      for (const [method, path, body] of [['GET', '/admin/keys'], ['POST', '/admin/keys', { name: 'evil' }],
        ['DELETE', '/admin/keys/key_whatever']]) {
        const r = await admin(ctx.gw, method, path, body, headers);
        assert.equal(r.status, 401, `${what} ${method} ${path}: ${r.text}`);
        assert.equal(typeof r.json?.detail, 'string', r.text);
      }
    }
    const created = await admin(ctx.gw, 'POST', '/admin/keys', { name: 'plain' });
    assert.equal(created.status, 201, created.text);
    const r = await admin(ctx.gw, 'GET', '/admin/keys', undefined, bearer(created.json.key));
    assert.equal(r.status, 401, 'an API key does not open the admin API');
    const list = await admin(ctx.gw, 'GET', '/admin/keys');
    assert.ok(!list.json.data.some((k) => k.name === 'evil'), 'no key was created without the master key');
  });

  test('create → use → list → revoke → 401', async () => {
    const created = await admin(ctx.gw, 'POST', '/admin/keys', {
      name: 'svc', models: ['m'], rpm: 100, tpm: 10000, max_concurrent: 4, budget_tokens: 100000,
      budget_period: 'month', expires: '2099-12-31',
    });
    assert.equal(created.status, 201, created.text);
    const { id, key, name } = created.json;
    assert.equal(name, 'svc');
    assert.match(id, /^key_/);
    assert.match(key, /^sk-sluice-/);

    const use = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(key));
    assert.equal(use.status, 200, use.text);
    assert.equal(use.headers['x-ratelimit-limit-requests'], '100');
    assert.equal(use.headers['x-ratelimit-limit-tokens'], '10000');
    const scoped = await postJson(ctx.gw.url, '/v1/chat/completions', { ...chatBody(), model: 'g' }, bearer(key));
    assert.equal(scoped.status, 403, scoped.text);

    const list = await admin(ctx.gw, 'GET', '/admin/keys');
    assert.equal(list.status, 200, list.text);
    const row = list.json.data.find((k) => k.id === id);
    assert.ok(row, list.text);
    assert.deepEqual(
      { name: row.name, models: row.models, rpm: row.rpm, tpm: row.tpm, max_concurrent: row.max_concurrent,
        budget_tokens: row.budget_tokens, budget_period: row.budget_period, revoked_at: row.revoked_at },
      { name: 'svc', models: ['m'], rpm: 100, tpm: 10000, max_concurrent: 4, budget_tokens: 100000,
        budget_period: 'month', revoked_at: null });
    assert.match(row.expires_at, /^2099-12-31T00:00:00Z$/);
    assert.ok(!list.text.includes(key) && !list.text.includes(key.slice(10, 30)), 'the list never shows a key');

    // The CLI sees the same database.
    const cli = await keysCli(db, ['list']);
    assert.match(cli.stdout, new RegExp(`^${id}\\s+svc\\s`, 'm'));

    const del = await admin(ctx.gw, 'DELETE', `/admin/keys/${id}`);
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.json, { id, revoked: true });
    const after = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), bearer(key));
    assert.equal(after.status, 401, after.text);
    assert.equal(after.json?.error?.code, 'unauthenticated');
    const list2 = await admin(ctx.gw, 'GET', '/admin/keys');
    assert.match(list2.json.data.find((k) => k.id === id).revoked_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const missing = await admin(ctx.gw, 'DELETE', '/admin/keys/key_doesnotexist');
    assert.equal(missing.status, 404, missing.text);
    assert.ok(!ctx.gw.stderrText.includes(key), 'the key appears in the logs');
  });

  test('limits set through the API are enforced', async () => {
    const created = await admin(ctx.gw, 'POST', '/admin/keys', { name: 'one-rpm', rpm: 1 });
    assert.equal(created.status, 201, created.text);
    const auth = bearer(created.json.key);
    assert.equal((await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), auth)).status, 200);
    const r = await postJson(ctx.gw.url, '/v1/chat/completions', chatBody(), auth);
    assert.equal(r.status, 429, r.text);
    assert.ok(Number(r.headers['retry-after']) >= 1);
  });

  test('invalid specifications → 422 naming the field; malformed JSON → 400', async () => {
    const cases = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', rpm: -1 }, 'rpm'],
      [{ name: 'x', rpm: 'ten' }, 'rpm'],
      [{ name: 'x', budget_period: 'week', budget_tokens: 5 }, 'budget_period'],
      [{ name: 'x', expires: 'soon' }, 'expires'],
      [{ name: 'x', models: 'm' }, 'models'],
    ];
    for (const [body, field] of cases) {
      const r = await admin(ctx.gw, 'POST', '/admin/keys', body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
      assert.ok(Array.isArray(r.json?.detail) && r.json.detail.some((d) => d.loc.includes(field)),
        `${JSON.stringify(body)} should name ${field}: ${r.text}`);
    }
    const bad = await admin(ctx.gw, 'POST', '/admin/keys', '{"name": ');
    assert.equal(bad.status, 400, bad.text);
    const list = await admin(ctx.gw, 'GET', '/admin/keys');
    assert.ok(!list.json.data.some((k) => k.name === 'x'), 'an invalid spec created nothing');
  });
});

describe('admin API disabled', () => {
  test('no master key in the environment → /admin/keys is 404', async (t) => {
    const { gw } = await startStack(t, { args: ['--keys-db', freshDbPath('noadmin')] });
    for (const [method, headers] of [['GET', {}], ['GET', bearer(MASTER)], ['POST', bearer(MASTER)]]) {
      const r = await request(gw.url, { method, path: '/admin/keys', headers, body: method === 'POST' ? { name: 'x' } : undefined });
      assert.equal(r.status, 404, `${method}: ${r.text}`);
    }
  });

  test('a master key under 16 characters → refuses to start', async () => {
    const r = await runSluice(['serve', '--listen', '127.0.0.1:0', '--keys-db', freshDbPath('short')],
      { env: { SLUICE_MASTER_KEY: 'short-key-15chr' } });
    assert.notEqual(r.code, 0, r.stderr);
    assert.equal(r.signal, null, 'exited on its own');
    assert.match(r.stderr, /SLUICE_MASTER_KEY/);
    assert.match(r.stderr, /16/);
  });
});
