// StreamGuard: validates an upstream model's structured answer while it
// streams. Every text delta goes through the schema's byte-level automaton
// (grammar::ByteMatcher); at the first byte that cannot lead to a valid
// document the guard forwards the valid part of that delta, then refuses the
// event, which makes the provider stop and close the upstream request at once.
// The caller (StreamFromProvider) then retries with feedback or ends the
// stream with a kSchemaViolation error naming the byte offset and what was
// expected. Output the guard let through is always a prefix of a document the
// grammar accepts; the final validator still judges the whole answer
// (keywords the grammar does not enforce).
//
// A leading markdown fence (```json) and a trailing ``` are tolerated, as the
// final parser tolerates them. Per stream; not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/types.h"
#include "base/status.h"
#include "grammar/grammar.h"
#include "providers/provider.h"

namespace sluice::server {

// The guard's grammar for a request's response format, or nullptr when the
// request asks for text or its schema is one the grammar cannot express (the
// final validator alone judges those). Compiled once per schema text and
// shared (the cache holds a bounded number of schemas). Compiled as a
// superset of the schema's documents (grammar::CompileOptions::superset):
// members in any order, any layout, so a valid answer is never stopped.
std::shared_ptr<const grammar::CompiledGrammar> GuardGrammarFor(const api::ResponseFormat& format);

class StreamGuard final : public providers::EventSink {
 public:
  StreamGuard(providers::EventSink& inner, std::shared_ptr<const grammar::CompiledGrammar> grammar);

  boost::asio::awaitable<bool> Emit(api::Event event) override;
  boost::asio::awaitable<bool> Flush() override;

  // Set once a delta broke the grammar; the stream was stopped there.
  bool violated() const { return violated_; }
  // kSchemaViolation: "model output cannot match the schema at byte N (at
  // '/columns/0/name'): expected X, got 'c'", with that pointer as the detail's path.
  Status ViolationStatus() const;
  // Everything the upstream sent this attempt, including the offending delta.
  const std::string& attempt_text() const { return text_; }

 private:
  // Feeds `delta`; returns how many bytes of it are acceptable.
  size_t Check(std::string_view delta);

  // kStart: only whitespace so far; kFenceLine: inside "```json\n";
  // kBody: the document; kClosing: after the document, inside the closing ```.
  enum class Phase { kStart, kFenceLine, kBody, kClosing };

  providers::EventSink& inner_;
  grammar::ByteMatcher matcher_;
  std::string text_;
  Phase phase_ = Phase::kStart;
  bool fenced_ = false;
  size_t fence_line_ = 0;  // bytes of the opening fence line so far
  uint64_t accepted_ = 0;  // bytes of this attempt accepted so far
  bool violated_ = false;
  uint64_t bad_offset_ = 0;
  std::string expected_;
  std::string got_;
  std::string pointer_;  // JSON Pointer of the value being written there
};

// The request to send when retrying after a violation: the conversation, the
// rejected answer as the assistant's turn, and a user turn with the error.
api::ChatRequest WithFeedback(const api::ChatRequest& request, const StreamGuard& guard);

}  // namespace sluice::server
