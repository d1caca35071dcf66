// Router: maps a public model name to the provider that serves it and the
// name the upstream knows it by. Built once from the Config; immutable and
// thread-safe afterwards. Owns the providers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "providers/provider.h"
#include "server/config.h"
#include "tokenizer/tokenizer.h"

namespace sluice::server {

struct Route {
  std::string public_model;    // the name the client sees in responses
  providers::Provider* provider = nullptr;  // owned by the Router
  std::string upstream_model;
  // The model's tokenizer when configured (immutable, shared), else null.
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
};

class Router {
 public:
  // Creates one provider per ProviderConfig and loads each model's tokenizer
  // (a file that does not load is an error naming the model). Missing API-key
  // variables are logged as warnings (some OpenAI-compatible servers need no key).
  static StatusOr<std::unique_ptr<Router>> Build(const Config& config);

  // "" means the default model. Exact names win over prefix ("ollama/*")
  // routes; the longest prefix wins. Unknown → kNotFound.
  StatusOr<Route> Resolve(const std::string& model) const;

  // Names of the exact (non-prefix) routes, in configuration order.
  std::vector<std::string> ModelNames() const;

  const std::vector<std::unique_ptr<providers::Provider>>& providers() const { return providers_; }

 private:
  struct Entry {
    ModelRoute route;
    providers::Provider* provider;
    std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
  };
  std::vector<std::unique_ptr<providers::Provider>> providers_;
  std::vector<Entry> entries_;
  std::string default_model_;
};

}  // namespace sluice::server
