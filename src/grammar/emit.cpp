// IR → NFA. Each IR node is emitted between two given states; unions share
// those states, so alternatives become NFA branches and the lazy DFA
// (automaton.cpp) resolves them while matching.
#include "grammar/internal/emit.h"

#include <map>
#include <memory>

#include "grammar/json_text.h"
#include "schema/regex.h"

namespace sluice::grammar::internal {
namespace {

using schema::regex::CharSet;
using schema::regex::Inst;

constexpr size_t kMaxAnyPositionProperties = 8;

// Decodes valid UTF-8 (Boost.JSON strings are) into code points.
std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + static_cast<size_t>(k) < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    }
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

class Emitter {
 public:
  Emitter(const Ir& ir, const EmitOptions& options) : ir_(ir), options_(options) {
    nfa_.set_any_unicode_escape(options.superset);
  }

  StatusOr<Nfa> Run() {
    for (size_t r = 0; r < ir_.rule_bodies.size(); ++r) nfa_.NewRule();
    for (size_t r = 0; r < ir_.rule_bodies.size(); ++r) {
      const Rule rule = nfa_.rules()[r];
      Node(ir_.rule_bodies[r], rule.start, rule.end);
      if (!error_.ok()) return error_;
    }
    return std::move(nfa_);
  }

 private:
  uint32_t New() { return nfa_.NewState(); }
  void Ws(uint32_t from, uint32_t to) { nfa_.Whitespace(from, options_.max_whitespace, to); }
  void Byte(uint32_t from, char c, uint32_t to) {
    nfa_.Bytes(from, static_cast<uint8_t>(c), static_cast<uint8_t>(c), to);
  }
  bool CheckSize() {
    if (error_.ok() && nfa_.size() > options_.max_states) {
      error_ = Status(ErrorCode::kUnprocessable,
                      "the schema needs more than " + std::to_string(options_.max_states) + " automaton states");
    }
    return error_.ok();
  }

  void Node(uint32_t id, uint32_t from, uint32_t to) {
    if (!CheckSize()) return;
    const IrNode& n = ir_.nodes[id];
    switch (n.kind) {
      case IrNode::Kind::kNever: return;
      case IrNode::Kind::kCall: nfa_.Call(from, n.rule, to); return;
      case IrNode::Kind::kUnion:
        for (uint32_t alt : n.alternatives) Node(alt, from, to);
        return;
      case IrNode::Kind::kLiterals:
        for (const auto& v : n.values) Value(v, from, to);
        return;
      case IrNode::Kind::kTyped: Typed(n, from, to); return;
    }
  }

  // The JSON string literal of `text`: its json.dumps spelling, or in
  // superset mode every spelling (each character raw or escaped).
  void StringLiteral(std::string_view text, uint32_t from, uint32_t to) {
    if (!options_.superset) {
      std::string quoted;
      AppendJsonString(text, &quoted);
      nfa_.Literal(from, quoted, to);
      return;
    }
    uint32_t cur = New();
    Byte(from, '"', cur);
    for (char32_t c : CodePoints(text)) {
      uint32_t next = New();
      nfa_.JsonChar(cur, CharSet::Single(c), next);
      cur = next;
    }
    Byte(cur, '"', to);
  }

  // Superset mode: `{ member (, member)* }` in any order and any number,
  // members from `alternatives(entry, after)` (each writes key ws ':' ws
  // value ws from `entry` to `after`); required-ness is the validator's job.
  template <typename Members>
  void AnyOrderObject(uint32_t from, uint32_t to, Members alternatives) {
    uint32_t open = New(), s = New(), entry = New(), after = New(), comma = New();
    Byte(from, '{', open);
    Ws(open, s);
    Byte(s, '}', to);
    nfa_.Eps(s, entry);
    alternatives(entry, after);
    Byte(after, '}', to);
    Byte(after, ',', comma);
    Ws(comma, entry);
  }

