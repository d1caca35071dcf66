// Differential test: random schema/instance pairs, ajv's verdict (draft
// 2020-12 build + ajv-formats) against sluice's (the schema_batch tool).
//
//   cmake --build build/debug --target schema_batch
//   cd tests/schema-diff && npm ci && npm test
//
// The binary is found through SLUICE_SCHEMA_BATCH (default:
// build/debug/src/schema/schema_batch under the repository root).
// SLUICE_DIFF_SEED and SLUICE_DIFF_CASES change the seed and the case count.
//
// Left out of generation on purpose, because ajv and the spec legitimately
// disagree or JavaScript cannot express the case:
//  - non-integer multipleOf: ajv divides in binary floating point
//    (0.0075 / 0.0001 fails in ajv, passes the spec and us);
//  - integers beyond 2^53 and "1.0"-style integral floats: JSON.parse turns
//    them into the same JS number, so ajv cannot see what we see;
//  - lone surrogates in strings: not valid UTF-8, never reach our validator;
//  - $ref / $dynamicRef / unevaluated*: covered by the official suite, not
//    by random generation (ajv compiles them the same way);
//  - `contains` next to `prefixItems`: ajv 8.20 skips `contains` on an empty
//    array then ({prefixItems:[{type:'null'}], contains:{type:'integer'}}
//    accepts []), while the spec requires a match (minContains defaults to 1);
//  - patterns outside the shared subset (lookaround, backreferences, \p{...}):
//    we refuse them by design.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const batch = process.env.SLUICE_SCHEMA_BATCH ?? resolve(repoRoot, 'build/debug/src/schema/schema_batch');
const seed = Number(process.env.SLUICE_DIFF_SEED ?? 20240601);
const nCases = Number(process.env.SLUICE_DIFF_CASES ?? 4000);

// mulberry32: small, seedable, good enough for test generation.
function prng(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(seed);
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const chance = (p) => rand() < p;

const STRINGS = ['', 'a', 'ab', 'abc', 'hello', 'Hello', 'A1', 'x_y', 'snake_case', 'é', 'naïve', '😀', '😀😀',
  '123', '2024-02-29', '2023-02-29', '12:30:00Z', '2024-01-01T12:30:00Z', 'a@b.co', 'not an email',
  '192.168.0.1', '256.1.1.1', '::1', 'example.com', '-bad-.com',
  '123e4567-e89b-12d3-a456-426614174000', 'http://x.test/a?b#c', 'ab cd', 'aaa', 'b'];
const NUMBERS = [0, 1, -1, 2, 3, 4, 5, 6, 7, 10, 12, 15, 100, -7, -12, 2.5, 0.5, -0.5, 1e3, 99.99];
const KEYS = ['a', 'b', 'c', 'foo', 'bar', 'x1', 'X', 'name', 'id', 'é'];
const PATTERNS = ['^a', 'b$', '^[a-z]+$', '^[a-z][a-z0-9_]*$', '\\d', '^\\d+$', '^(ab|cd)+$', 'a{2,}',
  '^.{2,3}$', '[^a-z]', '^\\w+$', '\\s', '^x?y*$', '(?:foo|bar)', 'é', '^[A-Z]', '😀', '^$'];
const FORMATS = ['date', 'time', 'date-time', 'email', 'ipv4', 'ipv6', 'hostname', 'uuid', 'uri'];
const TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];

function genValue(depth) {
  const r = rand();
  if (depth <= 0 || r < 0.55) {
    return pick([null, true, false, pick(NUMBERS), pick(NUMBERS), pick(STRINGS), pick(STRINGS)]);
  }
  if (r < 0.78) return Array.from({ length: int(0, 4) }, () => genValue(depth - 1));
  const o = {};
  for (let i = int(0, 4); i > 0; --i) o[pick(KEYS)] = genValue(depth - 1);
  return o;
}

