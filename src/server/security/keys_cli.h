// `sluice keys create|list|revoke`: the key-management subcommands, as plain
// functions the CLI wires to its flags. Each opens the key store, does one
// thing, writes human-readable output to `out` and problems to `err`, and
// returns a process exit code (0 success, 1 failure, 2 bad arguments).
//
// The database is `db_path` when set, else $SLUICE_KEYS_DB when set, else
// "sluice-keys.db" in the working directory (ResolveKeysDbPath); the server
// resolves its path the same way so both meet on one file by default.
#pragma once

#include <cstdint>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/security/key_store.h"

namespace sluice::security {

inline constexpr const char* kDefaultKeysDb = "sluice-keys.db";

// `flag` if non-empty, else $SLUICE_KEYS_DB if set and non-empty, else kDefaultKeysDb.
std::string ResolveKeysDbPath(std::string_view flag);

// "2026-12-31" (00:00:00 UTC that day) or "2026-12-31T18:00:00Z".
StatusOr<WallTime> ParseExpiry(std::string_view text);

struct KeysCreateArgs {
  std::string db_path;              // --db (see ResolveKeysDbPath)
  std::string name;                 // --name, required
  std::vector<std::string> models;  // --models a,b (elements may hold commas; split here)
  int64_t rpm = 0;                  // --rpm
  int64_t tpm = 0;                  // --tpm
  int64_t max_concurrent = 0;       // --max-concurrent
  int64_t budget_tokens = 0;        // --budget-tokens
  std::string budget_period;        // --budget-period day|month
  std::string expires;              // --expires DATE (see ParseExpiry)
};

// Creates a key and prints its id and the plaintext key, once.
int RunKeysCreate(const KeysCreateArgs& args, std::ostream& out, std::ostream& err = std::cerr);

// Prints a table of every key (id, name, models, limits, expiry, state); never hashes.
int RunKeysList(const std::string& db_path, std::ostream& out, std::ostream& err = std::cerr);

// Revokes the key with public id `id`.
int RunKeysRevoke(const std::string& db_path, const std::string& id, std::ostream& out,
                  std::ostream& err = std::cerr);

}  // namespace sluice::security
