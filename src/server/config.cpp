#include "server/config.h"

#include <cstdlib>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "net/url.h"

namespace sluice::server {

namespace {

constexpr const char* kDefaultOllamaUrl = "http://localhost:11434";
constexpr const char* kDefaultModel = "llama3.2";
constexpr const char* kDemoModel = "sluice-demo";

// The bundled demo model: $SLUICE_DEMO_MODEL, else models/sluice-demo.gguf in
// the source tree the binary was built from. "" when neither file exists.
std::string DemoModelPath(const EnvLookup& env) {
  // Set: that file ("" = no demo model); a missing file is the provider's error.
  if (auto v = env("SLUICE_DEMO_MODEL")) return *v;
#ifdef SLUICE_DEMO_MODEL_PATH
  if (std::FILE* f = std::fopen(SLUICE_DEMO_MODEL_PATH, "rb")) {
    std::fclose(f);
    return SLUICE_DEMO_MODEL_PATH;
  }
#endif
  return "";
}

Status ConfigError(const std::string& where, const std::string& what) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("config: {}: {}", where, what));
}

// The lab's OLLAMA_API_URL sometimes names an endpoint (".../api/generate");
// we need the server's base URL.
std::string OllamaBaseFromEnv(std::string url) {
  for (const char* suffix : {"/api/generate", "/api/chat", "/api"}) {
    std::string s(suffix);
    if (url.size() >= s.size() && url.compare(url.size() - s.size(), s.size(), s) == 0) {
      url.resize(url.size() - s.size());
      break;
    }
  }
  return url;
}

Status ReadMillis(const toml::table& t, const char* key, const std::string& where,
                  milliseconds* out) {
  if (const toml::node* n = t.get(key)) {
    auto v = n->value<int64_t>();
    if (!v || *v <= 0) return ConfigError(where + "." + key, "must be a positive integer (ms)");
    *out = milliseconds(*v);
  }
  return Status::Ok();
}

Status ReadString(const toml::table& t, const char* key, const std::string& where,
                  std::string* out) {
  if (const toml::node* n = t.get(key)) {
    auto v = n->value<std::string>();
    if (!v) return ConfigError(where + "." + key, "must be a string");
    *out = *v;
  }
  return Status::Ok();
}

Status ReadServer(const toml::table& root, Config* c) {
  const toml::node* node = root.get("server");
  if (node == nullptr) return Status::Ok();
  const toml::table* t = node->as_table();
  if (t == nullptr) return ConfigError("server", "must be a table");
  for (const auto& [k, v] : *t) {
    std::string key(k.str());
    if (key != "listen" && key != "threads" && key != "body_limit" && key != "max_connections" &&
        key != "shutdown_grace_ms" && key != "default_model" && key != "tls_cert" &&
        key != "tls_key") {
      return ConfigError("server." + key, "unknown key");
    }
  }
  std::string listen;
  SLUICE_RETURN_IF_ERROR(ReadString(*t, "listen", "server", &listen));
  if (!listen.empty()) SLUICE_RETURN_IF_ERROR(ParseListen(listen, &c->listen_host, &c->listen_port));
  if (const toml::node* n = t->get("threads")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 0 || *v > 256) return ConfigError("server.threads", "must be 0..256");
    c->threads = static_cast<int>(*v);
  }
  if (const toml::node* n = t->get("body_limit")) {
    auto v = n->value<int64_t>();
    if (!v || *v <= 0) return ConfigError("server.body_limit", "must be a positive integer (bytes)");
    c->body_limit = static_cast<size_t>(*v);
  }
  if (const toml::node* n = t->get("max_connections")) {
    auto v = n->value<int64_t>();
    if (!v || *v <= 0) return ConfigError("server.max_connections", "must be a positive integer");
    c->max_connections = static_cast<size_t>(*v);
  }
  SLUICE_RETURN_IF_ERROR(ReadMillis(*t, "shutdown_grace_ms", "server", &c->shutdown_grace));
  SLUICE_RETURN_IF_ERROR(ReadString(*t, "default_model", "server", &c->default_model));
  SLUICE_RETURN_IF_ERROR(ReadString(*t, "tls_cert", "server", &c->tls_cert));
  SLUICE_RETURN_IF_ERROR(ReadString(*t, "tls_key", "server", &c->tls_key));
  return Status::Ok();
}

Status CheckKeys(const toml::table& t, const std::string& where,
                 std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : t) {
    bool ok = false;
    for (std::string_view name : known) ok = ok || k.str() == name;
    if (!ok) return ConfigError(where + "." + std::string(k.str()), "unknown key");
  }
  return Status::Ok();
}

