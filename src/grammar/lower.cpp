// Lowering: resolves `$ref` (inline unless recursive, then a rule call),
// merges `allOf`, distributes `anyOf` / `oneOf` over their siblings and reads
// each remaining object's keywords into an IrNode. Everything the node does
// not enforce goes to `post_validated`.
#include "grammar/internal/lower.h"

#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include "grammar/internal/merge.h"
#include "schema/json_pointer.h"
#include "schema/regex.h"
#include "schema/schema.h"

namespace sluice::grammar::internal {
namespace {

namespace json = boost::json;

constexpr int kMaxDepth = 256;
constexpr uint64_t kMaxExpandedItems = 256;
// Superset mode: marks a merged allOf whose object keywords could not be
// combined exactly (patternProperties next to properties on the other side);
// its objects are then any objects. An unknown keyword, so an annotation to
// the merge and to the validator's view of the IR.
constexpr std::string_view kAnyObjectMark = "x-sluice-superset-any-object";

std::optional<uint64_t> GetCount(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_double() && v->get_double() >= 0 && std::floor(v->get_double()) == v->get_double() &&
      v->get_double() < 1.8e19) {
    return static_cast<uint64_t>(v->get_double());
  }
  return std::nullopt;
}

std::optional<double> GetNumber(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

bool IsIntegral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) && std::floor(v.get_double()) == v.get_double();
}

// Known string formats as anchored patterns; `exact` says whether the
// pattern is the format itself (else the validator finishes the check).
struct FormatPattern {
  const char* name;
  const char* pattern;
  bool exact;
};
constexpr const char* kHost =
    "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";
