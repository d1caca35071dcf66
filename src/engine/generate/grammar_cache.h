// GrammarCache: compiled JSON-Schema grammars keyed by the schema's text, so a
// schema sent with every request is compiled once. Failures are cached too
// (the same bad schema fails fast). Bounded: when full, it starts over.
// Thread-safe; compilation runs on the calling thread (a compute thread)
// outside the lock.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"
#include "grammar/grammar.h"

namespace sluice::engine {

class GrammarCache {
 public:
  explicit GrammarCache(size_t capacity = 64) : capacity_(capacity) {}

  // The grammar of `schema_json` for generation (no additional properties
  // unless the schema allows them, at most one whitespace between tokens).
  StatusOr<std::shared_ptr<const grammar::CompiledGrammar>> Get(const std::string& schema_json);

 private:
  struct Entry {
    Status status;
    std::shared_ptr<const grammar::CompiledGrammar> grammar;
  };
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sluice::engine
