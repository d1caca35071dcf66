// The two types every wire format is translated to and from.
//
// A ChatRequest is one normalized chat call: who is asking (id), which public
// model, the conversation, sampling parameters and the requested response
// format. Every ingress codec produces one; every provider consumes one.
// An Event is one step of the answer stream a provider produces. Plain
// values, no behaviour; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace boost::json { class value; }

namespace sluice::schema { class Schema; }

namespace sluice::api {

struct Message {
  std::string role;     // "system" | "user" | "assistant"
  std::string content;  // text parts concatenated
};

struct Sampling {
  std::optional<double> temperature;        // 0..2
  std::optional<double> top_p;              // (0, 1]
  std::optional<int64_t> top_k;             // >= 1
  std::optional<int64_t> seed;
  std::optional<int64_t> max_tokens;        // >= 1
  std::optional<double> presence_penalty;   // -2..2
  std::optional<double> frequency_penalty;  // -2..2
  std::vector<std::string> stop;            // up to 4
};

enum class ResponseKind { kText, kJsonObject, kJsonSchema };

struct ResponseFormat {
  ResponseKind kind = ResponseKind::kText;
  std::string name;                       // json_schema.name
  bool strict = false;                    // json_schema.strict
  // The schema document (serialized JSON) and its compiled form; both set
  // when kind == kJsonSchema.
  std::string schema_json;
  std::shared_ptr<const schema::Schema> schema;
};

struct ChatRequest {
  std::string id;     // request id (x-request-id)
  std::string model;  // public model name as the client sent it ("" = default)
  std::vector<Message> messages;
  Sampling sampling;
  ResponseFormat response_format;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  // Compute time an in-process engine spent on the prompt and on generating
  // (for tokens/s metrics); -1 when unknown (upstream providers).
  double prompt_seconds = -1;
  double generation_seconds = -1;
};

// One step of an answer stream. Exactly one of the payloads is meaningful,
// chosen by `kind`. A well-formed stream is: kToken* [kUsage] kFinish, or
// kToken* kError. Nothing follows kFinish or kError.
struct Event {
  enum class Kind { kToken, kUsage, kFinish, kError };
  Kind kind = Kind::kToken;
  std::string text;           // kToken: the text delta
  Usage usage;                // kUsage
  std::string finish_reason;  // kFinish: "stop" | "length" | ...
  Status error;               // kError

  static Event Token(std::string text) {
    Event e;
    e.kind = Kind::kToken;
    e.text = std::move(text);
    return e;
  }
  static Event UsageOf(Usage u) {
    Event e;
    e.kind = Kind::kUsage;
    e.usage = u;
    return e;
  }
  static Event Finish(std::string reason) {
    Event e;
    e.kind = Kind::kFinish;
    e.finish_reason = std::move(reason);
    return e;
  }
  static Event Error(Status s) {
    Event e;
    e.kind = Kind::kError;
    e.error = std::move(s);
    return e;
  }
};

}  // namespace sluice::api
