#include <boost/json.hpp>

#include "tokenizer/internal/json_pipeline.h"
#include "tokenizer/tokenizer_json.h"

namespace sluice::tokenizer::internal {
namespace json = boost::json;

namespace {

constexpr std::string_view kMeta = "\xE2\x96\x81";  // "▁"

Status Unsupported(std::string_view section, std::string_view what) {
  return Status(ErrorCode::kInvalidArgument,
                "tokenizer.json: unsupported " + std::string(section) + ": " + std::string(what));
}

std::string_view TypeOf(const json::value& v) {
  if (const json::object* o = v.if_object()) {
    if (const json::value* t = o->if_contains("type")) {
      if (const json::string* s = t->if_string()) return *s;
    }
  }
  return {};
}

bool BoolField(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

std::string_view StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

// {"String": "x"} → "x"; {"Regex": …} → nullopt (with is_regex set).
std::optional<std::string> PatternString(const json::value* pattern, bool* is_regex, std::string* regex) {
  *is_regex = false;
  if (!pattern || !pattern->is_object()) return std::nullopt;
  const json::object& p = pattern->as_object();
  if (const json::value* s = p.if_contains("String"); s && s->is_string()) return std::string(s->as_string());
  if (const json::value* r = p.if_contains("Regex"); r && r->is_string()) {
    *is_regex = true;
    *regex = std::string(r->as_string());
  }
  return std::nullopt;
}

Status ParseOneNormalizer(const json::value& v, TokenizerSpec* spec) {
  const std::string_view type = TypeOf(v);
  const json::object& o = v.as_object();
  if (type == "Sequence") {
    const json::value* list = o.if_contains("normalizers");
    if (!list || !list->is_array()) return Unsupported("normalizer", "Sequence without normalizers");
    for (const json::value& item : list->as_array()) SLUICE_RETURN_IF_ERROR(ParseOneNormalizer(item, spec));
    return Status::Ok();
  }
  NormalizerStep step;
  if (type == "NFC") {
    step.kind = NormalizerStep::Kind::kNfc;
  } else if (type == "Lowercase") {
    step.kind = NormalizerStep::Kind::kLowercase;
  } else if (type == "Prepend") {
    step.kind = NormalizerStep::Kind::kPrepend;
    step.a = std::string(StringField(o, "prepend"));
  } else if (type == "Replace") {
    bool is_regex = false;
    std::string regex;
    std::optional<std::string> from = PatternString(o.if_contains("pattern"), &is_regex, &regex);
    if (!from) return Unsupported("normalizer", "Replace with a regex pattern (" + regex + ")");
    step.kind = NormalizerStep::Kind::kReplace;
    step.a = *from;
    step.b = std::string(StringField(o, "content"));
  } else if (type == "BertNormalizer") {
    step.kind = NormalizerStep::Kind::kBert;
    step.lowercase = BoolField(o, "lowercase", true);
    const json::value* sa = o.if_contains("strip_accents");
    step.strip_accents = sa && sa->is_bool() ? sa->as_bool() : step.lowercase;  // null follows lowercase
    step.chinese_chars = BoolField(o, "handle_chinese_chars", true);
    step.clean_text = BoolField(o, "clean_text", true);
  } else {
    return Unsupported("normalizer", type.empty() ? std::string_view("(no type)") : type);
  }
  spec->normalizer.push_back(std::move(step));
  return Status::Ok();
}

StatusOr<PreTokenizerKind> KindOfSplit(const json::object& o) {
  bool is_regex = false;
  std::string regex;
  std::optional<std::string> literal = PatternString(o.if_contains("pattern"), &is_regex, &regex);
  if (!is_regex) return Unsupported("pre_tokenizer", "Split with a string pattern \"" + literal.value_or("") + "\"");
  const std::string_view behavior = StringField(o, "behavior");
  const bool invert = BoolField(o, "invert", false);
  // The known patterns match every character, so keeping the matches
  // (Removed + invert) and isolating them (Isolated) give the same pieces.
  if (!((behavior == "Isolated" && !invert) || (behavior == "Removed" && invert))) {
    return Unsupported("pre_tokenizer", "Split behavior " + std::string(behavior) + (invert ? " (inverted)" : ""));
  }
  for (PreTokenizerKind kind :
       {PreTokenizerKind::kGpt2, PreTokenizerKind::kLlama3, PreTokenizerKind::kQwen2, PreTokenizerKind::kO200k}) {
    if (regex == SplitPatternOf(kind)) return kind;
  }
  return Unsupported("pre_tokenizer", "Split regex " + regex);
}

Status ParseByteLevel(const json::object& o, TokenizerSpec* spec, bool use_regex_allowed) {
  spec->byte_level_add_prefix_space = BoolField(o, "add_prefix_space", false);
  const bool use_regex = BoolField(o, "use_regex", true);
  if (use_regex) {
    if (!use_regex_allowed) return Unsupported("pre_tokenizer", "ByteLevel(use_regex) after a Split");
    spec->pre_tokenizer = PreTokenizerKind::kGpt2;
  }
  return Status::Ok();
}

Status ParseMetaspace(const json::object& o, TokenizerSpec* spec) {
  const std::string_view replacement = StringField(o, "replacement");
  if (replacement != kMeta) return Unsupported("pre_tokenizer", "Metaspace replacement \"" + std::string(replacement) + "\"");
  std::string_view scheme = StringField(o, "prepend_scheme");
  if (scheme.empty()) scheme = BoolField(o, "add_prefix_space", true) ? "always" : "never";
  NormalizerStep replace;
  replace.kind = NormalizerStep::Kind::kReplace;
  replace.a = " ";
  replace.b = std::string(kMeta);
  spec->normalizer.push_back(replace);
  if (scheme == "always" || scheme == "first") {
    NormalizerStep prepend;
    prepend.kind = NormalizerStep::Kind::kPrepend;
    prepend.a = std::string(kMeta);
    prepend.first_only = scheme == "first";
    prepend.skip_if_present = true;  // HF: only when the text does not start with "▁" already
    spec->normalizer.push_back(prepend);
  } else if (scheme != "never") {
    return Unsupported("pre_tokenizer", "Metaspace prepend_scheme " + std::string(scheme));
  }
  spec->metaspace_split = BoolField(o, "split", true);
  spec->pre_tokenizer = PreTokenizerKind::kNone;
  return Status::Ok();
}

}  // namespace

Status ParseNormalizer(const json::value& v, TokenizerSpec* spec) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_object()) return Unsupported("normalizer", "not an object");
  return ParseOneNormalizer(v, spec);
}