Status ReadStructured(const toml::table& root, Config* c) {
  const toml::node* node = root.get("structured");
  if (node == nullptr) return Status::Ok();
  const toml::table* t = node->as_table();
  if (t == nullptr) return ConfigError("structured", "must be a table");
  SLUICE_RETURN_IF_ERROR(CheckKeys(*t, "structured", {"guard", "retries"}));
  if (const toml::node* n = t->get("guard")) {
    auto b = n->value<bool>();
    if (!b) return ConfigError("structured.guard", "must be a boolean");
    c->stream_guard = *b;
  }
  if (const toml::node* n = t->get("retries")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 0 || *v > 5) return ConfigError("structured.retries", "must be 0..5");
    c->structured_retries = static_cast<int>(*v);
  }
  return Status::Ok();
}

Status ReadAuthAndLimits(const toml::table& root, Config* c) {
  if (const toml::node* node = root.get("auth")) {
    const toml::table* t = node->as_table();
    if (t == nullptr) return ConfigError("auth", "must be a table");
    SLUICE_RETURN_IF_ERROR(
        CheckKeys(*t, "auth", {"keys_db", "master_key_env", "allow_unauthenticated"}));
    SLUICE_RETURN_IF_ERROR(ReadString(*t, "keys_db", "auth", &c->keys_db));
    SLUICE_RETURN_IF_ERROR(ReadString(*t, "master_key_env", "auth", &c->master_key_env));
    if (const toml::node* n = t->get("allow_unauthenticated")) {
      auto b = n->value<bool>();
      if (!b) return ConfigError("auth.allow_unauthenticated", "must be a boolean");
      c->allow_unauthenticated = *b;
    }
  }
  if (const toml::node* node = root.get("limits")) {
    const toml::table* t = node->as_table();
    if (t == nullptr) return ConfigError("limits", "must be a table");
    SLUICE_RETURN_IF_ERROR(CheckKeys(
        *t, "limits", {"max_concurrent", "max_tokens", "redis_url", "redis_fail_mode"}));
    for (auto [key, out] : {std::pair{"max_concurrent", &c->max_concurrent},
                            std::pair{"max_tokens", &c->max_tokens_cap}}) {
      if (const toml::node* n = t->get(key)) {
        auto v = n->value<int64_t>();
        if (!v || *v < 0) {
          return ConfigError(std::string("limits.") + key, "must be a non-negative integer");
        }
        *out = *v;
      }
    }
    SLUICE_RETURN_IF_ERROR(ReadString(*t, "redis_url", "limits", &c->redis_url));
    SLUICE_RETURN_IF_ERROR(ReadString(*t, "redis_fail_mode", "limits", &c->redis_fail_mode));
    if (c->redis_fail_mode != "fail_open" && c->redis_fail_mode != "fail_closed") {
      return ConfigError("limits.redis_fail_mode", "must be \"fail_open\" or \"fail_closed\"");
    }
  }
  return Status::Ok();
}

// The keys of a kind = "embedded" provider (no base_url; a model instead).
Status ReadEmbedded(const toml::table& p, const std::string& where, ProviderConfig* pc) {
  for (const char* key : {"base_url", "api_key_env", "connect_timeout_ms",
                          "first_token_timeout_ms", "idle_timeout_ms", "verify_tls"}) {
    if (p.contains(key)) {
      return ConfigError(where + "." + key, "does not apply to kind = \"embedded\"");
    }
  }
  SLUICE_RETURN_IF_ERROR(ReadString(p, "model", where, &pc->model));
  if (pc->model.empty()) {
    return ConfigError(where + ".model", "is required (a .gguf path or \"ollama:NAME:TAG\")");
  }
  struct IntKey {
    const char* key;
    int64_t lo, hi;
    int64_t* out;
  };
  int64_t threads = 0, parallel = 1, context = 0;
  for (const IntKey& k : {IntKey{"threads", 0, 1024, &threads}, IntKey{"parallel", 1, 256, &parallel},
                          IntKey{"context", 0, 1 << 24, &context}}) {
    if (const toml::node* n = p.get(k.key)) {
      auto v = n->value<int64_t>();
      if (!v || *v < k.lo || *v > k.hi) {
        return ConfigError(where + "." + k.key, fmt::format("must be an integer {}..{}", k.lo, k.hi));
      }
      *k.out = *v;
    }
  }
  pc->threads = static_cast<int>(threads);
  pc->parallel = static_cast<int>(parallel);
  pc->context = static_cast<int32_t>(context);
  SLUICE_RETURN_IF_ERROR(ReadString(p, "chat_template", where, &pc->chat_template));
  const std::string& t = pc->chat_template;
  if (!t.empty() && t != "chatml" && t != "llama3" && t != "llama2" && t != "mistral" &&
      t != "phi3") {
    return ConfigError(where + ".chat_template",
                       fmt::format("'{}' is not one of chatml, llama3, llama2, mistral, phi3", t));
  }
  return Status::Ok();
}