const std::vector<FormatPattern>& Formats() {
  static const std::vector<FormatPattern> kFormats = {
      {"date", "^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])$", false},
      {"time", "^(?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)(?:\\.\\d+)?(?:[zZ]|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$",
       false},
      {"date-time",
       "^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])[tT](?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)"
       "(?:\\.\\d+)?(?:[zZ]|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$",
       false},
      {"uuid", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", true},
      {"ipv4", "^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$", true},
      {"ipv6", "^(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}$|^::$|^(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4})?$",
       false},
      {"hostname", nullptr, false},
      {"email", nullptr, false},
      {"uri", "^[A-Za-z][A-Za-z0-9+.-]*:[^\\s<>\"{}|\\\\^`]*$", false},
  };
  return kFormats;
}

std::optional<std::string> FormatRegex(std::string_view name, bool* exact) {
  for (const FormatPattern& f : Formats()) {
    if (name != f.name) continue;
    *exact = f.exact;
    if (name == "hostname") return std::string("^") + kHost + "$";
    if (name == "email") return std::string("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@") + kHost + "$";
    return std::string(f.pattern);
  }
  return std::nullopt;
}

class Lowerer {
 public:
  Lowerer(const json::value& doc, const LowerOptions& options, std::set<std::string>* post)
      : doc_(doc), options_(options), post_(post) {}

  StatusOr<Ir> Run() {
    ir_.rule_bodies.push_back(0);
    in_progress_.push_back("");
    uint32_t root = LowerValue(doc_, "", 0);
    if (!error_.ok()) return error_;
    ir_.rule_bodies[0] = root;
    return std::move(ir_);
  }

 private:
  void Fail(const std::string& where, const std::string& what) {
    if (error_.ok()) error_ = Status(ErrorCode::kUnprocessable, (where.empty() ? "/" : where) + ": " + what);
  }
  void PostValidate(const std::string& where) { post_->insert(where.empty() ? "/" : where); }

  uint32_t Add(IrNode node) {
    if (ir_.nodes.size() >= options_.max_nodes) {
      Fail("", "the schema expands to more than " + std::to_string(options_.max_nodes) + " grammar nodes");
      return 0;
    }
    ir_.nodes.push_back(std::move(node));
    return static_cast<uint32_t>(ir_.nodes.size() - 1);
  }
  uint32_t Never() {
    IrNode n;
    n.kind = IrNode::Kind::kNever;
    return Add(std::move(n));
  }
  uint32_t Call(uint32_t rule) {
    IrNode n;
    n.kind = IrNode::Kind::kCall;
    n.rule = rule;
    return Add(std::move(n));
  }
  // Any JSON value; nested values recurse through the shared "any" rule.
  uint32_t Any() {
    if (!any_rule_) {
      any_rule_ = static_cast<uint32_t>(ir_.rule_bodies.size());
      ir_.rule_bodies.push_back(0);
      uint32_t call = Call(*any_rule_);
      IrNode body;
      body.items = call;
      body.additional = call;
      ir_.rule_bodies[*any_rule_] = Add(std::move(body));
    }
    IrNode n;
    uint32_t call = Call(*any_rule_);
    n.items = call;
    n.additional = call;
    return Add(std::move(n));
  }

  std::optional<std::string> FindAnchor(const json::value& v, const std::string& ptr, std::string_view name) {
    if (v.is_object()) {
      const auto& o = v.get_object();
      if (const auto* a = o.if_contains("$anchor"); a && a->is_string() && a->get_string() == name) return ptr;
      if (const auto* id = o.if_contains("$id"); id && id->is_string() && id->get_string().size() == name.size() + 1 &&
                                                 id->get_string()[0] == '#' &&
                                                 std::string_view(id->get_string()).substr(1) == name) {
        return ptr;
      }
      for (const auto& kv : o) {
        if (kv.key() == "enum" || kv.key() == "const") continue;
        auto r = FindAnchor(kv.value(), ptr + "/" + schema::EscapeJsonPointerToken(kv.key()), name);
        if (r) return r;
      }
    } else if (v.is_array()) {
      const auto& a = v.get_array();
      for (size_t i = 0; i < a.size(); ++i) {
        auto r = FindAnchor(a[i], ptr + "/" + std::to_string(i), name);
        if (r) return r;
      }
    }
    return std::nullopt;
  }

  // "$ref" → the JSON Pointer of its target in the document.
  // In superset mode an unresolvable reference is not an error: the caller
  // widens it to "any value" and the validator resolves it (or fails).
  std::optional<std::string> Resolve(std::string_view ref, const std::string& where) {
    if (options_.superset) {
      Status saved = error_;
      auto r = ResolveStrict(ref, where);
      if (!r) {
        error_ = saved;
        PostValidate(where);
      }
      return r;
    }
    return ResolveStrict(ref, where);
  }

  std::optional<std::string> ResolveStrict(std::string_view ref, const std::string& where) {
    std::string_view frag = ref;
    if (ref.empty() || ref[0] != '#') {
      // Allow a ref that names the document's own $id.
      const json::value* id = doc_.is_object() ? doc_.get_object().if_contains("$id") : nullptr;
      size_t hash = ref.find('#');
      std::string_view base = ref.substr(0, hash);
      if (id == nullptr || !id->is_string() || id->get_string() != base) {
        Fail(where, "only local $ref (\"#...\") is supported, got \"" + std::string(ref) + "\"");
        return std::nullopt;
      }
      frag = hash == std::string_view::npos ? std::string_view("#") : ref.substr(hash);
    }
    std::string decoded = schema::PercentDecode(frag.substr(1));
    if (decoded.empty()) return std::string();
    if (decoded[0] != '/') {
      auto anchor = FindAnchor(doc_, "", decoded);
      if (!anchor) Fail(where, "unknown anchor \"" + decoded + "\"");
      return anchor;
    }
    auto tokens = schema::ParseJsonPointer(decoded);
    if (!tokens || schema::ResolveJsonPointer(doc_, *tokens) == nullptr) {
      Fail(where, "unresolvable $ref \"" + std::string(ref) + "\"");
      return std::nullopt;
    }
    return decoded;
  }

  const json::value& At(const std::string& ptr) {
    if (ptr.empty()) return doc_;
    return *schema::ResolveJsonPointer(doc_, *schema::ParseJsonPointer(ptr));
  }

  bool InProgress(const std::string& ptr) const {
    for (const auto& p : in_progress_) {
      if (p == ptr) return true;
    }
    return false;
  }

  uint32_t RuleFor(const std::string& target, int depth) {
    if (auto it = rules_.find(target); it != rules_.end()) return it->second;
    auto id = static_cast<uint32_t>(ir_.rule_bodies.size());
    ir_.rule_bodies.push_back(0);
    rules_[target] = id;
    uint32_t body = LowerValue(At(target), target, depth + 1);
    ir_.rule_bodies[id] = body;
    return id;
  }

  uint32_t LowerRef(const std::string& target, int depth) {
    if (InProgress(target)) return Call(RuleFor(target, depth));
    in_progress_.push_back(target);
    uint32_t n = LowerValue(At(target), target, depth + 1);
    in_progress_.pop_back();
    return n;
  }

  // Merges `branch` (at `bptr`) into `merged`, following `$ref` and nested allOf.
  void MergeBranch(json::object& merged, const json::value& branch, const std::string& bptr, int depth) {
    if (depth > kMaxDepth) {
      Fail(bptr, "allOf / $ref nested too deeply");
      return;
    }
    if (branch.is_bool()) {
      if (!branch.get_bool()) merged["type"] = json::array();
      return;
    }
    if (!branch.is_object()) {
      Fail(bptr, "a schema must be an object or a boolean");
      return;
    }
    json::object obj = branch.get_object();
    if (const json::value* ref = obj.if_contains("$ref"); ref && ref->is_string()) {
      auto target = Resolve(ref->get_string(), bptr + "/$ref");
      if (!target) return;
      bool keep_siblings = !options_.draft7;
      obj.erase("$ref");
      if (!keep_siblings) obj = json::object();
      if (InProgress(*target)) {
        PostValidate(bptr + "/$ref");  // recursive: cannot be merged inline
      } else {
        in_progress_.push_back(*target);
        MergeBranch(merged, At(*target), *target, depth + 1);
        in_progress_.pop_back();
      }
    }
    if (const json::value* all = obj.if_contains("allOf"); all && all->is_array()) {
      json::array parts = all->get_array();
      obj.erase("allOf");
      for (size_t i = 0; i < parts.size(); ++i) {
        MergeBranch(merged, parts[i], bptr + "/allOf/" + std::to_string(i), depth + 1);
      }
    }
    std::vector<std::string> unmerged;
    MergeSchemaObjects(merged, obj, &unmerged);
    for (const auto& k : unmerged) {
      PostValidate(bptr + "/" + k);
      if (options_.superset && k == "properties") merged[kAnyObjectMark] = true;
    }
  }

  uint32_t LowerValue(const json::value& v, const std::string& ptr, int depth) {
    if (!error_.ok()) return 0;
    if (depth > kMaxDepth) {
      Fail(ptr, "schema nested too deeply");
      return 0;
    }
    if (v.is_bool()) return v.get_bool() ? Any() : Never();
    if (!v.is_object()) {
      Fail(ptr, "a schema must be an object or a boolean");
      return 0;
    }
    const json::object& obj = v.get_object();
    if (const json::value* ref = obj.if_contains("$ref")) {
      if (!ref->is_string()) {
        Fail(ptr + "/$ref", "must be a string");
        return 0;
      }
      auto target = Resolve(ref->get_string(), ptr + "/$ref");
      if (!target) return options_.superset ? Any() : 0;
      json::object rest = obj;
      rest.erase("$ref");
      if (options_.draft7 || !HasAssertions(rest)) return LowerRef(*target, depth);
      // 2020-12: $ref with siblings is an allOf of both.
      json::array all;
      if (const json::value* a = rest.if_contains("allOf"); a && a->is_array()) all = a->get_array();
      all.push_back(json::object{{"$ref", ref->get_string()}});
      rest["allOf"] = std::move(all);
      return LowerValue(json::value(std::move(rest)), ptr, depth + 1);
    }
    if (const json::value* all = obj.if_contains("allOf")) {
      if (!all->is_array()) {
        Fail(ptr + "/allOf", "must be an array");
        return 0;
      }
      json::object merged = obj;
      merged.erase("allOf");
      const json::array& parts = all->get_array();
      for (size_t i = 0; i < parts.size(); ++i) {
        MergeBranch(merged, parts[i], ptr + "/allOf/" + std::to_string(i), depth + 1);
      }
      return LowerValue(json::value(std::move(merged)), ptr, depth + 1);
    }
    for (const char* key : {"anyOf", "oneOf"}) {
      const json::value* alts = obj.if_contains(key);
      if (alts == nullptr) continue;
      if (!alts->is_array() || alts->get_array().empty()) {
        Fail(ptr + "/" + key, "must be a non-empty array");
        return 0;
      }
      const json::array& branches = alts->get_array();
      std::string kptr = ptr + "/" + key;
      if (std::string_view(key) == "oneOf" && branches.size() > 1) PostValidate(kptr);  // exclusivity
      json::object rest = obj;
      rest.erase(key);
      bool trivial = !HasAssertions(rest);
      IrNode u;
      u.kind = IrNode::Kind::kUnion;
      for (size_t i = 0; i < branches.size(); ++i) {
        std::string bptr = kptr + "/" + std::to_string(i);
        if (trivial) {
          u.alternatives.push_back(LowerValue(branches[i], bptr, depth + 1));
        } else {
          json::object merged = rest;
          MergeBranch(merged, branches[i], bptr, depth + 1);
          u.alternatives.push_back(LowerValue(json::value(std::move(merged)), ptr, depth + 1));
        }
        if (!error_.ok()) return 0;
      }
      return Add(std::move(u));
    }
    return LowerTyped(obj, ptr, depth);
  }

  uint32_t LowerTyped(const json::object& obj, const std::string& ptr, int depth);
  uint32_t LowerLiterals(const json::object& obj, const std::string& ptr, uint8_t types);
  void LowerStrings(const json::object& obj, const std::string& ptr, IrNode& n);
  void LowerNumbers(const json::object& obj, const std::string& ptr, IrNode& n);
  void LowerArrays(const json::object& obj, const std::string& ptr, int depth, IrNode& n);
  void LowerObjects(const json::object& obj, const std::string& ptr, int depth, IrNode& n);

  const json::value& doc_;
  LowerOptions options_;
  std::set<std::string>* post_;
  Status error_;
  Ir ir_;
  std::vector<std::string> in_progress_;
  std::map<std::string, uint32_t> rules_;
  std::optional<uint32_t> any_rule_;
};

uint8_t TypeOf(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return kNull;
    case json::kind::bool_: return kBoolean;
    case json::kind::string: return kString;
    case json::kind::array: return kArray;
    case json::kind::object: return kObject;
    default: return IsIntegral(v) ? kInteger : kNumber;
  }
}