Status ParsePreTokenizer(const json::value& v, TokenizerSpec* spec, bool* byte_level) {
  *byte_level = false;
  spec->pre_tokenizer = PreTokenizerKind::kNone;
  if (v.is_null()) return Status::Ok();
  if (!v.is_object()) return Unsupported("pre_tokenizer", "not an object");
  const std::string_view type = TypeOf(v);
  const json::object& o = v.as_object();
  if (type == "ByteLevel") {
    *byte_level = true;
    return ParseByteLevel(o, spec, /*use_regex_allowed=*/true);
  }
  if (type == "BertPreTokenizer") {
    spec->pre_tokenizer = PreTokenizerKind::kBert;
    return Status::Ok();
  }
  if (type == "Metaspace") return ParseMetaspace(o, spec);
  if (type == "Split") {
    StatusOr<PreTokenizerKind> kind = KindOfSplit(o);
    if (!kind.ok()) return kind.status();
    spec->pre_tokenizer = *kind;
    return Status::Ok();
  }
  if (type == "Sequence") {
    const json::value* list = o.if_contains("pretokenizers");
    if (!list || !list->is_array()) return Unsupported("pre_tokenizer", "Sequence without pretokenizers");
    const json::array& items = list->as_array();
    // The one shape in use: Split(pattern) then ByteLevel(use_regex = false).
    if (items.size() == 2 && TypeOf(items[0]) == "Split" && TypeOf(items[1]) == "ByteLevel") {
      StatusOr<PreTokenizerKind> kind = KindOfSplit(items[0].as_object());
      if (!kind.ok()) return kind.status();
      spec->pre_tokenizer = *kind;
      *byte_level = true;
      return ParseByteLevel(items[1].as_object(), spec, /*use_regex_allowed=*/false);
    }
    if (items.size() == 1) return ParsePreTokenizer(items[0], spec, byte_level);
    std::string shape;
    for (const json::value& item : items) shape += (shape.empty() ? "" : ", ") + std::string(TypeOf(item));
    return Unsupported("pre_tokenizer", "Sequence [" + shape + "]");
  }
  return Unsupported("pre_tokenizer", type.empty() ? std::string_view("(no type)") : type);
}

