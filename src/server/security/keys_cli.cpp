#include "server/security/keys_cli.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace sluice::security {
namespace {

WallTime Now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string FormatTime(WallTime t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(t - days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string Limit(int64_t v) { return v > 0 ? std::to_string(v) : "-"; }

StatusOr<std::unique_ptr<KeyStore>> OpenStore(const std::string& flag, std::ostream& err) {
  std::string path = ResolveKeysDbPath(flag);
  auto store = KeyStore::Open(path);
  if (!store.ok()) err << "error: " << store.status().message() << "\n";
  return store;
}

}  // namespace

std::string ResolveKeysDbPath(std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  const char* env = std::getenv("SLUICE_KEYS_DB");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultKeysDb;
}

StatusOr<WallTime> ParseExpiry(std::string_view text) {
  Status bad(ErrorCode::kInvalidArgument,
             "expiry must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), got '" + std::string(text) +
                 "'");
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  std::string str(text);
  if (text.size() == 10) {
    if (std::sscanf(str.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return bad;
  } else if (text.size() == 20) {
    if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
        n != 20) {
      return bad;
    }
  } else {
    return bad;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return bad;
  return WallTime(std::chrono::sys_days(ymd)) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s);
}

int RunKeysCreate(const KeysCreateArgs& args, std::ostream& out, std::ostream& err) {
  KeySpec spec;
  spec.name = args.name;
  for (const auto& item : args.models) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t comma = std::min(item.find(',', start), item.size());
      if (comma > start) spec.models.push_back(item.substr(start, comma - start));
      start = comma + 1;
    }
  }
  spec.limits = {args.rpm, args.tpm, args.max_concurrent, args.budget_tokens, BudgetPeriod::kNone};
  auto period = ParseBudgetPeriod(args.budget_period);
  if (!period) {
    err << "error: --budget-period must be day or month\n";
    return 2;
  }
  spec.limits.budget_period = *period;
  WallTime now = Now();
  if (!args.expires.empty()) {
    auto expiry = ParseExpiry(args.expires);
    if (!expiry.ok()) {
      err << "error: --expires: " << expiry.status().message() << "\n";
      return 2;
    }
    if (*expiry <= now) {
      err << "error: --expires " << args.expires << " is in the past\n";
      return 2;
    }
    spec.expires_at = *expiry;
  }
  auto store = OpenStore(args.db_path, err);
  if (!store.ok()) return 1;
  auto created = (*store)->Create(spec, now);
  if (!created.ok()) {
    err << "error: " << created.status().message() << "\n";
    return created.status().code() == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  out << "id:  " << created->id << "\n"
      << "key: " << created->plaintext << "\n"
      << "Store the key now: it is shown only once and cannot be recovered.\n";
  return 0;
}

int RunKeysList(const std::string& db_path, std::ostream& out, std::ostream& err) {
  auto store = OpenStore(db_path, err);
  if (!store.ok()) return 1;
  auto keys = (*store)->List();
  if (!keys.ok()) {
    err << "error: " << keys.status().message() << "\n";
    return 1;
  }
  WallTime now = Now();
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "MODELS", "RPM", "TPM", "CONCURRENT", "BUDGET", "EXPIRES", "CREATED", "STATE"}};
  for (const KeyRecord& k : *keys) {
    std::string models;
    for (const auto& m : k.models) models += (models.empty() ? "" : ",") + m;
    std::string budget = k.limits.budget_tokens > 0
                             ? fmt::format("{}/{}", k.limits.budget_tokens,
                                           BudgetPeriodName(k.limits.budget_period))
                             : "-";
    std::string state = k.revoked_at                              ? "revoked"
                        : (k.expires_at && now >= *k.expires_at) ? "expired"
                                                                  : "active";
    rows.push_back({k.id, k.name, models.empty() ? "*" : models, Limit(k.limits.rpm),
                    Limit(k.limits.tpm), Limit(k.limits.max_concurrent), budget,
                    k.expires_at ? FormatTime(*k.expires_at) : "never", FormatTime(k.created_at),
                    state});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 < row.size() ? fmt::format("{:<{}}  ", row[i], widths[i]) : row[i];
    }
    out << line << "\n";
  }
  return 0;
}

int RunKeysRevoke(const std::string& db_path, const std::string& id, std::ostream& out,
                  std::ostream& err) {
  auto store = OpenStore(db_path, err);
  if (!store.ok()) return 1;
  Status st = (*store)->Revoke(id, Now());
  if (!st.ok()) {
    err << "error: " << st.message() << "\n";
    return 1;
  }
  out << "revoked " << id << "\n";
  return 0;
}

}  // namespace sluice::security