uint32_t Lowerer::LowerTyped(const json::object& obj, const std::string& ptr, int depth) {
  IrNode n;
  if (const json::value* t = obj.if_contains("type")) {
    std::vector<json::string> names;
    if (t->is_string()) names.push_back(t->get_string());
    else if (t->is_array()) {
      for (const auto& e : t->get_array()) {
        if (!e.is_string()) {
          Fail(ptr + "/type", "must name types");
          return 0;
        }
        names.push_back(e.get_string());
      }
    } else {
      Fail(ptr + "/type", "must be a string or an array");
      return 0;
    }
    n.types = 0;
    for (const auto& name : names) {
      if (name == "null") n.types |= kNull;
      else if (name == "boolean") n.types |= kBoolean;
      else if (name == "integer") n.types |= kInteger;
      else if (name == "number") n.types |= kInteger | kNumber;
      else if (name == "string") n.types |= kString;
      else if (name == "array") n.types |= kArray;
      else if (name == "object") n.types |= kObject;
      else {
        Fail(ptr + "/type", "unknown type \"" + std::string(name) + "\"");
        return 0;
      }
    }
  }
  if (obj.contains("enum") || obj.contains("const")) return LowerLiterals(obj, ptr, n.types);
  LowerStrings(obj, ptr, n);
  LowerNumbers(obj, ptr, n);
  LowerArrays(obj, ptr, depth, n);
  LowerObjects(obj, ptr, depth, n);
  if (!error_.ok()) return 0;
  static const std::set<std::string_view> kHandled = {
      "type", "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
      "exclusiveMaximum", "multipleOf", "items", "prefixItems", "additionalItems", "minItems", "maxItems",
      "properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties"};
  for (const auto& kv : obj) {
    if (IsAnnotation(kv.key()) || kHandled.count(kv.key())) continue;
    if (kv.key() == "uniqueItems" && kv.value().is_bool() && !kv.value().get_bool()) continue;
    PostValidate(ptr + "/" + std::string(kv.key()));
  }
  if (n.types == 0) return Never();
  return Add(std::move(n));
}

