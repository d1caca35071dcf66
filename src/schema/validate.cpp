// Validation: walks the compiled node table against an instance.
//
// Two modes share one walk: collecting errors (Validate) and yes/no
// (IsValid, and every speculative branch of anyOf / oneOf / not / if /
// contains, whose failures are not errors of the whole). In yes/no mode the
// first failure returns at once and no message is formatted.
//
// unevaluatedProperties / unevaluatedItems need to know which members the
// other keywords evaluated, across in-place applicators ($ref, allOf, ...).
// That is tracked in an `Evaluated` mark vector for the current instance,
// only when some enclosing node asked for it (ev != nullptr), and only
// annotations of subschemas that passed are kept (draft 2020-12 §7.7.1).
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "schema/internal/compiled.h"
#include "schema/internal/json_value.h"
#include "schema/internal/utf8.h"
#include "schema/json_pointer.h"

namespace sluice::schema {
namespace {
namespace json = boost::json;
using internal::kNoNode;
using internal::Node;
using internal::NodeId;

// Nested Validate calls allowed. Instance depth is bounded by the parser and
// reference cycles that make no progress ({"$ref": "#"}) are caught exactly
// (see FollowRef), so this is a backstop sized for the debug build's stack.
constexpr size_t kMaxRecursion = 512;

struct Evaluated {
  std::vector<uint8_t> marks;  // one per object member (in order) or array element
  void Merge(const Evaluated& other) {
    for (size_t i = 0; i < marks.size(); ++i) marks[i] |= other.marks[i];
  }
};

size_t ContainerSize(const json::value& v) {
  if (const json::object* o = v.if_object()) return o->size();
  if (const json::array* a = v.if_array()) return a->size();
  return 0;
}

std::string Shorten(std::string text) {
  constexpr size_t kMax = 120;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::string TypeList(uint8_t types) {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {internal::kTypeNull, "null"},       {internal::kTypeBoolean, "boolean"},
      {internal::kTypeInteger, "integer"}, {internal::kTypeNumber, "number"},
      {internal::kTypeString, "string"},   {internal::kTypeArray, "array"},
      {internal::kTypeObject, "object"}};
  std::string out;
  for (auto [bit, name] : kNames) {
    if (types & bit) out += (out.empty() ? "" : " or ") + std::string(name);
  }
  return out;
}

bool TypeMatches(uint8_t types, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return types & internal::kTypeNull;
    case json::kind::bool_:
      return types & internal::kTypeBoolean;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return (types & internal::kTypeNumber) ||
             ((types & internal::kTypeInteger) && internal::IsIntegral(v));
    case json::kind::string:
      return types & internal::kTypeString;
    case json::kind::array:
      return types & internal::kTypeArray;
    case json::kind::object:
      return types & internal::kTypeObject;
  }
  return false;
}

// Indices of two equal elements, or nullopt. Hash-sorted, so O(n log n).
[[gnu::noinline]] std::optional<std::pair<size_t, size_t>> FindDuplicate(const json::array& arr) {
  std::vector<std::pair<size_t, size_t>> hashed;  // (hash, index)
  hashed.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) hashed.emplace_back(internal::JsonHash(arr[i]), i);
  std::sort(hashed.begin(), hashed.end());
  for (size_t start = 0; start < hashed.size();) {
    size_t end = start + 1;
    while (end < hashed.size() && hashed[end].first == hashed[start].first) ++end;
    for (size_t a = start; a < end; ++a) {
      for (size_t b = a + 1; b < end; ++b) {
        if (internal::JsonEqual(arr[hashed[a].second], arr[hashed[b].second])) {
          return std::pair{hashed[a].second, hashed[b].second};
        }
      }
    }
    start = end;
  }
  return std::nullopt;
}

class Validator {
 public:
  Validator(const Schema& schema, std::vector<ValidationError>* errors, size_t max_errors)
      : schema_(schema), errors_(errors), max_errors_(max_errors) {}

  bool Run(const json::value& instance) { return Validate(schema_.root, instance, nullptr); }

 private:
  struct Segment {
    std::string_view key;
    size_t index = 0;
    bool is_index = false;
  };

  // True when the walk should stop: yes/no mode, or the error list is full.
  bool Stop() const { return errors_ == nullptr || errors_->size() >= max_errors_; }

