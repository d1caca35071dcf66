// ECMA-262 pattern parser (the subset documented in regex.h) and CharSet.
// Grammar, after ECMA-262 §22.2.1 with the `u` flag's stricter escapes:
//   Disjunction := Alternative ('|' Alternative)*
//   Alternative := Term*
//   Term        := Assertion | Atom Quantifier?
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "schema/internal/utf8.h"
#include "schema/regex.h"

namespace sluice::schema::regex {

// ---- CharSet --------------------------------------------------------------

CharSet CharSet::Range(char32_t lo, char32_t hi) {
  CharSet s;
  if (lo <= hi) s.ranges_.push_back({lo, hi});
  return s;
}

CharSet CharSet::Any() { return Range(0, 0x10FFFF); }
CharSet CharSet::Digit() { return Range('0', '9'); }

CharSet CharSet::Word() {
  CharSet s = Range('a', 'z');
  s.Add(Range('A', 'Z'));
  s.Add(Digit());
  s.Add(Single('_'));
  return s;
}

CharSet CharSet::LineTerminator() {
  CharSet s = Single('\n');
  s.Add(Single('\r'));
  s.Add(Range(0x2028, 0x2029));
  return s;
}

CharSet CharSet::Space() {
  // ECMA-262 WhiteSpace (TAB VT FF SP NBSP ZWNBSP + Zs) and LineTerminator.
  CharSet s = Range('\t', '\r');  // \t \n \v \f \r
  s.Add(Single(' '));
  s.Add(Single(0xA0));
  s.Add(Single(0x1680));
  s.Add(Range(0x2000, 0x200A));
  s.Add(Range(0x2028, 0x2029));
  s.Add(Single(0x202F));
  s.Add(Single(0x205F));
  s.Add(Single(0x3000));
  s.Add(Single(0xFEFF));
  return s;
}

void CharSet::Add(const CharSet& other) {
  ranges_.insert(ranges_.end(), other.ranges_.begin(), other.ranges_.end());
  Normalize();
}

void CharSet::Normalize() {
  std::sort(ranges_.begin(), ranges_.end(),
            [](const CharRange& a, const CharRange& b) { return a.lo < b.lo; });
  std::vector<CharRange> merged;
  for (const CharRange& r : ranges_) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  ranges_ = std::move(merged);
}

CharSet CharSet::Complement() const {
  CharSet out;
  char32_t next = 0;
  for (const CharRange& r : ranges_) {
    if (r.lo > next) out.ranges_.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= 0x10FFFF) out.ranges_.push_back({next, 0x10FFFF});
  return out;
}

bool CharSet::Contains(char32_t c) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), c,
                             [](char32_t v, const CharRange& r) { return v < r.lo; });
  return it != ranges_.begin() && c <= std::prev(it)->hi;
}

// ---- Parser ---------------------------------------------------------------

namespace {

constexpr int kMaxNesting = 256;
constexpr uint32_t kMaxCount = 100000;

Status Error(std::string message) { return Status(ErrorCode::kUnprocessable, std::move(message)); }

std::unique_ptr<Node> MakeSet(CharSet set) {
  auto n = std::make_unique<Node>();
  n->kind = Node::Kind::kSet;
  n->set = std::move(set);
  return n;
}

std::unique_ptr<Node> MakeKind(Node::Kind kind) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  return n;
}