uint32_t Lowerer::LowerLiterals(const json::object& obj, const std::string& ptr, uint8_t types) {
  IrNode n;
  n.kind = IrNode::Kind::kLiterals;
  std::vector<json::value> candidates;
  if (const json::value* c = obj.if_contains("const")) candidates.push_back(*c);
  else {
    const json::value* e = obj.if_contains("enum");
    if (!e->is_array()) {
      Fail(ptr + "/enum", "must be an array");
      return 0;
    }
    for (const auto& v : e->get_array()) candidates.push_back(v);
  }
  // Other keywords next to enum/const: filter the values with the validator
  // when the object stands on its own; otherwise leave them to it.
  json::object rest = obj;
  for (const char* k : {"enum", "const", "type"}) rest.erase(k);
  std::shared_ptr<const schema::Schema> check;
  if (HasAssertions(rest) || obj.contains("const")) {
    schema::CompileOptions so;
    so.draft = options_.draft7 ? schema::Draft::kDraft7 : schema::Draft::kDraft2020_12;
    auto compiled = schema::Compile(json::value(obj), so);
    if (compiled.ok()) check = *compiled;
    else {
      for (const auto& kv : rest) {
        if (!IsAnnotation(kv.key())) PostValidate(ptr + "/" + std::string(kv.key()));
      }
    }
  }
  for (auto& v : candidates) {
    uint8_t t = TypeOf(v);
    if (!(types & t) && !(t == kInteger && (types & kNumber))) continue;
    if (check && !schema::IsValid(*check, v)) continue;
    n.values.push_back(std::move(v));
  }
  if (n.values.empty()) return Never();
  return Add(std::move(n));
}

