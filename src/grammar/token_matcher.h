// Token-level matching: which tokens of a vocabulary may come next under a
// compiled grammar, as a bitmask for the sampler.
//
// TokenVocabulary holds every token's bytes (TokenPiece: raw bytes for
// byte-level BPE, "▁" as " " and <0xXX> as the byte for SentencePiece) in a
// prefix trie. Control/unknown/unused tokens and empty pieces are never
// allowed as content; end-of-generation ids (tokenizer.end_of_generation_ids)
// are allowed only in an accepting state.
//
// Masks: for every automaton state the grammar reaches, the tokens accepted
// whatever the stack below it holds are computed once by walking the trie
// (shared prefixes are walked once) and cached in a table shared by every
// matcher of the same (grammar, vocabulary); only the few tokens whose bytes
// run past the end of the current rule ($ref recursion) are checked against
// the actual stack at run time. Inside strings, plain-text tokens (no quote,
// backslash or control byte) are accepted in bulk by length class and only
// the rest of the trie is walked. See docs/grammar.md.
//
// Thread-safety: TokenVocabulary is immutable; VocabularyFor is thread-safe.
// A TokenMatcher is one generation's state: not thread-safe, but any number
// of matchers may share a grammar and a vocabulary across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "grammar/grammar.h"
#include "tokenizer/tokenizer.h"

namespace sluice::grammar {

class TokenVocabulary;  // internal/vocabulary.h

// The vocabulary of `tok`, built once per tokenizer and cached (keyed by the
// Tokenizer's address while it is alive).
std::shared_ptr<const TokenVocabulary> VocabularyFor(std::shared_ptr<const tokenizer::Tokenizer> tok);

class TokenMatcher {
 public:
  TokenMatcher(std::shared_ptr<const CompiledGrammar> grammar,
               std::shared_ptr<const TokenVocabulary> vocabulary);
  ~TokenMatcher();
  TokenMatcher(TokenMatcher&&) noexcept;
  TokenMatcher& operator=(TokenMatcher&&) noexcept;

  // bits: (vocab_size + 31) / 32 words (fewer words: the mask is truncated;
  // more: the extra words are cleared). Bit t set = token t may come next.
  // End-of-generation tokens are set only in an accepting state.
  void FillMask(std::span<uint32_t> bits);
  // Consumes `token`. False (state unchanged) when it is not allowed. An
  // end-of-generation token is allowed only when accepting, and ends matching.
  bool Advance(int32_t token);
  bool IsAccepting() const;
  // Accepting and no byte may follow (or an end-of-generation token was
  // consumed): the generator should stop.
  bool IsTerminated() const;
  // Bytes that are the only possible continuation (for fast-forward); may be empty.
  std::string ForcedBytes() const;
  // The shortest bytes that complete the document from here ("" when
  // accepting), found breadth-first over the automaton; nullopt when there is
  // none of at most max_bytes (or the search would visit too many states).
  // For a generator near the end of its token budget: finishing the document
  // with these keeps the answer valid instead of cutting it off.
  std::optional<std::string> ShortestCompletion(size_t max_bytes = 256) const;
  // A token that starts `completion` (from ShortestCompletion()): the longest
  // vocabulary piece that is a prefix of it; -1 when there is none.
  int32_t CompletionToken(std::string_view completion) const;

  int32_t vocab_size() const;

 private:
  struct State;
  std::shared_ptr<const CompiledGrammar> grammar_;
  std::shared_ptr<const TokenVocabulary> vocabulary_;
  std::unique_ptr<State> state_;
};

}  // namespace sluice::grammar
