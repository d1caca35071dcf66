// The usual fixture: one mock upstream and one sluice in front of it, with
// four providers pointing at the mock (normal and short timeouts, for each
// protocol) and prefix routes so that a request's model picks the mock's
// scenario:
//   o/<scenario>   ollama provider          ot/<scenario>  ollama, 500 ms timeouts
//   a/<scenario>   openai provider          at/<scenario>  openai, 500 ms timeouts
//   m  → ollama "ok"   (the default model)  g  → openai "hello"
import { after, before } from 'node:test';

import { startMock } from './mocks.mjs';
import { startSluice, tomlConfig } from './sluice.mjs';

export const UPSTREAM_KEY = 'sk-test-0123456789abcdef';

export function standardConfig(baseUrl, { server = {}, providerExtra = {} } = {}) {
  const normal = { connect_timeout_ms: 2000, first_token_timeout_ms: 10000, idle_timeout_ms: 10000, ...providerExtra };
  const fast = { connect_timeout_ms: 2000, first_token_timeout_ms: 500, idle_timeout_ms: 500, ...providerExtra };
  return tomlConfig({
    server: { default_model: 'm', shutdown_grace_ms: 2000, ...server },
    providers: {
      ollama: { kind: 'ollama', base_url: baseUrl, ...normal },
      ollama_fast: { kind: 'ollama', base_url: baseUrl, ...fast },
      openai: { kind: 'openai', base_url: baseUrl, api_key_env: 'UPSTREAM_KEY', ...normal },
      openai_fast: { kind: 'openai', base_url: baseUrl, api_key_env: 'UPSTREAM_KEY', ...fast },
    },
    models: {
      m: { provider: 'ollama', upstream: 'ok' },
      g: { provider: 'openai', upstream: 'hello' },
      'o/*': { provider: 'ollama' },
      'ot/*': { provider: 'ollama_fast' },
      'a/*': { provider: 'openai' },
      'at/*': { provider: 'openai_fast' },
    },
  });
}

// Registers before/after hooks; the returned object is filled in before the tests run.
export function useGateway({ server = {}, env = {} } = {}) {
  const ctx = { mock: null, gw: null };
  before(async () => {
    ctx.mock = await startMock();
    ctx.gw = await startSluice({
      config: standardConfig(ctx.mock.url, { server }),
      env: { UPSTREAM_KEY, ...env },
    });
  });
  after(async () => {
    try {
      if (ctx.gw) await ctx.gw.stop();
    } finally {
      if (ctx.mock) await ctx.mock.close();
    }
  });
  return ctx;
}