void Lowerer::LowerStrings(const json::object& obj, const std::string& ptr, IrNode& n) {
  n.min_length = GetCount(obj, "minLength").value_or(0);
  n.max_length = GetCount(obj, "maxLength");
  if (obj.contains("minLength") && !GetCount(obj, "minLength")) Fail(ptr + "/minLength", "must be a non-negative integer");
  if (obj.contains("maxLength") && !n.max_length) Fail(ptr + "/maxLength", "must be a non-negative integer");
  if (const json::value* p = obj.if_contains("pattern")) {
    if (!p->is_string()) {
      Fail(ptr + "/pattern", "must be a string");
      return;
    }
    auto parsed = schema::regex::Parse(p->get_string());
    if (parsed.ok()) {
      n.pattern = std::string(p->get_string());
    } else if (options_.superset) {
      PostValidate(ptr + "/pattern");
    } else {
      Fail(ptr + "/pattern", parsed.status().message());
      return;
    }
  }
  if (const json::value* f = obj.if_contains("format"); f && f->is_string() && options_.superset) {
    PostValidate(ptr + "/format");  // formats are approximations, and may be annotations only
  } else if (f && f->is_string()) {
    bool exact = false;
    auto re = FormatRegex(f->get_string(), &exact);
    if (re && !n.pattern) {
      n.pattern = *re;
      if (!exact) PostValidate(ptr + "/format");
    } else if (re) {
      PostValidate(ptr + "/format");
    }
  }
  if (n.pattern && (n.min_length > 0 || n.max_length)) {
    if (n.min_length > 0) PostValidate(ptr + "/minLength");
    if (n.max_length) PostValidate(ptr + "/maxLength");
    n.min_length = 0;
    n.max_length.reset();
  }
  if (n.max_length && *n.max_length > 4096) {
    PostValidate(ptr + "/maxLength");
    n.max_length.reset();
  }
  if (n.min_length > 4096) {
    PostValidate(ptr + "/minLength");
    n.min_length = 4096;
  }
  if (n.max_length && *n.max_length < n.min_length) n.types &= static_cast<uint8_t>(~kString);
}

