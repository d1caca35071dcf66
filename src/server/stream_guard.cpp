#include "server/stream_guard.h"

#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "base/log.h"

namespace sluice::server {

namespace asio = boost::asio;
using api::Event;

namespace {

constexpr size_t kMaxCachedGrammars = 256;
constexpr size_t kMaxFenceLine = 32;  // "```json" and a little slack

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string Printable(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", u);
}

// The JSON Pointer of the value being written at the end of `prefix`, a
// prefix of a JSON document ("/columns/0/name"), for error messages. Keys
// keep their JSON escapes; "" is the root.
std::string PointerAtEnd(std::string_view prefix) {
  struct Frame {
    bool object;
    std::string key;        // object: the current member's key
    int64_t index = 0;      // array: the current element
    bool in_value = false;  // object: between ':' and the end of the value
  };
  std::vector<Frame> stack;
  auto value_done = [&] {
    if (!stack.empty() && stack.back().object) stack.back().in_value = false;
  };
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char c = prefix[i];
    switch (c) {
      case '{': stack.push_back({true, {}, 0, false}); break;
      case '[': stack.push_back({false, {}, 0, false}); break;
      case '}':
      case ']':
        if (!stack.empty()) stack.pop_back();
        value_done();
        break;
      case ':':
        if (!stack.empty() && stack.back().object) stack.back().in_value = true;
        break;
      case ',':
        if (!stack.empty()) {
          if (stack.back().object) {
            stack.back().in_value = false;
          } else {
            ++stack.back().index;
          }
        }
        break;
      case '"': {
        size_t j = i + 1;
        while (j < prefix.size() && prefix[j] != '"') j += prefix[j] == '\\' ? 2 : 1;
        bool is_key = !stack.empty() && stack.back().object && !stack.back().in_value;
        if (j >= prefix.size()) {  // the prefix ends inside this string
          if (is_key) stack.back().key.clear();
          i = prefix.size();
          break;
        }
        if (is_key) {
          stack.back().key = std::string(prefix.substr(i + 1, j - i - 1));
        } else {
          value_done();
        }
        i = j;
        break;
      }
      default: break;  // whitespace, numbers, literals
    }
  }
  std::string pointer;
  for (const Frame& f : stack) {
    if (!f.object) {
      pointer += "/" + std::to_string(f.index);
      continue;
    }
    if (!f.in_value) break;  // between members: the object itself
    pointer += '/';
    for (char k : f.key) {
      if (k == '~') {
        pointer += "~0";
      } else if (k == '/') {
        pointer += "~1";
      } else {
        pointer += k;
      }
    }
  }
  return pointer;
}

}  // namespace

std::shared_ptr<const grammar::CompiledGrammar> GuardGrammarFor(const api::ResponseFormat& format) {
  std::string schema;
  switch (format.kind) {
    case api::ResponseKind::kText: return nullptr;
    case api::ResponseKind::kJsonObject: schema = R"({"type":"object"})"; break;
    case api::ResponseKind::kJsonSchema: schema = format.schema_json; break;
  }
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const grammar::CompiledGrammar>> cache;
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(schema); it != cache.end()) return it->second;
  }
  grammar::CompileOptions options;
  // Never stop an answer the schema accepts: any member order, any number
  // spelling, any layout. The final validator judges what the grammar lets by.
  options.superset = true;
  auto compiled = grammar::CompileJsonSchema(schema, options, nullptr);
  std::shared_ptr<const grammar::CompiledGrammar> result;
  if (compiled.ok()) {
    result = *compiled;
  } else {
    Log(LogLevel::kDebug, "stream guard off for schema",
        {{"reason", compiled.status().message()}});
  }
  std::lock_guard lock(mu);
  if (cache.size() >= kMaxCachedGrammars) cache.clear();
  cache.emplace(std::move(schema), result);  // refusals are cached too
  return result;
}

StreamGuard::StreamGuard(providers::EventSink& inner,
                         std::shared_ptr<const grammar::CompiledGrammar> grammar)
    : inner_(inner), matcher_(std::move(grammar)) {}

size_t StreamGuard::Check(std::string_view delta) {
  size_t i = 0;
  while (i < delta.size()) {
    const char c = delta[i];
    switch (phase_) {
      case Phase::kStart:
        if (c == '`') {
          phase_ = Phase::kFenceLine;
          fenced_ = true;
          continue;
        }
        if (!IsJsonSpace(c)) phase_ = Phase::kBody;  // leading whitespace goes to the matcher too
        if (matcher_.Feed(delta.substr(i, 1)) != 1) return i;
        ++i;
        continue;
      case Phase::kFenceLine:
        if (++fence_line_ > kMaxFenceLine || (fence_line_ <= 3 && c != '`')) return i;
        if (c == '\n') phase_ = Phase::kBody;
        ++i;
        continue;
      case Phase::kBody: {
        size_t n = matcher_.Feed(delta.substr(i));
        i += n;
        if (i == delta.size()) return i;
        if (fenced_ && delta[i] == '`' && matcher_.IsAccepting()) {
          phase_ = Phase::kClosing;
          continue;
        }
        return i;
      }
      case Phase::kClosing:
        if (c != '`' && !IsJsonSpace(c)) return i;
        ++i;
        continue;
    }
  }
  return i;
}

asio::awaitable<bool> StreamGuard::Emit(Event e) {
  if (e.kind != Event::Kind::kToken || violated_) co_return co_await inner_.Emit(std::move(e));
  text_ += e.text;
  const size_t ok = Check(e.text);
  if (ok == e.text.size()) {
    accepted_ += ok;
    co_return co_await inner_.Emit(std::move(e));
  }
  violated_ = true;
  bad_offset_ = accepted_ + ok;
  expected_ = phase_ == Phase::kClosing     ? "'`' or whitespace"
              : phase_ == Phase::kFenceLine ? "a code fence line"
                                            : matcher_.Expected();
  got_ = Printable(e.text[ok]);
  pointer_ = PointerAtEnd(std::string_view(text_).substr(0, text_.size() - e.text.size() + ok));
  if (ok > 0) {
    e.text.resize(ok);
    if (!co_await inner_.Emit(std::move(e))) co_return false;
  }
  co_await inner_.Flush();
  co_return false;  // stops the provider and closes the upstream request
}

asio::awaitable<bool> StreamGuard::Flush() { co_return co_await inner_.Flush(); }

Status StreamGuard::ViolationStatus() const {
  std::string message = fmt::format(
      "model output cannot match the schema at byte {} (at '{}'): expected {}, got {}",
      bad_offset_, pointer_, expected_, got_);
  std::vector<ErrorDetail> details;
  details.push_back({{pointer_}, message, "validation_error"});
  return Status(ErrorCode::kSchemaViolation, std::move(message), std::move(details));
}

api::ChatRequest WithFeedback(const api::ChatRequest& request, const StreamGuard& guard) {
  api::ChatRequest retry = request;
  retry.messages.push_back({"assistant", guard.attempt_text()});
  retry.messages.push_back(
      {"user", fmt::format("That answer is invalid: {}. Reply again with only one JSON document "
                           "that matches the requested schema.",
                           guard.ViolationStatus().message())});
  return retry;
}

}  // namespace sluice::server
