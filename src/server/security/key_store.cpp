#include "server/security/key_store.h"

#include <sqlite3.h>

#include <algorithm>

#include "server/security/api_key.h"

namespace sluice::security {
namespace {

constexpr int kSchemaVersion = 1;
constexpr size_t kIdRandomLength = 12;

// Times are Unix seconds (UTC). models is a comma-joined list ('' = all).
// budget_period is '', 'day' or 'month'.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE api_keys (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  key_hash       TEXT NOT NULL UNIQUE,
  models         TEXT NOT NULL DEFAULT '',
  rpm            INTEGER NOT NULL DEFAULT 0,
  tpm            INTEGER NOT NULL DEFAULT 0,
  max_concurrent INTEGER NOT NULL DEFAULT 0,
  budget_tokens  INTEGER NOT NULL DEFAULT 0,
  budget_period  TEXT NOT NULL DEFAULT '',
  expires_at     INTEGER,
  created_at     INTEGER NOT NULL,
  revoked_at     INTEGER
);
PRAGMA user_version = 1;
)sql";

constexpr const char* kColumns =
    "id, name, models, rpm, tpm, max_concurrent, budget_tokens, budget_period, "
    "expires_at, created_at, revoked_at";

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status(ErrorCode::kUnavailable,
                std::string("key store: ") + std::string(what) + ": " + sqlite3_errmsg(db));
}

// Finalizes on destruction; sqlite3_finalize(nullptr) is a no-op.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

// Resets and clears bindings when the scope ends, whatever path it takes.
class StmtScope {
 public:
  explicit StmtScope(sqlite3_stmt* s) : s_(s) {}
  ~StmtScope() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  StmtScope(const StmtScope&) = delete;
  StmtScope& operator=(const StmtScope&) = delete;

 private:
  sqlite3_stmt* s_;
};

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void BindOptionalTime(sqlite3_stmt* s, int i, const std::optional<WallTime>& t) {
  if (t) {
    sqlite3_bind_int64(s, i, t->time_since_epoch().count());
  } else {
    sqlite3_bind_null(s, i);
  }
}

std::string ColumnText(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
}

std::optional<WallTime> ColumnOptionalTime(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return WallTime(std::chrono::seconds(sqlite3_column_int64(s, i)));
}

std::vector<std::string> SplitModels(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    out.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string JoinModels(const std::vector<std::string>& models) {
  std::string out;
  for (const auto& m : models) {
    if (!out.empty()) out += ',';
    out += m;
  }
  return out;
}

// Reads a row selected with kColumns.
KeyRecord ReadRecord(sqlite3_stmt* s) {
  KeyRecord r;
  r.id = ColumnText(s, 0);
  r.name = ColumnText(s, 1);
  r.models = SplitModels(ColumnText(s, 2));
  r.limits.rpm = sqlite3_column_int64(s, 3);
  r.limits.tpm = sqlite3_column_int64(s, 4);
  r.limits.max_concurrent = sqlite3_column_int64(s, 5);
  r.limits.budget_tokens = sqlite3_column_int64(s, 6);
  r.limits.budget_period = ParseBudgetPeriod(ColumnText(s, 7)).value_or(BudgetPeriod::kNone);
  r.expires_at = ColumnOptionalTime(s, 8);
  r.created_at = WallTime(std::chrono::seconds(sqlite3_column_int64(s, 9)));
  r.revoked_at = ColumnOptionalTime(s, 10);
  return r;
}

Status ValidateSpec(const KeySpec& spec) {
  auto invalid = [](std::string msg) { return Status(ErrorCode::kInvalidArgument, std::move(msg)); };
  if (spec.name.empty()) return invalid("key name must not be empty");
  for (const auto& m : spec.models) {
    if (m.empty() || m.find(',') != std::string::npos) {
      return invalid("model names must be non-empty and contain no comma");
    }
  }
  const KeyLimits& l = spec.limits;
  if (l.rpm < 0 || l.tpm < 0 || l.max_concurrent < 0 || l.budget_tokens < 0) {
    return invalid("limits must not be negative");
  }
  if (l.budget_tokens > 0 && l.budget_period == BudgetPeriod::kNone) {
    return invalid("a token budget needs a budget period (day or month)");
  }
  if (l.budget_tokens == 0 && l.budget_period != BudgetPeriod::kNone) {
    return invalid("a budget period needs a token budget");
  }
  return Status::Ok();
}

}  // namespace

