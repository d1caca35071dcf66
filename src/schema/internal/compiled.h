// The typed form of a compiled schema: a flat table of nodes, one per
// subschema, that refer to each other by index (so recursive `$ref`s are just
// cycles in the table, and the whole thing is one immutable value).
//
// Every keyword is parsed and checked at compile time; validate.cpp reads this
// form without failing, parsing or looking up strings in the schema document.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schema/formats.h"
#include "schema/regex.h"
#include "schema/schema.h"

namespace sluice::schema::internal {

using NodeId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;

// Bits of the `type` keyword. kInteger is a subset of kNumber when testing.
enum TypeBit : uint8_t {
  kTypeNull = 1 << 0,
  kTypeBoolean = 1 << 1,
  kTypeInteger = 1 << 2,
  kTypeNumber = 1 << 3,
  kTypeString = 1 << 4,
  kTypeArray = 1 << 5,
  kTypeObject = 1 << 6,
};

struct PatternProperty {
  regex::Regex pattern;
  NodeId node = kNoNode;
};

struct Node {
  std::string path;   // where the subschema sits: "/properties/a" or "<uri>#/..."
  int resource = -1;  // index into Schema::resources, for the dynamic scope

  std::optional<bool> boolean;  // a `true` / `false` schema: nothing else is set

  // References: `ref` is an in-place applicator. `dynamic_ref` is the initial
  // target of `$dynamicRef`; with a bookend anchor, `dynamic_anchor` names it
  // and the target is looked up in the dynamic scope first.
  NodeId ref = kNoNode;
  NodeId dynamic_ref = kNoNode;
  std::string dynamic_anchor;

  uint8_t types = 0;  // 0: any type
  bool has_enum = false;
  std::vector<boost::json::value> enum_values;
  std::optional<boost::json::value> const_value;

  // Numbers (bounds stored as JSON numbers so comparisons stay exact).
  std::optional<boost::json::value> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::optional<boost::json::value> multiple_of;

  // Strings; lengths count code points.
  std::optional<uint64_t> min_length, max_length;
  std::optional<regex::Regex> pattern;
  std::optional<Format> format;

  // Arrays. `items` applies to indices past `prefix_items` (draft 7's
  // array-form `items` + `additionalItems` compile to the same pair).
  std::vector<NodeId> prefix_items;
  NodeId items = kNoNode;
  const char* items_keyword = "items";  // "additionalItems" for draft 7 tuples
  NodeId contains = kNoNode;
  uint64_t min_contains = 1;
  std::optional<uint64_t> max_contains;
  std::optional<uint64_t> min_items, max_items;
  bool unique_items = false;
  NodeId unevaluated_items = kNoNode;

  // Objects. `properties` is sorted by name for binary search.
  std::vector<std::pair<std::string, NodeId>> properties;
  std::vector<PatternProperty> pattern_properties;
  NodeId additional_properties = kNoNode;
  std::vector<std::string> required;
  std::optional<uint64_t> min_properties, max_properties;
  NodeId property_names = kNoNode;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  const char* dependencies_keyword = "dependentRequired";  // "dependencies" in draft 7
  std::vector<std::pair<std::string, NodeId>> dependent_schemas;
  NodeId unevaluated_properties = kNoNode;

  // Combinators.
  std::vector<NodeId> all_of, any_of, one_of;
  NodeId not_schema = kNoNode;
  NodeId if_schema = kNoNode, then_schema = kNoNode, else_schema = kNoNode;
};

// A schema resource (a document root or a subschema with `$id`).
struct Resource {
  std::string uri;
  std::vector<std::pair<std::string, NodeId>> dynamic_anchors;  // `$dynamicAnchor`s
};

}  // namespace sluice::schema::internal

namespace sluice::schema {

class Schema {
 public:
  std::vector<internal::Node> nodes;
  std::vector<internal::Resource> resources;
  internal::NodeId root = internal::kNoNode;
};

}  // namespace sluice::schema
