// Fuzz target: a client's request body, as the gateway handles it. Bytes →
// api::ParseJsonBody → the OpenAI codec (/v1/chat/completions) and the lab
// codec (/generate/structured); a request they accept is then encoded for
// both upstream wire formats, since its strings and schema flow there
// unchanged. Any input must end in a value or a Status: no crash, no
// sanitizer report, no exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/value.hpp>

#include "api/json_body.h"
#include "api/lab_codec.h"
#include "api/openai_codec.h"
#include "providers/wire.h"

namespace {

void Exercise(const sluice::StatusOr<sluice::api::ChatRequest>& request) {
  if (!request.ok()) {
    // The error body is what the client sees; building it must not fail.
    (void)sluice::api::OpenAIErrorBody(request.status(), 400);
    return;
  }
  (void)sluice::providers::EncodeOpenAIChat(*request, "upstream-model");
  (void)sluice::providers::EncodeOllamaChat(*request, "upstream-model");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  sluice::StatusOr<boost::json::value> json = sluice::api::ParseJsonBody(body);
  if (!json.ok()) return 0;
  Exercise(sluice::api::ParseChatCompletionRequest(*json));
  Exercise(sluice::api::ParseStructuredRequest(*json));
  return 0;
}
