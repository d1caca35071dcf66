// Compiler pass 2: one subschema (a JSON object) → one typed Node.
#include <fmt/format.h>

#include <algorithm>

#include "schema/internal/compiler.h"
#include "schema/internal/json_value.h"
#include "schema/json_pointer.h"
#include "schema/uri.h"

namespace sluice::schema::internal {
namespace json = boost::json;
namespace {

std::string KeyPath(const SubschemaInfo& info, std::string_view key) {
  return info.path + "/" + EscapeJsonPointerToken(key);
}

// A non-negative integer keyword (minLength, maxItems, ...); 2.0 counts.
Status GetCount(const json::object& obj, std::string_view key, const SubschemaInfo& info,
                std::optional<uint64_t>* out) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return Status::Ok();
  if (v->is_uint64()) {
    *out = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    *out = static_cast<uint64_t>(v->get_int64());
  } else if (v->is_double() && IsIntegral(*v) && v->get_double() >= 0) {
    const double d = v->get_double();
    *out = d >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(d);
  } else {
    return SchemaError(KeyPath(info, key), "expected a non-negative integer");
  }
  return Status::Ok();
}

Status GetNumber(const json::object& obj, std::string_view key, const SubschemaInfo& info,
                 std::optional<json::value>* out) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return Status::Ok();
  if (!IsNumber(*v)) return SchemaError(KeyPath(info, key), "expected a number");
  *out = *v;
  return Status::Ok();
}

Status GetStringArray(const json::value& v, const std::string& path,
                      std::vector<std::string>* out) {
  if (!v.is_array()) return SchemaError(path, "expected an array of strings");
  for (const json::value& item : v.get_array()) {
    if (!item.is_string()) return SchemaError(path, "expected an array of strings");
    out->emplace_back(item.get_string());
  }
  return Status::Ok();
}

StatusOr<uint8_t> TypeBitFor(std::string_view name) {
  if (name == "null") return static_cast<uint8_t>(kTypeNull);
  if (name == "boolean") return static_cast<uint8_t>(kTypeBoolean);
  if (name == "integer") return static_cast<uint8_t>(kTypeInteger);
  if (name == "number") return static_cast<uint8_t>(kTypeNumber);
  if (name == "string") return static_cast<uint8_t>(kTypeString);
  if (name == "array") return static_cast<uint8_t>(kTypeArray);
  if (name == "object") return static_cast<uint8_t>(kTypeObject);
  return Status(ErrorCode::kUnprocessable, fmt::format("unknown type \"{}\"", name));
}

}  // namespace

Status Compiler::CompileNode(const json::value& v, NodeId id) {
  const auto it = info_.find(&v);
  if (it == info_.end()) return Status(ErrorCode::kInternal, "schema: subschema was not indexed");
  const SubschemaInfo info = it->second;  // copy: Index may rehash info_
  Node node;
  node.path = info.path;
  node.resource = info.resource;
  if (v.is_bool()) {
    node.boolean = v.get_bool();
  } else if (const json::object* obj = v.if_object()) {
    SLUICE_RETURN_IF_ERROR(CompileKeywords(*obj, info, &node));
  } else {
    return SchemaError(info.path, "expected a schema (object or boolean)");
  }
  out_->nodes[id] = std::move(node);  // Intern may have grown `nodes`: no reference held
  return Status::Ok();
}

StatusOr<NodeId> Compiler::Child(const json::object& obj, std::string_view key,
                                 const SubschemaInfo& info) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return kNoNode;
  if (!info_.contains(v)) {
    SubschemaInfo c = info;
    c.path = KeyPath(info, key);
    SLUICE_RETURN_IF_ERROR(Index(*v, std::move(c), 0));
  }
  return Intern(v);
}

