// The three model loops: byte-level BPE, SentencePiece BPE, WordPiece.
#include "tokenizer/internal/encode.h"
#include "tokenizer/pretokenizer/unicode.h"

namespace sluice::tokenizer::internal {
namespace {

void EncodeByteLevel(const TokenizerImpl& impl, std::string_view piece, std::vector<int32_t>* word,
                     std::vector<int32_t>* out) {
  // A pre-token that is a vocabulary entry: one token under ignore_merges
  // (Llama-3), and also whenever the merges rebuild that entry anyway.
  const int32_t whole = impl.model_vocab.Find(piece);
  if (whole >= 0 && (impl.spec.ignore_merges || impl.merges_to_itself[whole])) {
    out->push_back(whole);
    return;
  }
  word->clear();
  for (char c : piece) word->push_back(impl.byte_ids[static_cast<unsigned char>(c)]);
  impl.merger.Merge(word);
  out->insert(out->end(), word->begin(), word->end());
}

void EncodeSentencePiece(const TokenizerImpl& impl, std::string_view piece, std::vector<int32_t>* word,
                         std::vector<int32_t>* out) {
  const TokenizerSpec& spec = impl.spec;
  word->clear();
  bool last_was_unk = false;
  const char* p = piece.data();
  const char* end = p + piece.size();
  while (p < end) {
    int n = 0;
    DecodeUtf8(p, end, &n);
    const std::string_view ch(p, static_cast<size_t>(n));
    p += n;
    const int32_t id = impl.model_vocab.Find(ch);
    if (id >= 0) {
      word->push_back(id);
      last_was_unk = false;
      continue;
    }
    bool all_bytes = spec.byte_fallback;
    for (size_t i = 0; all_bytes && i < ch.size(); ++i) all_bytes = impl.byte_ids[static_cast<unsigned char>(ch[i])] >= 0;
    if (all_bytes) {
      for (char c : ch) word->push_back(impl.byte_ids[static_cast<unsigned char>(c)]);
      last_was_unk = false;
    } else if (!(spec.fuse_unk && last_was_unk)) {
      word->push_back(spec.unk_id);
      last_was_unk = true;
    }
  }
  impl.merger.Merge(word);
  out->insert(out->end(), word->begin(), word->end());
}

void EncodeWordPiece(const TokenizerImpl& impl, std::string_view piece, std::vector<int32_t>* word,
                     std::vector<int32_t>* out) {
  const TokenizerSpec& spec = impl.spec;
  const char* begin = piece.data();
  const char* end = begin + piece.size();
  int32_t n_chars = 0;
  for (const char* p = begin; p < end; ++n_chars) {
    int n = 0;
    DecodeUtf8(p, end, &n);
    p += n;
  }
  if (n_chars > spec.max_input_chars_per_word) {
    out->push_back(spec.unk_id);
    return;
  }
  // Greedy longest-match-first; continuation pieces carry the "##" prefix.
  thread_local std::string candidate;
  word->clear();
  size_t start = 0;
  while (start < piece.size()) {
    size_t stop = piece.size();
    int32_t found = -1;
    while (stop > start) {
      candidate.clear();
      if (start > 0) candidate.append(spec.continuing_subword_prefix);
      candidate.append(piece.substr(start, stop - start));
      found = impl.model_vocab.Find(candidate);
      if (found >= 0) break;
      // Step back one code point.
      do {
        --stop;
      } while (stop > start && (static_cast<unsigned char>(piece[stop]) & 0xC0) == 0x80);
    }
    if (found < 0) {
      out->push_back(spec.unk_id);
      return;
    }
    word->push_back(found);
    start = stop;
  }
  out->insert(out->end(), word->begin(), word->end());
}

}  // namespace

void EncodePiece(const TokenizerImpl& impl, std::string_view piece, std::vector<int32_t>* word,
                 std::vector<int32_t>* out) {
  switch (impl.spec.model) {
    case ModelKind::kByteLevelBpe:
      EncodeByteLevel(impl, piece, word, out);
      return;
    case ModelKind::kSentencePieceBpe:
      EncodeSentencePiece(impl, piece, word, out);
      return;
    case ModelKind::kWordPiece:
      EncodeWordPiece(impl, piece, word, out);
      return;
  }
}

}  // namespace sluice::tokenizer::internal