  void Value(const boost::json::value& v, uint32_t from, uint32_t to) {
    if (options_.superset && v.is_object()) {
      AnyOrderObject(from, to, [&](uint32_t entry, uint32_t after) {
        for (const auto& kv : v.get_object()) {
          uint32_t key_end = New(), a = New(), b = New(), c = New(), val = New();
          StringLiteral(kv.key(), entry, key_end);
          Ws(key_end, a);
          Byte(a, ':', b);
          Ws(b, c);
          Value(kv.value(), c, val);
          Ws(val, after);
        }
      });
      return;
    }
    if (options_.superset && v.is_string()) {
      StringLiteral(v.get_string(), from, to);
      return;
    }
    if (options_.superset && v.is_number()) {
      EmitNumber(nfa_, false, from, to, true);  // 1, 1.0, 1e0, 10E-1 are all equal
      return;
    }
    if (v.is_array()) {
      const auto& a = v.get_array();
      uint32_t cur = New();
      Byte(from, '[', cur);
      for (size_t i = 0; i < a.size(); ++i) {
        uint32_t s = New();
        Ws(cur, s);
        if (i > 0) {
          uint32_t c = New();
          Byte(s, ',', c);
          s = New();
          Ws(c, s);
        }
        cur = New();
        Value(a[i], s, cur);
      }
      uint32_t end = New();
      Ws(cur, end);
      Byte(end, ']', to);
    } else if (v.is_object()) {
      uint32_t cur = New();
      Byte(from, '{', cur);
      bool first = true;
      for (const auto& kv : v.get_object()) {
        uint32_t s = New();
        Ws(cur, s);
        if (!first) {
          uint32_t c = New();
          Byte(s, ',', c);
          s = New();
          Ws(c, s);
        }
        first = false;
        std::string key;
        AppendJsonString(kv.key(), &key);
        uint32_t k = New(), colon = New(), val = New();
        nfa_.Literal(s, key, k);
        Ws(k, colon);
        uint32_t after_colon = New();
        Byte(colon, ':', after_colon);
        Ws(after_colon, val);
        cur = New();
        Value(kv.value(), val, cur);
      }
      uint32_t end = New();
      Ws(cur, end);
      Byte(end, '}', to);
    } else {
      nfa_.Literal(from, PythonJson(v), to);
    }
  }

  void Typed(const IrNode& n, uint32_t from, uint32_t to) {
    if (n.types & kNull) nfa_.Literal(from, "null", to);
    if (n.types & kBoolean) {
      nfa_.Literal(from, "true", to);
      nfa_.Literal(from, "false", to);
    }
    if (n.types & kNumber) EmitNumber(nfa_, n.number_nonnegative, from, to, options_.superset);
    else if (n.types & kInteger) {
      if (n.int_multiple) EmitIntegerMultiple(nfa_, *n.int_multiple, from, to);
      else EmitIntegerRange(nfa_, n.int_min, n.int_max, from, to);
    }
    if (n.types & kString) String(n, from, to);
    if (n.types & kArray) Array(n, from, to);
    if (n.types & kObject) Object(n, from, to);
  }

  // A free-text loop: any JSON string character back to itself, '"' to `to`.
  uint32_t FreeText(uint32_t to) {
    uint32_t loop = New();
    nfa_.JsonChar(loop, CharSet::Any(), loop);
    Byte(loop, '"', to);
    nfa_.mutable_state(loop).free_text = true;
    nfa_.mutable_state(loop).text_budget = kUnboundedText;
    return loop;
  }