StatusOr<std::vector<NodeId>> Compiler::ChildArray(const json::object& obj, std::string_view key,
                                                   const SubschemaInfo& info) {
  std::vector<NodeId> ids;
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return ids;
  if (!v->is_array()) return SchemaError(KeyPath(info, key), "expected an array of schemas");
  for (const json::value& item : v->get_array()) {
    if (!info_.contains(&item)) return SchemaError(KeyPath(info, key), "subschema was not indexed");
    ids.push_back(Intern(&item));
  }
  return ids;
}

Status Compiler::CompileKeywords(const json::object& obj, const SubschemaInfo& info, Node* node) {
  const bool draft7 = info.draft == Draft::kDraft7;
  auto resolve = [&](std::string_view key, NodeId* target, std::string* fragment) -> Status {
    const json::value* ref = obj.if_contains(key);
    if (ref == nullptr) return Status::Ok();
    if (!ref->is_string()) return SchemaError(KeyPath(info, key), "expected a string");
    const std::string reference(ref->get_string());
    auto found = Resolve(reference, info);
    if (!found.ok()) return found.status();
    if (*found == nullptr) {
      return SchemaError(KeyPath(info, key),
                         fmt::format("cannot resolve reference \"{}\"", reference));
    }
    *target = Intern(*found);
    if (fragment != nullptr) {
      *fragment = SplitFragment(ResolveUri(info.base_uri, reference)).second.value_or("");
      const json::object* t = (*found)->if_object();
      const json::value* anchor = t ? t->if_contains("$dynamicAnchor") : nullptr;
      if (anchor == nullptr || !anchor->is_string() || anchor->get_string() != *fragment) {
        fragment->clear();  // no bookend: behaves like $ref
      }
    }
    return Status::Ok();
  };
  SLUICE_RETURN_IF_ERROR(resolve("$ref", &node->ref, nullptr));
  if (draft7 && node->ref != kNoNode) return Status::Ok();  // draft 7: siblings of $ref ignored
  if (!draft7)
    SLUICE_RETURN_IF_ERROR(resolve("$dynamicRef", &node->dynamic_ref, &node->dynamic_anchor));

  if (const json::value* type = obj.if_contains("type")) {
    const std::string path = KeyPath(info, "type");
    std::vector<std::string> names;
    if (type->is_string()) {
      names.emplace_back(type->get_string());
    } else {
      SLUICE_RETURN_IF_ERROR(GetStringArray(*type, path, &names));
    }
    for (const std::string& name : names) {
      auto bit = TypeBitFor(name);
      if (!bit.ok()) return SchemaError(path, bit.status().message());
      node->types |= *bit;
    }
  }
  if (const json::value* e = obj.if_contains("enum")) {
    if (!e->is_array()) return SchemaError(KeyPath(info, "enum"), "expected an array");
    node->has_enum = true;
    node->enum_values.assign(e->get_array().begin(), e->get_array().end());
  }
  if (const json::value* c = obj.if_contains("const")) node->const_value = *c;

  SLUICE_RETURN_IF_ERROR(GetNumber(obj, "minimum", info, &node->minimum));
  SLUICE_RETURN_IF_ERROR(GetNumber(obj, "maximum", info, &node->maximum));
  SLUICE_RETURN_IF_ERROR(GetNumber(obj, "exclusiveMinimum", info, &node->exclusive_minimum));
  SLUICE_RETURN_IF_ERROR(GetNumber(obj, "exclusiveMaximum", info, &node->exclusive_maximum));
  SLUICE_RETURN_IF_ERROR(GetNumber(obj, "multipleOf", info, &node->multiple_of));
  if (node->multiple_of && CompareNumbers(*node->multiple_of, json::value(0)) <= 0) {
    return SchemaError(KeyPath(info, "multipleOf"), "expected a number greater than 0");
  }

  SLUICE_RETURN_IF_ERROR(GetCount(obj, "minLength", info, &node->min_length));
  SLUICE_RETURN_IF_ERROR(GetCount(obj, "maxLength", info, &node->max_length));
  if (const json::value* p = obj.if_contains("pattern")) {
    if (!p->is_string()) return SchemaError(KeyPath(info, "pattern"), "expected a string");
    auto re = regex::Regex::Compile(p->get_string());
    if (!re.ok()) return SchemaError(KeyPath(info, "pattern"), re.status().message());
    node->pattern = std::move(re.value());
  }
  if (const json::value* f = obj.if_contains("format")) {
    if (!f->is_string()) return SchemaError(KeyPath(info, "format"), "expected a string");
    if (options_.assert_formats) node->format = FormatFromName(f->get_string());
  }

  SLUICE_RETURN_IF_ERROR(CompileArrayKeywords(obj, info, node));
  SLUICE_RETURN_IF_ERROR(CompileObjectKeywords(obj, info, node));
  return CompileApplicators(obj, info, node);
}