void Lowerer::LowerNumbers(const json::object& obj, const std::string& ptr, IrNode& n) {
  for (const char* k : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}) {
    const json::value* v = obj.if_contains(k);
    if (v && !v->is_number()) {
      PostValidate(ptr + "/" + k);  // draft-4 boolean forms and the like
    }
  }
  if (options_.superset) {
    // Any JSON number form: 1.0 and 1e2 are integers too; bounds and
    // multipleOf are the validator's.
    if (n.types & kInteger) n.types |= kNumber;
    for (const char* k : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}) {
      if (obj.contains(k) && (n.types & kNumber)) PostValidate(ptr + "/" + k);
    }
    return;
  }
  auto minimum = GetNumber(obj, "minimum");
  auto maximum = GetNumber(obj, "maximum");
  auto xmin = GetNumber(obj, "exclusiveMinimum");
  auto xmax = GetNumber(obj, "exclusiveMaximum");
  auto multiple = GetNumber(obj, "multipleOf");
  bool has_bounds = minimum || maximum || xmin || xmax;
  if (multiple && *multiple >= 1 && std::floor(*multiple) == *multiple && (n.types & kNumber)) {
    n.types &= static_cast<uint8_t>(~kNumber);  // multiples of an integer are integers
  }
  if (n.types & kNumber) {
    if (has_bounds) {
      double lo = -INFINITY;
      if (minimum) lo = std::max(lo, *minimum);
      if (xmin) lo = std::max(lo, *xmin);
      if (lo >= 0) n.number_nonnegative = true;
      for (const char* k : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}) {
        if (obj.contains(k)) PostValidate(ptr + "/" + k);
      }
    }
    if (multiple) PostValidate(ptr + "/multipleOf");
    return;
  }
  if (!(n.types & kInteger)) return;
  constexpr double kLimit = 9.0e18;
  auto lower = [&](double v, bool exclusive, const char* k) {
    if (std::fabs(v) > kLimit) {
      PostValidate(ptr + "/" + k);
      return;
    }
    double b = exclusive ? std::floor(v) + 1 : std::ceil(v);
    auto i = static_cast<int64_t>(b);
    if (!n.int_min || i > *n.int_min) n.int_min = i;
  };
  auto upper = [&](double v, bool exclusive, const char* k) {
    if (std::fabs(v) > kLimit) {
      PostValidate(ptr + "/" + k);
      return;
    }
    double b = exclusive ? std::ceil(v) - 1 : std::floor(v);
    auto i = static_cast<int64_t>(b);
    if (!n.int_max || i < *n.int_max) n.int_max = i;
  };
  // Exact int64 bounds when the schema wrote integers.
  auto exact = [&](const char* k) -> std::optional<int64_t> {
    const json::value* v = obj.if_contains(k);
    if (v && v->is_int64()) return v->get_int64();
    return std::nullopt;
  };
  if (auto e = exact("minimum")) n.int_min = *e;
  else if (minimum) lower(*minimum, false, "minimum");
  if (auto e = exact("exclusiveMinimum"); e && *e < INT64_MAX) {
    if (!n.int_min || *e + 1 > *n.int_min) n.int_min = *e + 1;
  } else if (xmin) lower(*xmin, true, "exclusiveMinimum");
  if (auto e = exact("maximum")) {
    if (!n.int_max || *e < *n.int_max) n.int_max = *e;
  } else if (maximum) upper(*maximum, false, "maximum");
  if (auto e = exact("exclusiveMaximum"); e && *e > INT64_MIN) {
    if (!n.int_max || *e - 1 < *n.int_max) n.int_max = *e - 1;
  } else if (xmax) upper(*xmax, true, "exclusiveMaximum");
  if (n.int_min && n.int_max && *n.int_min > *n.int_max) n.types &= static_cast<uint8_t>(~kInteger);
  if (multiple) {
    bool integral = *multiple >= 1 && std::floor(*multiple) == *multiple;
    if (integral && *multiple == 1) return;
    if (integral && *multiple <= 100 && !n.int_min && !n.int_max) {
      n.int_multiple = static_cast<int64_t>(*multiple);
    } else {
      PostValidate(ptr + "/multipleOf");
    }
  }
}

