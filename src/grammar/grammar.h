// Grammar: a JSON Schema compiled to a byte-level automaton, and an
// incremental matcher that checks a document byte by byte against it.
//
// CompileJsonSchema lowers the schema to a typed intermediate form
// (internal/ir.h), emits a recursive transition network over bytes (one NFA
// per recursive `$ref` target, everything else inlined; internal/nfa.h) and
// wraps it in a lazily determinized automaton (internal/automaton.h). By
// default (generation) the language is a subset of the documents the schema
// accepts, except for the keywords listed in CompileReport::post_validated,
// which only the final validator (schema::Validate) enforces. Anything it
// cannot express either way is refused with a Status naming the keyword; it
// never silently accepts more than the schema does. With
// CompileOptions::superset (stream guards) it is the other way round: the
// language is a superset of the accepted documents and the final validator
// decides. docs/grammar.md lists the keywords.
//
// Generated documents (superset = false) follow a canonical layout: object properties in
// definition order (optional ones may be skipped), additional properties
// after or between them when allowed, at most `max_whitespace` consecutive
// whitespace bytes between tokens (none inside numbers or literals).
//
// Thread-safety: a CompiledGrammar is logically immutable and shared between
// threads as shared_ptr<const CompiledGrammar>; its lazily built caches are
// internally synchronized and never change once an entry is written.
// ByteMatcher is a per-stream object: not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::grammar {

struct CompileOptions {
  // Longest run of whitespace allowed between JSON tokens; < 0: unbounded.
  // Stream guards over pretty-printed upstream output want a large value.
  int max_whitespace = 2;
  // No whitespace at all between tokens (overrides max_whitespace).
  bool compact = false;
  // Whether properties not named in `properties` may appear when the schema
  // does not say (`additionalProperties` absent). JSON Schema allows them;
  // generation usually wants them off. Explicit true / a schema always
  // allows them.
  bool additional_properties_by_default = false;
  // Refuse grammars larger than this many NFA states (counted repetition
  // such as maxLength and maxItems is expanded).
  size_t max_states = 1 << 20;
  // Draft when the document has no `$schema` (true: draft 7, else 2020-12).
  bool draft7 = false;
  // Guard mode, for checking text someone else generated (upstream streams):
  // the language is a SUPERSET of the documents the schema accepts, so a
  // ByteMatcher never rejects a valid document; schema::Validate at the end
  // rejects the invalid ones that got through. Everything the generation
  // grammar narrows is widened: object members in any order (a loop over
  // "known property | pattern property | additional property", with
  // required / min/maxProperties left to the validator, additional
  // properties allowed unless `additionalProperties` says otherwise),
  // `integer` as any JSON number with bounds and multipleOf left to the
  // validator, no digit caps, every string escape (`\uXXXX` for any code
  // unit, surrogate pairs as one character), enum/const values in any
  // spelling (escapes, number forms, member order), unbounded whitespace
  // (max_whitespace and compact are ignored), no `format` patterns, and
  // unsupported regexes or unresolvable `$ref`s widened to "anything".
  // A schema that still cannot be compiled is refused. Not meant for
  // generation: the language is wider than the schema.
  bool superset = false;
};

struct CompileReport {
  // Keywords (as JSON Pointers into the schema, e.g. "/properties/a/uniqueItems")
  // that the grammar does not enforce; only the final validator does.
  std::vector<std::string> post_validated;
  // When compilation fails: the reasons (the returned Status has the first).
  std::vector<std::string> refused;
};

class CompiledGrammar;  // internal/compiled_grammar.h

// Compiles a JSON Schema document (serialized JSON). Errors: kInvalidArgument
// for malformed JSON, kUnprocessable for a schema the grammar cannot express
// (the message names the keyword and its location). `report` may be null.
StatusOr<std::shared_ptr<const CompiledGrammar>> CompileJsonSchema(std::string_view schema_json,
                                                                   const CompileOptions& options,
                                                                   CompileReport* report);

// Byte-level incremental matcher, for validating upstream streams as they
// arrive. Leading and trailing whitespace around the document is allowed.
class ByteMatcher {
 public:
  explicit ByteMatcher(std::shared_ptr<const CompiledGrammar> grammar);
  ~ByteMatcher();
  ByteMatcher(ByteMatcher&&) noexcept;
  ByteMatcher& operator=(ByteMatcher&&) noexcept;

  // Feeds bytes; returns how many were accepted. A count < bytes.size() means
  // the byte at that offset cannot lead to a valid document; the matcher then
  // stays at the state before that byte (later Feeds keep failing there).
  size_t Feed(std::string_view bytes);
  // A complete document of the grammar has been seen (trailing whitespace allowed).
  bool IsAccepting() const;
  // What could come next, for error messages: "one of '}', ','" or "end of input".
  std::string Expected() const;
  // Bytes accepted so far.
  uint64_t offset() const { return offset_; }

 private:
  struct State;
  std::shared_ptr<const CompiledGrammar> grammar_;
  std::unique_ptr<State> state_;
  uint64_t offset_ = 0;
};

}  // namespace sluice::grammar