Status Compiler::CompileArrayKeywords(const json::object& obj, const SubschemaInfo& info,
                                      Node* node) {
  const bool draft7 = info.draft == Draft::kDraft7;
  const json::value* items = obj.if_contains("items");
  if (items != nullptr && items->is_array()) {
    // Draft 7 tuple form (also accepted leniently under 2020-12).
    auto prefix = ChildArray(obj, "items", info);
    if (!prefix.ok()) return prefix.status();
    node->prefix_items = std::move(prefix.value());
    auto rest = Child(obj, "additionalItems", info);
    if (!rest.ok()) return rest.status();
    node->items = *rest;
    node->items_keyword = "additionalItems";
  } else {
    if (!draft7) {
      auto prefix = ChildArray(obj, "prefixItems", info);
      if (!prefix.ok()) return prefix.status();
      node->prefix_items = std::move(prefix.value());
    }
    auto rest = Child(obj, "items", info);
    if (!rest.ok()) return rest.status();
    node->items = *rest;
  }
  auto contains = Child(obj, "contains", info);
  if (!contains.ok()) return contains.status();
  node->contains = *contains;
  if (!draft7) {
    std::optional<uint64_t> min_contains;
    SLUICE_RETURN_IF_ERROR(GetCount(obj, "minContains", info, &min_contains));
    if (min_contains) node->min_contains = *min_contains;
    SLUICE_RETURN_IF_ERROR(GetCount(obj, "maxContains", info, &node->max_contains));
    auto unevaluated = Child(obj, "unevaluatedItems", info);
    if (!unevaluated.ok()) return unevaluated.status();
    node->unevaluated_items = *unevaluated;
  }
  SLUICE_RETURN_IF_ERROR(GetCount(obj, "minItems", info, &node->min_items));
  SLUICE_RETURN_IF_ERROR(GetCount(obj, "maxItems", info, &node->max_items));
  if (const json::value* u = obj.if_contains("uniqueItems")) {
    if (!u->is_bool()) return SchemaError(KeyPath(info, "uniqueItems"), "expected a boolean");
    node->unique_items = u->get_bool();
  }
  return Status::Ok();
}

