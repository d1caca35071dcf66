// sluice: the command-line entry point. `sluice serve` runs the gateway.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "base/log.h"
#include "server/config.h"
#include "server/server.h"

namespace {

int Serve(const std::string& config_path, const std::string& listen, const std::string& model,
          int threads, long long body_limit, long long grace_ms) {
  using namespace sluice;
  auto config = server::LoadConfig(config_path, server::ProcessEnv());
  if (!config.ok()) {
    std::cerr << "sluice: " << config.status().message() << "\n";
    return 2;
  }
  if (!listen.empty()) {
    Status s = server::ParseListen(listen, &config->listen_host, &config->listen_port);
    if (!s.ok()) {
      std::cerr << "sluice: --listen: " << s.message() << "\n";
      return 2;
    }
  }
  if (!model.empty()) config->default_model = model;
  if (threads >= 0) config->threads = threads;
  if (body_limit > 0) config->body_limit = static_cast<size_t>(body_limit);
  if (grace_ms >= 0) config->shutdown_grace = std::chrono::milliseconds(grace_ms);
  return server::RunServer(*config);
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* level = std::getenv("SLUICE_LOG_LEVEL")) {
    sluice::LogLevel l;
    if (sluice::ParseLogLevel(level, &l)) sluice::SetLogLevel(l);
  }
  CLI::App app{"sluice: a secure, structured, streaming LLM gateway"};
  app.require_subcommand(1);

  std::string config_path, listen, model;
  int threads = -1;
  long long body_limit = 0, grace_ms = -1;
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP gateway");
  serve->footer(
      "Endpoints: GET /health, GET /ready, GET /v1/models, POST /v1/chat/completions,\n"
      "POST /generate/structured.\n"
      "Environment: SLUICE_CONFIG (same as --config), SLUICE_LISTEN, SLUICE_DEFAULT_MODEL,\n"
      "SLUICE_BODY_LIMIT, SLUICE_THREADS, SLUICE_LOG_LEVEL (debug|info|warn|error),\n"
      "OLLAMA_API_URL (base URL of the default Ollama provider; default http://localhost:11434).\n"
      "Flags override the environment, which overrides the config file.\n"
      "Timeouts (connect 5 s, first token 60 s, idle between tokens 30 s) are set per provider\n"
      "in the config file; see the README.");
  serve->add_option("-c,--config", config_path, "TOML configuration file")
      ->envname("SLUICE_CONFIG")
      ->check(CLI::ExistingFile);
  serve->add_option("-l,--listen", listen, "Address to listen on, host:port (default 127.0.0.1:8000; port 0 = any free port)");
  serve->add_option("-m,--default-model", model, "Model used when a request names none");
  serve->add_option("-t,--threads", threads, "I/O threads (default: one per core)")->check(CLI::Range(0, 256));
  serve->add_option("--body-limit", body_limit, "Largest request body in bytes (default 1048576)")
      ->check(CLI::PositiveNumber);
  serve->add_option("--shutdown-grace-ms", grace_ms,
                    "How long in-flight requests may run after SIGTERM (default 10000)")
      ->check(CLI::NonNegativeNumber);

  CLI11_PARSE(app, argc, argv);
  if (*serve) return Serve(config_path, listen, model, threads, body_limit, grace_ms);
  return 0;
}
