// CompiledGrammar: the automaton of one schema plus the token-mask caches of
// every vocabulary it has been used with (token_matcher.cpp fills them).
#pragma once

#include <memory>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/internal/automaton.h"

namespace sluice::grammar {

class TokenVocabulary;
namespace internal {
struct MaskCache;  // token_matcher.cpp
}

class CompiledGrammar {
 public:
  explicit CompiledGrammar(internal::Nfa nfa) : automaton_(std::move(nfa)) {}
  const internal::Automaton& automaton() const { return automaton_; }

  // The mask cache for `vocab`; requires automaton().Lock().
  internal::MaskCache& MaskCacheFor(const std::shared_ptr<const TokenVocabulary>& vocab) const;

 private:
  internal::Automaton automaton_;
  mutable std::vector<std::pair<std::weak_ptr<const TokenVocabulary>, std::shared_ptr<internal::MaskCache>>> caches_;
};

}  // namespace sluice::grammar
