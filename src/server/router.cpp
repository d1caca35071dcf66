#include "server/router.h"

#include <fmt/format.h>

#include "base/log.h"
#include "providers/embedded_provider.h"
#include "providers/http_provider.h"
#include "tokenizer/tokenizer_gguf.h"

namespace sluice::server {

StatusOr<std::unique_ptr<Router>> Router::Build(const Config& config) {
  auto router = std::make_unique<Router>();
  for (const ProviderConfig& pc : config.providers) {
    if (pc.kind == "embedded") {
      providers::EmbeddedProviderConfig ec;
      ec.name = pc.name;
      ec.model = pc.model;
      ec.threads = pc.threads;
      ec.parallel = pc.parallel;
      ec.context = pc.context;
      ec.chat_template = pc.chat_template;
      auto embedded = providers::MakeEmbeddedProvider(ec);
      if (!embedded.ok()) return embedded.status();
      router->providers_.push_back(std::move(embedded).value());
      continue;
    }
    auto url = net::ParseBaseUrl(pc.base_url);
    if (!url.ok()) return url.status();
    providers::HttpProviderConfig hc;
    hc.name = pc.name;
    hc.kind = pc.kind == "ollama" ? providers::UpstreamKind::kOllama
                                  : providers::UpstreamKind::kOpenAI;
    hc.base = *url;
    hc.timeouts = {pc.connect_timeout, pc.first_token_timeout, pc.idle_timeout};
    hc.verify_tls = pc.verify_tls;
    if (!pc.api_key_env.empty()) {
      const char* key = std::getenv(pc.api_key_env.c_str());
      if (key == nullptr || *key == '\0') {
        Log(LogLevel::kWarn, "provider API key variable is not set",
            {{"provider", pc.name}, {"variable", pc.api_key_env}});
      } else {
        hc.api_key = key;
      }
    }
    if (!pc.verify_tls) {
      Log(LogLevel::kWarn, "TLS certificate verification is disabled", {{"provider", pc.name}});
    }
    router->providers_.push_back(providers::MakeHttpProvider(std::move(hc)));
  }
  for (const ModelRoute& r : config.models) {
    providers::Provider* p = nullptr;
    for (const auto& prov : router->providers_) {
      if (prov->name() == r.provider) p = prov.get();
    }
    if (p == nullptr) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("model '{}' names unknown provider '{}'", r.name, r.provider));
    }
    std::shared_ptr<const tokenizer::Tokenizer> tok;
    if (!r.tokenizer.empty()) {
      auto loaded = tokenizer::LoadTokenizerFile(r.tokenizer);
      if (!loaded.ok()) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("model '{}': tokenizer {}: {}", r.name, r.tokenizer,
                                  loaded.status().message()));
      }
      tok = std::move(loaded).value();
    } else if (auto* embedded = dynamic_cast<providers::EmbeddedProvider*>(p)) {
      tok = embedded->tokenizer();  // the model's own
    }
    router->entries_.push_back({r, p, std::move(tok)});
  }
  router->default_model_ = config.default_model;
  if (!router->Resolve("").ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("default model '{}' is not routed to any provider",
                              config.default_model));
  }
  return router;
}

StatusOr<Route> Router::Resolve(const std::string& requested) const {
  const std::string& model = requested.empty() ? default_model_ : requested;
  const Entry* best = nullptr;
  size_t best_prefix = 0;
  for (const Entry& e : entries_) {
    const std::string& name = e.route.name;
    if (!name.empty() && name.back() == '*') {
      std::string_view prefix(name.data(), name.size() - 1);
      if (model.size() > prefix.size() && model.compare(0, prefix.size(), prefix) == 0 &&
          (best == nullptr || (best_prefix > 0 && prefix.size() > best_prefix))) {
        best = &e;
        best_prefix = prefix.size();
      }
    } else if (name == model) {
      best = &e;
      best_prefix = 0;
      break;
    }
  }
  if (best == nullptr) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("The model '{}' does not exist or is not routed by this gateway",
                              model));
  }
  Route r;
  r.public_model = model;
  r.provider = best->provider;
  r.tokenizer = best->tokenizer;
  if (best_prefix > 0) {
    r.upstream_model = model.substr(best_prefix);
  } else {
    r.upstream_model = best->route.upstream_model.empty() ? model : best->route.upstream_model;
  }
  return r;
}

std::vector<std::string> Router::ModelNames() const {
  std::vector<std::string> names;
  for (const Entry& e : entries_) {
    if (e.route.name.empty() || e.route.name.back() != '*') names.push_back(e.route.name);
  }
  return names;
}

}  // namespace sluice::server