const char* BudgetPeriodName(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::kNone: return "";
    case BudgetPeriod::kDay: return "day";
    case BudgetPeriod::kMonth: return "month";
  }
  return "";
}

std::optional<BudgetPeriod> ParseBudgetPeriod(std::string_view name) {
  if (name == "day") return BudgetPeriod::kDay;
  if (name == "month") return BudgetPeriod::kMonth;
  if (name.empty()) return BudgetPeriod::kNone;
  return std::nullopt;
}

struct KeyStore::Statements {
  Stmt insert, list, revoke, exists, by_hash, any;
};

StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  std::unique_ptr<KeyStore> store(new KeyStore(db));  // owns db even when open failed
  if (rc != SQLITE_OK) return SqliteError(db, "open " + path);
  sqlite3_busy_timeout(db, 2000);
  SLUICE_RETURN_IF_ERROR(store->Migrate());
  SLUICE_RETURN_IF_ERROR(store->Prepare());
  return store;
}

KeyStore::KeyStore(sqlite3* db) : db_(db) {}

KeyStore::~KeyStore() {
  stmts_.reset();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

Status KeyStore::Migrate() {
  // WAL lets readers (the server) run while a writer (the CLI) commits.
  if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr,
                   nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "enable WAL");
  }
  // BEGIN IMMEDIATE takes the write lock before reading user_version, so two
  // processes creating the same new file do not both run the migration.
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "begin migration");
  }
  Stmt version;
  int v = -1;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &version.s, nullptr) == SQLITE_OK &&
      sqlite3_step(version.s) == SQLITE_ROW) {
    v = sqlite3_column_int(version.s, 0);
  }
  Status st;
  if (v < 0) {
    st = SqliteError(db_, "read schema version");
  } else if (v > kSchemaVersion) {
    st = Status(ErrorCode::kUnavailable,
                "key store: file has schema version " + std::to_string(v) +
                    ", newer than this sluice supports (" + std::to_string(kSchemaVersion) + ")");
  } else if (v == 0 && sqlite3_exec(db_, kSchemaV1, nullptr, nullptr, nullptr) != SQLITE_OK) {
    st = SqliteError(db_, "create schema");
  }
  // Later versions: `if (v < 2) { ALTER TABLE ...; PRAGMA user_version = 2; }`.
  const char* end = st.ok() ? "COMMIT" : "ROLLBACK";
  if (sqlite3_exec(db_, end, nullptr, nullptr, nullptr) != SQLITE_OK && st.ok()) {
    st = SqliteError(db_, "commit migration");
  }
  return st;
}

Status KeyStore::Prepare() {
  stmts_ = std::make_unique<Statements>();
  std::string cols = kColumns;
  struct {
    Stmt* stmt;
    std::string sql;
  } const all[] = {
      {&stmts_->insert,
       "INSERT INTO api_keys (id, name, key_hash, models, rpm, tpm, max_concurrent, "
       "budget_tokens, budget_period, expires_at, created_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {&stmts_->list, "SELECT " + cols + " FROM api_keys ORDER BY created_at, rowid"},
      {&stmts_->revoke,
       "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1"},
      {&stmts_->exists, "SELECT 1 FROM api_keys WHERE id = ?1"},
      {&stmts_->by_hash, "SELECT " + cols + " FROM api_keys WHERE key_hash = ?1"},
      {&stmts_->any, "SELECT EXISTS (SELECT 1 FROM api_keys)"},
  };
  for (const auto& [stmt, sql] : all) {
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt->s, nullptr) !=
        SQLITE_OK) {
      return SqliteError(db_, "prepare");
    }
  }
  return Status::Ok();
}

