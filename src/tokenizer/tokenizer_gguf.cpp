#include "tokenizer/tokenizer_gguf.h"

#include <cstring>
#include <fstream>
#include <limits>

#include "tokenizer/internal/impl.h"
#include "tokenizer/internal/special_ids.h"
#include "tokenizer/tokenizer_json.h"

namespace sluice::tokenizer {
using internal::NormalizerStep;
using internal::TokenizerSpec;

namespace {

constexpr std::string_view kMeta = "\xE2\x96\x81";  // "▁"

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, "gguf tokenizer: " + std::move(message)); }

// An optional u32 id key: -1 when absent. Accepts any integer type.
StatusOr<int32_t> OptionalId(const gguf::GgufFile& file, std::string_view key) {
  const gguf::Value* v = file.Find(key);
  if (!v) return -1;
  int64_t id = -1;
  if (const uint32_t* u = v->get_if<uint32_t>()) {
    id = *u;
  } else if (const int32_t* i = v->get_if<int32_t>()) {
    id = *i;
  } else if (const uint64_t* u64 = v->get_if<uint64_t>()) {
    id = static_cast<int64_t>(std::min<uint64_t>(*u64, 1ull << 40));
  } else {
    return Invalid(std::string(key) + " is " + gguf::TypeDescription(*v) + ", not an integer");
  }
  if (id > std::numeric_limits<int32_t>::max()) return Invalid(std::string(key) + " is out of range");
  return static_cast<int32_t>(id);
}

bool OptionalBool(const gguf::GgufFile& file, std::string_view key, bool fallback) {
  const gguf::Value* v = file.Find(key);
  const bool* b = v ? v->get_if<bool>() : nullptr;
  return b ? *b : fallback;
}

// llama.cpp's converter spells a BERT vocabulary with "▁" before word-initial
// pieces and no "##" on continuations; [CLS]-style names stay as they are.
std::string BertFromGguf(std::string_view t) {
  if (t.starts_with(kMeta)) return std::string(t.substr(kMeta.size()));
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') return std::string(t);
  return "##" + std::string(t);
}
std::string BertToGguf(std::string_view t) {
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') return std::string(t);
  if (t.starts_with("##")) return std::string(t.substr(2));
  return std::string(kMeta) + std::string(t);
}

bool IsLlama3PreName(std::string_view pre) {
  return pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "falcon3";
}

std::string_view GgufPreName(PreTokenizerKind kind, bool ignore_merges) {
  switch (kind) {
    case PreTokenizerKind::kGpt2:
      return "gpt2";
    case PreTokenizerKind::kLlama3:
      return ignore_merges ? "llama-bpe" : "cl100k";
    case PreTokenizerKind::kQwen2:
      return "qwen2";
    case PreTokenizerKind::kO200k:
      return "gpt-4o";
    default:
      return "default";
  }
}

}  // namespace

