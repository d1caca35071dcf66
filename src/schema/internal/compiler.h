// Compiler: schema document(s) → Schema (the typed form in compiled.h).
//
// Two passes. Index walks each document once along schema keywords only,
// recording for every subschema its base URI, draft and location, and
// registering `$id`s, `$anchor`s and `$dynamicAnchor`s. Compile then turns
// subschemas into nodes from a worklist: a child or a `$ref` target gets a
// NodeId at once (memoized by address) and is compiled later, so recursive
// references terminate and compilation never recurses. Only Index recurses,
// bounded by CompileOptions::max_depth.
//
// Borrows the root document and CompileOptions for its lifetime; owns the
// documents it loads through load_remote.
#pragma once

#include <boost/json/value.hpp>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/internal/compiled.h"

namespace sluice::schema::internal {

struct SubschemaInfo {
  std::string base_uri;  // absolute, no fragment
  Draft draft = Draft::kDraft2020_12;
  std::string path;  // location for messages
  int resource = -1;
};

class Compiler {
 public:
  Compiler(const CompileOptions& options, Schema* out) : options_(options), out_(out) {}

  // Indexes and compiles `document` as the root schema.
  Status Run(const boost::json::value& document);

 private:
  // ---- index.cpp
  Status IndexDocument(const boost::json::value& doc, const std::string& uri, Draft draft,
                       const std::string& path);
  Status Index(const boost::json::value& v, SubschemaInfo info, size_t depth);
  Status IndexChildren(const boost::json::object& obj, const SubschemaInfo& info, size_t depth);
  // Resolves `reference` (a `$ref` value) against `info`'s base to a
  // subschema, loading remote documents as needed; nullptr when not found.
  StatusOr<const boost::json::value*> Resolve(const std::string& reference,
                                              const SubschemaInfo& info);
  // NodeId for `v`, queued for compilation on first sight.
  NodeId Intern(const boost::json::value* v);

  // ---- compile.cpp
  Status CompileNode(const boost::json::value& v, NodeId id);
  Status CompileKeywords(const boost::json::object& obj, const SubschemaInfo& info, Node* node);
  Status CompileArrayKeywords(const boost::json::object& obj, const SubschemaInfo& info,
                              Node* node);
  Status CompileObjectKeywords(const boost::json::object& obj, const SubschemaInfo& info,
                               Node* node);
  Status CompileApplicators(const boost::json::object& obj, const SubschemaInfo& info, Node* node);
  // The child schema at obj[key] as a node (kNoNode when absent).
  StatusOr<NodeId> Child(const boost::json::object& obj, std::string_view key,
                         const SubschemaInfo& info);
  StatusOr<std::vector<NodeId>> ChildArray(const boost::json::object& obj, std::string_view key,
                                           const SubschemaInfo& info);

  const CompileOptions& options_;
  Schema* out_;
  std::deque<boost::json::value> remote_docs_;  // stable addresses
  // Absolute URI (with "#anchor" for anchors) → subschema.
  std::unordered_map<std::string, const boost::json::value*> uris_;
  std::unordered_map<const boost::json::value*, SubschemaInfo> info_;
  std::unordered_map<const boost::json::value*, NodeId> ids_;
  std::vector<std::pair<const boost::json::value*, NodeId>> worklist_;
  // `$dynamicAnchor` subschemas per resource, interned after indexing.
  std::vector<std::pair<int, std::pair<std::string, const boost::json::value*>>> pending_anchors_;
};

// Status(kUnprocessable, "<path>: <reason>").
Status SchemaError(std::string_view path, std::string_view reason);

}  // namespace sluice::schema::internal