namespace {

int32_t IdOf(const TokenizerSpec& spec, std::string_view token) {
  for (const AddedTokenSpec& t : spec.added_tokens) {
    if (t.content == token) return t.id;
  }
  for (size_t i = 0; i < spec.tokens.size(); ++i) {
    if (spec.tokens[i] == token) return static_cast<int32_t>(i);
  }
  return -1;
}

Status ParseOneProcessor(const json::value& v, TokenizerSpec* spec) {
  const std::string_view type = TypeOf(v);
  const json::object& o = v.as_object();
  if (type == "ByteLevel") return Status::Ok();  // offsets only
  if (type == "Sequence") {
    const json::value* list = o.if_contains("processors");
    if (!list || !list->is_array()) return Unsupported("post_processor", "Sequence without processors");
    for (const json::value& item : list->as_array()) SLUICE_RETURN_IF_ERROR(ParseOneProcessor(item, spec));
    return Status::Ok();
  }
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    // "cls": ["<s>", 0], "sep": ["</s>", 2]
    for (const char* key : {"cls", "sep"}) {
      const json::value* pair = o.if_contains(key);
      if (!pair || !pair->is_array() || pair->as_array().size() != 2 || !pair->as_array()[1].is_number()) {
        return Unsupported("post_processor", std::string(type) + " without " + key);
      }
      const auto id = static_cast<int32_t>(pair->as_array()[1].to_number<int64_t>());
      (std::string_view(key) == "cls" ? spec->prefix_ids : spec->suffix_ids).push_back(id);
    }
    return Status::Ok();
  }
  if (type == "TemplateProcessing") {
    const json::value* single = o.if_contains("single");
    if (!single || !single->is_array()) return Unsupported("post_processor", "TemplateProcessing without single");
    const json::value* specials = o.if_contains("special_tokens");
    bool seen_sequence = false;
    for (const json::value& piece : single->as_array()) {
      if (!piece.is_object()) return Unsupported("post_processor", "TemplateProcessing piece");
      const json::object& p = piece.as_object();
      if (p.if_contains("Sequence")) {
        if (seen_sequence) return Unsupported("post_processor", "TemplateProcessing with two sequences");
        seen_sequence = true;
        continue;
      }
      const json::value* st = p.if_contains("SpecialToken");
      if (!st || !st->is_object()) return Unsupported("post_processor", "TemplateProcessing piece");
      const std::string_view name = StringField(st->as_object(), "id");
      std::vector<int32_t> ids;
      const json::value* entry = specials && specials->is_object() ? specials->as_object().if_contains(name) : nullptr;
      if (entry && entry->is_object()) {
        if (const json::value* list = entry->as_object().if_contains("ids"); list && list->is_array()) {
          for (const json::value& id : list->as_array()) {
            if (!id.is_number()) return Unsupported("post_processor", "special token id");
            ids.push_back(static_cast<int32_t>(id.to_number<int64_t>()));
          }
        }
      } else if (int32_t id = IdOf(*spec, name); id >= 0) {
        ids.push_back(id);
      } else {
        return Status(ErrorCode::kInvalidArgument,
                      "tokenizer.json: post_processor token \"" + std::string(name) + "\" is not in the vocabulary");
      }
      auto& dest = seen_sequence ? spec->suffix_ids : spec->prefix_ids;
      dest.insert(dest.end(), ids.begin(), ids.end());
    }
    return Status::Ok();
  }
  return Unsupported("post_processor", type.empty() ? std::string_view("(no type)") : type);
}