StatusOr<std::shared_ptr<const Tokenizer>> LoadFromGguf(const gguf::GgufFile& file) {
  StatusOr<std::string_view> model = file.GetString("tokenizer.ggml.model");
  if (!model.ok()) return Invalid(model.status().message());
  StatusOr<std::span<const std::string_view>> tokens = file.GetStringArray("tokenizer.ggml.tokens");
  if (!tokens.ok()) return Invalid(tokens.status().message());
  const size_t n = tokens->size();

  TokenizerSpec spec;
  spec.tokens.reserve(n);
  spec.types.assign(n, TokenType::kNormal);
  if (file.Find("tokenizer.ggml.token_type")) {
    StatusOr<std::vector<int32_t>> types = file.GetI32Array("tokenizer.ggml.token_type");
    if (!types.ok()) return Invalid(types.status().message());
    if (types->size() != n) return Invalid("tokenizer.ggml.token_type has " + std::to_string(types->size()) + " entries for " + std::to_string(n) + " tokens");
    for (size_t i = 0; i < n; ++i) {
      const int32_t t = (*types)[i];
      if (t < 1 || t > 6) return Invalid("token " + std::to_string(i) + " has unknown type " + std::to_string(t));
      spec.types[i] = static_cast<TokenType>(t);
    }
  }
  std::string_view pre_name = "default";
  if (file.Find("tokenizer.ggml.pre")) {
    StatusOr<std::string_view> pre = file.GetString("tokenizer.ggml.pre");
    if (!pre.ok()) return Invalid(pre.status().message());
    pre_name = *pre;
  }

  if (*model == "gpt2") {
    spec.model = ModelKind::kByteLevelBpe;
    for (std::string_view t : *tokens) spec.tokens.emplace_back(t);
    StatusOr<PreTokenizerKind> kind = PreTokenizerFromGgufName(pre_name);
    if (!kind.ok()) return Invalid("tokenizer.ggml.pre: " + kind.status().message());
    if (*kind == PreTokenizerKind::kNone || *kind == PreTokenizerKind::kBert) {
      return Invalid("unsupported tokenizer.ggml.pre \"" + std::string(pre_name) + "\" for a gpt2 (byte-level BPE) vocabulary");
    }
    spec.pre_tokenizer = *kind;
    spec.ignore_merges = IsLlama3PreName(pre_name);
    if (*kind == PreTokenizerKind::kQwen2) spec.normalizer.push_back(NormalizerStep{});  // NFC, as Qwen's tokenizer.json
    StatusOr<std::span<const std::string_view>> merges = file.GetStringArray("tokenizer.ggml.merges");
    if (!merges.ok()) return Invalid(merges.status().message());
    spec.merges.reserve(merges->size());
    for (std::string_view m : *merges) {
      const size_t space = m.find(' ');
      if (space == std::string_view::npos || m.find(' ', space + 1) != std::string_view::npos) {
        return Invalid("merge \"" + std::string(m) + "\" is not two tokens");
      }
      spec.merges.emplace_back(std::string(m.substr(0, space)), std::string(m.substr(space + 1)));
    }
  } else if (*model == "llama") {
    spec.model = ModelKind::kSentencePieceBpe;
    for (std::string_view t : *tokens) spec.tokens.emplace_back(t);
    StatusOr<std::vector<float>> scores = file.GetF32Array("tokenizer.ggml.scores");
    if (!scores.ok()) return Invalid(scores.status().message());
    spec.scores = std::move(*scores);
    spec.merges_from_scores = true;
    spec.fuse_unk = true;
    for (TokenType t : spec.types) spec.byte_fallback |= t == TokenType::kByte;
    const bool space_prefix = OptionalBool(file, "tokenizer.ggml.add_space_prefix", true);
    if (space_prefix) {
      NormalizerStep prepend;
      prepend.kind = NormalizerStep::Kind::kPrepend;
      prepend.a = std::string(kMeta);
      spec.normalizer.push_back(prepend);
    }
    NormalizerStep replace;
    replace.kind = NormalizerStep::Kind::kReplace;
    replace.a = " ";
    replace.b = std::string(kMeta);
    spec.normalizer.push_back(replace);
    spec.decode_strip_leading_space = space_prefix;
  } else if (*model == "bert") {
    spec.model = ModelKind::kWordPiece;
    for (size_t i = 0; i < n; ++i) {
      const bool plain = spec.types[i] == TokenType::kNormal;
      spec.tokens.push_back(plain ? BertFromGguf((*tokens)[i]) : std::string((*tokens)[i]));
    }
    spec.pre_tokenizer = PreTokenizerKind::kBert;
    NormalizerStep bert;
    bert.kind = NormalizerStep::Kind::kBert;
    bert.lowercase = bert.strip_accents = bert.chinese_chars = bert.clean_text = true;
    spec.normalizer.push_back(bert);
  } else {
    return Invalid("unsupported tokenizer.ggml.model \"" + std::string(*model) + "\"");
  }

  for (size_t i = 0; i < n; ++i) {
    const TokenType t = spec.types[i];
    if (t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown) {
      spec.added_tokens.push_back(internal::AddedTokenSpec{spec.tokens[i], static_cast<int32_t>(i), t != TokenType::kUserDefined});
    }
  }
  struct IdKey {
    const char* key;
    int32_t* dest;
  };
  int32_t cls = -1, sep = -1;
  for (IdKey k : {IdKey{"tokenizer.ggml.bos_token_id", &spec.bos_id}, IdKey{"tokenizer.ggml.eos_token_id", &spec.eos_id},
                  IdKey{"tokenizer.ggml.eot_token_id", &spec.eot_id}, IdKey{"tokenizer.ggml.padding_token_id", &spec.pad_id},
                  IdKey{"tokenizer.ggml.unknown_token_id", &spec.unk_id}, IdKey{"tokenizer.ggml.cls_token_id", &cls},
                  IdKey{"tokenizer.ggml.seperator_token_id", &sep}}) {
    StatusOr<int32_t> id = OptionalId(file, k.key);
    if (!id.ok()) return id.status();
    if (*id >= static_cast<int64_t>(n)) return Invalid(std::string(k.key) + " " + std::to_string(*id) + " is out of range");
    *k.dest = *id;
  }
  if (spec.unk_id < 0) {
    for (size_t i = 0; i < n && spec.unk_id < 0; ++i) {
      if (spec.types[i] == TokenType::kUnknown) spec.unk_id = static_cast<int32_t>(i);
    }
  }
  const bool is_bert = spec.model == ModelKind::kWordPiece;
  const int32_t first = is_bert && cls >= 0 ? cls : spec.bos_id;
  const int32_t last = is_bert && sep >= 0 ? sep : spec.eos_id;
  if (OptionalBool(file, "tokenizer.ggml.add_bos_token", spec.model == ModelKind::kSentencePieceBpe || is_bert)) {
    if (first < 0) return Invalid("tokenizer.ggml.add_bos_token is set but there is no BOS/CLS token id");
    spec.prefix_ids.push_back(first);
  }
  if (OptionalBool(file, "tokenizer.ggml.add_eos_token", is_bert)) {
    if (last < 0) return Invalid("tokenizer.ggml.add_eos_token is set but there is no EOS/SEP token id");
    spec.suffix_ids.push_back(last);
  }
  internal::FillSpecialIds(&spec);
  StatusOr<std::shared_ptr<const Tokenizer>> built = internal::BuildTokenizer(std::move(spec));
  if (!built.ok()) return Invalid(built.status().message());
  return built;
}

