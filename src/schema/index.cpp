// Compiler pass 1: walk schema documents, register identifiers, resolve refs.
#include <fmt/format.h>

#include "schema/internal/compiler.h"
#include "schema/json_pointer.h"
#include "schema/uri.h"

namespace sluice::schema::internal {
namespace json = boost::json;
namespace {

// Keywords whose value is one subschema, a map of subschemas, or an array of
// subschemas. Only these are walked: `$id` inside `enum`, `const` or an
// unknown keyword is data, not an identifier.
constexpr std::string_view kSingle[] = {"additionalProperties",
                                        "propertyNames",
                                        "not",
                                        "if",
                                        "then",
                                        "else",
                                        "contains",
                                        "items",
                                        "additionalItems",
                                        "unevaluatedItems",
                                        "unevaluatedProperties"};
constexpr std::string_view kMap[] = {"properties",  "patternProperties", "$defs",
                                     "definitions", "dependentSchemas",  "dependencies"};
constexpr std::string_view kArray[] = {"allOf", "anyOf", "oneOf", "prefixItems", "items"};

template <size_t N>
bool IsOneOf(std::string_view key, const std::string_view (&set)[N]) {
  for (std::string_view s : set) {
    if (s == key) return true;
  }
  return false;
}

Draft DraftFromMetaSchema(std::string_view uri, Draft fallback) {
  if (uri.find("draft-07") != std::string_view::npos ||
      uri.find("draft-06") != std::string_view::npos ||
      uri.find("draft-04") != std::string_view::npos) {
    return Draft::kDraft7;
  }
  if (uri.find("draft/2020-12") != std::string_view::npos ||
      uri.find("draft/2019-09") != std::string_view::npos) {
    return Draft::kDraft2020_12;
  }
  return fallback;
}

}  // namespace

Status SchemaError(std::string_view path, std::string_view reason) {
  return Status(ErrorCode::kUnprocessable,
                fmt::format("{}: {}", path.empty() ? "/" : path, reason));
}

Status Compiler::IndexDocument(const json::value& doc, const std::string& uri, Draft draft,
                               const std::string& path) {
  uris_[uri] = &doc;
  SubschemaInfo info{uri, draft, path, -1};
  if (const json::object* obj = doc.if_object()) {
    if (const json::value* meta = obj->if_contains("$schema"); meta && meta->is_string()) {
      info.draft = DraftFromMetaSchema(meta->get_string(), draft);
    }
  }
  out_->resources.push_back({uri, {}});
  info.resource = static_cast<int>(out_->resources.size() - 1);
  SLUICE_RETURN_IF_ERROR(Index(doc, std::move(info), 0));
  for (auto& [resource, anchor] : pending_anchors_) {
    out_->resources[static_cast<size_t>(resource)].dynamic_anchors.emplace_back(
        anchor.first, Intern(anchor.second));
  }
  pending_anchors_.clear();
  return Status::Ok();
}

Status Compiler::Index(const json::value& v, SubschemaInfo info, size_t depth) {
  if (depth > options_.max_depth) {
    return SchemaError(info.path,
                       fmt::format("schema nested deeper than {} levels", options_.max_depth));
  }
  if (info_.contains(&v)) return Status::Ok();
  const json::object* obj = v.if_object();
  if (obj == nullptr) {
    info_.emplace(&v, std::move(info));
    return Status::Ok();
  }
  const json::value* id = obj->if_contains("$id");
  const bool draft7 = info.draft == Draft::kDraft7;
  // Draft 7 ignores every sibling of `$ref`, `$id` included.
  if (id != nullptr && id->is_string() && !(draft7 && obj->contains("$ref"))) {
    const std::string resolved = ResolveUri(info.base_uri, id->get_string());
    auto [base, fragment] = SplitFragment(resolved);
    if (draft7 && id->get_string().starts_with("#")) {
      uris_[info.base_uri + "#" + fragment.value_or("")] = &v;  // plain-name fragment: an anchor
    } else {
      info.base_uri = base;
      uris_[base] = &v;
      if (draft7 && fragment && !fragment->empty()) uris_[resolved] = &v;
      if (const json::value* meta = obj->if_contains("$schema"); meta && meta->is_string()) {
        info.draft = DraftFromMetaSchema(meta->get_string(), info.draft);
      }
      out_->resources.push_back({base, {}});
      info.resource = static_cast<int>(out_->resources.size() - 1);
    }
  }
  if (info.draft == Draft::kDraft2020_12) {
    if (const json::value* anchor = obj->if_contains("$anchor"); anchor && anchor->is_string()) {
      uris_[info.base_uri + "#" + std::string(anchor->get_string())] = &v;
    }
    if (const json::value* anchor = obj->if_contains("$dynamicAnchor");
        anchor && anchor->is_string()) {
      const std::string name(anchor->get_string());
      uris_.try_emplace(info.base_uri + "#" + name, &v);
      pending_anchors_.push_back({info.resource, {name, &v}});
    }
  }
  const auto [it, inserted] = info_.emplace(&v, info);
  return IndexChildren(*obj, it->second, depth + 1);
}

Status Compiler::IndexChildren(const json::object& obj, const SubschemaInfo& info, size_t depth) {
  auto child = [&](const json::value& v, std::string path) {
    SubschemaInfo c = info;
    c.path = std::move(path);
    return Index(v, std::move(c), depth);
  };
  for (const auto& [key, value] : obj) {
    const std::string path = info.path + "/" + EscapeJsonPointerToken(key);
    if (IsOneOf(key, kArray) && value.is_array()) {
      const json::array& arr = value.get_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        SLUICE_RETURN_IF_ERROR(child(arr[i], fmt::format("{}/{}", path, i)));
      }
    } else if (IsOneOf(key, kSingle)) {
      SLUICE_RETURN_IF_ERROR(child(value, path));
    } else if (IsOneOf(key, kMap) && value.is_object()) {
      for (const auto& [name, sub] : value.get_object()) {
        if (key == "dependencies" && sub.is_array()) continue;  // dependentRequired form
        SLUICE_RETURN_IF_ERROR(child(sub, path + "/" + EscapeJsonPointerToken(name)));
      }
    }
  }
  return Status::Ok();
}

