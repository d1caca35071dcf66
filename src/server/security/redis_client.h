// RedisClient: a small synchronous hiredis connection with short timeouts,
// reconnect with exponential backoff, and Lua scripts run by EVALSHA with a
// fallback to EVAL when the server answers NOSCRIPT (after a restart or a
// SCRIPT FLUSH).
//
// Blocking: each call blocks the calling thread for at most the connect
// timeout plus the command timeout (50 ms each by default). While a
// reconnect is backing off, calls fail at once without touching the network,
// so an unreachable Redis costs one timeout per backoff period, not one per
// request.
//
// Thread-safety: thread-safe; calls are serialized on one connection (a
// hiredis context is not thread-safe), so concurrent callers queue behind
// one round trip each.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct redisContext;

namespace sluice::security {

// redis://[[user]:password@]host[:port][/db]; port defaults to 6379, db to 0.
struct RedisEndpoint {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string user;
  std::string password;
};
StatusOr<RedisEndpoint> ParseRedisUrl(std::string_view url);

struct RedisClientOptions {
  std::chrono::milliseconds connect_timeout{50};
  std::chrono::milliseconds command_timeout{50};
  std::chrono::milliseconds min_backoff{100};  // first wait after a failure
  std::chrono::milliseconds max_backoff{5000};
};

// A reply: integers, strings (bulk or status), nil, or arrays of replies.
struct RedisReply {
  enum class Kind { kNil, kInteger, kString, kArray } kind = Kind::kNil;
  int64_t integer = 0;
  std::string str;
  std::vector<RedisReply> elements;
};

// A Lua script and its SHA-1 (computed once, here).
struct RedisScript {
  explicit RedisScript(std::string source);
  std::string source;
  std::string sha1;
};

class RedisClient {
 public:
  RedisClient(RedisEndpoint endpoint, RedisClientOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command. kUnavailable when Redis cannot be reached (or is
  // backing off) or answers with an error reply.
  StatusOr<RedisReply> Command(const std::vector<std::string>& argv);

  // EVALSHA script.sha1, falling back to EVAL on NOSCRIPT (which caches it again).
  StatusOr<RedisReply> Eval(const RedisScript& script, const std::vector<std::string>& keys,
                            const std::vector<std::string>& args);

 private:
  StatusOr<RedisReply> CommandLocked(const std::vector<std::string>& argv);
  Status ConnectLocked();
  void FailLocked();

  RedisEndpoint endpoint_;
  RedisClientOptions options_;
  std::mutex mu_;
  redisContext* ctx_ = nullptr;  // owned; null while disconnected
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace sluice::security
