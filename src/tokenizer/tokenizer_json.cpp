// tokenizer.json: the model section, added tokens, and the byte-level writer.
// The pipeline sections are parsed in json_pipeline.cpp.
#include "tokenizer/tokenizer_json.h"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tokenizer/byte_level.h"
#include "tokenizer/internal/impl.h"
#include "tokenizer/internal/json_pipeline.h"
#include "tokenizer/internal/special_ids.h"

namespace sluice::tokenizer {
namespace json = boost::json;
using internal::TokenizerSpec;

std::string_view SplitPatternOf(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::kGpt2:
      return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
    case PreTokenizerKind::kLlama3:
      return R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    case PreTokenizerKind::kQwen2:
      return R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    case PreTokenizerKind::kO200k:
      return R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    default:
      return {};
  }
}

namespace {

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, "tokenizer.json: " + std::move(message)); }

std::string_view Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

bool Flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

// Places `token` at `id`, growing the vocabulary; refuses a clash.
Status Place(TokenizerSpec* spec, std::string_view token, int64_t id) {
  if (id < 0 || id > spec->max_id) {
    return Invalid("token \"" + std::string(token) + "\" has id " + std::to_string(id) +
                   " (ids must be dense: at most " + std::to_string(spec->max_id) + " here)");
  }
  const auto i = static_cast<size_t>(id);
  if (i >= spec->tokens.size()) {
    spec->tokens.resize(i + 1);
    spec->types.resize(i + 1, TokenType::kUnused);
  }
  if (spec->types[i] != TokenType::kUnused && spec->tokens[i] != token) {
    return Invalid("id " + std::to_string(id) + " is both \"" + spec->tokens[i] + "\" and \"" + std::string(token) + "\"");
  }
  spec->tokens[i] = std::string(token);
  spec->types[i] = TokenType::kNormal;
  return Status::Ok();
}

Status ParseModel(const json::object& model, TokenizerSpec* spec) {
  const std::string_view type = Str(model, "type");
  const json::value* vocab = model.if_contains("vocab");
  if (!vocab || !vocab->is_object()) return Invalid("model.vocab is not an object");
  for (const auto& entry : vocab->as_object()) {
    if (!entry.value().is_number()) return Invalid("model.vocab[\"" + std::string(entry.key()) + "\"] is not a number");
    SLUICE_RETURN_IF_ERROR(Place(spec, entry.key(), entry.value().to_number<int64_t>()));
  }
  const std::string_view unk = Str(model, "unk_token");
  if (!unk.empty()) {
    const json::value* id = vocab->as_object().if_contains(unk);
    if (!id) return Invalid("model.unk_token \"" + std::string(unk) + "\" is not in the vocabulary");
    spec->unk_id = static_cast<int32_t>(id->to_number<int64_t>());
  }
  if (type == "WordPiece") {
    spec->model = ModelKind::kWordPiece;
    if (const std::string_view p = Str(model, "continuing_subword_prefix"); !p.empty()) spec->continuing_subword_prefix = p;
    if (const json::value* m = model.if_contains("max_input_chars_per_word"); m && m->is_number()) {
      spec->max_input_chars_per_word = static_cast<int32_t>(m->to_number<int64_t>());
    }
    return Status::Ok();
  }
  if (type != "BPE") return Invalid("unsupported model type " + std::string(type.empty() ? "(none)" : type));
  if (const json::value* d = model.if_contains("dropout"); d && !d->is_null() && d->to_number<double>() != 0.0) {
    return Invalid("unsupported model setting: BPE dropout");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (!Str(model, key).empty()) return Invalid(std::string("unsupported model setting: BPE ") + key);
  }
  spec->byte_fallback = Flag(model, "byte_fallback");
  spec->fuse_unk = Flag(model, "fuse_unk");
  spec->ignore_merges = Flag(model, "ignore_merges");
  const json::value* merges = model.if_contains("merges");
  if (!merges || !merges->is_array()) return Invalid("model.merges is not an array");
  spec->merges.reserve(merges->as_array().size());
  for (const json::value& m : merges->as_array()) {
    if (const json::string* s = m.if_string()) {  // "a b"
      const std::string_view text = *s;
      const size_t space = text.find(' ');
      if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos) {
        return Invalid("merge \"" + std::string(text) + "\" is not two tokens");
      }
      spec->merges.emplace_back(std::string(text.substr(0, space)), std::string(text.substr(space + 1)));
    } else if (const json::array* a = m.if_array(); a && a->size() == 2 && (*a)[0].is_string() && (*a)[1].is_string()) {
      spec->merges.emplace_back(std::string((*a)[0].as_string()), std::string((*a)[1].as_string()));
    } else {
      return Invalid("a merge is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }
  return Status::Ok();
}

Status ParseAddedTokens(const json::value* v, TokenizerSpec* spec) {
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_array()) return Invalid("added_tokens is not an array");
  for (const json::value& item : v->as_array()) {
    if (!item.is_object()) return Invalid("an added token is not an object");
    const json::object& o = item.as_object();
    internal::AddedTokenSpec t;
    t.content = std::string(Str(o, "content"));
    const json::value* id = o.if_contains("id");
    if (!id || !id->is_number()) return Invalid("added token \"" + t.content + "\" has no id");
    t.id = static_cast<int32_t>(id->to_number<int64_t>());
    t.special = Flag(o, "special");
    t.lstrip = Flag(o, "lstrip");
    t.rstrip = Flag(o, "rstrip");
    if (Flag(o, "single_word")) return Invalid("unsupported added token setting: single_word (\"" + t.content + "\")");
    if (Flag(o, "normalized") && !spec->normalizer.empty()) {
      return Invalid("unsupported added token setting: normalized with a normalizer (\"" + t.content + "\")");
    }
    SLUICE_RETURN_IF_ERROR(Place(spec, t.content, t.id));
    spec->added_tokens.push_back(std::move(t));
  }
  return Status::Ok();
}

}  // namespace