Status ReadProviders(const toml::table& root, Config* c) {
  const toml::node* node = root.get("providers");
  if (node == nullptr) return Status::Ok();
  const toml::table* t = node->as_table();
  if (t == nullptr) return ConfigError("providers", "must be a table of tables");
  for (const auto& [k, v] : *t) {
    std::string where = fmt::format("providers.{}", k.str());
    const toml::table* p = v.as_table();
    if (p == nullptr) return ConfigError(where, "must be a table");
    ProviderConfig pc;
    pc.name = std::string(k.str());
    for (const auto& [pk, pv] : *p) {
      std::string key(pk.str());
      if (key != "kind" && key != "base_url" && key != "api_key_env" &&
          key != "connect_timeout_ms" && key != "first_token_timeout_ms" &&
          key != "idle_timeout_ms" && key != "verify_tls" && key != "model" && key != "threads" &&
          key != "parallel" && key != "context" && key != "chat_template") {
        return ConfigError(where + "." + key, "unknown key");
      }
    }
    SLUICE_RETURN_IF_ERROR(ReadString(*p, "kind", where, &pc.kind));
    if (pc.kind == "embedded") {
      SLUICE_RETURN_IF_ERROR(ReadEmbedded(*p, where, &pc));
      c->providers.push_back(std::move(pc));
      continue;
    }
    for (const char* key : {"model", "threads", "parallel", "context", "chat_template"}) {
      if (p->contains(key)) {
        return ConfigError(where + "." + key, "applies to kind = \"embedded\" only");
      }
    }
    SLUICE_RETURN_IF_ERROR(ReadString(*p, "base_url", where, &pc.base_url));
    SLUICE_RETURN_IF_ERROR(ReadString(*p, "api_key_env", where, &pc.api_key_env));
    SLUICE_RETURN_IF_ERROR(ReadMillis(*p, "connect_timeout_ms", where, &pc.connect_timeout));
    SLUICE_RETURN_IF_ERROR(ReadMillis(*p, "first_token_timeout_ms", where, &pc.first_token_timeout));
    SLUICE_RETURN_IF_ERROR(ReadMillis(*p, "idle_timeout_ms", where, &pc.idle_timeout));
    if (const toml::node* n = p->get("verify_tls")) {
      auto b = n->value<bool>();
      if (!b) return ConfigError(where + ".verify_tls", "must be a boolean");
      pc.verify_tls = *b;
    }
    if (pc.kind.empty()) {
      return ConfigError(where + ".kind", "is required (ollama, openai or embedded)");
    }
    if (pc.base_url.empty()) return ConfigError(where + ".base_url", "is required");
    c->providers.push_back(std::move(pc));
  }
  return Status::Ok();
}

Status ReadModels(const toml::table& root, Config* c) {
  const toml::node* node = root.get("models");
  if (node == nullptr) return Status::Ok();
  const toml::table* t = node->as_table();
  if (t == nullptr) return ConfigError("models", "must be a table of tables");
  for (const auto& [k, v] : *t) {
    std::string where = fmt::format("models.\"{}\"", k.str());
    const toml::table* m = v.as_table();
    if (m == nullptr) return ConfigError(where, "must be a table");
    ModelRoute r;
    r.name = std::string(k.str());
    SLUICE_RETURN_IF_ERROR(ReadString(*m, "provider", where, &r.provider));
    SLUICE_RETURN_IF_ERROR(ReadString(*m, "upstream", where, &r.upstream_model));
    SLUICE_RETURN_IF_ERROR(ReadString(*m, "tokenizer", where, &r.tokenizer));
    if (r.provider.empty()) return ConfigError(where + ".provider", "is required");
    c->models.push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Status ParseListen(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return ConfigError("listen", fmt::format("'{}' is not host:port", text));
  }
  std::string h = text.substr(0, colon);
  std::string p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "127.0.0.1";
  char* end = nullptr;
  long n = std::strtol(p.c_str(), &end, 10);
  if (p.empty() || *end != '\0' || n < 0 || n > 65535) {
    return ConfigError("listen", fmt::format("'{}' has no valid port", text));
  }
  *host = h;
  *port = static_cast<uint16_t>(n);
  return Status::Ok();
}

Status CheckConfig(const Config& c) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return ConfigError(c.tls_cert.empty() ? "tls_cert" : "tls_key",
                       "HTTPS needs both tls_cert and tls_key");
  }
  if (c.providers.empty()) return ConfigError("providers", "no provider configured");
  for (const ProviderConfig& p : c.providers) {
    if (p.kind == "embedded") continue;  // its model is checked when the router loads it
    if (p.kind != "ollama" && p.kind != "openai") {
      return ConfigError("providers." + p.name + ".kind",
                         fmt::format("'{}' is not a known kind (ollama, openai, embedded)", p.kind));
    }
    auto url = net::ParseBaseUrl(p.base_url);
    if (!url.ok()) return ConfigError("providers." + p.name + ".base_url", url.status().message());
  }
  for (const ModelRoute& r : c.models) {
    bool found = false;
    for (const ProviderConfig& p : c.providers) found = found || p.name == r.provider;
    if (!found) {
      return ConfigError("models.\"" + r.name + "\".provider",
                         fmt::format("no provider named '{}'", r.provider));
    }
  }
  if (c.models.empty()) return ConfigError("models", "no model routed");
  return Status::Ok();
}