  // Out of line so message formatting never enlarges the recursive frames
  // (with sanitizers, fmt's buffers made each level several KiB).
  template <typename MakeMessage>
  [[gnu::noinline]] void Report(const Node& node, std::string_view keyword,
                                MakeMessage&& make_message) {
    if (errors_ == nullptr || errors_->size() >= max_errors_) return;
    std::string instance_path;
    for (const Segment& s : path_) {
      instance_path += '/';
      instance_path += s.is_index ? std::to_string(s.index) : EscapeJsonPointerToken(s.key);
    }
    std::string schema_path = node.path;
    if (!keyword.empty()) schema_path += "/" + std::string(keyword);
    errors_->push_back({std::move(instance_path), std::move(schema_path), make_message()});
  }

  // Validates without reporting: for branches whose failure is not an error.
  bool Check(NodeId id, const json::value& inst, Evaluated* ev) {
    auto* saved = errors_;
    errors_ = nullptr;
    const bool ok = Validate(id, inst, ev);
    errors_ = saved;
    return ok;
  }

  bool ValidateChild(NodeId id, const json::value& inst, Segment segment) {
    path_.push_back(segment);
    const bool ok = Validate(id, inst, nullptr);
    path_.pop_back();
    return ok;
  }

  bool Validate(NodeId id, const json::value& inst, Evaluated* ev) {
    const Node& node = schema_.nodes[id];
    if (node.boolean) {
      if (*node.boolean) return true;
      Report(node, "", [] { return std::string("no value is allowed here (false schema)"); });
      return false;
    }
    if (depth_ >= kMaxRecursion) {
      Report(node, "", [] { return std::string("schema recursion limit exceeded"); });
      return false;
    }
    ++depth_;
    const bool pushed = scope_.empty() || scope_.back() != node.resource;
    if (pushed) scope_.push_back(node.resource);
    const bool ok = ValidateNode(node, inst, ev);
    if (pushed) scope_.pop_back();
    --depth_;
    return ok;
  }

// Records a failure of `keyword`; returns false from ValidateNode when done.
#define SLUICE_SCHEMA_FAIL(keyword, message_expr)        \
  do {                                                   \
    ok = false;                                          \
    Report(node, keyword, [&] { return message_expr; }); \
    if (Stop()) return false;                            \
  } while (0)
// A subschema failed and reported its own errors.
#define SLUICE_SCHEMA_SUBFAIL() \
  do {                          \
    ok = false;                 \
    if (Stop()) return false;   \
  } while (0)

