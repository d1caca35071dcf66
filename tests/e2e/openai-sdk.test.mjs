// The official `openai` npm client against sluice, in front of a mock
// upstream (tests/integration/lib/mocks.mjs) that speaks OpenAI's SSE and
// Ollama's NDJSON. The SDK parses our responses exactly as it parses OpenAI's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import OpenAI from 'openai';

import { useGateway } from '../integration/lib/fixture.mjs';
import { TABLE_OBJECT, TABLE_SCHEMA, TABLE_TOKENS } from '../integration/lib/mocks.mjs';

const ctx = useGateway();
const client = () => new OpenAI({ baseURL: `${ctx.gw.url}/v1`, apiKey: 'sk-client-side', maxRetries: 0, timeout: 10000 });
const USER = [{ role: 'user', content: 'Say hello' }];

const TABLE_FORMAT = {
  type: 'json_schema',
  json_schema: { name: 'database_table', strict: true, schema: TABLE_SCHEMA },
};

describe('openai SDK', () => {
  test('models.list returns the configured names', async () => {
    const ids = [];
    for await (const m of client().models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(), ['g', 'm']);
  });

  for (const model of ['g', 'o/hello']) {
    test(`chat.completions.create, non-streaming (${model})`, async () => {
      const c = await client().chat.completions.create({ model, messages: USER });
      assert.equal(c.object, 'chat.completion');
      assert.equal(c.model, model);
      assert.equal(c.choices[0].message.role, 'assistant');
      assert.equal(c.choices[0].message.content, 'Hello, world!');
      assert.equal(c.choices[0].finish_reason, 'stop');
      const prompt = model === 'g' ? 9 : 12;
      assert.equal(c.usage.prompt_tokens, prompt);
      assert.equal(c.usage.completion_tokens, 4);
      assert.equal(c.usage.total_tokens, prompt + 4);
    });

    test(`chat.completions.create, streaming with include_usage (${model})`, async () => {
      const s = await client().chat.completions.create({
        model, messages: USER, stream: true, stream_options: { include_usage: true },
      });
      let content = '';
      let finish = null;
      let usage = null;
      let n = 0;
      for await (const chunk of s) {
        n++;
        assert.equal(chunk.object, 'chat.completion.chunk');
        for (const ch of chunk.choices) {
          content += ch.delta?.content ?? '';
          finish = ch.finish_reason ?? finish;
        }
        if (chunk.usage) {
          assert.deepEqual(chunk.choices, []);
          usage = chunk.usage;
        }
      }
      assert.equal(content, 'Hello, world!');
      assert.equal(finish, 'stop');
      assert.ok(n >= 6, `only ${n} chunks`);
      const prompt = model === 'g' ? 9 : 12;
      assert.deepEqual({ ...usage }, { prompt_tokens: prompt, completion_tokens: 4, total_tokens: prompt + 4 });
    });
  }

  test('withResponse exposes the x-request-id header', async () => {
    const { response } = await client().chat.completions
      .create({ model: 'g', messages: USER }, { headers: { 'x-request-id': 'e2e-req-1' } })
      .withResponse();
    assert.equal(response.headers.get('x-request-id'), 'e2e-req-1');
  });

  for (const model of ['o/ok', 'a/ok']) {
    test(`response_format json_schema, valid output (${model})`, async () => {
      const c = await client().chat.completions.create({ model, messages: USER, response_format: TABLE_FORMAT });
      assert.deepEqual(JSON.parse(c.choices[0].message.content), TABLE_OBJECT);
    });

    test(`response_format json_schema, streamed valid output (${model})`, async () => {
      const s = await client().chat.completions.create({ model, messages: USER, response_format: TABLE_FORMAT, stream: true });
      let content = '';
      for await (const chunk of s) content += chunk.choices[0]?.delta?.content ?? '';
      assert.equal(content, TABLE_TOKENS.join(''));
    });
  }

  for (const model of ['o/violation', 'a/violation']) {
    test(`response_format json_schema violation → APIError 502 (${model})`, async () => {
      await assert.rejects(
        client().chat.completions.create({ model, messages: USER, response_format: TABLE_FORMAT }),
        (err) => {
          assert.ok(err instanceof OpenAI.APIError, `not an APIError: ${err}`);
          assert.ok(err instanceof OpenAI.InternalServerError);
          assert.equal(err.status, 502);
          assert.equal(err.code, 'schema_validation_failed');
          assert.equal(err.type, 'server_error');
          assert.ok(err.error.errors.some((e) => e.path === '/columns/0/name'), JSON.stringify(err.error));
          return true;
        });
    });

    test(`response_format json_schema violation while streaming → the iterator throws (${model})`, async () => {
      const s = await client().chat.completions.create({ model, messages: USER, response_format: TABLE_FORMAT, stream: true });
      let content = '';
      await assert.rejects(async () => {
        for await (const chunk of s) content += chunk.choices[0]?.delta?.content ?? '';
      }, (err) => {
        assert.ok(err instanceof OpenAI.APIError, `not an APIError: ${err}`);
        assert.match(err.message, /response_format|schema/i);
        return true;
      });
      assert.ok(content.startsWith('{"table_name": "orders"'), content);
    });
  }

  test('unknown model → NotFoundError', async () => {
    await assert.rejects(
      client().chat.completions.create({ model: 'gpt-nonexistent', messages: USER }),
      (err) => {
        assert.ok(err instanceof OpenAI.NotFoundError, String(err));
        assert.equal(err.status, 404);
        assert.equal(err.code, 'model_not_found');
        return true;
      });
  });

  test('n: 2 → BadRequestError', async () => {
    await assert.rejects(
      client().chat.completions.create({ model: 'g', messages: USER, n: 2 }),
      (err) => err instanceof OpenAI.BadRequestError && err.status === 400 && err.param === 'n');
  });

  test('upstream failure before any token → InternalServerError 502', async () => {
    await assert.rejects(
      client().chat.completions.create({ model: 'a/http500', messages: USER, stream: true }),
      (err) => err instanceof OpenAI.InternalServerError && err.status === 502);
  });
});
