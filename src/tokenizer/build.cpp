// BuildTokenizer: validation of a TokenizerSpec and construction of the
// encode tables. Everything that could go wrong at encode time is checked here.
#include <algorithm>
#include <cstdio>

#include "tokenizer/byte_level.h"
#include "tokenizer/internal/impl.h"
#include "tokenizer/pretokenizer/unicode.h"

namespace sluice::tokenizer::internal {
namespace {

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, std::move(message)); }

bool IsAddedType(TokenType t) { return t == TokenType::kControl || t == TokenType::kUserDefined; }

std::string ByteTokenText(int b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "<0x%02X>", b);
  return buf;
}

// "▁" (U+2581) → " " in a SentencePiece piece.
std::string SpaceFromMeta(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "\xE2\x96\x81") == 0) {
      out.push_back(' ');
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Status BuildPieces(TokenizerImpl& impl) {
  const TokenizerSpec& spec = impl.spec;
  const size_t n = spec.tokens.size();
  impl.pieces.resize(n);
  for (size_t id = 0; id < n; ++id) {
    const std::string& text = spec.tokens[id];
    switch (spec.model) {
      case ModelKind::kByteLevelBpe: {
        // As HF's ByteLevel decoder: a string outside the byte alphabet (an
        // added token like "<think>\n") stands for its own UTF-8 bytes.
        std::optional<std::string> bytes = ByteLevelTextToBytes(text);
        impl.pieces[id] = bytes ? std::move(*bytes) : text;
        break;
      }
      case ModelKind::kSentencePieceBpe: {
        int byte = -1;
        if (text.size() == 6 && text.starts_with("<0x") && text[5] == '>' &&
            std::sscanf(text.c_str() + 3, "%2x", &byte) == 1 && ByteTokenText(byte) == text &&
            !IsAddedType(spec.types[id])) {
          impl.pieces[id] = std::string(1, static_cast<char>(byte));
        } else {
          impl.pieces[id] = IsAddedType(spec.types[id]) ? text : SpaceFromMeta(text);
        }
        break;
      }
      case ModelKind::kWordPiece:
        impl.pieces[id] = !IsAddedType(spec.types[id]) && text.starts_with(spec.continuing_subword_prefix)
                              ? text.substr(spec.continuing_subword_prefix.size())
                              : text;
        break;
    }
  }
  return Status::Ok();
}

Status BuildMergesFromList(TokenizerImpl& impl) {
  const TokenizerSpec& spec = impl.spec;
  impl.merger.Reserve(spec.merges.size());
  std::string joined;
  for (size_t i = 0; i < spec.merges.size(); ++i) {
    const auto& [a, b] = spec.merges[i];
    joined.assign(a).append(b);
    const int32_t left = impl.text_vocab.Find(a);
    const int32_t right = impl.text_vocab.Find(b);
    const int32_t merged = impl.text_vocab.Find(joined);
    if (left < 0 || right < 0 || merged < 0) {
      return Invalid("merge #" + std::to_string(i) + " \"" + a + " " + b + "\": \"" +
                     (left < 0 ? a : right < 0 ? b : joined) + "\" is not in the vocabulary");
    }
    impl.merger.AddMerge(left, right, static_cast<int32_t>(i), merged);
  }
  return Status::Ok();
}

// SentencePiece from GGUF: every normal token that splits into two normal
// tokens is a merge; higher score merges first (llama.cpp's llm_tokenizer_spm).
Status BuildMergesFromScores(TokenizerImpl& impl) {
  const TokenizerSpec& spec = impl.spec;
  const size_t n = spec.tokens.size();
  if (spec.scores.size() != n) {
    return Invalid("tokenizer.ggml.scores has " + std::to_string(spec.scores.size()) +
                   " entries for " + std::to_string(n) + " tokens");
  }
  std::vector<int32_t> order;
  for (size_t id = 0; id < n; ++id) {
    if (spec.types[id] == TokenType::kNormal) order.push_back(static_cast<int32_t>(id));
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t x, int32_t y) { return spec.scores[x] > spec.scores[y]; });
  std::vector<int32_t> rank(n, -1);
  int32_t r = -1;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || spec.scores[order[i]] != spec.scores[order[i - 1]]) ++r;
    rank[order[i]] = r;
  }
  for (int32_t id : order) {
    const std::string& t = spec.tokens[id];
    for (size_t k = 1; k < t.size(); ++k) {
      if ((static_cast<unsigned char>(t[k]) & 0xC0) == 0x80) continue;  // inside a code point
      const int32_t left = impl.model_vocab.Find(std::string_view(t).substr(0, k));
      const int32_t right = impl.model_vocab.Find(std::string_view(t).substr(k));
      if (left >= 0 && right >= 0) impl.merger.AddMerge(left, right, rank[id], id);
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::shared_ptr<const Tokenizer>> BuildTokenizer(TokenizerSpec spec) {
  auto impl = std::make_unique<TokenizerImpl>();
  impl->spec = std::move(spec);
  TokenizerSpec& s = impl->spec;
  const size_t n = s.tokens.size();
  if (n == 0) return Invalid("the vocabulary is empty");
  if (n > 0x7FFFFFFF) return Invalid("the vocabulary is too large");
  if (s.types.empty()) s.types.assign(n, TokenType::kNormal);
  if (s.types.size() != n) {
    return Invalid("token types: " + std::to_string(s.types.size()) + " entries for " +
                   std::to_string(n) + " tokens");
  }
  const auto in_range = [n](int32_t id) { return id >= -1 && id < static_cast<int32_t>(n); };
  for (int32_t id : {s.unk_id, s.bos_id, s.eos_id, s.eot_id, s.pad_id}) {
    if (!in_range(id)) return Invalid("special token id " + std::to_string(id) + " is out of range");
  }
  for (const std::vector<int32_t>* ids : {&s.prefix_ids, &s.suffix_ids, &s.end_of_generation_ids}) {
    for (int32_t id : *ids) {
      if (id < 0 || !in_range(id)) return Invalid("post-processor token id " + std::to_string(id) + " is out of range");
    }
  }
  for (const AddedTokenSpec& t : s.added_tokens) {
    if (t.id < 0 || !in_range(t.id)) return Invalid("added token \"" + t.content + "\" has an id out of range");
    if (t.content.empty()) return Invalid("added token " + std::to_string(t.id) + " is empty");
  }

  // An added token is special (control) or not (user-defined), whatever the
  // model vocabulary said; neither takes part in the model's lookups.
  for (const AddedTokenSpec& t : s.added_tokens) {
    s.types[t.id] = t.special ? TokenType::kControl : TokenType::kUserDefined;
  }
  SLUICE_RETURN_IF_ERROR(BuildPieces(*impl));
  impl->text_vocab.Reserve(n);
  impl->model_vocab.Reserve(n);
  for (size_t id = 0; id < n; ++id) {
    const auto i = static_cast<int32_t>(id);
    if (s.tokens[id].empty()) continue;  // an id no token uses
    impl->text_vocab.Insert(s.tokens[id], i);
    if (IsAddedType(s.types[id]) || s.types[id] == TokenType::kUnused) continue;
    if (s.model == ModelKind::kByteLevelBpe) {
      impl->model_vocab.Insert(impl->pieces[id], i);
    } else {
      impl->model_vocab.Insert(s.tokens[id], i);
    }
  }

  impl->byte_ids.fill(-1);
  switch (s.model) {
    case ModelKind::kByteLevelBpe: {
      for (int b = 0; b < 256; ++b) {
        impl->byte_ids[b] = impl->model_vocab.Find(std::string(1, static_cast<char>(b)));
        if (impl->byte_ids[b] < 0) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "byte-level vocabulary lacks the token for byte 0x%02X", b);
          return Invalid(buf);
        }
      }
      SLUICE_RETURN_IF_ERROR(BuildMergesFromList(*impl));
      impl->merges_to_itself.assign(n, false);
      std::vector<int32_t> word;
      for (size_t id = 0; id < n; ++id) {
        if (IsAddedType(s.types[id]) || impl->pieces[id].empty()) continue;
        word.clear();
        for (char c : impl->pieces[id]) word.push_back(impl->byte_ids[static_cast<unsigned char>(c)]);
        impl->merger.Merge(&word);
        impl->merges_to_itself[id] = word.size() == 1 && word[0] == static_cast<int32_t>(id);
      }
      break;
    }
    case ModelKind::kSentencePieceBpe: {
      for (int b = 0; b < 256; ++b) impl->byte_ids[b] = impl->text_vocab.Find(ByteTokenText(b));
      if (s.byte_fallback) {
        for (int b = 0; b < 256; ++b) {
          if (impl->byte_ids[b] < 0 && s.unk_id < 0) {
            return Invalid("byte_fallback: the vocabulary lacks " + ByteTokenText(b) + " and has no unk token");
          }
        }
      } else if (s.unk_id < 0) {
        return Invalid("a SentencePiece BPE model without byte_fallback needs an unk token");
      }
      if (s.merges_from_scores) {
        SLUICE_RETURN_IF_ERROR(BuildMergesFromScores(*impl));
      } else {
        SLUICE_RETURN_IF_ERROR(BuildMergesFromList(*impl));
      }
      break;
    }
    case ModelKind::kWordPiece:
      if (s.unk_id < 0) return Invalid("a WordPiece model needs an unk token");
      if (s.max_input_chars_per_word <= 0) return Invalid("WordPiece max_input_chars_per_word must be positive");
      break;
  }
  impl->added.Build(s.added_tokens);
  return std::shared_ptr<const Tokenizer>(std::make_shared<Tokenizer>(std::move(impl)));
}

}  // namespace sluice::tokenizer::internal
