#include "engine/generate/grammar_cache.h"

namespace sluice::engine {

StatusOr<std::shared_ptr<const grammar::CompiledGrammar>> GrammarCache::Get(
    const std::string& schema_json) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(schema_json);
    if (it != entries_.end()) {
      if (!it->second.status.ok()) return it->second.status;
      return it->second.grammar;
    }
  }
  grammar::CompileOptions options;
  options.max_whitespace = 1;
  auto compiled = grammar::CompileJsonSchema(schema_json, options, nullptr);
  Entry e;
  if (compiled.ok()) {
    e.grammar = *compiled;
  } else {
    e.status = compiled.status();
  }
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.emplace(schema_json, e);
  if (!e.status.ok()) return e.status;
  return e.grammar;
}

}  // namespace sluice::engine
