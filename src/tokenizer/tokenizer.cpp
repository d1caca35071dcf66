// The encode pipeline: added tokens → normalizer → pre-tokenizer → model →
// post-processor. The per-piece model loops are in encode_model.cpp.
#include "tokenizer/tokenizer.h"

#include "tokenizer/internal/encode.h"
#include "tokenizer/internal/impl.h"
#include "tokenizer/pretokenizer/normalizer.h"

namespace sluice::tokenizer {

using internal::NormalizerStep;
using internal::TokenizerImpl;

Tokenizer::Tokenizer(std::unique_ptr<TokenizerImpl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

namespace {

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  if (from.empty() || s->find(from) == std::string::npos) return;
  std::string out;
  out.reserve(s->size() + s->size() / 4);
  size_t pos = 0;
  for (size_t hit; (hit = s->find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(*s, pos, hit - pos).append(to);
  }
  out.append(*s, pos);
  *s = std::move(out);
}

// Applies the normalizer steps to `text` (one segment between added tokens).
void Normalize(const std::vector<NormalizerStep>& steps, std::string_view text, bool at_text_start,
               std::string* out) {
  out->assign(text);
  for (const NormalizerStep& step : steps) {
    switch (step.kind) {
      case NormalizerStep::Kind::kNfc:
        *out = NfcNormalize(*out);
        break;
      case NormalizerStep::Kind::kPrepend:
        if (!out->empty() && (at_text_start || !step.first_only) &&
            !(step.skip_if_present && out->starts_with(step.a))) {
          out->insert(0, step.a);
        }
        break;
      case NormalizerStep::Kind::kReplace:
        ReplaceAll(out, step.a, step.b);
        break;
      case NormalizerStep::Kind::kLowercase:
        *out = BertNormalize(*out, /*lowercase=*/true, false, false, false);
        break;
      case NormalizerStep::Kind::kBert:
        *out = BertNormalize(*out, step.lowercase, step.strip_accents, step.chinese_chars, step.clean_text);
        break;
    }
  }
}

// Hugging Face Metaspace(split = true): "▁a▁b" → "▁a", "▁b".
void SplitBeforeMeta(std::string_view text, std::vector<std::string_view>* out) {
  size_t start = 0;
  for (size_t hit = text.find("\xE2\x96\x81", 1); hit != std::string_view::npos; hit = text.find("\xE2\x96\x81", hit + 3)) {
    if (hit > start) out->push_back(text.substr(start, hit - start));
    start = hit;
  }
  if (start < text.size()) out->push_back(text.substr(start));
}

// Per-thread buffers so that Encode does not allocate per call once warm.
struct Scratch {
  std::vector<AddedTokenMatcher::Segment> segments;
  std::vector<std::string_view> pieces;
  std::vector<int32_t> word;
  std::string normalized;
  std::string text;
};

}  // namespace

void Tokenizer::Encode(std::string_view text, const EncodeOptions& options, std::vector<int32_t>* out) const {
  const TokenizerImpl& impl = *impl_;
  const internal::TokenizerSpec& spec = impl.spec;
  thread_local Scratch scratch;
  if (options.add_special) out->insert(out->end(), spec.prefix_ids.begin(), spec.prefix_ids.end());

  std::vector<AddedTokenMatcher::Segment>& segments = scratch.segments;
  segments.clear();
  if (options.parse_special && !impl.added.empty()) {
    impl.added.Split(text, &segments);
  } else if (!text.empty()) {
    segments.push_back({0, text.size(), -1});
  }
  for (const AddedTokenMatcher::Segment& seg : segments) {
    if (seg.id >= 0) {
      out->push_back(seg.id);
      continue;
    }
    std::string_view segment = text.substr(seg.begin, seg.end - seg.begin);
    if (!spec.normalizer.empty()) {
      Normalize(spec.normalizer, segment, seg.begin == 0, &scratch.normalized);
      segment = scratch.normalized;
    }
    if (spec.byte_level_add_prefix_space && !segment.empty() && segment[0] != ' ') {
      scratch.text.resize(segment.size() + 1);  // (not assign().append(): GCC 12 -Wrestrict false positive)
      scratch.text[0] = ' ';
      segment.copy(scratch.text.data() + 1, segment.size());
      segment = scratch.text;
    }
    scratch.pieces.clear();
    if (spec.metaspace_split) {
      SplitBeforeMeta(segment, &scratch.pieces);
    } else {
      PreTokenize(spec.pre_tokenizer, segment, &scratch.pieces);
    }
    for (std::string_view piece : scratch.pieces) {
      internal::EncodePiece(impl, piece, &scratch.word, out);
    }
  }
  if (options.add_special) out->insert(out->end(), spec.suffix_ids.begin(), spec.suffix_ids.end());
}

std::vector<int32_t> Tokenizer::Encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<int32_t> ids;
  Encode(text, options, &ids);
  return ids;
}

std::string_view Tokenizer::TokenPiece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return {};
  return impl_->pieces[id];
}

std::string_view Tokenizer::TokenText(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return {};
  return impl_->spec.tokens[id];
}

TokenType Tokenizer::token_type(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return TokenType::kUnused;
  return impl_->spec.types[id];
}

int32_t Tokenizer::TokenId(std::string_view text) const { return impl_->text_vocab.Find(text); }
int32_t Tokenizer::vocab_size() const { return static_cast<int32_t>(impl_->spec.tokens.size()); }
ModelKind Tokenizer::model_kind() const { return impl_->spec.model; }
int32_t Tokenizer::bos_id() const { return impl_->spec.bos_id; }
int32_t Tokenizer::eos_id() const { return impl_->spec.eos_id; }
int32_t Tokenizer::eot_id() const { return impl_->spec.eot_id >= 0 ? impl_->spec.eot_id : impl_->spec.eos_id; }
int32_t Tokenizer::unk_id() const { return impl_->spec.unk_id; }
int32_t Tokenizer::pad_id() const { return impl_->spec.pad_id; }
const std::vector<int32_t>& Tokenizer::end_of_generation_ids() const { return impl_->spec.end_of_generation_ids; }
bool Tokenizer::adds_bos() const { return !impl_->spec.prefix_ids.empty(); }
bool Tokenizer::adds_eos() const { return !impl_->spec.suffix_ids.empty(); }
const internal::TokenizerSpec& Tokenizer::spec() const { return impl_->spec; }

size_t CountTokens(const Tokenizer& tokenizer, std::string_view text) {
  thread_local std::vector<int32_t> ids;
  ids.clear();
  tokenizer.Encode(text, EncodeOptions{.add_special = false, .parse_special = false}, &ids);
  return ids.size();
}

}  // namespace sluice::tokenizer
