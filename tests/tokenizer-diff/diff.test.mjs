// Differential test: sluice's tokenizers against Hugging Face tokenizers (the
// Rust implementation through its native node binding) and tiktoken, on a
// seeded multilingual corpus (corpus.mjs), plus round trips and the GGUF path.
//
//   cmake --build build/debug --target tokenize_batch tokenizer_to_gguf
//   cd tests/tokenizer-diff && npm ci && npm test
//
// SLUICE_TOKENIZE_BATCH / SLUICE_TOKENIZER_TO_GGUF (or SLUICE_BUILD_DIR) locate
// the binaries; SLUICE_DIFF_SEED and SLUICE_DIFF_LINES change the corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCorpus } from './corpus.mjs';
import { FAMILIES, batchBin, hfEncodeAll, sluiceRun, tiktokenEncodeAll, toGguf, toGgufBin, writeBertTokenizer } from './refs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const seed = Number(process.env.SLUICE_DIFF_SEED ?? 1);
const nLines = Number(process.env.SLUICE_DIFF_LINES ?? 3000);
const corpus = makeCorpus({ seed, lines: nLines });
const texts = [...corpus.text, ...corpus.longRuns];
mkdirSync(join(here, 'out'), { recursive: true });
if (!existsSync(batchBin)) throw new Error(`build tokenize_batch first (looked for ${batchBin})`);
writeBertTokenizer();

function compare(name, got, want, inputs) {
  const bad = [];
  for (let i = 0; i < want.length; i++) {
    const a = got[i].ids ?? got[i];
    if (JSON.stringify(a) !== JSON.stringify(want[i])) bad.push(i);
  }
  if (bad.length) {
    const i = bad[0];
    const show = (xs) => JSON.stringify(xs.length > 60 ? xs.slice(0, 60) : xs);
    assert.fail(`${name}: ${bad.length}/${want.length} lines differ; first: #${i} ${JSON.stringify(String(inputs[i]).slice(0, 200))}\n` +
      `  sluice: ${show(got[i].ids ?? got[i])}\n  ref:    ${show(want[i])}`);
  }
}

// Hugging Face's BertPreTokenizer decides "punctuation" with the
// unicode_categories crate, whose tables predate recent Unicode versions; our
// splitter uses utf8proc's (Unicode 15). A line may differ only because it
// holds a code point that current Unicode calls punctuation (\p{P}) and HF's
// old tables do not: such a line is excused (its ids are copied over, so
// compare() skips it) when every disagreeing code point, tested alone between
// two letters, is of that kind. Every other difference still fails.
async function excuseUnicodeSkew(file, inputs, ours, ref) {
  const bad = [];
  for (let i = 0; i < ref.length; i++) {
    if (JSON.stringify(ours[i].ids ?? ours[i]) !== JSON.stringify(ref[i])) bad.push(i);
  }
  if (!bad.length) return;
  const chars = [...new Set(bad.flatMap((i) => [...String(inputs[i])]))];
  const probes = chars.map((c) => `a${c}a`);
  const mine = sluiceRun(file, probes);
  const theirs = await hfEncodeAll(file, probes);
  const skewed = new Set();
  const disagree = new Set();
  chars.forEach((c, k) => {
    if (JSON.stringify(mine[k].ids ?? mine[k]) === JSON.stringify(theirs[k])) return;
    disagree.add(c);
    if (/^\p{P}$/u.test(c) && theirs[k].length < (mine[k].ids ?? mine[k]).length) skewed.add(c);
  });
  let excused = 0;
  for (const i of bad) {
    const cs = [...String(inputs[i])].filter((c) => disagree.has(c));
    if (cs.length && cs.every((c) => skewed.has(c))) {
      ours[i] = ref[i];
      excused++;
    }
  }
  if (excused) {
    const list = [...skewed].map((c) => `U+${c.codePointAt(0).toString(16).toUpperCase()}`).join(' ');
    console.log(`# bert: ${excused} line(s) excused for Unicode-version skew in HF's punctuation table: ${list}`);
  }
}

const only = process.env.SLUICE_DIFF_ONLY?.split(",");
for (const fam of FAMILIES.filter((f) => !only || only.includes(f.name))) {
  test(`${fam.name}: ids equal Hugging Face tokenizers on ${texts.length} lines`, async () => {
    const ours = sluiceRun(fam.file, texts);
    const ref = await hfEncodeAll(fam.file, texts);
    if (fam.name === 'bert') await excuseUnicodeSkew(fam.file, texts, ours, ref);
    compare(fam.name, ours, ref, texts);
  });

  test(`${fam.name}: add_special ids equal Hugging Face tokenizers`, async () => {
    const sample = texts.slice(0, 300);
    compare(fam.name, sluiceRun(fam.file, sample, ['--add-special']), await hfEncodeAll(fam.file, sample, true), sample);
  });

  if (fam.tiktoken) {
    // Special-token strings as plain text (tiktoken's cl100k lacks the
    // tokenizer.json's <|im_start|>-style additions), and without the 100k
    // runs: tiktoken's merge loop is quadratic in the length of a piece.
    test(`${fam.name}: ids equal tiktoken ${fam.tiktoken} (specials as text)`, async () => {
      const sample = corpus.text;
      compare(fam.name, sluiceRun(fam.file, sample, ['--no-parse-special']), await tiktokenEncodeAll(fam.tiktoken, sample), sample);
    });
  }

  if (fam.byteLevel) {
    // Qwen normalizes to NFC first: there decode(encode(x)) is NFC(x).
    test(`${fam.name}: decode(encode(x)) == ${fam.nfc ? 'NFC(x)' : 'x'} on every line, invalid UTF-8 included`, () => {
      const inputs = [...texts, ...corpus.invalid];
      const res = sluiceRun(fam.file, inputs, ['--roundtrip', '--decode', '--no-parse-special']);
      const ok = (r, x) => r.roundtrip ||
        (fam.nfc && r.text === (typeof x === 'string' ? x : x.toString('utf8')).normalize('NFC'));
      const bad = res.map((r, i) => (ok(r, inputs[i]) ? -1 : i)).filter((i) => i >= 0);
      assert.equal(bad.length, 0, `${bad.length} lines do not round trip; first: ${JSON.stringify(String(inputs[bad[0]]).slice(0, 100))}`);
    });
  }

  test(`${fam.name}: a GGUF written from the tokenizer.json gives the same ids`, () => {
    if (!existsSync(toGgufBin)) throw new Error(`build tokenizer_to_gguf first (looked for ${toGgufBin})`);
    const gguf = toGguf(fam.file, join(here, 'out', `${fam.name}.gguf`));
    const sample = texts;
    const fromJson = sluiceRun(fam.file, sample, ['--add-special']);
    const fromGguf = sluiceRun(gguf, sample, ['--add-special']);
    compare(`${fam.name} (gguf vs json)`, fromGguf, fromJson.map((r) => r.ids), sample);
  });
}
