#include <cstdio>

#include "grammar/grammar.h"
#include "grammar/internal/compiled_grammar.h"

namespace sluice::grammar {

using internal::Config;

struct ByteMatcher::State {
  std::vector<Config> configs, scratch;
  internal::StackPool pool;
  bool started = false;   // a non-whitespace byte has been accepted
  bool trailing = false;  // the document ended; only whitespace may follow
  bool accepting = false;
};

namespace {
bool IsWs(uint8_t b) { return b == ' ' || b == '\t' || b == '\n' || b == '\r'; }
}  // namespace

ByteMatcher::ByteMatcher(std::shared_ptr<const CompiledGrammar> grammar)
    : grammar_(std::move(grammar)), state_(std::make_unique<State>()) {
  const internal::Automaton& a = grammar_->automaton();
  auto lock = a.Lock();
  state_->configs.push_back({a.Start(), internal::StackPool::kEmpty});
  state_->accepting = internal::Close(a, state_->pool, &state_->configs);
}

ByteMatcher::~ByteMatcher() = default;
ByteMatcher::ByteMatcher(ByteMatcher&&) noexcept = default;
ByteMatcher& ByteMatcher::operator=(ByteMatcher&&) noexcept = default;

size_t ByteMatcher::Feed(std::string_view bytes) {
  const internal::Automaton& a = grammar_->automaton();
  auto lock = a.Lock();
  State& st = *state_;
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<uint8_t>(bytes[i]);
    if (st.trailing) {
      if (!IsWs(b)) return i;
    } else if (!st.started && IsWs(b)) {
      // leading whitespace
    } else {
      bool acc = internal::Step(a, st.pool, st.configs, b, &st.scratch);
      if (st.scratch.empty()) {
        if (st.accepting && IsWs(b)) {
          st.trailing = true;
        } else {
          return i;
        }
      } else {
        st.configs.swap(st.scratch);
        st.accepting = acc;
        st.started = true;
      }
    }
    ++offset_;
  }
  return bytes.size();
}

bool ByteMatcher::IsAccepting() const { return state_->accepting; }

std::string ByteMatcher::Expected() const {
  const State& st = *state_;
  if (st.trailing) return "whitespace or end of input";
  const internal::Automaton& a = grammar_->automaton();
  std::array<uint64_t, 4> bits;
  {
    auto lock = a.Lock();
    bits = internal::NextBytes(a, st.configs);
  }
  auto has = [&](int b) { return (bits[static_cast<size_t>(b) >> 6] >> (b & 63)) & 1; };
  auto show = [](int b) {
    char buf[16];
    if (b >= 0x21 && b < 0x7F) std::snprintf(buf, sizeof buf, "'%c'", static_cast<char>(b));
    else if (b == ' ') std::snprintf(buf, sizeof buf, "space");
    else std::snprintf(buf, sizeof buf, "0x%02X", b);
    return std::string(buf);
  };
  std::vector<std::string> parts;
  for (int b = 0; b < 256;) {
    if (!has(b)) {
      ++b;
      continue;
    }
    int e = b;
    while (e + 1 < 256 && has(e + 1)) ++e;
    parts.push_back(e == b ? show(b) : show(b) + ".." + show(e));
    b = e + 1;
  }
  if (st.accepting) parts.push_back("end of input");
  if (parts.empty()) return "nothing (the schema accepts no document)";
  std::string out = parts.size() == 1 ? "" : "one of ";
  size_t shown = std::min<size_t>(parts.size(), 12);
  for (size_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    out += parts[i];
  }
  if (shown < parts.size()) out += ", …";
  return out;
}

}  // namespace sluice::grammar