  void String(const IrNode& n, uint32_t from, uint32_t to) {
    uint32_t q = New();
    Byte(from, '"', q);
    if (n.pattern) {
      PatternBody(*n.pattern, q, to);
      return;
    }
    uint32_t cur = q;
    if (n.max_length) {
      uint32_t chain = ++chains_;
      for (uint64_t i = 0;; ++i) {
        NfaState& position = nfa_.mutable_state(cur);
        position.text_budget = static_cast<int32_t>(*n.max_length - i);  // max_length <= 4096
        position.text_chain = chain;
        position.text_min_left = static_cast<int32_t>(i < n.min_length ? n.min_length - i : 0);
        if (i >= n.min_length) Byte(cur, '"', to);
        if (i == *n.max_length || !CheckSize()) break;
        uint32_t next = New();
        nfa_.JsonChar(cur, CharSet::Any(), next);
        cur = next;
      }
      return;
    }
    for (uint64_t i = 0; i < n.min_length && CheckSize(); ++i) {
      nfa_.mutable_state(cur).text_budget = kUnboundedText;  // leads to the free-text loop
      uint32_t next = New();
      nfa_.JsonChar(cur, CharSet::Any(), next);
      cur = next;
    }
    uint32_t loop = FreeText(to);
    nfa_.Eps(cur, loop);
  }

  // The body of a string (after its opening quote) whose content matches
  // `pattern` with ECMA-262 search semantics; ends with the closing quote.
  void PatternBody(const std::string& pattern, uint32_t q, uint32_t to) {
    if (options_.superset && !PatternSupported(pattern)) {
      nfa_.Eps(q, FreeText(to));  // widened: the validator checks the pattern
      return;
    }
    auto parsed = schema::regex::Parse(pattern);
    if (!parsed.ok()) {
      error_ = Status(ErrorCode::kUnprocessable, "pattern \"" + pattern + "\": " + parsed.status().message());
      return;
    }
    auto program = schema::regex::CompileNfa(**parsed);
    if (!program.ok()) {
      error_ = Status(ErrorCode::kUnprocessable, "pattern \"" + pattern + "\": " + program.status().message());
      return;
    }
    const auto& insts = program->insts;
    for (const Inst& inst : insts) {
      if (inst.op == Inst::Op::kWordBoundary || inst.op == Inst::Op::kNotWordBoundary) {
        error_ = Status(ErrorCode::kUnprocessable,
                        "pattern \"" + pattern + "\": word boundaries (\\b, \\B) are not supported by the grammar");
        return;
      }
    }
    // ^ holds only where no character has been consumed: the instructions
    // reachable from the start through epsilon edges and other ^.
    std::vector<bool> at_start(insts.size(), false);
    std::vector<uint32_t> stack = {0};
    bool unanchored = false;
    while (!stack.empty()) {
      uint32_t i = stack.back();
      stack.pop_back();
      if (at_start[i]) continue;
      at_start[i] = true;
      const Inst& inst = insts[i];
      if (inst.op == Inst::Op::kSplit) {
        stack.push_back(inst.x);
        stack.push_back(inst.y);
      } else if (inst.op == Inst::Op::kJump) {
        stack.push_back(inst.x);
      } else if (inst.op == Inst::Op::kLineStart) {
        stack.push_back(inst.x);
      }
    }
    // A match may start later only if some path from the start avoids ^.
    {
      std::vector<bool> seen(insts.size(), false);
      std::vector<uint32_t> st = {0};
      while (!st.empty() && !unanchored) {
        uint32_t i = st.back();
        st.pop_back();
        if (seen[i]) continue;
        seen[i] = true;
        const Inst& inst = insts[i];
        if (inst.op == Inst::Op::kSplit) {
          st.push_back(inst.x);
          st.push_back(inst.y);
        } else if (inst.op == Inst::Op::kJump) {
          st.push_back(inst.x);
        } else if (inst.op != Inst::Op::kLineStart) {
          unanchored = true;
        }
      }
    }
    auto reaches_match = [&](uint32_t from) {
      std::vector<bool> seen(insts.size(), false);
      std::vector<uint32_t> st = {from};
      while (!st.empty()) {
        uint32_t i = st.back();
        st.pop_back();
        if (seen[i]) continue;
        seen[i] = true;
        const Inst& inst = insts[i];
        if (inst.op == Inst::Op::kMatch) return true;
        if (inst.op == Inst::Op::kSplit) {
          st.push_back(inst.x);
          st.push_back(inst.y);
        } else if (inst.op == Inst::Op::kJump || inst.op == Inst::Op::kLineEnd) {
          st.push_back(inst.x);
        }
      }
      return false;
    };
    uint32_t suffix = FreeText(to);
    uint32_t end = New();
    Byte(end, '"', to);
    auto copy = [&](bool at_input_start) {
      uint32_t base = static_cast<uint32_t>(nfa_.size());
      for (size_t i = 0; i < insts.size(); ++i) New();
      for (size_t i = 0; i < insts.size(); ++i) {
        const Inst& inst = insts[i];
        uint32_t s = base + static_cast<uint32_t>(i);
        switch (inst.op) {
          case Inst::Op::kSet: nfa_.JsonChar(s, program->sets[inst.arg], base + inst.x); break;
          case Inst::Op::kSplit:
            nfa_.Eps(s, base + inst.x);
            nfa_.Eps(s, base + inst.y);
            break;
          case Inst::Op::kJump: nfa_.Eps(s, base + inst.x); break;
          case Inst::Op::kLineStart:
            if (at_input_start && at_start[i]) nfa_.Eps(s, base + inst.x);
            break;
          case Inst::Op::kLineEnd:
            if (reaches_match(inst.x)) nfa_.Eps(s, end);
            break;
          case Inst::Op::kMatch: nfa_.Eps(s, suffix); break;
          default: break;
        }
      }
      return base;
    };
    uint32_t anchored_base = copy(true);
    MarkTextLoops(*program, anchored_base);
    nfa_.Eps(q, anchored_base);
    if (unanchored) {
      uint32_t prefix = New();
      nfa_.JsonChar(q, CharSet::Any(), prefix);
      nfa_.JsonChar(prefix, CharSet::Any(), prefix);
      nfa_.mutable_state(q).text_budget = kUnboundedText;  // any character enters the prefix loop
      nfa_.mutable_state(prefix).text_budget = kUnboundedText;
      uint32_t base = copy(false);
      MarkTextLoops(*program, base);
      nfa_.Eps(prefix, base);
    }
  }