StatusOr<Config> LoadConfig(const std::string& path, const EnvLookup& env) {
  Config c;
  if (!path.empty()) {
    toml::table root;
    try {
      root = toml::parse_file(path);
    } catch (const toml::parse_error& err) {  // toml++ reports syntax errors by exception
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("config: {}:{}:{}: {}", path, err.source().begin.line,
                                err.source().begin.column, err.description()));
    }
    for (const auto& [k, v] : root) {
      std::string key(k.str());
      if (key != "server" && key != "providers" && key != "models" && key != "auth" &&
          key != "limits" && key != "structured") {
        return ConfigError(
            key, "unknown section (server, auth, limits, structured, providers, models)");
      }
    }
    SLUICE_RETURN_IF_ERROR(ReadServer(root, &c));
    SLUICE_RETURN_IF_ERROR(ReadProviders(root, &c));
    SLUICE_RETURN_IF_ERROR(ReadModels(root, &c));
    SLUICE_RETURN_IF_ERROR(ReadAuthAndLimits(root, &c));
    SLUICE_RETURN_IF_ERROR(ReadStructured(root, &c));
  }

  std::optional<std::string> ollama_url = env("OLLAMA_API_URL");
  if (c.providers.empty()) {
    // No providers configured: a local Ollama (the default model when
    // OLLAMA_API_URL names one), and the bundled demo model on the embedded
    // engine (the default model otherwise).
    ProviderConfig ollama;
    ollama.name = "ollama";
    ollama.kind = "ollama";
    ollama.base_url = ollama_url ? OllamaBaseFromEnv(*ollama_url) : kDefaultOllamaUrl;
    std::string demo_path = DemoModelPath(env);
    const bool demo_first = !ollama_url && !demo_path.empty();
    if (!demo_first) c.providers.push_back(ollama);
    if (!demo_path.empty()) {
      ProviderConfig demo;
      demo.name = "demo";
      demo.kind = "embedded";
      demo.model = demo_path;
      c.providers.push_back(demo);
    }
    if (demo_first) c.providers.push_back(ollama);
    if (c.models.empty()) {
      std::string model = env("SLUICE_DEFAULT_MODEL").value_or(
          c.default_model.empty() ? (demo_first ? kDemoModel : kDefaultModel) : c.default_model);
      if (!demo_path.empty()) c.models.push_back({kDemoModel, "demo", "", ""});
      if (model != kDemoModel) c.models.push_back({model, "ollama", "", ""});
      if (model != kDefaultModel) c.models.push_back({kDefaultModel, "ollama", "", ""});
      c.models.push_back({"ollama/*", "ollama", "", ""});
      if (c.default_model.empty()) c.default_model = model;
    }
  }
  if (c.models.empty()) {
    const std::string& provider = c.providers.front().name;
    std::string model = env("SLUICE_DEFAULT_MODEL").value_or(
        c.default_model.empty() ? kDefaultModel : c.default_model);
    c.models.push_back({model, provider, "", ""});
    c.models.push_back({c.providers.front().kind + "/*", provider, "", ""});
  }
  if (auto v = env("SLUICE_DEFAULT_MODEL")) c.default_model = *v;
  if (c.default_model.empty()) c.default_model = c.models.front().name;
  if (auto v = env("SLUICE_LISTEN")) {
    SLUICE_RETURN_IF_ERROR(ParseListen(*v, &c.listen_host, &c.listen_port));
  }
  if (auto v = env("SLUICE_BODY_LIMIT")) {
    char* end = nullptr;
    long long n = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || n <= 0) {
      return ConfigError("SLUICE_BODY_LIMIT", "must be a positive integer (bytes)");
    }
    c.body_limit = static_cast<size_t>(n);
  }
  if (auto v = env("SLUICE_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || n < 0 || n > 256) {
      return ConfigError("SLUICE_THREADS", "must be 0..256");
    }
    c.threads = static_cast<int>(n);
  }
  SLUICE_RETURN_IF_ERROR(CheckConfig(c));
  return c;
}

}  // namespace sluice::server