void Lowerer::LowerArrays(const json::object& obj, const std::string& ptr, int depth, IrNode& n) {
  const json::value* items = obj.if_contains("items");
  const json::value* prefix = obj.if_contains("prefixItems");
  const json::value* rest = nullptr;
  std::string rest_ptr;
  if (items && items->is_array()) {  // draft-7 tuple form
    const json::array& a = items->get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      n.prefix_items.push_back(LowerValue(a[i], ptr + "/items/" + std::to_string(i), depth + 1));
    }
    rest = obj.if_contains("additionalItems");
    rest_ptr = ptr + "/additionalItems";
  } else {
    if (prefix && prefix->is_array() && !options_.draft7) {
      const json::array& a = prefix->get_array();
      for (size_t i = 0; i < a.size(); ++i) {
        n.prefix_items.push_back(LowerValue(a[i], ptr + "/prefixItems/" + std::to_string(i), depth + 1));
      }
    }
    rest = items;
    rest_ptr = ptr + "/items";
  }
  if (rest == nullptr) n.items = Any();
  else if (rest->is_bool() && !rest->get_bool()) n.items.reset();
  else n.items = LowerValue(*rest, rest_ptr, depth + 1);
  n.min_items = GetCount(obj, "minItems").value_or(0);
  n.max_items = GetCount(obj, "maxItems");
  if (n.max_items && *n.max_items > kMaxExpandedItems) {
    PostValidate(ptr + "/maxItems");
    n.max_items.reset();
  }
  if (n.min_items > kMaxExpandedItems) {
    PostValidate(ptr + "/minItems");
    n.min_items = kMaxExpandedItems;
  }
  bool impossible = (n.max_items && *n.max_items < n.min_items) ||
                    (!n.items && n.prefix_items.size() < n.min_items);
  if (impossible) n.types &= static_cast<uint8_t>(~kArray);
}