Status ParseSentencePieceDecoder(const json::value& v, TokenizerSpec* spec) {
  const std::string_view type = TypeOf(v);
  const json::object& o = v.as_object();
  if (type == "Metaspace") {
    std::string_view scheme = StringField(o, "prepend_scheme");
    if (scheme.empty()) scheme = BoolField(o, "add_prefix_space", true) ? "always" : "never";
    spec->decode_strip_leading_space = scheme != "never";
    return Status::Ok();
  }
  if (type != "Sequence") return Unsupported("decoder", std::string(type) + " for a SentencePiece-style BPE model");
  const json::value* list = o.if_contains("decoders");
  if (!list || !list->is_array()) return Unsupported("decoder", "Sequence without decoders");
  bool replaced = false;
  for (const json::value& item : list->as_array()) {
    const std::string_view t = TypeOf(item);
    const json::object& d = item.as_object();
    if (t == "ByteFallback" || t == "Fuse") continue;
    if (t == "Replace") {
      bool is_regex = false;
      std::string regex;
      std::optional<std::string> from = PatternString(d.if_contains("pattern"), &is_regex, &regex);
      if (!from || *from != kMeta || StringField(d, "content") != " ") {
        return Unsupported("decoder", "Replace other than \"▁\" → \" \"");
      }
      replaced = true;
      continue;
    }
    if (t == "Strip") {
      const json::value* start = d.if_contains("start");
      const json::value* stop = d.if_contains("stop");
      const int64_t n_start = start && start->is_number() ? start->to_number<int64_t>() : 0;
      const int64_t n_stop = stop && stop->is_number() ? stop->to_number<int64_t>() : 0;
      if (StringField(d, "content") != " " || n_start > 1 || n_stop != 0) {
        return Unsupported("decoder", "Strip other than one leading space");
      }
      spec->decode_strip_leading_space = n_start == 1;
      continue;
    }
    return Unsupported("decoder", "Sequence step " + std::string(t));
  }
  if (!replaced) return Unsupported("decoder", "Sequence without Replace(\"▁\", \" \")");
  return Status::Ok();
}

}  // namespace

Status ParsePostProcessor(const json::value& v, TokenizerSpec* spec) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_object()) return Unsupported("post_processor", "not an object");
  return ParseOneProcessor(v, spec);
}

Status ParseDecoder(const json::value& v, TokenizerSpec* spec) {
  if (v.is_null()) return Unsupported("decoder", "null (sluice needs to know how ids become text)");
  if (!v.is_object()) return Unsupported("decoder", "not an object");
  const std::string_view type = TypeOf(v);
  switch (spec->model) {
    case ModelKind::kByteLevelBpe:
      if (type != "ByteLevel") return Unsupported("decoder", std::string(type) + " for a byte-level BPE model");
      return Status::Ok();
    case ModelKind::kSentencePieceBpe:
      return ParseSentencePieceDecoder(v, spec);
    case ModelKind::kWordPiece: {
      if (type != "WordPiece") return Unsupported("decoder", std::string(type) + " for a WordPiece model");
      const json::object& o = v.as_object();
      const std::string_view prefix = StringField(o, "prefix");
      if (!prefix.empty() && prefix != spec->continuing_subword_prefix) {
        return Unsupported("decoder", "WordPiece prefix \"" + std::string(prefix) + "\" unlike the model's");
      }
      spec->decode_wordpiece_cleanup = BoolField(o, "cleanup", true);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace sluice::tokenizer::internal