  bool ValidateNode(const Node& node, const json::value& inst, Evaluated* ev) {
    bool ok = true;
    // Annotation tracking for this instance: fresh when this node consumes it.
    const bool consumes = (inst.is_object() && node.unevaluated_properties != kNoNode) ||
                          (inst.is_array() && node.unevaluated_items != kNoNode);
    Evaluated local;
    Evaluated* mine = ev;
    if (consumes) {
      local.marks.assign(ContainerSize(inst), 0);
      mine = &local;
    } else if (!inst.is_object() && !inst.is_array()) {
      mine = nullptr;
    }

    if (node.ref != kNoNode && !FollowRef(node, "$ref", node.ref, inst, mine)) {
      SLUICE_SCHEMA_SUBFAIL();
    }
    if (node.dynamic_ref != kNoNode &&
        !FollowRef(node, "$dynamicRef", DynamicTarget(node), inst, mine)) {
      SLUICE_SCHEMA_SUBFAIL();
    }
    if (node.types != 0 && !TypeMatches(node.types, inst)) {
      SLUICE_SCHEMA_FAIL("type", fmt::format("expected {}, got {}", TypeList(node.types),
                                             internal::JsonTypeName(inst)));
    }
    if (node.has_enum &&
        std::none_of(node.enum_values.begin(), node.enum_values.end(),
                     [&](const json::value& v) { return internal::JsonEqual(v, inst); })) {
      SLUICE_SCHEMA_FAIL(
          "enum",
          Shorten("must be one of " +
                  json::serialize(json::array(node.enum_values.begin(), node.enum_values.end()))));
    }
    if (node.const_value && !internal::JsonEqual(*node.const_value, inst)) {
      SLUICE_SCHEMA_FAIL("const", Shorten("must equal " + json::serialize(*node.const_value)));
    }
    if (internal::IsNumber(inst) && !ValidateNumber(node, inst, &ok)) return false;
    if (inst.is_string() && !ValidateString(node, inst.get_string(), &ok)) return false;
    if (inst.is_array() && !ValidateArray(node, inst.get_array(), mine, &ok)) return false;
    if (inst.is_object() && !ValidateObject(node, inst.get_object(), mine, &ok)) return false;
    if (!ValidateApplicators(node, inst, mine, &ok)) return false;

    // Last: unevaluated* see every other keyword's annotations.
    if (node.unevaluated_properties != kNoNode && inst.is_object()) {
      size_t i = 0;
      for (const auto& [key, value] : inst.get_object()) {
        if (!local.marks[i]) {
          if (!ValidateMember(node, "unevaluatedProperties", node.unevaluated_properties, key,
                              value)) {
            SLUICE_SCHEMA_SUBFAIL();
          }
          local.marks[i] = 1;
        }
        ++i;
      }
    }
    if (node.unevaluated_items != kNoNode && inst.is_array()) {
      const json::array& arr = inst.get_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        if (local.marks[i]) continue;
        if (!ValidateItem(node, "unevaluatedItems", node.unevaluated_items, arr, i)) {
          SLUICE_SCHEMA_SUBFAIL();
        }
        local.marks[i] = 1;
      }
    }
    if (consumes && ev != nullptr) ev->Merge(local);
    return ok;
  }

  // Applies a reference target in place. Entering the same node for the same
  // instance twice along one path is a cycle that would never end: invalid.
  bool FollowRef(const Node& node, std::string_view keyword, NodeId target, const json::value& inst,
                 Evaluated* ev) {
    for (auto it = refs_.rbegin(); it != refs_.rend() && it->second == &inst; ++it) {
      if (it->first == target) {
        Report(node, keyword, [] { return std::string("reference cycle without progress"); });
        return false;
      }
    }
    refs_.emplace_back(target, &inst);
    const bool ok = Validate(target, inst, ev);
    refs_.pop_back();
    return ok;
  }

  // $dynamicRef with a bookend: the outermost resource in the dynamic scope
  // that defines the anchor wins (draft 2020-12 §8.2.3.2).
  NodeId DynamicTarget(const Node& node) const {
    if (node.dynamic_anchor.empty()) return node.dynamic_ref;
    for (int r : scope_) {
      if (r < 0) continue;
      for (const auto& [name, id] : schema_.resources[static_cast<size_t>(r)].dynamic_anchors) {
        if (name == node.dynamic_anchor) return id;
      }
    }
    return node.dynamic_ref;
  }

  bool IsFalse(NodeId id) const {
    return schema_.nodes[id].boolean.has_value() && !*schema_.nodes[id].boolean;
  }

  // An object member checked against `id` on behalf of `keyword`; a `false`
  // schema gets a message that names the property.
  bool ValidateMember(const Node& node, std::string_view keyword, NodeId id, std::string_view key,
                      const json::value& value) {
    if (IsFalse(id)) {
      path_.push_back({key});
      Report(node, keyword, [&] { return fmt::format("property \"{}\" is not allowed", key); });
      path_.pop_back();
      return false;
    }
    return ValidateChild(id, value, {key});
  }

  bool ValidateItem(const Node& node, std::string_view keyword, NodeId id, const json::array& arr,
                    size_t i) {
    if (IsFalse(id)) {
      Report(node, keyword, [&] { return fmt::format("item {} is not allowed", i); });
      return false;
    }
    return ValidateChild(id, arr[i], {{}, i, true});
  }

  [[gnu::noinline]] bool ValidateNumber(const Node& node, const json::value& inst, bool* ok_out) {
    bool& ok = *ok_out;
    using internal::CompareNumbers;
    if (node.minimum && CompareNumbers(inst, *node.minimum) < 0) {
      SLUICE_SCHEMA_FAIL("minimum", "must be >= " + json::serialize(*node.minimum));
    }
    if (node.exclusive_minimum && CompareNumbers(inst, *node.exclusive_minimum) <= 0) {
      SLUICE_SCHEMA_FAIL("exclusiveMinimum",
                         "must be > " + json::serialize(*node.exclusive_minimum));
    }
    if (node.maximum && CompareNumbers(inst, *node.maximum) > 0) {
      SLUICE_SCHEMA_FAIL("maximum", "must be <= " + json::serialize(*node.maximum));
    }
    if (node.exclusive_maximum && CompareNumbers(inst, *node.exclusive_maximum) >= 0) {
      SLUICE_SCHEMA_FAIL("exclusiveMaximum",
                         "must be < " + json::serialize(*node.exclusive_maximum));
    }
    if (node.multiple_of && !internal::IsMultipleOf(inst, *node.multiple_of)) {
      SLUICE_SCHEMA_FAIL("multipleOf",
                         "must be a multiple of " + json::serialize(*node.multiple_of));
    }
    return true;
  }

  [[gnu::noinline]] bool ValidateString(const Node& node, std::string_view s, bool* ok_out) {
    bool& ok = *ok_out;
    if (node.min_length || node.max_length) {
      const size_t n = internal::CountCodePoints(s);
      if (node.min_length && n < *node.min_length) {
        SLUICE_SCHEMA_FAIL("minLength",
                           fmt::format("must be at least {} characters long", *node.min_length));
      }
      if (node.max_length && n > *node.max_length) {
        SLUICE_SCHEMA_FAIL("maxLength",
                           fmt::format("must be at most {} characters long", *node.max_length));
      }
    }
    if (node.pattern && !node.pattern->Search(s)) {
      SLUICE_SCHEMA_FAIL("pattern", "does not match pattern " + node.pattern->pattern());
    }
    if (node.format && !IsValidFormat(*node.format, s)) {
      SLUICE_SCHEMA_FAIL("format", fmt::format("is not a valid {}", FormatName(*node.format)));
    }
    return true;
  }

  bool ValidateArray(const Node& node, const json::array& arr, Evaluated* ev, bool* ok_out) {
    bool& ok = *ok_out;
    const size_t n = arr.size();
    if (node.min_items && n < *node.min_items) {
      SLUICE_SCHEMA_FAIL("minItems", fmt::format("must have at least {} items", *node.min_items));
    }
    if (node.max_items && n > *node.max_items) {
      SLUICE_SCHEMA_FAIL("maxItems", fmt::format("must have at most {} items", *node.max_items));
    }
    if (node.unique_items && n > 1) {
      if (auto dup = FindDuplicate(arr)) {
        SLUICE_SCHEMA_FAIL("uniqueItems", fmt::format("items {} and {} are equal",
                                                      std::min(dup->first, dup->second),
                                                      std::max(dup->first, dup->second)));
      }
    }
    const size_t n_prefix = std::min(n, node.prefix_items.size());
    for (size_t i = 0; i < n_prefix; ++i) {
      if (!ValidateChild(node.prefix_items[i], arr[i], {{}, i, true})) SLUICE_SCHEMA_SUBFAIL();
      if (ev) ev->marks[i] = 1;
    }
    if (node.items != kNoNode) {
      for (size_t i = n_prefix; i < n; ++i) {
        if (!ValidateItem(node, node.items_keyword, node.items, arr, i)) SLUICE_SCHEMA_SUBFAIL();
        if (ev) ev->marks[i] = 1;
      }
    }
    if (node.contains != kNoNode) {
      uint64_t matches = 0;
      const bool need_all = ev != nullptr || node.max_contains.has_value();
      for (size_t i = 0; i < n; ++i) {
        if (Check(node.contains, arr[i], nullptr)) {
          ++matches;
          if (ev) ev->marks[i] = 1;
          if (!need_all && matches >= node.min_contains) break;
        }
      }
      if (matches < node.min_contains) {
        SLUICE_SCHEMA_FAIL("contains", node.min_contains == 1
                                           ? std::string("must contain a matching item")
                                           : fmt::format("must contain at least {} matching items",
                                                         node.min_contains));
      }
      if (node.max_contains && matches > *node.max_contains) {
        SLUICE_SCHEMA_FAIL("maxContains", fmt::format("must contain at most {} matching items",
                                                      *node.max_contains));
      }
    }
    return true;
  }

  bool ValidateObject(const Node& node, const json::object& obj, Evaluated* ev, bool* ok_out) {
    bool& ok = *ok_out;
    for (const std::string& name : node.required) {
      if (!obj.contains(name)) {
        SLUICE_SCHEMA_FAIL("required", fmt::format("missing required property \"{}\"", name));
      }
    }
    if (node.min_properties && obj.size() < *node.min_properties) {
      SLUICE_SCHEMA_FAIL("minProperties",
                         fmt::format("must have at least {} properties", *node.min_properties));
    }
    if (node.max_properties && obj.size() > *node.max_properties) {
      SLUICE_SCHEMA_FAIL("maxProperties",
                         fmt::format("must have at most {} properties", *node.max_properties));
    }
    // Not a structured binding: clang 14 (the fuzzing build) cannot capture
    // one in SLUICE_SCHEMA_FAIL's lambda.
    for (const auto& entry : node.dependent_required) {
      const auto& name = entry.first;
      const auto& deps = entry.second;
      if (!obj.contains(name)) continue;
      for (const std::string& dep : deps) {
        if (!obj.contains(dep)) {
          SLUICE_SCHEMA_FAIL(node.dependencies_keyword,
                             fmt::format("property \"{}\" requires property \"{}\"", name, dep));
        }
      }
    }
    if (node.property_names != kNoNode) {
      for (const auto& member : obj) {
        const json::value name(member.key());
        if (!ValidateChild(node.property_names, name, {member.key()})) SLUICE_SCHEMA_SUBFAIL();
      }
    }
    const bool per_member = !node.properties.empty() || !node.pattern_properties.empty() ||
                            node.additional_properties != kNoNode;
    if (!per_member) return true;
    size_t i = 0;
    for (const auto& [key, value] : obj) {
      bool evaluated = false;
      const auto prop = std::lower_bound(
          node.properties.begin(), node.properties.end(), key,
          [](const auto& entry, std::string_view k) { return std::string_view(entry.first) < k; });
      if (prop != node.properties.end() && prop->first == key) {
        evaluated = true;
        if (!ValidateChild(prop->second, value, {key})) SLUICE_SCHEMA_SUBFAIL();
      }
      for (const internal::PatternProperty& pp : node.pattern_properties) {
        if (!pp.pattern.Search(key)) continue;
        evaluated = true;
        if (!ValidateChild(pp.node, value, {key})) SLUICE_SCHEMA_SUBFAIL();
      }
      if (!evaluated && node.additional_properties != kNoNode) {
        evaluated = true;
        if (!ValidateMember(node, "additionalProperties", node.additional_properties, key, value)) {
          SLUICE_SCHEMA_SUBFAIL();
        }
      }
      if (evaluated && ev) ev->marks[i] = 1;
      ++i;
    }
    return true;
  }

  bool ValidateApplicators(const Node& node, const json::value& inst, Evaluated* ev, bool* ok_out) {
    bool& ok = *ok_out;
    for (NodeId id : node.all_of) {
      if (!Validate(id, inst, ev)) SLUICE_SCHEMA_SUBFAIL();
    }
    auto branch = [&](NodeId id) {  // speculative, annotations kept only on success
      if (ev == nullptr) return Check(id, inst, nullptr);
      Evaluated temp{std::vector<uint8_t>(ev->marks.size(), 0)};
      if (!Check(id, inst, &temp)) return false;
      ev->Merge(temp);
      return true;
    };
    if (!node.any_of.empty()) {
      bool any = false;
      for (NodeId id : node.any_of) {
        if (branch(id)) {
          any = true;
          if (ev == nullptr) break;  // no annotations wanted: first match decides
        }
      }
      if (!any) SLUICE_SCHEMA_FAIL("anyOf", std::string("does not match any schema in anyOf"));
    }
    if (!node.one_of.empty()) {
      std::vector<size_t> matched;
      for (size_t i = 0; i < node.one_of.size() && matched.size() < 2; ++i) {
        if (branch(node.one_of[i])) matched.push_back(i);
      }
      if (matched.empty()) {
        SLUICE_SCHEMA_FAIL("oneOf", std::string("does not match any schema in oneOf"));
      } else if (matched.size() > 1) {
        SLUICE_SCHEMA_FAIL("oneOf", fmt::format("matches more than one schema in oneOf ({} and {})",
                                                matched[0], matched[1]));
      }
    }
    if (node.not_schema != kNoNode && Check(node.not_schema, inst, nullptr)) {
      SLUICE_SCHEMA_FAIL("not", std::string("must not match the schema in not"));
    }
    if (node.if_schema != kNoNode) {
      if (branch(node.if_schema)) {
        if (node.then_schema != kNoNode && !Validate(node.then_schema, inst, ev)) {
          SLUICE_SCHEMA_SUBFAIL();
        }
      } else if (node.else_schema != kNoNode && !Validate(node.else_schema, inst, ev)) {
        SLUICE_SCHEMA_SUBFAIL();
      }
    }
    if (!node.dependent_schemas.empty() && inst.is_object()) {
      for (const auto& [name, id] : node.dependent_schemas) {
        if (inst.get_object().contains(name) && !Validate(id, inst, ev)) SLUICE_SCHEMA_SUBFAIL();
      }
    }
    return true;
  }

#undef SLUICE_SCHEMA_FAIL
#undef SLUICE_SCHEMA_SUBFAIL

  const Schema& schema_;
  std::vector<ValidationError>* errors_;
  size_t max_errors_;
  std::vector<Segment> path_;  // instance location; keys borrow from the instance
  std::vector<int> scope_;     // dynamic scope: resources entered, outermost first
  std::vector<std::pair<NodeId, const json::value*>> refs_;  // references being followed
  size_t depth_ = 0;
};

}  // namespace

std::vector<ValidationError> Validate(const Schema& schema, const boost::json::value& instance,
                                      size_t max_errors) {
  std::vector<ValidationError> errors;
  Validator(schema, &errors, max_errors).Run(instance);
  return errors;
}

bool IsValid(const Schema& schema, const boost::json::value& instance) {
  return Validator(schema, nullptr, 0).Run(instance);
}

}  // namespace sluice::schema