namespace {

StatusOr<std::shared_ptr<const Tokenizer>> LoadTokenizerJsonUnguarded(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return Invalid("not JSON: " + ec.message());
  if (!root.is_object()) return Invalid("the top level is not an object");
  const json::object& o = root.as_object();
  for (const char* key : {"truncation", "padding"}) {
    if (const json::value* v = o.if_contains(key); v && !v->is_null()) {
      return Invalid(std::string("unsupported setting: ") + key + " (sluice encodes whole texts)");
    }
  }
  const json::value* model = o.if_contains("model");
  if (!model || !model->is_object()) return Invalid("no model object");

  TokenizerSpec spec;
  spec.max_id = std::min<int64_t>(spec.max_id, static_cast<int64_t>(text.size()));
  SLUICE_RETURN_IF_ERROR(ParseModel(model->as_object(), &spec));
  const json::value null_value;
  auto section = [&](const char* key) -> const json::value& {
    const json::value* v = o.if_contains(key);
    return v ? *v : null_value;
  };
  SLUICE_RETURN_IF_ERROR(internal::ParseNormalizer(section("normalizer"), &spec));
  bool byte_level = false;
  SLUICE_RETURN_IF_ERROR(internal::ParsePreTokenizer(section("pre_tokenizer"), &spec, &byte_level));
  if (spec.model != ModelKind::kWordPiece) {
    spec.model = byte_level ? ModelKind::kByteLevelBpe : ModelKind::kSentencePieceBpe;
    if (byte_level && spec.byte_fallback) return Invalid("unsupported model setting: byte_fallback with ByteLevel");
  } else if (spec.pre_tokenizer != PreTokenizerKind::kBert || byte_level) {
    return Invalid("unsupported pre_tokenizer for a WordPiece model (BertPreTokenizer expected)");
  }
  SLUICE_RETURN_IF_ERROR(ParseAddedTokens(o.if_contains("added_tokens"), &spec));
  // SentencePiece byte tokens.
  for (size_t id = 0; id < spec.tokens.size(); ++id) {
    const std::string& t = spec.tokens[id];
    if (spec.model == ModelKind::kSentencePieceBpe && spec.types[id] == TokenType::kNormal && t.size() == 6 &&
        t.starts_with("<0x") && t.back() == '>') {
      spec.types[id] = TokenType::kByte;
    }
  }
  if (spec.unk_id >= 0 && spec.types[spec.unk_id] == TokenType::kNormal) spec.types[spec.unk_id] = TokenType::kUnknown;
  SLUICE_RETURN_IF_ERROR(internal::ParsePostProcessor(section("post_processor"), &spec));
  SLUICE_RETURN_IF_ERROR(internal::ParseDecoder(section("decoder"), &spec));
  if (!spec.prefix_ids.empty()) spec.bos_id = spec.prefix_ids.front();
  internal::FillSpecialIds(&spec);
  return internal::BuildTokenizer(std::move(spec));
}

}  // namespace