Status Compiler::CompileObjectKeywords(const json::object& obj, const SubschemaInfo& info,
                                       Node* node) {
  const bool draft7 = info.draft == Draft::kDraft7;
  auto schema_map = [&](std::string_view key,
                        std::vector<std::pair<std::string, NodeId>>* out) -> Status {
    const json::value* v = obj.if_contains(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_object()) return SchemaError(KeyPath(info, key), "expected an object of schemas");
    for (const auto& [name, sub] : v->get_object()) {
      if (key == "dependencies" && sub.is_array()) continue;
      if (!info_.contains(&sub))
        return SchemaError(KeyPath(info, key), "subschema was not indexed");
      out->emplace_back(std::string(name), Intern(&sub));
    }
    return Status::Ok();
  };
  SLUICE_RETURN_IF_ERROR(schema_map("properties", &node->properties));
  std::sort(node->properties.begin(), node->properties.end());

  std::vector<std::pair<std::string, NodeId>> patterns;
  SLUICE_RETURN_IF_ERROR(schema_map("patternProperties", &patterns));
  for (auto& [source, id] : patterns) {
    auto re = regex::Regex::Compile(source);
    if (!re.ok()) {
      return SchemaError(KeyPath(info, "patternProperties") + "/" + EscapeJsonPointerToken(source),
                         re.status().message());
    }
    node->pattern_properties.push_back({std::move(re.value()), id});
  }
  auto additional = Child(obj, "additionalProperties", info);
  if (!additional.ok()) return additional.status();
  node->additional_properties = *additional;

  if (const json::value* r = obj.if_contains("required")) {
    SLUICE_RETURN_IF_ERROR(GetStringArray(*r, KeyPath(info, "required"), &node->required));
  }
  SLUICE_RETURN_IF_ERROR(GetCount(obj, "minProperties", info, &node->min_properties));
  SLUICE_RETURN_IF_ERROR(GetCount(obj, "maxProperties", info, &node->max_properties));
  auto names = Child(obj, "propertyNames", info);
  if (!names.ok()) return names.status();
  node->property_names = *names;

  auto required_map = [&](std::string_view key) -> Status {
    const json::value* v = obj.if_contains(key);
    if (v == nullptr || !v->is_object()) {
      return v == nullptr || key == "dependencies"
                 ? Status::Ok()
                 : SchemaError(KeyPath(info, key), "expected an object");
    }
    for (const auto& [name, list] : v->get_object()) {
      if (key == "dependencies" && !list.is_array()) continue;
      std::vector<std::string> props;
      SLUICE_RETURN_IF_ERROR(
          GetStringArray(list, KeyPath(info, key) + "/" + EscapeJsonPointerToken(name), &props));
      node->dependent_required.emplace_back(std::string(name), std::move(props));
    }
    return Status::Ok();
  };
  if (draft7) {
    node->dependencies_keyword = "dependencies";
    SLUICE_RETURN_IF_ERROR(required_map("dependencies"));
    SLUICE_RETURN_IF_ERROR(schema_map("dependencies", &node->dependent_schemas));
  } else {
    SLUICE_RETURN_IF_ERROR(required_map("dependentRequired"));
    SLUICE_RETURN_IF_ERROR(schema_map("dependentSchemas", &node->dependent_schemas));
    auto unevaluated = Child(obj, "unevaluatedProperties", info);
    if (!unevaluated.ok()) return unevaluated.status();
    node->unevaluated_properties = *unevaluated;
  }
  return Status::Ok();
}

Status Compiler::CompileApplicators(const json::object& obj, const SubschemaInfo& info,
                                    Node* node) {
  auto list = [&](std::string_view key, std::vector<NodeId>* out) -> Status {
    auto ids = ChildArray(obj, key, info);
    if (!ids.ok()) return ids.status();
    if (obj.contains(key) && ids->empty())
      return SchemaError(KeyPath(info, key), "expected a non-empty array");
    *out = std::move(ids.value());
    return Status::Ok();
  };
  SLUICE_RETURN_IF_ERROR(list("allOf", &node->all_of));
  SLUICE_RETURN_IF_ERROR(list("anyOf", &node->any_of));
  SLUICE_RETURN_IF_ERROR(list("oneOf", &node->one_of));
  for (auto [key, out] :
       {std::pair{"not", &node->not_schema}, std::pair{"if", &node->if_schema},
        std::pair{"then", &node->then_schema}, std::pair{"else", &node->else_schema}}) {
    auto id = Child(obj, key, info);
    if (!id.ok()) return id.status();
    *out = *id;
  }
  return Status::Ok();
}

}  // namespace sluice::schema::internal

namespace sluice::schema {

StatusOr<std::shared_ptr<const Schema>> Compile(const boost::json::value& document,
                                                const CompileOptions& options) {
  auto schema = std::make_shared<Schema>();
  internal::Compiler compiler(options, schema.get());
  SLUICE_RETURN_IF_ERROR(compiler.Run(document));
  return std::shared_ptr<const Schema>(std::move(schema));
}

}  // namespace sluice::schema
