// sluice: the command-line entry point.
//   sluice serve                  run the gateway
//   sluice keys create|list|revoke  manage API keys
//   sluice gguf info FILE         print a GGUF file's metadata and tensors
//   sluice gguf import MANIFEST OUT  write a GGUF from raw weights (tools/demo_model)
//   sluice tokenize --tokenizer FILE TEXT      text → token ids
//   sluice tokenizer train --vocab-size N --out tok.json corpus...
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "base/log.h"
#include "cli/bench_command.h"
#include "cli/grammar_command.h"
#include "cli/engine_commands.h"
#include "cli/gguf_import_command.h"
#include "cli/model_commands.h"
#include "gguf/gguf_info.h"
#include "server/config.h"
#include "server/security/keys_cli.h"
#include "server/server.h"
#include "tokenizer/tokenizer_cli.h"

namespace {

struct ServeFlags {
  std::string config_path, listen, model, keys_db, redis_url, redis_fail_mode, tls_cert, tls_key;
  int threads = -1;
  long long body_limit = 0, grace_ms = -1;
  bool allow_unauthenticated = false;
};

int Serve(const ServeFlags& f) {
  using namespace sluice;
  auto config = server::LoadConfig(f.config_path, server::ProcessEnv());
  if (!config.ok()) {
    std::cerr << "sluice: " << config.status().message() << "\n";
    return 2;
  }
  if (!f.listen.empty()) {
    Status s = server::ParseListen(f.listen, &config->listen_host, &config->listen_port);
    if (!s.ok()) {
      std::cerr << "sluice: --listen: " << s.message() << "\n";
      return 2;
    }
  }
  if (!f.model.empty()) config->default_model = f.model;
  if (f.threads >= 0) config->threads = f.threads;
  if (f.body_limit > 0) config->body_limit = static_cast<size_t>(f.body_limit);
  if (f.grace_ms >= 0) config->shutdown_grace = std::chrono::milliseconds(f.grace_ms);
  if (!f.keys_db.empty()) config->keys_db = f.keys_db;
  if (!f.redis_url.empty()) config->redis_url = f.redis_url;
  if (!f.redis_fail_mode.empty()) config->redis_fail_mode = f.redis_fail_mode;
  if (f.allow_unauthenticated) config->allow_unauthenticated = true;
  if (!f.tls_cert.empty()) config->tls_cert = f.tls_cert;
  if (!f.tls_key.empty()) config->tls_key = f.tls_key;
  if (Status s = server::CheckConfig(*config); !s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    return 2;
  }
  return server::RunServer(*config);
}

void AddServe(CLI::App& app, ServeFlags& f) {
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP gateway");
  serve->footer(
      "Endpoints: GET /health, GET /ready, GET /metrics, GET /v1/models,\n"
      "POST /v1/chat/completions, POST /generate/structured, POST /tokenize, POST /detokenize,\n"
      "/admin/keys (master key).\n"
      "Environment: SLUICE_CONFIG (same as --config), SLUICE_LISTEN, SLUICE_DEFAULT_MODEL,\n"
      "SLUICE_BODY_LIMIT, SLUICE_THREADS, SLUICE_LOG_LEVEL (debug|info|warn|error),\n"
      "SLUICE_KEYS_DB, SLUICE_MASTER_KEY (enables /admin/keys),\n"
      "OLLAMA_API_URL (base URL of the default Ollama provider; default http://localhost:11434).\n"
      "Flags override the environment, which overrides the config file.\n"
      "Timeouts (connect 5 s, first token 60 s, idle between tokens 30 s) are set per provider\n"
      "in the config file; see the README.");
  serve->add_option("-c,--config", f.config_path, "TOML configuration file")
      ->envname("SLUICE_CONFIG")
      ->check(CLI::ExistingFile);
  serve->add_option("-l,--listen", f.listen,
                    "Address to listen on, host:port (default 127.0.0.1:8000; port 0 = any free "
                    "port)");
  serve->add_option("-m,--default-model", f.model, "Model used when a request names none");
  serve->add_option("-t,--threads", f.threads, "I/O threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  serve->add_option("--body-limit", f.body_limit, "Largest request body in bytes (default 1048576)")
      ->check(CLI::PositiveNumber);
  serve->add_option("--shutdown-grace-ms", f.grace_ms,
                    "How long in-flight requests may run after SIGTERM (default 10000)")
      ->check(CLI::NonNegativeNumber);
  serve->add_option("--keys-db", f.keys_db,
                    "API key database (default $SLUICE_KEYS_DB, else ./sluice-keys.db); when it "
                    "holds keys, every model request needs one");
  serve->add_option("--redis", f.redis_url,
                    "Keep rate-limit counters in Redis (redis://host:port[/db]) so several "
                    "instances share them");
  serve->add_option("--redis-fail-mode", f.redis_fail_mode,
                    "When Redis is unreachable: fail_open (per-instance limits) or fail_closed "
                    "(503)")
      ->check(CLI::IsMember({"fail_open", "fail_closed"}));
  serve->add_flag("--allow-unauthenticated", f.allow_unauthenticated,
                  "Serve without API keys on a non-loopback address");
  serve->add_option("--tls-cert", f.tls_cert,
                    "Serve HTTPS with this PEM certificate chain (needs --tls-key)")
      ->check(CLI::ExistingFile);
  serve->add_option("--tls-key", f.tls_key, "PEM private key for --tls-cert")
      ->check(CLI::ExistingFile);
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* level = std::getenv("SLUICE_LOG_LEVEL")) {
    sluice::LogLevel l;
    if (sluice::ParseLogLevel(level, &l)) sluice::SetLogLevel(l);
  }
  CLI::App app{"sluice: a secure, structured, streaming LLM gateway"};
  app.require_subcommand(1);

  ServeFlags serve_flags;
  AddServe(app, serve_flags);

  // sluice keys ...
  CLI::App* keys = app.add_subcommand("keys", "Manage API keys (stored as SHA-256 hashes)");
  keys->require_subcommand(1);
  std::string db_flag;
  keys->add_option("--db", db_flag, "Key database (default $SLUICE_KEYS_DB, else ./sluice-keys.db)");
  sluice::security::KeysCreateArgs create_args;
  CLI::App* create = keys->add_subcommand("create", "Create a key and print it once");
  create->add_option("--name", create_args.name, "A name for the key (shown in logs and metrics)")
      ->required();
  create->add_option("--models", create_args.models, "Models the key may use (default: all)")
      ->delimiter(',');
  create->add_option("--rpm", create_args.rpm, "Requests per minute (0 = no limit)");
  create->add_option("--tpm", create_args.tpm, "Tokens per minute (0 = no limit)");
  create->add_option("--max-concurrent", create_args.max_concurrent,
                     "Requests in flight at once (0 = no limit)");
  create->add_option("--budget-tokens", create_args.budget_tokens, "Token budget per period");
  create->add_option("--budget-period", create_args.budget_period, "day or month")
      ->check(CLI::IsMember({"day", "month"}));
  create->add_option("--expires", create_args.expires,
                     "Expiry: YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM:SSZ");
  CLI::App* list = keys->add_subcommand("list", "List keys (never their secrets)");
  std::string revoke_id;
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key by id");
  revoke->add_option("id", revoke_id, "Key id (key_...)")->required();

  // sluice gguf info FILE
  CLI::App* gguf = app.add_subcommand("gguf", "Inspect GGUF files");
  gguf->require_subcommand(1);
  std::string gguf_path;
  CLI::App* gguf_info = gguf->add_subcommand("info", "Print metadata and the tensor table");
  gguf_info->add_option("file", gguf_path, "GGUF file")->required();
  sluice::cli::AddGgufImportCommand(*gguf);  // sluice gguf import MANIFEST OUT

  // sluice tokenize ...
  sluice::tokenizer::TokenizeCommandOptions tok_opts;
  std::string tok_text;
  bool no_parse_special = false;
  CLI::App* tokenize = app.add_subcommand("tokenize", "Print the token ids of TEXT");
  tokenize->add_option("--tokenizer", tok_opts.tokenizer_path, "tokenizer.json or GGUF file")
      ->required()
      ->check(CLI::ExistingFile);
  tokenize->add_flag("--add-special", tok_opts.add_special, "Add BOS/EOS as the model does");
  tokenize->add_flag("--no-parse-special", no_parse_special,
                     "Treat special-token text such as <|eot_id|> as plain text");
  tokenize->add_flag("--pieces", tok_opts.show_pieces, "Also print each token's text");
  tokenize->add_option("text", tok_text, "Text to tokenize")->required();

  // sluice tokenizer train ...
  sluice::tokenizer::TrainCommandOptions train_opts;
  CLI::App* tokenizer = app.add_subcommand("tokenizer", "Tokenizer tools");
  tokenizer->require_subcommand(1);
  CLI::App* train = tokenizer->add_subcommand("train", "Train a byte-level BPE tokenizer");
  train->add_option("--vocab-size", train_opts.vocab_size, "Vocabulary size (default 8192)")
      ->check(CLI::Range(256 + 1, 1 << 20));
  train->add_option("--out", train_opts.out_path, "tokenizer.json to write")->required();
  train->add_option("--special", train_opts.special_tokens, "A special token (repeatable)");
  train->add_option("--pre", train_opts.pre_tokenizer, "Pre-tokenizer: gpt2, llama3, qwen2, o200k")
      ->check(CLI::IsMember({"gpt2", "llama3", "qwen2", "o200k"}));
  train->add_option("--threads", train_opts.n_threads, "Threads for counting (default 2)")
      ->check(CLI::Range(1, 256));
  train->add_option("corpus", train_opts.corpus_paths, "Text files to train on")
      ->required()
      ->check(CLI::ExistingFile);

  AddModelCommands(app);  // sluice model random, sluice quantize
  AddEngineCommands(app);  // sluice generate, sluice embed
  AddBenchCommand(app);   // sluice bench
  AddGrammarCommand(app);  // sluice grammar check

  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("serve")) return Serve(serve_flags);
  if (*create) {
    create_args.db_path = db_flag;
    return sluice::security::RunKeysCreate(create_args, std::cout);
  }
  if (*list) return sluice::security::RunKeysList(db_flag, std::cout);
  if (*revoke) return sluice::security::RunKeysRevoke(db_flag, revoke_id, std::cout);
  if (*tokenize) {
    tok_opts.parse_special = !no_parse_special;
    return sluice::tokenizer::RunTokenizeCommand(tok_opts, tok_text, std::cout, std::cerr);
  }
  if (*train) return sluice::tokenizer::RunTrainCommand(train_opts, std::cout, std::cerr);
  if (*gguf_info) {
    sluice::Status s = sluice::gguf::PrintGgufInfo(gguf_path, std::cout);
    if (!s.ok()) {
      std::cerr << "sluice: " << s.message() << "\n";
      return 1;
    }
    return 0;
  }
  return 0;
}
