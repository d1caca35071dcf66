// Structured logging: one JSON object per line on stderr.
//
//   Log(LogLevel::kInfo, "request", {{"request_id", id}, {"status", 200}});
//   -> {"ts":"2026-11-24T18:00:00.123Z","level":"info","msg":"request","request_id":"...","status":200}
//
// Thread-safe: each line is formatted in full, then written with one write(2).
// Field values are strings or integers/doubles; strings are JSON-escaped here,
// so callers never build JSON by hand. Never pass prompt text or keys.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace sluice {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct LogField {
  std::string_view key;
  std::variant<std::string_view, int64_t, double, bool> value;

  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

// Lines below this level are dropped. Default kInfo; set from SLUICE_LOG_LEVEL.
void SetLogLevel(LogLevel level);
bool ParseLogLevel(std::string_view name, LogLevel* out);

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

// Appends `s` to `out` as the inside of a JSON string literal (no quotes).
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace sluice