int HexValue(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

bool IsSyntaxChar(char32_t c) {
  return std::u32string_view(U"^$\\.*+?()[]{}|/-,:=!<>'\"#%&;@`~ ").find(c) !=
         std::u32string_view::npos;
}

class Parser {
 public:
  explicit Parser(std::string_view pattern) {
    for (size_t pos = 0; pos < pattern.size();) cps_.push_back(internal::DecodeUtf8(pattern, &pos));
  }

  StatusOr<std::unique_ptr<Node>> Run() {
    auto root = ParseDisjunction(0);
    if (!root.ok()) return root;
    if (!AtEnd()) return Error(Peek() == ')' ? "unmatched ')'" : "unexpected character");
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= cps_.size(); }
  char32_t Peek(size_t ahead = 0) const {
    return pos_ + ahead < cps_.size() ? cps_[pos_ + ahead] : 0;
  }
  bool Has(size_t ahead) const { return pos_ + ahead < cps_.size(); }

  StatusOr<std::unique_ptr<Node>> ParseDisjunction(int depth) {
    if (depth > kMaxNesting) return Error("groups nested too deeply");
    auto first = ParseAlternative(depth);
    if (!first.ok()) return first;
    if (AtEnd() || Peek() != '|') return first;
    auto alt = MakeKind(Node::Kind::kAlternate);
    alt->children.push_back(std::move(first.value()));
    while (!AtEnd() && Peek() == '|') {
      ++pos_;
      auto next = ParseAlternative(depth);
      if (!next.ok()) return next;
      alt->children.push_back(std::move(next.value()));
    }
    return alt;
  }

  StatusOr<std::unique_ptr<Node>> ParseAlternative(int depth) {
    auto seq = MakeKind(Node::Kind::kConcat);
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      auto term = ParseTerm(depth);
      if (!term.ok()) return term;
      seq->children.push_back(std::move(term.value()));
    }
    if (seq->children.size() == 1) return std::move(seq->children[0]);
    if (seq->children.empty()) return MakeKind(Node::Kind::kEmpty);
    return seq;
  }

  StatusOr<std::unique_ptr<Node>> ParseTerm(int depth) {
    const char32_t c = Peek();
    if (c == '^' || c == '$') {
      ++pos_;
      auto n = MakeKind(c == '^' ? Node::Kind::kLineStart : Node::Kind::kLineEnd);
      if (IsQuantifierStart()) return Error("nothing to repeat");
      return n;
    }
    if (c == '\\' && (Peek(1) == 'b' || Peek(1) == 'B')) {
      const bool word = Peek(1) == 'b';
      pos_ += 2;
      if (IsQuantifierStart()) return Error("nothing to repeat");
      return MakeKind(word ? Node::Kind::kWordBoundary : Node::Kind::kNotWordBoundary);
    }
    auto atom = ParseAtom(depth);
    if (!atom.ok()) return atom;
    return ParseQuantifier(std::move(atom.value()));
  }

  // True at `*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}`.
  bool IsQuantifierStart() const {
    if (AtEnd()) return false;
    const char32_t c = Peek();
    if (c == '*' || c == '+' || c == '?') return true;
    if (c != '{') return false;
    size_t i = 1;
    bool digits = false;
    while (Has(i) && Peek(i) >= '0' && Peek(i) <= '9') ++i, digits = true;
    if (!digits) return false;
    if (Peek(i) == ',') {
      ++i;
      while (Has(i) && Peek(i) >= '0' && Peek(i) <= '9') ++i;
    }
    return Peek(i) == '}';
  }

  StatusOr<uint32_t> ParseCount() {
    uint64_t v = 0;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
      v = v * 10 + (Peek() - '0');
      if (v > kMaxCount) return Error(fmt::format("repetition count over {}", kMaxCount));
      ++pos_;
    }
    return static_cast<uint32_t>(v);
  }

  StatusOr<std::unique_ptr<Node>> ParseQuantifier(std::unique_ptr<Node> atom) {
    if (!IsQuantifierStart()) {
      if (!AtEnd() && Peek() == '{') {
        // Annex B reads a '{' that starts no quantifier as a literal; keep it.
      }
      return atom;
    }
    auto rep = MakeKind(Node::Kind::kRepeat);
    const char32_t c = Peek();
    ++pos_;
    if (c == '*') {
      rep->min = 0, rep->max = Node::kUnbounded;
    } else if (c == '+') {
      rep->min = 1, rep->max = Node::kUnbounded;
    } else if (c == '?') {
      rep->min = 0, rep->max = 1;
    } else {
      auto lo = ParseCount();
      if (!lo.ok()) return lo.status();
      rep->min = rep->max = *lo;
      if (Peek() == ',') {
        ++pos_;
        rep->max = Node::kUnbounded;
        if (Peek() != '}') {
          auto hi = ParseCount();
          if (!hi.ok()) return hi.status();
          rep->max = *hi;
        }
      }
      ++pos_;  // '}'
      if (rep->max < rep->min) return Error("numbers out of order in {} quantifier");
    }
    if (!AtEnd() && Peek() == '?') ++pos_, rep->greedy = false;
    if (IsQuantifierStart()) return Error("nothing to repeat");
    rep->children.push_back(std::move(atom));
    return rep;
  }

  StatusOr<std::unique_ptr<Node>> ParseAtom(int depth) {
    const char32_t c = Peek();
    switch (c) {
      case '.':
        ++pos_;
        return MakeSet(CharSet::LineTerminator().Complement());
      case '(':
        return ParseGroup(depth);
      case '[':
        return ParseClass();
      case '\\': {
        ++pos_;
        auto set = ParseEscape(/*in_class=*/false);
        if (!set.ok()) return set.status();
        return MakeSet(std::move(set.value()));
      }
      case '*':
      case '+':
      case '?':
        return Error("nothing to repeat");
      case '{':
        if (IsQuantifierStart()) return Error("nothing to repeat");
        [[fallthrough]];
      default:
        ++pos_;
        return MakeSet(CharSet::Single(c));
    }
  }

  StatusOr<std::unique_ptr<Node>> ParseGroup(int depth) {
    ++pos_;  // '('
    bool capturing = true;
    if (Peek() == '?') {
      const char32_t k = Peek(1);
      if (k == ':') {
        capturing = false;
        pos_ += 2;
      } else if (k == '=') {
        return Error("lookahead is not supported");
      } else if (k == '!') {
        return Error("negative lookahead is not supported");
      } else if (k == '<' && (Peek(2) == '=' || Peek(2) == '!')) {
        return Error("lookbehind is not supported");
      } else if (k == '<') {
        pos_ += 2;
        while (!AtEnd() && Peek() != '>') ++pos_;
        if (AtEnd()) return Error("unterminated group name");
        ++pos_;
      } else {
        return Error("invalid group: '(?' must be followed by ':' or '<name>'");
      }
    }
    auto inner = ParseDisjunction(depth + 1);
    if (!inner.ok()) return inner;
    if (AtEnd() || Peek() != ')') return Error("missing ')'");
    ++pos_;
    auto group = MakeKind(Node::Kind::kGroup);
    group->capturing = capturing;
    group->children.push_back(std::move(inner.value()));
    return group;
  }

  StatusOr<std::unique_ptr<Node>> ParseClass() {
    ++pos_;  // '['
    bool negate = false;
    if (Peek() == '^') negate = true, ++pos_;
    CharSet set;
    while (true) {
      if (AtEnd()) return Error("unterminated character class");
      if (Peek() == ']') {
        ++pos_;
        break;
      }
      auto lo = ParseClassAtom();
      if (!lo.ok()) return lo.status();
      if (Peek() == '-' && Has(1) && Peek(1) != ']') {
        ++pos_;
        auto hi = ParseClassAtom();
        if (!hi.ok()) return hi.status();
        const auto& a = lo->ranges();
        const auto& b = hi->ranges();
        if (a.size() != 1 || b.size() != 1 || a[0].lo != a[0].hi || b[0].lo != b[0].hi) {
          return Error("character class escape cannot bound a range");
        }
        if (a[0].lo > b[0].lo) return Error("range out of order in character class");
        set.Add(CharSet::Range(a[0].lo, b[0].lo));
      } else {
        set.Add(*lo);
      }
    }
    return MakeSet(negate ? set.Complement() : set);
  }

  StatusOr<CharSet> ParseClassAtom() {
    const char32_t c = Peek();
    ++pos_;
    if (c != '\\') return CharSet::Single(c);
    return ParseEscape(/*in_class=*/true);
  }

  // After a backslash: one escape, as a set of code points.
  StatusOr<CharSet> ParseEscape(bool in_class) {
    if (AtEnd()) return Error("pattern ends with a backslash");
    const char32_t c = Peek();
    ++pos_;
    switch (c) {
      case 'd':
        return CharSet::Digit();
      case 'D':
        return CharSet::Digit().Complement();
      case 'w':
        return CharSet::Word();
      case 'W':
        return CharSet::Word().Complement();
      case 's':
        return CharSet::Space();
      case 'S':
        return CharSet::Space().Complement();
      case 'n':
        return CharSet::Single('\n');
      case 'r':
        return CharSet::Single('\r');
      case 't':
        return CharSet::Single('\t');
      case 'v':
        return CharSet::Single('\v');
      case 'f':
        return CharSet::Single('\f');
      case 'b':
        if (in_class) return CharSet::Single('\b');
        break;
      case '0':
        if (!AtEnd() && Peek() >= '0' && Peek() <= '9')
          return Error("octal escapes are not supported");
        return CharSet::Single(0);
      case 'c': {
        const char32_t l = Peek();
        if ((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z')) {
          ++pos_;
          return CharSet::Single(l % 32);
        }
        return Error("invalid control escape \\c");
      }
      case 'x': {
        const int h = HexValue(Peek()), l = HexValue(Peek(1));
        if (h < 0 || l < 0) return Error("invalid \\x escape: expected two hex digits");
        pos_ += 2;
        return CharSet::Single(static_cast<char32_t>(h * 16 + l));
      }
      case 'u':
        return ParseUnicodeEscape();
      case 'p':
      case 'P':
        return ParsePropertyEscape(c == 'P');
      case 'k':
        return Error("named backreferences are not supported");
      case '-':
        if (in_class) return CharSet::Single('-');
        break;
      default:
        break;
    }
    if (c >= '1' && c <= '9') return Error("backreferences are not supported");
    if (c == 'B')
      return Error(in_class ? "\\B is invalid in a character class" : "nothing to repeat");
    if (IsSyntaxChar(c) || c >= 0x80) return CharSet::Single(c);
    return Error(fmt::format("invalid escape \\{}", static_cast<char>(c)));
  }

  // After `\p` / `\P`: `{Name}`.
  StatusOr<CharSet> ParsePropertyEscape(bool negate) {
    if (Peek() != '{') return Error("invalid Unicode property escape: expected '{'");
    std::string name;
    ++pos_;
    while (!AtEnd() && Peek() != '}') {
      if (Peek() >= 0x80) return Error("invalid Unicode property name");
      name.push_back(static_cast<char>(Peek()));
      ++pos_;
    }
    if (AtEnd()) return Error("unterminated Unicode property escape");
    ++pos_;
    std::optional<CharSet> set = CharSet::UnicodeProperty(name);
    if (!set) {
      return Error(fmt::format(
          "Unicode property \\p{{{}}} is not supported (only the L and N categories)", name));
    }
    return negate ? set->Complement() : *set;
  }

  StatusOr<CharSet> ParseUnicodeEscape() {
    if (Peek() == '{') {
      ++pos_;
      uint32_t v = 0;
      size_t n = 0;
      while (!AtEnd() && HexValue(Peek()) >= 0) {
        v = v * 16 + static_cast<uint32_t>(HexValue(Peek()));
        ++pos_, ++n;
        if (v > 0x10FFFF) return Error("\\u{...} escape out of range");
      }
      if (n == 0 || Peek() != '}') return Error("invalid \\u{...} escape");
      ++pos_;
      return CharSet::Single(v);
    }
    auto hex4 = [&](size_t at, uint32_t* out) {
      uint32_t v = 0;
      for (size_t i = 0; i < 4; ++i) {
        const int h = HexValue(Peek(at + i));
        if (h < 0 || !Has(at + i)) return false;
        v = v * 16 + static_cast<uint32_t>(h);
      }
      *out = v;
      return true;
    };
    uint32_t v = 0;
    if (!hex4(0, &v)) return Error("invalid \\u escape: expected four hex digits");
    pos_ += 4;
    uint32_t low = 0;
    if (v >= 0xD800 && v <= 0xDBFF && Peek() == '\\' && Peek(1) == 'u' && hex4(2, &low) &&
        low >= 0xDC00 && low <= 0xDFFF) {
      pos_ += 6;
      v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00);
    }
    return CharSet::Single(v);
  }

  std::u32string cps_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<Node>> Parse(std::string_view pattern) { return Parser(pattern).Run(); }

}  // namespace sluice::schema::regex