void Lowerer::LowerObjects(const json::object& obj, const std::string& ptr, int depth, IrNode& n) {
  if (options_.superset && obj.contains(kAnyObjectMark)) {
    n.additional = Any();  // properties could not be merged exactly: the validator decides
    return;
  }
  std::set<std::string> required;
  if (const json::value* r = obj.if_contains("required"); r && r->is_array()) {
    for (const auto& e : r->get_array()) {
      if (e.is_string()) required.insert(std::string(e.get_string()));
    }
  }
  std::set<std::string> declared;
  if (const json::value* p = obj.if_contains("properties")) {
    if (!p->is_object()) {
      Fail(ptr + "/properties", "must be an object");
      return;
    }
    for (const auto& kv : p->get_object()) {
      std::string name(kv.key());
      Property prop;
      prop.name = name;
      prop.required = required.count(name) > 0;
      prop.node = LowerValue(kv.value(), ptr + "/properties/" + schema::EscapeJsonPointerToken(name), depth + 1);
      if (!error_.ok()) return;
      declared.insert(name);
      if (ir_.nodes[prop.node].kind == IrNode::Kind::kNever) {
        if (prop.required) n.types &= static_cast<uint8_t>(~kObject);
        continue;
      }
      n.properties.push_back(std::move(prop));
    }
  }
  bool unsupported_pattern = false;
  if (const json::value* pp = obj.if_contains("patternProperties"); pp && pp->is_object()) {
    for (const auto& kv : pp->get_object()) {
      auto re = schema::regex::Regex::Compile(kv.key());
      if (!re.ok() && options_.superset) {
        PostValidate(ptr + "/patternProperties");
        unsupported_pattern = true;  // its keys go to the widened additional schema
        continue;
      }
      if (!re.ok()) {
        Fail(ptr + "/patternProperties", re.status().message());
        return;
      }
      for (const auto& name : declared) {
        if (re->Search(name)) PostValidate(ptr + "/patternProperties");
      }
      PatternProperty prop;
      prop.pattern = std::string(kv.key());
      prop.node = LowerValue(kv.value(), ptr + "/patternProperties/" + schema::EscapeJsonPointerToken(kv.key()),
                             depth + 1);
      n.pattern_properties.push_back(std::move(prop));
    }
    if (n.pattern_properties.size() > 1) PostValidate(ptr + "/patternProperties");
  }
  const json::value* ap = obj.if_contains("additionalProperties");
  if (options_.superset) {
    // Other keys: the additional schema even when patternProperties exist
    // (keys matching a pattern may take it too: wider, never narrower).
    if (unsupported_pattern || ap == nullptr) {
      n.additional = Any();
    } else if (!(ap->is_bool() && !ap->get_bool())) {
      n.additional = LowerValue(*ap, ptr + "/additionalProperties", depth + 1);
      if (ir_.nodes[*n.additional].kind == IrNode::Kind::kNever) n.additional.reset();
    }
  } else if (ap == nullptr) {
    if (options_.additional_properties_by_default && n.pattern_properties.empty()) n.additional = Any();
  } else if (!(ap->is_bool() && !ap->get_bool()) && n.pattern_properties.empty()) {
    n.additional = LowerValue(*ap, ptr + "/additionalProperties", depth + 1);
    if (ir_.nodes[*n.additional].kind == IrNode::Kind::kNever) n.additional.reset();
  }
  // Required names without a declaration take the additional schema.
  for (const auto& name : required) {
    if (declared.count(name)) continue;
    std::optional<uint32_t> node = n.additional;
    for (const auto& pp : n.pattern_properties) {
      auto re = schema::regex::Regex::Compile(pp.pattern);
      if (re.ok() && re->Search(name)) {
        node = pp.node;
        break;
      }
    }
    if (!node) {
      n.types &= static_cast<uint8_t>(~kObject);
      break;
    }
    n.properties.push_back({name, *node, true});
  }
  size_t n_required = 0;
  for (const auto& p : n.properties) n_required += p.required;
  if (auto mn = GetCount(obj, "minProperties"); mn && *mn > n_required) PostValidate(ptr + "/minProperties");
  if (auto mx = GetCount(obj, "maxProperties")) {
    if (*mx < n_required) n.types &= static_cast<uint8_t>(~kObject);
    else if (n.additional || !n.pattern_properties.empty() || n.properties.size() > *mx) PostValidate(ptr + "/maxProperties");
  }
}

}  // namespace

StatusOr<Ir> Lower(const boost::json::value& document, const LowerOptions& options,
                   std::set<std::string>* post_validated) {
  Lowerer lowerer(document, options, post_validated);
  return lowerer.Run();
}

}  // namespace sluice::grammar::internal