function genSchema(depth) {
  const kinds = ['type', 'enum', 'const', 'string', 'number', 'array', 'object', 'true', 'false'];
  if (depth > 0) kinds.push('allOf', 'anyOf', 'oneOf', 'not', 'ifThen', 'array', 'object');
  switch (pick(kinds)) {
    case 'true': return true;
    case 'false': return chance(0.5) ? false : {};
    case 'type':
      return { type: chance(0.7) ? pick(TYPES) : [pick(TYPES), pick(TYPES)].filter((t, i, a) => a.indexOf(t) === i) };
    case 'enum':
      return { enum: Array.from({ length: int(1, 4) }, () => genValue(1)) };
    case 'const':
      return { const: genValue(2) };
    case 'string': {
      const s = chance(0.6) ? { type: 'string' } : {};
      if (chance(0.4)) s.minLength = int(0, 3);
      if (chance(0.4)) s.maxLength = int(0, 5);
      if (chance(0.4)) s.pattern = pick(PATTERNS);
      if (chance(0.25)) s.format = pick(FORMATS);
      return s;
    }
    case 'number': {
      const s = chance(0.5) ? { type: pick(['number', 'integer']) } : {};
      if (chance(0.4)) s.minimum = pick(NUMBERS);
      if (chance(0.4)) s.maximum = pick(NUMBERS);
      if (chance(0.25)) s.exclusiveMinimum = pick(NUMBERS);
      if (chance(0.25)) s.exclusiveMaximum = pick(NUMBERS);
      if (chance(0.4)) s.multipleOf = int(1, 5);  // integers only: see header
      return s;
    }
    case 'array': {
      const s = chance(0.6) ? { type: 'array' } : {};
      if (chance(0.4)) s.prefixItems = Array.from({ length: int(1, 3) }, () => genSchema(depth - 1));
      if (chance(0.5)) s.items = genSchema(depth - 1);
      if (chance(0.3)) s.minItems = int(0, 3);
      if (chance(0.3)) s.maxItems = int(0, 4);
      if (chance(0.3)) s.uniqueItems = chance(0.8);
      if (!s.prefixItems && chance(0.3)) {  // not with prefixItems: see header
        s.contains = genSchema(depth - 1);
        if (chance(0.3)) s.minContains = int(0, 2);
        if (chance(0.3)) s.maxContains = int(1, 3);
      }
      return s;
    }
    case 'object': {
      const s = chance(0.6) ? { type: 'object' } : {};
      if (chance(0.6)) {
        s.properties = {};
        for (let i = int(1, 3); i > 0; --i) s.properties[pick(KEYS)] = genSchema(depth - 1);
      }
      if (chance(0.4)) s.required = [...new Set(Array.from({ length: int(1, 2) }, () => pick(KEYS)))];
      if (chance(0.3)) s.additionalProperties = chance(0.5) ? false : genSchema(depth - 1);
      if (chance(0.25)) s.patternProperties = { [pick(PATTERNS)]: genSchema(depth - 1) };
      if (chance(0.2)) s.minProperties = int(0, 3);
      if (chance(0.2)) s.maxProperties = int(0, 3);
      if (chance(0.15)) s.propertyNames = { maxLength: int(1, 3) };
      if (chance(0.15)) s.dependentRequired = { [pick(KEYS)]: [pick(KEYS)] };
      return s;
    }
    case 'allOf':
    case 'anyOf':
    case 'oneOf': {
      const key = pick(['allOf', 'anyOf', 'oneOf']);
      return { [key]: Array.from({ length: int(1, 3) }, () => genSchema(depth - 1)) };
    }
    case 'not': return { not: genSchema(depth - 1) };
    case 'ifThen': {
      const s = { if: genSchema(depth - 1) };
      if (chance(0.7)) s.then = genSchema(depth - 1);
      if (chance(0.7)) s.else = genSchema(depth - 1);
      return s;
    }
  }
  throw new Error('unreachable');
}

// Instances biased towards the schema's own vocabulary, so that a useful
// share of cases is valid.
function genInstanceFor(schema, depth) {
  if (chance(0.35) || typeof schema !== 'object' || schema === null) return genValue(depth);
  if (schema.enum && chance(0.6)) return structuredClone(pick(schema.enum));
  if ('const' in schema && chance(0.6)) return structuredClone(schema.const);
  if (schema.properties || schema.type === 'object') {
    const o = {};
    for (const k of Object.keys(schema.properties ?? {})) {
      if (chance(0.7)) o[k] = genInstanceFor(schema.properties[k], depth - 1);
    }
    if (chance(0.3)) o[pick(KEYS)] = genValue(depth - 1);
    return o;
  }
  if (schema.prefixItems || schema.items || schema.type === 'array') {
    const n = int(0, 4);
    return Array.from({ length: n }, (_, i) =>
      genInstanceFor(schema.prefixItems?.[i] ?? schema.items ?? true, depth - 1));
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    if (schema[key]) return genInstanceFor(pick(schema[key]), depth);
  }
  return genValue(depth);
}

test('sluice agrees with ajv on random draft 2020-12 schemas', () => {
  assert.ok(existsSync(batch),
    `schema_batch not found at ${batch}: build it (cmake --build build/debug --target schema_batch) ` +
    'or point SLUICE_SCHEMA_BATCH at it');

  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);

  const cases = [];
  for (let i = 0; i < nCases; ++i) {
    const schema = genSchema(int(0, 3));
    cases.push({ schema, instance: genInstanceFor(schema, 3) });
  }
  const input = cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
  const run = spawnSync(batch, [], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `schema_batch failed: ${run.stderr}`);
  const ours = run.stdout.trimEnd().split('\n');
  assert.equal(ours.length, cases.length, 'schema_batch must print one line per case');

  const mismatches = [];
  let nValid = 0;
  for (let i = 0; i < cases.length; ++i) {
    const { schema, instance } = cases[i];
    let theirs;
    try {
      theirs = String(ajv.validate(schema, instance));
    } catch (e) {
      theirs = `error: ${e.message}`;
    }
    if (theirs === 'true') ++nValid;
    const agree = theirs === ours[i] || (theirs.startsWith('error') && ours[i].startsWith('error'));
    if (!agree) mismatches.push({ schema, instance, ajv: theirs, sluice: ours[i] });
  }
  const report = mismatches.slice(0, 20).map((m) =>
    `  schema:   ${JSON.stringify(m.schema)}\n  instance: ${JSON.stringify(m.instance)}\n` +
    `  ajv: ${m.ajv}   sluice: ${m.sluice}`).join('\n\n');
  console.log(`[schema-diff] seed ${seed}: ${cases.length} cases, ${nValid} valid per ajv, ` +
    `${mismatches.length} mismatches`);
  // Guard against a degenerate generator: both verdicts must be well represented.
  assert.ok(nValid > cases.length * 0.2 && nValid < cases.length * 0.8,
    `unbalanced generator: ${nValid} of ${cases.length} valid`);
  assert.equal(mismatches.length, 0, `${mismatches.length} mismatches with ajv:\n${report}`);
});
