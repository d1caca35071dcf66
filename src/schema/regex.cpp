// Thompson construction (Russ Cox, "Regular Expression Matching Can Be Simple
// And Fast", 2007) and a Pike-VM style state-set simulation. Only a yes/no
// answer is needed, so threads carry no capture slots; the cost is
// O(|text| * |program|) time and O(|program|) memory, with no recursion.
#include "schema/regex.h"

#include <fmt/format.h>

#include "schema/internal/utf8.h"

namespace sluice::schema::regex {
namespace {

class NfaBuilder {
 public:
  StatusOr<Program> Build(const Node& root) {
    SLUICE_RETURN_IF_ERROR(Emit(root));
    Push({Inst::Op::kMatch});
    if (!status_.ok()) return status_;
    return std::move(program_);
  }

 private:
  uint32_t Size() const { return static_cast<uint32_t>(program_.insts.size()); }

  uint32_t Push(Inst inst) {
    if (program_.insts.size() >= kMaxProgramSize) {
      if (status_.ok()) {
        status_ = Status(ErrorCode::kUnprocessable,
                         fmt::format("pattern too large (over {} NFA states)", kMaxProgramSize));
      }
      return Size() == 0 ? 0 : Size() - 1;  // keeps indices valid; the error wins
    }
    program_.insts.push_back(inst);
    return Size() - 1;
  }

  Inst& At(uint32_t i) { return program_.insts[i]; }

  Status Emit(const Node& node) {
    if (!status_.ok()) return status_;
    switch (node.kind) {
      case Node::Kind::kEmpty:
        return Status::Ok();
      case Node::Kind::kSet: {
        program_.sets.push_back(node.set);
        const uint32_t set = static_cast<uint32_t>(program_.sets.size() - 1);
        Push({Inst::Op::kSet, set, Size() + 1});
        return status_;
      }
      case Node::Kind::kConcat:
        for (const auto& child : node.children) SLUICE_RETURN_IF_ERROR(Emit(*child));
        return status_;
      case Node::Kind::kGroup:
        return Emit(*node.children[0]);
      case Node::Kind::kAlternate: {
        std::vector<uint32_t> exits;
        for (size_t i = 0; i + 1 < node.children.size(); ++i) {
          const uint32_t split = Push({Inst::Op::kSplit, 0, Size() + 1, 0});
          SLUICE_RETURN_IF_ERROR(Emit(*node.children[i]));
          exits.push_back(Push({Inst::Op::kJump}));
          At(split).y = Size();
        }
        SLUICE_RETURN_IF_ERROR(Emit(*node.children.back()));
        for (uint32_t e : exits) At(e).x = Size();
        return status_;
      }
      case Node::Kind::kRepeat:
        return EmitRepeat(node);
      case Node::Kind::kLineStart:
        Push({Inst::Op::kLineStart, 0, Size() + 1});
        return status_;
      case Node::Kind::kLineEnd:
        Push({Inst::Op::kLineEnd, 0, Size() + 1});
        return status_;
      case Node::Kind::kWordBoundary:
        Push({Inst::Op::kWordBoundary, 0, Size() + 1});
        return status_;
      case Node::Kind::kNotWordBoundary:
        Push({Inst::Op::kNotWordBoundary, 0, Size() + 1});
        return status_;
    }
    return status_;
  }

  // e{min,max}: `min` copies, then either e* or (max - min) copies of e?.
  // Laziness does not change the set of matched strings, only the preferred
  // split order, which a yes/no matcher does not observe.
  Status EmitRepeat(const Node& node) {
    const Node& body = *node.children[0];
    for (uint32_t i = 0; i < node.min; ++i) SLUICE_RETURN_IF_ERROR(Emit(body));
    if (node.max == Node::kUnbounded) {
      const uint32_t split = Push({Inst::Op::kSplit, 0, Size() + 1, 0});
      SLUICE_RETURN_IF_ERROR(Emit(body));
      Push({Inst::Op::kJump, 0, split});
      At(split).y = Size();
      return status_;
    }
    for (uint32_t i = node.min; i < node.max; ++i) {
      const uint32_t split = Push({Inst::Op::kSplit, 0, Size() + 1, 0});
      SLUICE_RETURN_IF_ERROR(Emit(body));
      At(split).y = Size();
    }
    return status_;
  }

