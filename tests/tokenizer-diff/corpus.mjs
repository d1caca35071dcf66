// Seeded multilingual corpus generator for the tokenizer differential test.
// Same seed, same lines: ship the generator, not fixtures.
//
//   makeCorpus({seed, lines}) → {text: string[], invalid: Buffer[], longRuns: string[]}
//
// text: valid-UTF-8 lines of every kind the references must agree on;
// invalid: byte strings that are not valid UTF-8 (only sluice's round trip can
// check those: the JS references take JS strings); longRuns: 100k-character
// runs of one character (linear-time merge loops).

export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is was that for it with as his on be at by had are but from or have an they which one you were ' +
  'her all she there would their we him been has when who will more no if out so said what up its about into than ' +
  'them can only other new some could time these two may then do first any my now such like our over man me even ' +
  'most made after also did many before must through back years where much your way well down should because each ' +
  'just those people how too little state good very make world still own see men work long get here between both ' +
  'tokenizer gateway streaming structured schema latency throughput Mississippi antidisestablishmentarianism naïve ' +
  'café résumé coöperate façade jalapeño Zürich straße Ångström œuvre'
).split(' ');
const CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Re", "'rE", "'VE", "'Ve",
  "'M", "'LL", "'Ll", "'D", "’s", "’t", "'", "''", "'x"];
const PUNCT = ['.', ',', ';', ':', '!', '?', '...', ' -', ' —', ' (', ')', '"', '«', '»', '¿', '¡', '…', '/', '\\'];
const SPECIALS = ['<|endoftext|>', '<|eot_id|>', '<|begin_of_text|>', '<|im_start|>', '<|im_end|>', '<s>', '</s>',
  '<unk>', '[CLS]', '[SEP]', '[MASK]', '<|endofprompt|>', '<tool_call>', '<think>', '<|fim_prefix|>', '<|eot_id'];
const SPACES = [' ', '  ', '   ', '\t', '\n', '\r\n', '\n\n', ' \n', '\u00a0', '\u2009', '\u3000', '\u200b', '\u2028',
  '\u0085', '\f', '\v', ' \r\n\r\n ', '\t\t  '];
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇺🇸', '🇯🇵', '❤️', '🧑🏿‍💻', '🤷‍♀️', '✨', '🦀', '1️⃣', '©', '™'];
const COMBINING = ['e\u0301', 'a\u0308', 'n\u0303', 'o\u0302\u0323', 'A\u030a', 'Z\u0335\u0353\u0318', '\u0301',
  'ก\u0e31', 'क\u094d\u0937', '\u1100\u1161\u11a8', 'i\u0307', 'ﬁ', 'Å', 'Ω', 'ẞ', 'ǅ', 'ǈ'];
const RANGES = {
  cjk: [0x4e00, 0x9fff], hiragana: [0x3041, 0x3096], katakana: [0x30a1, 0x30fa], hangul: [0xac00, 0xd7a3],
  arabic: [0x0621, 0x064a], cyrillic: [0x0410, 0x044f], greek: [0x0391, 0x03c9], devanagari: [0x0905, 0x0939],
  thai: [0x0e01, 0x0e2e], hebrew: [0x05d0, 0x05ea], mathalnum: [0x1d400, 0x1d7ff], fullwidth: [0xff01, 0xff5e],
};