  // Whether `set` holds every plain-text character (TokenVocabulary:
  // U+0020 and up but '"', '\', surrogates, U+2028 and U+2029).
  static bool CoversPlainText(const CharSet& set) {
    static constexpr std::pair<char32_t, char32_t> kMayMiss[] = {
        {0, 0x1F}, {0x22, 0x22}, {0x5C, 0x5C}, {0x2028, 0x2029}, {0xD800, 0xDFFF}};
    const CharSet missing = set.Complement();
    for (const auto& r : missing.ranges()) {
      bool inside = false;
      for (auto [lo, hi] : kMayMiss) inside = inside || (lo <= r.lo && r.hi <= hi);
      if (!inside) return false;
    }
    return true;
  }

  // A regex loop over a set that covers plain text (`.*`, `[\s\S]+`): its
  // state takes any plain-text run and stays in the loop.
  void MarkTextLoops(const schema::regex::Program& program, uint32_t base) {
    const auto& insts = program.insts;
    for (size_t i = 0; i < insts.size(); ++i) {
      if (insts[i].op != Inst::Op::kSet || !CoversPlainText(program.sets[insts[i].arg])) continue;
      // Does the set's target come back to i through epsilon instructions?
      std::vector<bool> seen(insts.size(), false);
      std::vector<uint32_t> st = {insts[i].x};
      bool loops = false;
      while (!st.empty() && !loops) {
        uint32_t k = st.back();
        st.pop_back();
        if (seen[k]) continue;
        seen[k] = true;
        if (k == i) {
          loops = true;
        } else if (insts[k].op == Inst::Op::kSplit) {
          st.push_back(insts[k].x);
          st.push_back(insts[k].y);
        } else if (insts[k].op == Inst::Op::kJump) {
          st.push_back(insts[k].x);
        }
      }
      if (loops) nfa_.mutable_state(base + static_cast<uint32_t>(i)).text_budget = kUnboundedText;
    }
  }

