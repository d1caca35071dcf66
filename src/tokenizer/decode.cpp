// Decoding: ids → text, whole sequences (Tokenizer::Decode) and one id at a
// time (StreamDecoder).
#include "tokenizer/internal/impl.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_lossy.h"

namespace sluice::tokenizer {
namespace {

// Hugging Face's clean_up_tokenization (WordPiece decoder, cleanup = true).
std::string CleanUpTokenization(std::string s) {
  static constexpr std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},   {" ?", "?"},     {" !", "!"},     {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& [from, to] : kRules) {
    std::string out;
    size_t pos = 0;
    for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
      out.append(s, pos, hit - pos).append(to);
    }
    out.append(s, pos);
    s = std::move(out);
  }
  return s;
}

}  // namespace

std::string Tokenizer::Decode(std::span<const int32_t> ids, bool skip_special) const {
  const internal::TokenizerImpl& impl = *impl_;
  const internal::TokenizerSpec& spec = impl.spec;
  std::string text;
  bool first = true;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    if (skip_special && spec.types[id] == TokenType::kControl) continue;
    if (spec.model == ModelKind::kWordPiece) {
      const bool continuation = spec.types[id] == TokenType::kNormal &&
                                spec.tokens[id].starts_with(spec.continuing_subword_prefix);
      if (!first && !continuation) text.push_back(' ');
    }
    text.append(impl.pieces[id]);
    first = false;
  }
  if (spec.model == ModelKind::kSentencePieceBpe && spec.decode_strip_leading_space && !text.empty() &&
      text[0] == ' ') {
    text.erase(0, 1);
  }
  if (spec.model == ModelKind::kWordPiece && spec.decode_wordpiece_cleanup) text = CleanUpTokenization(std::move(text));
  return text;
}

std::string StreamDecoder::Feed(int32_t id) {
  const internal::TokenizerSpec& spec = tokenizer_.spec();
  if (id < 0 || id >= tokenizer_.vocab_size()) return {};
  if (skip_special_ && spec.types[id] == TokenType::kControl) return {};
  std::string_view piece = tokenizer_.TokenPiece(id);
  if (spec.model == ModelKind::kWordPiece) {
    const bool continuation =
        spec.types[id] == TokenType::kNormal && spec.tokens[id].starts_with(spec.continuing_subword_prefix);
    if (!first_ && !continuation) pending_.push_back(' ');
  }
  if (first_ && spec.model == ModelKind::kSentencePieceBpe && spec.decode_strip_leading_space &&
      piece.starts_with(' ')) {
    piece.remove_prefix(1);
  }
  first_ = false;
  pending_.append(piece);
  return TakeComplete(/*at_end=*/false);
}

std::string StreamDecoder::Finish() { return TakeComplete(/*at_end=*/true); }

std::string StreamDecoder::TakeComplete(bool at_end) {
  std::string out;
  const size_t used = AppendUtf8Lossy(pending_, at_end, &out);
  pending_.erase(0, used);
  return out;
}

}  // namespace sluice::tokenizer
