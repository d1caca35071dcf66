#include "server/security/redis_client.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include <charconv>
#include <memory>

namespace sluice::security {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>(ms.count() % 1000 * 1000);
  return tv;
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.kind = RedisReply::Kind::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

bool ParseInt(std::string_view s, int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

StatusOr<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  Status bad(ErrorCode::kInvalidArgument,
             "redis URL must look like redis://[:password@]host[:port][/db]");
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) return bad;
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint ep;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = auth.find(':');
    if (colon == std::string_view::npos) return bad;
    ep.user = std::string(auth.substr(0, colon));
    ep.password = std::string(auth.substr(colon + 1));
  }
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && (!ParseInt(db, &ep.db) || ep.db < 0)) return bad;
  }
  if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (!ParseInt(rest.substr(colon + 1), &ep.port) || ep.port <= 0 || ep.port > 65535) return bad;
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return bad;
  ep.host = std::string(rest);
  return ep;
}

RedisScript::RedisScript(std::string src) : source(std::move(src)) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source.data()), source.size(), digest);
  for (unsigned char b : digest) {
    sha1 += kHex[b >> 4];
    sha1 += kHex[b & 0xF];
  }
}

RedisClient::RedisClient(RedisEndpoint endpoint, RedisClientOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

RedisClient::~RedisClient() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

void RedisClient::FailLocked() {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  backoff_ = backoff_.count() == 0 ? options_.min_backoff
                                   : std::min(backoff_ * 2, options_.max_backoff);
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
}

Status RedisClient::ConnectLocked() {
  if (std::chrono::steady_clock::now() < next_attempt_) {
    return Status(ErrorCode::kUnavailable, "redis unreachable (reconnect backing off)");
  }
  ctx_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port,
                                 ToTimeval(options_.connect_timeout));
  if (ctx_ == nullptr || ctx_->err != 0) {
    std::string why = ctx_ != nullptr ? ctx_->errstr : "out of memory";
    FailLocked();
    return Status(ErrorCode::kUnavailable, "redis connect: " + why);
  }
  redisSetTimeout(ctx_, ToTimeval(options_.command_timeout));
  std::vector<std::vector<std::string>> setup;
  if (!endpoint_.password.empty()) {
    setup.push_back(endpoint_.user.empty()
                        ? std::vector<std::string>{"AUTH", endpoint_.password}
                        : std::vector<std::string>{"AUTH", endpoint_.user, endpoint_.password});
  }
  if (endpoint_.db != 0) setup.push_back({"SELECT", std::to_string(endpoint_.db)});
  for (const auto& argv : setup) {
    auto r = CommandLocked(argv);
    if (!r.ok()) {
      if (ctx_ != nullptr) FailLocked();
      return r.status();
    }
  }
  backoff_ = std::chrono::milliseconds(0);
  return Status::Ok();
}

StatusOr<RedisReply> RedisClient::CommandLocked(const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
  if (reply == nullptr) {
    // I/O error or timeout: the connection's state is unknown; drop it.
    std::string why = ctx_->errstr;
    FailLocked();
    return Status(ErrorCode::kUnavailable, "redis: " + why);
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    return Status(ErrorCode::kUnavailable, std::string(reply->str, reply->len));
  }
  return Convert(reply.get());
}

StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& argv) {
  std::lock_guard lock(mu_);
  if (ctx_ == nullptr) SLUICE_RETURN_IF_ERROR(ConnectLocked());
  return CommandLocked(argv);
}

StatusOr<RedisReply> RedisClient::Eval(const RedisScript& script,
                                       const std::vector<std::string>& keys,
                                       const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"EVALSHA", script.sha1, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::lock_guard lock(mu_);
  if (ctx_ == nullptr) SLUICE_RETURN_IF_ERROR(ConnectLocked());
  auto reply = CommandLocked(argv);
  if (!reply.ok() && reply.status().message().starts_with("NOSCRIPT") && ctx_ != nullptr) {
    argv[0] = "EVAL";
    argv[1] = script.source;
    return CommandLocked(argv);
  }
  return reply;
}

}  // namespace sluice::security
