// JSON Schema: parse a schema document once into a typed form, then validate
// instances against it.
//
// Semantics: draft 2020-12, with draft-7 compatibility (`definitions`,
// array-form `items` + `additionalItems`, `$ref` siblings ignored in draft 7).
// The draft is chosen by `$schema` when present, else CompileOptions::draft.
// `$ref` / `$defs` / `definitions` / `$id` / `$anchor` are resolved at compile
// time, including recursive references; `$dynamicRef` / `$dynamicAnchor` use
// the dynamic scope at validation time; `unevaluatedProperties` /
// `unevaluatedItems` track annotations across applicators and references.
// `format` is an assertion for date, time, date-time, email, uuid, uri, ipv4,
// ipv6, hostname (others are annotations). `pattern` uses our own
// ECMA-262-subset regex engine (no backtracking blow-ups); a pattern it cannot
// compile makes Compile fail with a message naming the construct.
// docs/schema.md lists every keyword and the measured suite pass rates.
//
// Thread-safety: a compiled Schema is immutable and safe to share across
// threads (hand it around as shared_ptr<const Schema>). Validate is reentrant.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::schema {

enum class Draft { kDraft7, kDraft2020_12 };

struct CompileOptions {
  // Draft used when the document has no `$schema`.
  Draft draft = Draft::kDraft2020_12;
  // Loads an external document by absolute URI (no fragment) for remote
  // `$ref`s; returns nullopt when unknown. Unset: remote refs fail to compile.
  // Never fetches from the network on its own.
  std::function<std::optional<boost::json::value>(std::string_view uri)> load_remote;
  // Upper bound on nested subschemas, to refuse hostile documents.
  size_t max_depth = 128;
  // `format` asserts the formats listed above (both drafts, as ajv-formats
  // does). False makes every format an annotation, per the 2020-12 default.
  bool assert_formats = true;
};

// One reason an instance is invalid.
struct ValidationError {
  std::string instance_path;  // JSON Pointer into the instance, "" for the root
  std::string schema_path;    // JSON Pointer into the schema, e.g. "/properties/a/type"
  std::string message;        // "expected string, got integer"
};

class Schema;  // opaque compiled form (schema/internal)

// Compiles `document`. Errors (kUnprocessable) name the offending keyword
// and its location in the schema, e.g. "/properties/a/minimum: expected a number".
StatusOr<std::shared_ptr<const Schema>> Compile(const boost::json::value& document,
                                                const CompileOptions& options = {});

// Returns every error found (up to `max_errors`); empty means valid.
std::vector<ValidationError> Validate(const Schema& schema, const boost::json::value& instance,
                                      size_t max_errors = 64);

// Faster yes/no check: stops at the first error.
bool IsValid(const Schema& schema, const boost::json::value& instance);

}  // namespace sluice::schema