  Program program_;
  Status status_;
};

// A set of NFA states with O(1) insert, membership and clear (Briggs-Torczon).
class StateSet {
 public:
  explicit StateSet(size_t n) : sparse_(n), dense_(n) {}
  bool Contains(uint32_t s) const { return sparse_[s] < size_ && dense_[sparse_[s]] == s; }
  void Insert(uint32_t s) {
    sparse_[s] = size_;
    dense_[size_++] = s;
  }
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  uint32_t operator[](size_t i) const { return dense_[i]; }

 private:
  std::vector<uint32_t> sparse_;
  std::vector<uint32_t> dense_;
  uint32_t size_ = 0;
};

constexpr char32_t kNone = 0xFFFFFFFF;  // "no character" before the start / after the end

bool IsWordChar(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class Matcher {
 public:
  explicit Matcher(const Program& program)
      : program_(program), clist_(program.insts.size()), nlist_(program.insts.size()) {
    stack_.reserve(16);
  }

  bool Search(std::string_view text) {
    char32_t prev = kNone;
    size_t pos = 0;
    char32_t cur = kNone;
    size_t after = 0;
    if (!text.empty()) cur = internal::DecodeUtf8(text, &after);
    for (;;) {
      // Search semantics: a new thread may start at every position.
      if (AddThread(&clist_, 0, prev, cur, pos == 0, cur == kNone)) return true;
      if (cur == kNone) return false;
      char32_t next = kNone;
      size_t next_after = after;
      if (after < text.size()) next = internal::DecodeUtf8(text, &next_after);
      nlist_.Clear();
      for (size_t i = 0; i < clist_.size(); ++i) {
        const Inst& inst = program_.insts[clist_[i]];
        if (inst.op == Inst::Op::kSet && program_.sets[inst.arg].Contains(cur)) {
          if (AddThread(&nlist_, inst.x, cur, next, false, next == kNone)) return true;
        }
      }
      std::swap(clist_, nlist_);
      prev = cur;
      cur = next;
      pos = after;
      after = next_after;
    }
  }

 private:
  // Adds `start` and its epsilon closure at the current position; true when
  // the closure reaches kMatch.
  bool AddThread(StateSet* list, uint32_t start, char32_t prev, char32_t cur, bool at_start,
                 bool at_end) {
    stack_.clear();
    stack_.push_back(start);
    while (!stack_.empty()) {
      const uint32_t pc = stack_.back();
      stack_.pop_back();
      if (list->Contains(pc)) continue;
      list->Insert(pc);
      const Inst& inst = program_.insts[pc];
      switch (inst.op) {
        case Inst::Op::kMatch:
          return true;
        case Inst::Op::kSet:
          break;
        case Inst::Op::kJump:
          stack_.push_back(inst.x);
          break;
        case Inst::Op::kSplit:
          stack_.push_back(inst.y);
          stack_.push_back(inst.x);
          break;
        case Inst::Op::kLineStart:
          if (at_start) stack_.push_back(inst.x);
          break;
        case Inst::Op::kLineEnd:
          if (at_end) stack_.push_back(inst.x);
          break;
        case Inst::Op::kWordBoundary:
        case Inst::Op::kNotWordBoundary: {
          const bool boundary = IsWordChar(prev) != IsWordChar(cur);
          if (boundary == (inst.op == Inst::Op::kWordBoundary)) stack_.push_back(inst.x);
          break;
        }
      }
    }
    return false;
  }

  const Program& program_;
  StateSet clist_;
  StateSet nlist_;
  std::vector<uint32_t> stack_;
};

}  // namespace

StatusOr<Program> CompileNfa(const Node& root) { return NfaBuilder().Build(root); }

StatusOr<Regex> Regex::Compile(std::string_view pattern) {
  auto fail = [&](const Status& s) {
    return Status(ErrorCode::kUnprocessable,
                  fmt::format("pattern \"{}\": {}", pattern, s.message()));
  };
  auto ast = Parse(pattern);
  if (!ast.ok()) return fail(ast.status());
  auto program = CompileNfa(**ast);
  if (!program.ok()) return fail(program.status());
  Regex re;
  re.pattern_ = std::string(pattern);
  re.program_ = std::move(program.value());
  return re;
}

bool Regex::Search(std::string_view text) const { return Matcher(program_).Search(text); }

}  // namespace sluice::schema::regex
