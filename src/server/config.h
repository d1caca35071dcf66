// Gateway configuration: defaults, then a TOML file, then environment
// variables, then command-line flags (the CLI applies those last).
//
//   [server]
//   listen = "127.0.0.1:8000"      # host:port; [::1]:8000 for IPv6
//   threads = 0                     # 0 = one per core
//   body_limit = 1048576            # bytes
//   max_connections = 10000         # open client connections; past it: 503
//   shutdown_grace_ms = 10000
//   default_model = "llama3.2"
//   tls_cert = "server.crt"         # PEM certificate chain: serve HTTPS (with tls_key)
//   tls_key = "server.key"          # PEM private key
//
//   [auth]
//   keys_db = "sluice-keys.db"      # default $SLUICE_KEYS_DB, else ./sluice-keys.db
//   master_key_env = "SLUICE_MASTER_KEY"  # guards /admin/keys; unset variable = admin API off
//   allow_unauthenticated = false   # needed to serve without keys on a non-loopback address
//
//   [limits]
//   max_concurrent = 1024           # global cap on requests in flight; past it 503
//   max_tokens = 0                  # largest max_tokens a request may ask for (0 = no cap)
//   redis_url = ""                  # "redis://host:port[/db]": share limits between instances
//   redis_fail_mode = "fail_open"   # or "fail_closed" (503 while Redis is unreachable)
//
//   [structured]                    # JSON answers from upstream models
//   guard = true                    # validate streams byte by byte; stop at the first bad byte
//   retries = 1                     # then re-ask with the error as feedback (0..5), where the
//                                   # client has not been sent the bad answer as final output
//
//   [providers.local]               # one table per upstream
//   kind = "ollama"                 # "ollama" | "openai" (vLLM, llama.cpp server, OpenAI)
//   base_url = "http://localhost:11434"
//   api_key_env = "OPENAI_API_KEY"  # name of the variable holding the key
//   connect_timeout_ms = 5000
//   first_token_timeout_ms = 60000
//   idle_timeout_ms = 30000
//   verify_tls = true
//
//   [providers.local-gguf]          # a GGUF model run in-process by the engine
//   kind = "embedded"
//   model = "models/qwen.gguf"      # a .gguf path or "ollama:NAME:TAG" (local Ollama store)
//   threads = 0                     # compute threads; 0 = hardware threads
//   parallel = 1                    # requests generated at once (threads split among them)
//   context = 0                     # per-request context; 0 = min(4096, the model's)
//   chat_template = ""              # override: chatml | llama3 | llama2 | mistral | phi3
//
//   [models."llama3.2"]             # public model name → provider + upstream name
//   provider = "local"
//   upstream = "llama3.2:latest"    # default: the public name
//   tokenizer = "llama3.json"       # optional: tokenizer.json or GGUF, for exact token
//                                   # counts (usage, limits) and /tokenize
//
//   [models."ollama/*"]             # a trailing * routes a whole prefix;
//   provider = "local"              # the upstream name is what the * matched
//
// With no file: one provider "ollama" at $OLLAMA_API_URL (default
// http://localhost:11434), model "llama3.2" and prefix "ollama/*" routed to it.
// Environment: SLUICE_LISTEN, SLUICE_DEFAULT_MODEL, SLUICE_BODY_LIMIT,
// SLUICE_THREADS, OLLAMA_API_URL (base URL of the default Ollama provider).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace sluice::server {

using std::chrono::milliseconds;

struct ProviderConfig {
  std::string name;
  std::string kind;  // "ollama" | "openai" | "embedded"
  std::string base_url;
  std::string api_key_env;  // "" = no key
  milliseconds connect_timeout{5000};
  milliseconds first_token_timeout{60000};
  milliseconds idle_timeout{30000};
  bool verify_tls = true;
  // kind "embedded"
  std::string model;          // .gguf path or "ollama:NAME:TAG"
  int threads = 0;            // 0 = hardware threads
  int parallel = 1;
  int32_t context = 0;        // 0 = min(4096, model context)
  std::string chat_template;  // "" = recognised from the model
};

struct ModelRoute {
  std::string name;            // public name; may end in '*' (prefix route)
  std::string provider;        // a ProviderConfig::name
  std::string upstream_model;  // "" = same as the public name (or the * match)
  std::string tokenizer;       // tokenizer.json or GGUF: exact counts, /tokenize ("" = none)
};

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8000;
  int threads = 0;
  size_t body_limit = 1 << 20;
  size_t max_connections = 10000;  // past it, new connections get 503
  milliseconds shutdown_grace{10000};
  std::string default_model;
  std::string tls_cert;  // PEM chain; with tls_key: serve HTTPS ("" = plain HTTP)
  std::string tls_key;
  std::vector<ProviderConfig> providers;
  std::vector<ModelRoute> models;

  // [auth]
  std::string keys_db;  // "" = $SLUICE_KEYS_DB or ./sluice-keys.db
  std::string master_key_env = "SLUICE_MASTER_KEY";
  bool allow_unauthenticated = false;
  // [limits]
  int64_t max_concurrent = 1024;
  int64_t max_tokens_cap = 0;
  std::string redis_url;
  std::string redis_fail_mode = "fail_open";
  // [structured]
  bool stream_guard = true;
  int structured_retries = 1;
};

// Looks up an environment variable; returns nullopt when unset. Injected so
// tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Builds the configuration from the TOML file at `path` (none when empty)
// and the environment. Errors (kInvalidArgument) name the file, key and problem.
StatusOr<Config> LoadConfig(const std::string& path, const EnvLookup& env);

// Parses "host:port", "[v6]:port" or ":port".
Status ParseListen(const std::string& text, std::string* host, uint16_t* port);

// Checks cross references (routes name existing providers, default model routable,
// URLs parse). LoadConfig calls it; the CLI calls it again after applying flags.
Status CheckConfig(const Config& config);

}  // namespace sluice::server
