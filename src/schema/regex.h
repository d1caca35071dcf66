// Regex: the ECMA-262 subset that JSON Schema `pattern` needs, as a parser to
// an AST, a compiler to a Thompson NFA, and a linear-time matcher over it.
//
// Supported: literals, `.`, character classes (`[a-z]`, `[^...]`, ranges,
// escapes inside classes), `\d \D \w \W \s \S \b \B`, `\n \r \t \v \f \0`,
// `\xXX`, `\uXXXX` (surrogate pairs combine), `\u{X...}`, identity escapes of
// punctuation (`\/`, `\.`), quantifiers `* + ? {n} {n,} {n,m}` and their lazy
// forms (same match set), alternation, capturing / named / non-capturing
// groups, anchors `^ $` (no multiline flag). Matching works on Unicode code
// points decoded from UTF-8.
//
// Refused with a message naming the construct: backreferences, lookahead,
// lookbehind, flags groups, Unicode properties other than the L and N
// general categories (`\p{L}`, `\p{Letter}`, `\p{Nd}`, ... are supported).
//
// The NFA (`Program`) is public so the grammar compiler can turn the same
// pattern into an automaton: states are instructions, `kSplit` / `kJump` are
// epsilon edges, assertions are zero-width edges.
//
// Thread-safety: a compiled Regex is immutable; Search is reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::schema::regex {

// A closed range of code points.
struct CharRange {
  char32_t lo = 0;
  char32_t hi = 0;
  bool operator==(const CharRange&) const = default;
};

// A set of code points as sorted, disjoint, non-adjacent ranges.
class CharSet {
 public:
  CharSet() = default;
  static CharSet Single(char32_t c) { return Range(c, c); }
  static CharSet Range(char32_t lo, char32_t hi);
  static CharSet Any();             // every code point
  static CharSet Digit();           // \d
  static CharSet Word();            // \w
  static CharSet Space();           // \s (ECMA WhiteSpace + LineTerminator)
  static CharSet LineTerminator();  // \n \r U+2028 U+2029
  // Any ranges, in any order; overlaps are merged.
  static CharSet FromRanges(std::vector<CharRange> ranges);
  // `\p{name}`: the general categories L (Letter), Lu, Ll, Lt, Lm, Lo,
  // N (Number), Nd, Nl, No by short or long name, optionally prefixed with
  // "gc=" / "General_Category="; nullopt for any other property.
  static std::optional<CharSet> UnicodeProperty(std::string_view name);

  void Add(const CharSet& other);
  CharSet Complement() const;  // relative to [0, 0x10FFFF]
  bool Contains(char32_t c) const;
  bool empty() const { return ranges_.empty(); }
  const std::vector<CharRange>& ranges() const { return ranges_; }
  bool operator==(const CharSet&) const = default;

 private:
  void Normalize();
  std::vector<CharRange> ranges_;
};

// Parsed pattern. Children are owned; `Repeat` with max == kUnbounded is open.
struct Node {
  enum class Kind {
    kEmpty,            // matches ""
    kSet,              // one code point from `set`
    kConcat,           // children in order
    kAlternate,        // one of children
    kRepeat,           // children[0] repeated [min, max] times
    kGroup,            // children[0]; `capturing` says whether it was (...)
    kLineStart,        // ^
    kLineEnd,          // $
    kWordBoundary,     // \b
    kNotWordBoundary,  // \B
  };
  static constexpr uint32_t kUnbounded = UINT32_MAX;

  Kind kind = Kind::kEmpty;
  CharSet set;
  std::vector<std::unique_ptr<Node>> children;
  uint32_t min = 0;
  uint32_t max = 0;
  bool greedy = true;
  bool capturing = false;
};

// Parses `pattern`. Errors are kUnprocessable with a message like
// "lookahead is not supported" or "unterminated character class".
StatusOr<std::unique_ptr<Node>> Parse(std::string_view pattern);

// One NFA state.
struct Inst {
  enum class Op : uint8_t {
    kSet,              // consume a code point in sets[arg]; go to next
    kSplit,            // epsilon to x and y
    kJump,             // epsilon to x
    kLineStart,        // zero-width: at input start
    kLineEnd,          // zero-width: at input end
    kWordBoundary,     // zero-width
    kNotWordBoundary,  // zero-width
    kMatch,            // accept
  };
  Op op = Op::kMatch;
  uint32_t arg = 0;  // kSet: index into Program::sets
  uint32_t x = 0;    // kSet/kJump/assertions: next; kSplit: first choice
  uint32_t y = 0;    // kSplit: second choice
};

struct Program {
  std::vector<Inst> insts;    // start state is 0
  std::vector<CharSet> sets;  // referenced by kSet
};

// Thompson construction. Counted repetition is expanded, so programs are
// capped (kMaxProgramSize states) to refuse patterns like `(a{1000}){1000}`.
inline constexpr size_t kMaxProgramSize = 100000;
StatusOr<Program> CompileNfa(const Node& root);

// A compiled pattern with search semantics (matches anywhere unless anchored).
class Regex {
 public:
  // Errors name the pattern and the construct:
  // "pattern \"(?=a)\": lookahead is not supported".
  static StatusOr<Regex> Compile(std::string_view pattern);

  // True when some substring of `text` (UTF-8) matches. O(|text| * |program|).
  bool Search(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }
  const Program& program() const { return program_; }

 private:
  std::string pattern_;
  Program program_;
};

}  // namespace sluice::schema::regex
