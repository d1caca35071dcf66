#include "grammar/internal/merge.h"

#include <boost/json.hpp>
#include <set>

namespace sluice::grammar::internal {
namespace {

namespace json = boost::json;

const std::set<std::string_view>& AssertingKeywords() {
  static const std::set<std::string_view> k = {
      "type", "enum", "const", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
      "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "items", "prefixItems", "additionalItems",
      "contains", "minContains", "maxContains", "minItems", "maxItems", "uniqueItems", "properties",
      "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties",
      "propertyNames", "dependencies", "dependentRequired", "dependentSchemas", "allOf", "anyOf", "oneOf",
      "not", "if", "then", "else", "$ref", "$dynamicRef", "$recursiveRef", "unevaluatedItems",
      "unevaluatedProperties"};
  return k;
}

std::set<std::string> TypeSet(const json::value& t) {
  std::set<std::string> out;
  if (t.is_string()) out.insert(std::string(t.get_string()));
  if (t.is_array()) {
    for (const auto& e : t.get_array()) {
      if (e.is_string()) out.insert(std::string(e.get_string()));
    }
  }
  return out;
}

json::value IntersectTypes(const json::value& a, const json::value& b) {
  auto sa = TypeSet(a), sb = TypeSet(b);
  json::array out;
  for (const auto& t : sa) {
    if (sb.count(t)) out.emplace_back(t);
    else if (t == "integer" && sb.count("number")) out.emplace_back("integer");
    else if (t == "number" && sb.count("integer")) out.emplace_back("integer");
  }
  return out;
}

json::value AllOf(const json::value& a, const json::value& b) {
  return json::object{{"allOf", json::array{a, b}}};
}

bool IsFalse(const json::value& v) { return v.is_bool() && !v.get_bool(); }

// JSON Schema equality: numbers by value (1 == 1.0), objects by members.
bool SchemaEqual(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
    return a == b;
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!SchemaEqual(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (other == nullptr || !SchemaEqual(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

// properties / additionalProperties together, so that a property one side
// declares and the other forbids (additionalProperties: false) disappears.
void MergeProperties(json::object& dst, const json::object& src, std::vector<std::string>* unmerged) {
  const json::value* dp = dst.if_contains("properties");
  const json::value* sp = src.if_contains("properties");
  const json::value* da = dst.if_contains("additionalProperties");
  const json::value* sa = src.if_contains("additionalProperties");
  if (!sp && !sa) return;
  if ((dst.contains("patternProperties") || src.contains("patternProperties")) && (sp || sa)) {
    unmerged->push_back("properties");
  }
  json::object d_props = dp && dp->is_object() ? dp->get_object() : json::object();
  json::object s_props = sp && sp->is_object() ? sp->get_object() : json::object();
  json::object merged;
  auto side = [](const json::object& props, const json::value* additional, std::string_view key)
      -> const json::value* {
    if (const json::value* v = props.if_contains(key)) return v;
    return additional;
  };
  std::vector<std::string> keys;
  for (const auto& kv : d_props) keys.emplace_back(kv.key());
  for (const auto& kv : s_props) {
    if (!d_props.contains(kv.key())) keys.emplace_back(kv.key());
  }
  for (const auto& k : keys) {
    const json::value* a = side(d_props, da, k);
    const json::value* b = side(s_props, sa, k);
    if (a && b) merged[k] = AllOf(*a, *b);
    else merged[k] = a ? *a : *b;
  }
  dst["properties"] = std::move(merged);
  if (da && sa) dst["additionalProperties"] = AllOf(*da, *sa);
  else if (sa) dst["additionalProperties"] = *sa;
}

}  // namespace

bool IsAnnotation(std::string_view key) { return AssertingKeywords().count(key) == 0; }

bool HasAssertions(const json::object& obj) {
  for (const auto& kv : obj) {
    if (!IsAnnotation(kv.key())) return true;
  }
  return false;
}

void MergeSchemaObjects(json::object& dst, const json::object& src, std::vector<std::string>* unmerged) {
  MergeProperties(dst, src, unmerged);
  for (const auto& kv : src) {
    std::string_view k = kv.key();
    const json::value& v = kv.value();
    if (IsAnnotation(k) || k == "properties" || k == "additionalProperties") continue;
    json::value* d = dst.if_contains(k);
    if (d == nullptr) {
      dst[k] = v;
      continue;
    }
    if (*d == v) continue;
    if (k == "type") {
      *d = IntersectTypes(*d, v);
    } else if (k == "required" && d->is_array() && v.is_array()) {
      for (const auto& e : v.get_array()) {
        bool present = false;
        for (const auto& x : d->get_array()) present = present || x == e;
        if (!present) d->get_array().push_back(e);
      }
    } else if ((k == "minimum" || k == "exclusiveMinimum" || k == "minLength" || k == "minItems" ||
                k == "minProperties") && d->is_number() && v.is_number()) {
      if (v.to_number<double>() > d->to_number<double>()) *d = v;
    } else if ((k == "maximum" || k == "exclusiveMaximum" || k == "maxLength" || k == "maxItems" ||
                k == "maxProperties") && d->is_number() && v.is_number()) {
      if (v.to_number<double>() < d->to_number<double>()) *d = v;
    } else if (k == "enum" && d->is_array() && v.is_array()) {
      json::array keep;
      for (const auto& e : d->get_array()) {
        for (const auto& x : v.get_array()) {
          if (SchemaEqual(e, x)) {
            keep.push_back(e);
            break;
          }
        }
      }
      *d = std::move(keep);
    } else if (k == "const") {
      if (!SchemaEqual(*d, v)) dst["enum"] = json::array();  // two different consts: nothing matches
    } else if (k == "items" && !d->is_array() && !v.is_array()) {
      *d = IsFalse(*d) || IsFalse(v) ? json::value(false) : AllOf(*d, v);
    } else if (k == "uniqueItems") {
      if (v.is_bool() && v.get_bool()) *d = true;
    } else {
      unmerged->emplace_back(k);
    }
  }
}

}  // namespace sluice::grammar::internal
