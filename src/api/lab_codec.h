// The lab's `/generate/structured` contract (originally FastAPI + Pydantic),
// kept wire-compatible.
//
// Request:  {"prompt": str (>= 5 chars), "system_prompt": str, "temperature": 0..2,
//            extensions: "schema", "model", "max_tokens", "top_p", "top_k", "seed"}
// Response: text/event-stream of `data: {...}\n\n` events:
//   {"status":"generating","token":"..."}            one per upstream token
//   {"status":"success","data":{...}}                 validated object, or
//   {"status":"validation_error","message":...,"errors":[{"path","message"}]}, or
//   {"status":"error","message":"..."}
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "api/types.h"
#include "schema/schema.h"

namespace sluice::api {

inline constexpr std::string_view kLabDefaultSystemPrompt =
    "You are a helpful database schema generation assistant.";
inline constexpr double kLabDefaultTemperature = 0.1;
inline constexpr std::string_view kLabValidationMessage =
    "Output did not match expected database schema format.";

// The lab's DatabaseSchema as JSON Schema (snake_case enforced by pattern).
const boost::json::value& LabDefaultSchema();

// The system prompt sent upstream: the caller's system prompt, then the
// schema and the instruction to answer with raw JSON only.
std::string BuildStructuredSystemPrompt(std::string_view system_prompt,
                                        std::string_view schema_json);

// Body → ChatRequest. Field violations → kUnprocessable with one ErrorDetail
// per offending field (loc {"body", field}); a schema that does not compile →
// kUnprocessable at loc {"body","schema"}. The request asks for a JSON answer
// matching the schema (response_format kJsonSchema), streamed.
StatusOr<ChatRequest> ParseStructuredRequest(const boost::json::value& body);

// Encoders for one SSE `data:` payload (without the "data: " framing).
std::string LabTokenEvent(std::string_view token);
std::string LabSuccessEvent(const boost::json::value& data);
std::string LabValidationErrorEvent(const std::vector<schema::ValidationError>& errors);
std::string LabErrorEvent(std::string_view message);

}  // namespace sluice::api