export function makeCorpus({ seed = 1, lines = 2000 } = {}) {
  const r = rng(seed);
  const int = (n) => Math.floor(r() * n);
  const pick = (a) => a[int(a.length)];
  const chars = (range, n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCodePoint(range[0] + int(range[1] - range[0] + 1));
    return s;
  };
  const digits = () => {
    let s = String(1 + int(9));
    for (let n = int(10); n > 0; n--) s += String(int(10));
    return s;
  };
  const word = () => {
    let w = pick(WORDS);
    const c = r();
    if (c < 0.1) w = w.toUpperCase();
    else if (c < 0.25) w = w[0].toUpperCase() + w.slice(1);
    if (r() < 0.12) w += pick(CONTRACTIONS);
    return w;
  };
  const prose = () => {
    const n = 3 + int(25);
    let s = '';
    for (let i = 0; i < n; i++) {
      s += (i ? pick([' ', ' ', ' ', ' ', '  ', ' \n', '\n']) : '') + word();
      if (r() < 0.15) s += pick(PUNCT);
      if (r() < 0.05) s += ' ' + digits();
    }
    return s + pick(['.', '!', '?', '', '\n', '\r\n', ' ']);
  };
  const code = () => {
    const ind = pick(['', '  ', '    ', '\t', '\t\t', '        ']);
    const id = () => pick(['x', 'foo', 'bar_baz', 'camelCase', 'HTTPServer', 'i', 'n_tokens', '_private', 'λ']);
    return pick([
      `${ind}for (int ${id()} = 0; ${id()} < ${digits()}; ++${id()}) {\n${ind}  ${id()} += ${id()}[${id()}] * 0x${int(65536).toString(16)};\n${ind}}`,
      `${ind}def ${id()}(${id()}, *args, **kwargs):\n${ind}    return {"${id()}": ${id()} ** 2, 'k': [${digits()}, ${digits()}]}  # comment`,
      `${ind}const ${id()} = async (${id()}) => await fetch(\`/v1/\${${id()}}?q=${digits()}&x=%20\`);`,
      `${ind}#include <vector>\n${ind}std::vector<int32_t> ${id()}; // TODO(${id()}): ${prose()}`,
      `${ind}if (${id()} != NULL && ${id()}->${id()} >= ${digits()}) { return -${digits()}; } else { ${id()}(); }`,
      `${ind}SELECT ${id()}, COUNT(*) FROM ${id()} WHERE ${id()} <> '${word()}' GROUP BY 1 ORDER BY 2 DESC;`,
      `${ind}<div class="${id()}">${prose()}</div>\n${ind}<!-- ${word()} -->`,
      `${ind}$ curl -sS -X POST http://127.0.0.1:${int(65536)}/v1/chat/completions -H 'Content-Type: application/json'`,
    ]);
  };
  const jsonValue = (depth) => {
    const c = r();
    if (depth > 2 || c < 0.3) return pick([digits(), '-' + digits() + '.' + digits(), 'true', 'null', JSON.stringify(prose()), '"' + word() + '"']);
    if (c < 0.65) return '[' + Array.from({ length: 1 + int(4) }, () => jsonValue(depth + 1)).join(pick([',', ', '])) + ']';
    return '{' + Array.from({ length: 1 + int(4) }, () => `"${word()}":${pick(['', ' '])}${jsonValue(depth + 1)}`).join(pick([',', ', ', ',\n  '])) + '}';
  };
  const script = () => {
    const name = pick(Object.keys(RANGES));
    let s = '';
    for (let n = 1 + int(8); n > 0; n--) s += chars(RANGES[name], 1 + int(8)) + pick(['', ' ', ' ', '，', '。', '、', '،', '. ', '\n']);
    return s;
  };
  const emoji = () => Array.from({ length: 1 + int(6) }, () => pick(EMOJI) + pick(['', ' ', '', word()])).join('');
  const combining = () => Array.from({ length: 1 + int(6) }, () => pick(COMBINING) + pick(['', ' ', word()])).join('');
  const numbers = () => Array.from({ length: 1 + int(6) }, () => pick([digits(), digits() + '.' + digits(), '1,000,000', '$' + digits(), digits() + word(), word() + digits(), '٣٤٥', '①②', '²³', 'Ⅻ'])).join(pick([' ', '', ', ', '\n']));
  const whitespace = () => Array.from({ length: 1 + int(6) }, () => pick(SPACES) + pick(['', word(), pick(PUNCT)])).join('');
  const specials = () => Array.from({ length: 1 + int(5) }, () => pick([pick(SPECIALS), word(), ' ' + word(), pick(SPACES), pick(SPECIALS) + pick(SPECIALS)])).join('');
  const soup = () => {
    let s = '';
    for (let n = 1 + int(30); n > 0; n--) {
      const c = r();
      if (c < 0.7) s += String.fromCodePoint(int(0x2fff)).replace(/[\ud800-\udfff]/g, '');
      else if (c < 0.85) s += String.fromCodePoint(0x10000 + int(0x20000));
      else s += String.fromCodePoint(0xe000 + int(0x1900));
    }
    return s.replace(/[\ud800-\udfff]/g, '');
  };
  const kinds = [prose, prose, prose, code, code, jsonValue, script, script, emoji, combining, numbers, whitespace, specials, soup];
  const text = [];
  for (let i = 0; i < lines; i++) {
    const k = pick(kinds);
    let s = k === jsonValue ? jsonValue(0) : k();
    if (r() < 0.3) s += pick(SPACES) + pick(kinds === null ? [] : [prose, script, emoji, numbers])();
    text.push(s);
  }
  const invalid = [];
  for (let i = 0; i < Math.max(50, lines / 20); i++) {
    const good = Buffer.from(pick(text).slice(0, 40));
    const bad = Buffer.from(Array.from({ length: 1 + int(6) }, () => pick([0x80, 0xbf, 0xc0, 0xc1, 0xe2, 0xf0, 0xf5, 0xff, 0xed, 0xa0, int(256)])));
    const at = int(good.length + 1);
    invalid.push(Buffer.concat([good.subarray(0, at), bad, good.subarray(at)]));
  }
  const longRuns = ['a', ' ', '\n', '1', '中', '😀', '.', 'é'].map((c) => c.repeat(100000));
  return { text, invalid, longRuns };
}