StatusOr<const json::value*> Compiler::Resolve(const std::string& reference,
                                               const SubschemaInfo& info) {
  const std::string target = ResolveUri(info.base_uri, reference);
  auto [doc_uri, fragment] = SplitFragment(target);
  auto doc = uris_.find(doc_uri);
  if (doc == uris_.end() && !doc_uri.empty() && options_.load_remote) {
    if (std::optional<json::value> loaded = options_.load_remote(doc_uri)) {
      remote_docs_.push_back(std::move(*loaded));
      SLUICE_RETURN_IF_ERROR(
          IndexDocument(remote_docs_.back(), doc_uri, info.draft, doc_uri + "#"));
      doc = uris_.find(doc_uri);
    }
  }
  if (doc == uris_.end()) return static_cast<const json::value*>(nullptr);
  if (!fragment || fragment->empty()) return doc->second;
  const std::string decoded = PercentDecode(*fragment);
  if (decoded[0] != '/') {
    auto anchor = uris_.find(doc_uri + "#" + decoded);
    return anchor == uris_.end() ? nullptr : anchor->second;
  }
  const auto tokens = ParseJsonPointer(decoded);
  if (!tokens) return static_cast<const json::value*>(nullptr);
  const json::value* found = ResolveJsonPointer(*doc->second, *tokens);
  if (found != nullptr && !info_.contains(found)) {
    // A pointer into a part Index did not walk (e.g. under an unknown keyword).
    const auto root_info = info_.find(doc->second);
    SubschemaInfo t = root_info != info_.end() ? root_info->second : info;
    t.path += decoded;
    SLUICE_RETURN_IF_ERROR(Index(*found, std::move(t), 0));
  }
  return found;
}

NodeId Compiler::Intern(const json::value* v) {
  auto [it, inserted] = ids_.emplace(v, static_cast<NodeId>(out_->nodes.size()));
  if (inserted) {
    out_->nodes.emplace_back();
    worklist_.emplace_back(v, it->second);
  }
  return it->second;
}

Status Compiler::Run(const json::value& document) {
  SLUICE_RETURN_IF_ERROR(IndexDocument(document, "", options_.draft, ""));
  out_->root = Intern(&document);
  while (!worklist_.empty()) {
    auto [v, id] = worklist_.back();
    worklist_.pop_back();
    SLUICE_RETURN_IF_ERROR(CompileNode(*v, id));
  }
  return Status::Ok();
}

}  // namespace sluice::schema::internal
