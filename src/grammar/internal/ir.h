// The typed intermediate form between a JSON Schema and the grammar: every
// `$ref` is either inlined or a call to a rule, `allOf` is merged, `anyOf` /
// `oneOf` are distributed over their siblings, and each remaining node says
// which JSON types it allows and the constraints the grammar enforces for
// each. lower.cpp builds it; emit.cpp turns it into the NFA.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::grammar::internal {

enum TypeBit : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,  // integers written without fraction or exponent
  kNumber = 8,   // any JSON number (implies kInteger)
  kString = 16,
  kArray = 32,
  kObject = 64,
  kAllTypes = 127,
};

struct Property {
  std::string name;
  uint32_t node = 0;
  bool required = false;
};

struct PatternProperty {
  std::string pattern;
  uint32_t node = 0;
};

struct IrNode {
  enum class Kind { kTyped, kUnion, kLiterals, kCall, kNever };
  Kind kind = Kind::kTyped;

  std::vector<uint32_t> alternatives;      // kUnion
  std::vector<boost::json::value> values;  // kLiterals (enum / const)
  uint32_t rule = 0;                       // kCall

  // kTyped:
  uint8_t types = kAllTypes;
  // strings (code points)
  uint64_t min_length = 0;
  std::optional<uint64_t> max_length;
  std::optional<std::string> pattern;  // ECMA-262, search semantics
  // numbers
  std::optional<int64_t> int_min, int_max;  // inclusive, for kInteger
  std::optional<int64_t> int_multiple;      // >= 2, only without bounds
  bool number_nonnegative = false;          // kNumber: no leading '-'
  // arrays
  std::vector<uint32_t> prefix_items;
  std::optional<uint32_t> items;  // nullopt: no items after the prefix
  uint64_t min_items = 0;
  std::optional<uint64_t> max_items;
  // objects
  std::vector<Property> properties;  // in definition order
  std::optional<uint32_t> additional;  // node for other keys; nullopt: none
  std::vector<PatternProperty> pattern_properties;
};

struct Ir {
  std::vector<IrNode> nodes;
  std::vector<uint32_t> rule_bodies;  // rule i's body node; rule 0 is the document
};

}  // namespace sluice::grammar::internal
