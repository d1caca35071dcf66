// KeyStore: API keys in a SQLite database file.
//
// Each key is stored as a row holding its SHA-256 hash (never the plaintext),
// a short public id ("key_" + 12 base62 characters, safe to log and show), a
// name, the models it may call (empty = all) and its limits. The file is
// opened in WAL mode with a busy timeout, so a running server and the
// `sluice keys` CLI can use it at the same time: a key created or revoked by
// the CLI takes effect on the server's next Authenticate (there is no cache).
// The schema version lives in PRAGMA user_version; Open migrates older files
// and refuses files written by a newer sluice. The table is kSchemaV1 in
// key_store.cpp.
//
// Thread-safety: a KeyStore is thread-safe. Calls are serialized on one
// connection; a lookup by hash is an indexed read of a few microseconds, so
// the server may call Authenticate on its I/O threads. Writes (Create,
// Revoke) wait at most the busy timeout (2 s) for another process's write.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/security/key_limits.h"

struct sqlite3;

namespace sluice::security {

using WallTime = std::chrono::sys_seconds;

// What `Create` needs. Model names must be non-empty and contain no comma.
struct KeySpec {
  std::string name;
  std::vector<std::string> models;  // empty: every model
  KeyLimits limits;
  std::optional<WallTime> expires_at;  // the key stops working at this instant
};

// A stored key, without its hash.
struct KeyRecord {
  std::string id;
  std::string name;
  std::vector<std::string> models;
  KeyLimits limits;
  std::optional<WallTime> expires_at;
  WallTime created_at;
  std::optional<WallTime> revoked_at;
};

struct CreatedKey {
  std::string id;
  std::string plaintext;  // shown once; the store keeps only its hash
};

class KeyStore {
 public:
  // Opens or creates the database at `path` (":memory:" for a private
  // in-memory store). kUnavailable if the file cannot be opened or migrated.
  static StatusOr<std::unique_ptr<KeyStore>> Open(const std::string& path);
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // Validates `spec` (kInvalidArgument), generates a key and stores its hash.
  StatusOr<CreatedKey> Create(const KeySpec& spec, WallTime now);

  // Every key, revoked and expired ones included, oldest first.
  StatusOr<std::vector<KeyRecord>> List();

  // Marks the key revoked at `now`. kNotFound for an unknown id; revoking a
  // revoked key is OK and keeps the first revocation time.
  Status Revoke(std::string_view id, WallTime now);

  // The record for a presented key, or kUnauthenticated: "malformed API key"
  // (bad format or checksum; no lookup is made), "invalid API key" (no such
  // key), "API key revoked", "API key expired" (at or after expires_at).
  StatusOr<KeyRecord> Authenticate(std::string_view presented_key, WallTime now);

  // True when the store holds any key, revoked or expired ones included: a
  // store that ever had keys never silently turns the server open.
  StatusOr<bool> HasAnyKeys();

 private:
  struct Statements;  // prepared once, finalized in the destructor

  explicit KeyStore(sqlite3* db);
  Status Migrate();
  Status Prepare();

  std::mutex mu_;
  sqlite3* db_;  // owned; closed in the destructor
  std::unique_ptr<Statements> stmts_;
};

// OK when `record` may call `model`; kPermissionDenied naming the model otherwise.
Status CheckModel(const KeyRecord& record, std::string_view model);

}  // namespace sluice::security
