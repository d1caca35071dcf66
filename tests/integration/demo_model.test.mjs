// The lab's exit check, with no configuration at all: `sluice serve` runs the
// bundled demo model (models/sluice-demo.gguf) on the embedded engine, and
// /generate/structured streams token events, then a validated user_accounts
// table. Skips when the model file is absent.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { request, stream } from './lib/client.mjs';
import { repoRoot, startSluice } from './lib/sluice.mjs';

const MODEL = join(repoRoot, 'models', 'sluice-demo.gguf');
const present = existsSync(MODEL);
const ctx = {};

before(async () => {
  if (present) ctx.gw = await startSluice({});  // no config, no OLLAMA_API_URL
});
after(async () => ctx.gw?.stop());

test('with no configuration the default model is sluice-demo', { skip: !present && 'models/sluice-demo.gguf is absent' }, async () => {
  const r = await request(ctx.gw.url, { path: '/v1/models' });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.data.some((m) => m.id === 'sluice-demo'), r.text);
  const ready = await request(ctx.gw.url, { path: '/ready' });
  assert.equal(ready.status, 200, ready.text);
});

test('"Generate a user_accounts schema" streams tokens, then success with a user_accounts table',
  { skip: !present && 'models/sluice-demo.gguf is absent' }, async () => {
    const s = stream(ctx.gw.url, '/generate/structured', { prompt: 'Generate a user_accounts schema' });
    assert.equal((await s.response).status, 200);
    await s.done;
    const events = s.events.map((e) => e.json);
    assert.ok(events.length > 3, s.text);
    for (const e of events.slice(0, -1)) assert.equal(e.status, 'generating', s.text);
    const last = events.at(-1);
    assert.equal(last.status, 'success', s.text);
    assert.equal(last.data.table_name, 'user_accounts', s.text);
    assert.ok(last.data.columns.length >= 2, s.text);
    assert.equal(last.data.columns[0].name, 'id', s.text);
    for (const c of last.data.columns) {
      assert.match(c.name, /^[a-z][a-z0-9_]*$/);
      assert.equal(typeof c.is_nullable, 'boolean');
    }
    // What the client concatenates is exactly the JSON it receives as data.
    assert.deepEqual(JSON.parse(events.slice(0, -1).map((e) => e.token).join('')), last.data);
    // The gateway is still there for the next request (the access log line
    // after a streamed answer once crashed the optimised build).
    const ready = await request(ctx.gw.url, { path: '/ready' });
    assert.equal(ready.status, 200, ready.text);
  });