StatusOr<CreatedKey> KeyStore::Create(const KeySpec& spec, WallTime now) {
  SLUICE_RETURN_IF_ERROR(ValidateSpec(spec));
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = stmts_->insert.s;
  // A collision of 71-bit ids (or 131-bit keys) is astronomically unlikely;
  // retrying on a constraint failure keeps it harmless anyway.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto random_id = RandomBase62(kIdRandomLength);
    auto key = GenerateApiKey();
    if (!random_id.ok()) return random_id.status();
    if (!key.ok()) return key.status();
    CreatedKey created{"key_" + *random_id, *key};
    StmtScope scope(s);
    BindText(s, 1, created.id);
    BindText(s, 2, spec.name);
    BindText(s, 3, HashApiKey(created.plaintext));
    BindText(s, 4, JoinModels(spec.models));
    sqlite3_bind_int64(s, 5, spec.limits.rpm);
    sqlite3_bind_int64(s, 6, spec.limits.tpm);
    sqlite3_bind_int64(s, 7, spec.limits.max_concurrent);
    sqlite3_bind_int64(s, 8, spec.limits.budget_tokens);
    BindText(s, 9, BudgetPeriodName(spec.limits.budget_period));
    BindOptionalTime(s, 10, spec.expires_at);
    sqlite3_bind_int64(s, 11, now.time_since_epoch().count());
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return created;
    if (rc != SQLITE_CONSTRAINT) return SqliteError(db_, "insert key");
  }
  return Status(ErrorCode::kInternal, "key store: could not pick a unique key id");
}

StatusOr<std::vector<KeyRecord>> KeyStore::List() {
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = stmts_->list.s;
  StmtScope scope(s);
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(ReadRecord(s));
  if (rc != SQLITE_DONE) return SqliteError(db_, "list keys");
  return out;
}

Status KeyStore::Revoke(std::string_view id, WallTime now) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = stmts_->revoke.s;
  StmtScope scope(s);
  BindText(s, 1, id);
  sqlite3_bind_int64(s, 2, now.time_since_epoch().count());
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(db_, "revoke key");
  if (sqlite3_changes(db_) == 0) {
    return Status(ErrorCode::kNotFound, "no API key with id " + std::string(id));
  }
  return Status::Ok();
}

StatusOr<KeyRecord> KeyStore::Authenticate(std::string_view presented_key, WallTime now) {
  SLUICE_RETURN_IF_ERROR(CheckKeyFormat(presented_key));
  std::string hash = HashApiKey(presented_key);
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = stmts_->by_hash.s;
  StmtScope scope(s);
  BindText(s, 1, hash);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return Status(ErrorCode::kUnauthenticated, "invalid API key");
  if (rc != SQLITE_ROW) return SqliteError(db_, "look up key");
  KeyRecord record = ReadRecord(s);
  if (record.revoked_at) return Status(ErrorCode::kUnauthenticated, "API key revoked");
  if (record.expires_at && now >= *record.expires_at) {
    return Status(ErrorCode::kUnauthenticated, "API key expired");
  }
  return record;
}

StatusOr<bool> KeyStore::HasAnyKeys() {
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = stmts_->any.s;
  StmtScope scope(s);
  if (sqlite3_step(s) != SQLITE_ROW) return SqliteError(db_, "count keys");
  return sqlite3_column_int(s, 0) != 0;
}

Status CheckModel(const KeyRecord& record, std::string_view model) {
  if (record.models.empty() ||
      std::find(record.models.begin(), record.models.end(), model) != record.models.end()) {
    return Status::Ok();
  }
  return Status(ErrorCode::kPermissionDenied,
                "this API key may not use model '" + std::string(model) + "'");
}

}  // namespace sluice::security