  static bool PatternSupported(const std::string& pattern) {
    auto parsed = schema::regex::Parse(pattern);
    if (!parsed.ok()) return false;
    auto program = schema::regex::CompileNfa(**parsed);
    if (!program.ok()) return false;
    for (const Inst& inst : program->insts) {
      if (inst.op == Inst::Op::kWordBoundary || inst.op == Inst::Op::kNotWordBoundary) return false;
    }
    return true;
  }

  void Array(const IrNode& n, uint32_t from, uint32_t to) {
    uint32_t open = New(), s = New();
    Byte(from, '[', open);
    Ws(open, s);
    if (n.min_items == 0) Byte(s, ']', to);
    std::optional<uint64_t> max = n.max_items;
    if (!n.items) max = std::min<uint64_t>(max.value_or(UINT64_MAX), n.prefix_items.size());
    if (max && *max == 0) return;
    uint64_t explicit_slots = max ? *max : std::max<uint64_t>({n.prefix_items.size(), n.min_items, 1});
    auto slot = [&](uint64_t i) { return i < n.prefix_items.size() ? n.prefix_items[i] : *n.items; };
    uint32_t cur = s;
    for (uint64_t i = 0; i < explicit_slots && CheckSize(); ++i) {
      uint32_t e = New(), ew = New();
      Node(slot(i), cur, e);
      Ws(e, ew);
      if (i + 1 >= n.min_items) Byte(ew, ']', to);
      if (i + 1 == explicit_slots) {
        if (!max) {
          uint32_t c = New(), cw = New();
          Byte(ew, ',', c);
          Ws(c, cw);
          Node(*n.items, cw, e);
        }
        break;
      }
      uint32_t c = New();
      Byte(ew, ',', c);
      cur = New();
      Ws(c, cur);
    }
  }

  // A JSON string whose value is not one of `names`: a trie over the names'
  // code points, where any other character leaves for a free-text loop.
  void KeyNotIn(const std::vector<std::string>& names, uint32_t from, uint32_t to) {
    struct TrieNode {
      std::map<char32_t, size_t> children;
      bool is_name = false;
    };
    std::vector<TrieNode> trie(1);
    for (const auto& name : names) {
      size_t cur = 0;
      for (char32_t c : CodePoints(name)) {
        auto it = trie[cur].children.find(c);
        if (it == trie[cur].children.end()) {
          trie.emplace_back();
          it = trie[cur].children.emplace(c, trie.size() - 1).first;
        }
        cur = it->second;
      }
      trie[cur].is_name = true;
    }
    std::vector<uint32_t> state(trie.size());
    for (auto& s : state) {
      s = New();
      // Every character goes on in the trie or to the free-text loop.
      nfa_.mutable_state(s).text_budget = kUnboundedText;
    }
    Byte(from, '"', state[0]);
    uint32_t diverged = FreeText(to);
    for (size_t i = 0; i < trie.size(); ++i) {
      CharSet seen;
      for (const auto& [c, child] : trie[i].children) {
        nfa_.JsonChar(state[i], CharSet::Single(c), state[child]);
        seen.Add(CharSet::Single(c));
      }
      nfa_.JsonChar(state[i], seen.Complement(), diverged);
      if (!trie[i].is_name) Byte(state[i], '"', to);
    }
  }