StatusOr<std::shared_ptr<const Tokenizer>> LoadTokenizerJson(std::string_view text) {
  // Boost.JSON's typed accessors throw on a value of the wrong kind or a
  // number that does not fit (fuzzing found nine such spots, docs/fuzzing.md
  // F2); whatever the per-field checks miss ends the load here as an error.
  try {
    return LoadTokenizerJsonUnguarded(text);
  } catch (const std::exception& e) {
    return Invalid(std::string("malformed value: ") + e.what());
  }
}

StatusOr<std::shared_ptr<const Tokenizer>> LoadTokenizerJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read tokenizer file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  StatusOr<std::shared_ptr<const Tokenizer>> t = LoadTokenizerJson(buf.str());
  if (!t.ok()) return Status(t.status().code(), path + ": " + t.status().message());
  return t;
}

StatusOr<std::string> ByteLevelTokenizerToJson(const Tokenizer& tokenizer) {
  const TokenizerSpec& spec = tokenizer.spec();
  if (spec.model != ModelKind::kByteLevelBpe || !spec.normalizer.empty()) {
    return Status(ErrorCode::kInvalidArgument, "only byte-level BPE tokenizers without a normalizer can be written");
  }
  json::object root;
  root["version"] = "1.0";
  root["truncation"] = nullptr;
  root["padding"] = nullptr;
  json::array added;
  for (const internal::AddedTokenSpec& t : spec.added_tokens) {
    added.push_back(json::object{{"id", t.id}, {"content", t.content}, {"single_word", false},
                                 {"lstrip", t.lstrip}, {"rstrip", t.rstrip}, {"normalized", false},
                                 {"special", t.special}});
  }
  root["added_tokens"] = std::move(added);
  root["normalizer"] = nullptr;
  json::object byte_level{{"type", "ByteLevel"}, {"add_prefix_space", spec.byte_level_add_prefix_space},
                          {"trim_offsets", true}, {"use_regex", false}};
  if (spec.pre_tokenizer == PreTokenizerKind::kGpt2) {
    byte_level["use_regex"] = true;
    root["pre_tokenizer"] = byte_level;
  } else {
    json::object split{{"type", "Split"},
                       {"pattern", json::object{{"Regex", SplitPatternOf(spec.pre_tokenizer)}}},
                       {"behavior", "Isolated"},
                       {"invert", false}};
    root["pre_tokenizer"] = json::object{{"type", "Sequence"}, {"pretokenizers", json::array{split, byte_level}}};
  }
  if (spec.prefix_ids.empty() && spec.suffix_ids.empty()) {
    root["post_processor"] = json::object{{"type", "ByteLevel"}, {"add_prefix_space", false},
                                          {"trim_offsets", false}, {"use_regex", false}};
  } else {
    json::array single;
    json::object specials;
    auto add_special = [&](int32_t id) {
      const std::string name(tokenizer.TokenText(id));
      single.push_back(json::object{{"SpecialToken", json::object{{"id", name}, {"type_id", 0}}}});
      specials[name] = json::object{{"id", name}, {"ids", json::array{id}}, {"tokens", json::array{name}}};
    };
    for (int32_t id : spec.prefix_ids) add_special(id);
    single.push_back(json::object{{"Sequence", json::object{{"id", "A"}, {"type_id", 0}}}});
    for (int32_t id : spec.suffix_ids) add_special(id);
    root["post_processor"] = json::object{{"type", "TemplateProcessing"}, {"single", single},
                                          {"pair", single}, {"special_tokens", specials}};
  }
  root["decoder"] = json::object{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  json::object vocab;
  for (size_t id = 0; id < spec.tokens.size(); ++id) {
    if (spec.types[id] == TokenType::kNormal) vocab[spec.tokens[id]] = id;
  }
  json::array merges;
  merges.reserve(spec.merges.size());
  for (const auto& [a, b] : spec.merges) merges.push_back(json::array{json::string(a), json::string(b)});
  root["model"] = json::object{{"type", "BPE"},          {"dropout", nullptr},
                               {"unk_token", nullptr},   {"continuing_subword_prefix", nullptr},
                               {"end_of_word_suffix", nullptr}, {"fuse_unk", false},
                               {"byte_fallback", false}, {"ignore_merges", spec.ignore_merges},
                               {"vocab", std::move(vocab)}, {"merges", std::move(merges)}};
  return json::serialize(root);
}

}  // namespace sluice::tokenizer