Status WriteTokenizerToGguf(const Tokenizer& tokenizer, gguf::GgufWriter* writer) {
  const TokenizerSpec& spec = tokenizer.spec();
  const size_t n = spec.tokens.size();
  if (spec.prefix_ids.size() > 1 || spec.suffix_ids.size() > 1) {
    return Invalid("a post-processor adding more than one token at either end cannot be written");
  }
  for (const internal::AddedTokenSpec& t : spec.added_tokens) {
    if (t.lstrip || t.rstrip) return Invalid("added token \"" + t.content + "\" with lstrip/rstrip cannot be written");
  }
  std::vector<std::string> tokens(spec.tokens);
  std::vector<int32_t> types(n);
  for (size_t i = 0; i < n; ++i) {
    types[i] = static_cast<int32_t>(spec.types[i]);
    if (tokens[i].empty()) tokens[i] = "[PAD" + std::to_string(i) + "]";  // an unused id, as llama.cpp's converter names them
  }
  auto normalizer_is = [&](std::initializer_list<NormalizerStep::Kind> kinds) {
    if (spec.normalizer.size() != kinds.size()) return false;
    size_t i = 0;
    for (NormalizerStep::Kind k : kinds) {
      const NormalizerStep& s = spec.normalizer[i++];
      if (s.kind != k || s.first_only || s.skip_if_present) return false;
      if (k == NormalizerStep::Kind::kPrepend && s.a != kMeta) return false;
      if (k == NormalizerStep::Kind::kReplace && (s.a != " " || s.b != kMeta)) return false;
    }
    return true;
  };
  std::string_view model, pre = "default";
  bool space_prefix = false;
  switch (spec.model) {
    case ModelKind::kByteLevelBpe: {
      model = "gpt2";
      pre = GgufPreName(spec.pre_tokenizer, spec.ignore_merges);
      const bool qwen = spec.pre_tokenizer == PreTokenizerKind::kQwen2;
      if (!(qwen ? normalizer_is({NormalizerStep::Kind::kNfc}) : spec.normalizer.empty())) {
        return Invalid("this byte-level normalizer cannot be written (GGUF implies NFC for qwen2 only)");
      }
      if (spec.byte_level_add_prefix_space) return Invalid("ByteLevel add_prefix_space cannot be written");
      if (spec.ignore_merges != IsLlama3PreName(pre)) return Invalid("ignore_merges without the Llama-3 pre-tokenizer cannot be written");
      break;
    }
    case ModelKind::kSentencePieceBpe:
      model = "llama";
      if (spec.metaspace_split) return Invalid("a Metaspace pre-tokenizer with split cannot be written");
      if (normalizer_is({NormalizerStep::Kind::kPrepend, NormalizerStep::Kind::kReplace})) {
        space_prefix = true;
      } else if (!normalizer_is({NormalizerStep::Kind::kReplace})) {
        return Invalid("this SentencePiece normalizer cannot be written (Prepend(\"▁\") + Replace(\" \", \"▁\") expected)");
      }
      if (space_prefix != spec.decode_strip_leading_space) return Invalid("a decoder that does not undo the space prefix cannot be written");
      if (!spec.byte_fallback) return Invalid("a SentencePiece model without byte_fallback cannot be written");
      break;
    case ModelKind::kWordPiece: {
      model = "bert";
      const bool uncased = spec.normalizer.size() == 1 && spec.normalizer[0].kind == NormalizerStep::Kind::kBert &&
                           spec.normalizer[0].lowercase && spec.normalizer[0].strip_accents &&
                           spec.normalizer[0].chinese_chars && spec.normalizer[0].clean_text;
      if (!uncased) return Invalid("a WordPiece normalizer other than uncased BertNormalizer cannot be written");
      if (spec.continuing_subword_prefix != "##" || spec.max_input_chars_per_word != 100) {
        return Invalid("a WordPiece prefix other than ## or max_input_chars_per_word other than 100 cannot be written");
      }
      for (size_t i = 0; i < n; ++i) {
        if (spec.types[i] == TokenType::kNormal) tokens[i] = BertToGguf(tokens[i]);
      }
      break;
    }
  }
  SLUICE_RETURN_IF_ERROR(writer->SetString("tokenizer.ggml.model", model));
  SLUICE_RETURN_IF_ERROR(writer->SetString("tokenizer.ggml.pre", pre));
  SLUICE_RETURN_IF_ERROR(writer->SetStringArray("tokenizer.ggml.tokens", tokens));
  SLUICE_RETURN_IF_ERROR(writer->SetArray<int32_t>("tokenizer.ggml.token_type", types));
  if (spec.model == ModelKind::kByteLevelBpe) {
    std::vector<std::string> merges;
    merges.reserve(spec.merges.size());
    for (const auto& [a, b] : spec.merges) merges.push_back(a + " " + b);
    SLUICE_RETURN_IF_ERROR(writer->SetStringArray("tokenizer.ggml.merges", merges));
  }
  if (spec.model == ModelKind::kSentencePieceBpe) {
    // A token's score orders the merges producing it: the rank of its first
    // merge, negated (higher merges first). Tokens no merge produces score 0.
    std::vector<float> scores(n, 0.0f);
    if (spec.merges_from_scores) {
      scores = spec.scores;
    } else {
      std::vector<bool> seen(n, false);
      for (size_t rank = 0; rank < spec.merges.size(); ++rank) {
        const int32_t id = tokenizer.TokenId(spec.merges[rank].first + spec.merges[rank].second);
        if (id >= 0 && !seen[id]) {
          seen[id] = true;
          scores[id] = -static_cast<float>(rank) - 1.0f;
        }
      }
    }
    SLUICE_RETURN_IF_ERROR(writer->SetArray<float>("tokenizer.ggml.scores", scores));
    SLUICE_RETURN_IF_ERROR(writer->Set("tokenizer.ggml.add_space_prefix", gguf::Value(space_prefix)));
  }
  auto set_id = [&](const char* key, int32_t id) -> Status {
    if (id < 0) return Status::Ok();
    return writer->SetU32(key, static_cast<uint32_t>(id));
  };
  const int32_t bos = spec.prefix_ids.empty() ? spec.bos_id : spec.prefix_ids[0];
  const int32_t eos = spec.suffix_ids.empty() ? spec.eos_id : spec.suffix_ids[0];
  if (spec.model == ModelKind::kWordPiece) {
    SLUICE_RETURN_IF_ERROR(set_id("tokenizer.ggml.cls_token_id", bos));
    SLUICE_RETURN_IF_ERROR(set_id("tokenizer.ggml.seperator_token_id", eos));
  }
  SLUICE_RETURN_IF_ERROR(set_id("tokenizer.ggml.bos_token_id", bos));
  SLUICE_RETURN_IF_ERROR(set_id("tokenizer.ggml.eos_token_id", spec.model == ModelKind::kWordPiece ? spec.eos_id : eos));
  SLUICE_RETURN_IF_ERROR(set_id("tokenizer.ggml.eot_token_id", spec.eot_id));
  SLUICE_RETURN_IF_ERROR(set_id("tokenizer.ggml.unknown_token_id", spec.unk_id));
  SLUICE_RETURN_IF_ERROR(set_id("tokenizer.ggml.padding_token_id", spec.pad_id));
  SLUICE_RETURN_IF_ERROR(writer->Set("tokenizer.ggml.add_bos_token", gguf::Value(!spec.prefix_ids.empty())));
  SLUICE_RETURN_IF_ERROR(writer->Set("tokenizer.ggml.add_eos_token", gguf::Value(!spec.suffix_ids.empty())));
  return Status::Ok();
}

StatusOr<std::shared_ptr<const Tokenizer>> LoadTokenizerFile(const std::string& path) {
  char magic[4] = {};
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(ErrorCode::kNotFound, "cannot read tokenizer file " + path);
    in.read(magic, 4);
  }
  if (std::memcmp(magic, "GGUF", 4) != 0) return LoadTokenizerJsonFile(path);
  StatusOr<gguf::GgufFile> file = gguf::OpenGguf(path);
  if (!file.ok()) return file.status();
  StatusOr<std::shared_ptr<const Tokenizer>> t = LoadFromGguf(*file);
  if (!t.ok()) return Status(t.status().code(), path + ": " + t.status().message());
  return t;
}

}  // namespace sluice::tokenizer