  // key ws ':' ws value ws, from `entry` to `exit`.
  uint32_t KeyValueTail(uint32_t key_end, uint32_t value, uint32_t exit) {
    uint32_t a = New(), b = New(), c = New(), v = New();
    Ws(key_end, a);
    Byte(a, ':', b);
    Ws(b, c);
    Node(value, c, v);
    Ws(v, exit);
    return v;
  }

  void Object(const IrNode& n, uint32_t from, uint32_t to) {
    if (options_.superset) {
      SupersetObject(n, from, to);
      return;
    }
    uint32_t open = New();
    Byte(from, '{', open);
    size_t np = n.properties.size();
    // first[i]: before property i, nothing written yet; more[i]: before
    // property i after some property and its trailing whitespace.
    std::vector<uint32_t> first(np + 1), more(np + 1);
    for (size_t i = 0; i <= np; ++i) {
      first[i] = New();
      more[i] = New();
    }
    Ws(open, first[0]);
    std::vector<std::string> names;
    for (const auto& p : n.properties) names.push_back(p.name);
    for (size_t i = 0; i < np && CheckSize(); ++i) {
      const Property& p = n.properties[i];
      uint32_t entry = New(), c = New(), key_end = New();
      nfa_.Eps(first[i], entry);
      Byte(more[i], ',', c);
      Ws(c, entry);
      std::string key;
      AppendJsonString(p.name, &key);
      nfa_.Literal(entry, key, key_end);
      KeyValueTail(key_end, p.node, more[i + 1]);
      if (!p.required) {
        nfa_.Eps(first[i], first[i + 1]);
        nfa_.Eps(more[i], more[i + 1]);
      }
    }
    Byte(first[np], '}', to);
    Byte(more[np], '}', to);
    bool extras = n.additional || !n.pattern_properties.empty();
    if (!extras) return;
    size_t lo = np <= kMaxAnyPositionProperties ? 0 : np;
    for (size_t i = lo; i <= np && CheckSize(); ++i) {
      uint32_t entry = New(), c = New();
      nfa_.Eps(first[i], entry);
      Byte(more[i], ',', c);
      Ws(c, entry);
      if (n.additional) {
        uint32_t key_end = New();
        KeyNotIn(names, entry, key_end);
        KeyValueTail(key_end, *n.additional, more[i]);
      }
      for (const auto& pp : n.pattern_properties) {
        uint32_t q = New(), key_end = New();
        Byte(entry, '"', q);
        PatternBody(pp.pattern, q, key_end);
        KeyValueTail(key_end, pp.node, more[i]);
      }
    }
  }

  // Members in any order: a known key with its schema, a key matching a
  // pattern with the pattern's schema, or any other key with the
  // additional schema (overlaps resolved by the validator).
  void SupersetObject(const IrNode& n, uint32_t from, uint32_t to) {
    std::vector<std::string> names;
    for (const auto& p : n.properties) names.push_back(p.name);
    AnyOrderObject(from, to, [&](uint32_t entry, uint32_t after) {
      for (const Property& p : n.properties) {
        if (!CheckSize()) return;
        uint32_t key_end = New();
        StringLiteral(p.name, entry, key_end);
        KeyValueTail(key_end, p.node, after);
      }
      for (const auto& pp : n.pattern_properties) {
        uint32_t q = New(), key_end = New();
        Byte(entry, '"', q);
        PatternBody(pp.pattern, q, key_end);
        KeyValueTail(key_end, pp.node, after);
      }
      if (n.additional) {
        uint32_t key_end = New();
        KeyNotIn(names, entry, key_end);
        KeyValueTail(key_end, *n.additional, after);
      }
    });
  }

  const Ir& ir_;
  uint32_t chains_ = 0;  // maxLength chains emitted (NfaState::text_chain)
  EmitOptions options_;
  Nfa nfa_;
  Status error_;
};

}  // namespace

StatusOr<Nfa> Emit(const Ir& ir, const EmitOptions& options) {
  Emitter emitter(ir, options);
  return emitter.Run();
}

}  // namespace sluice::grammar::internal
