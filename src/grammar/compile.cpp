// CompileJsonSchema: parse → lower (IR) → emit (NFA) → checks → automaton.
#include <boost/json.hpp>
#include <set>

#include "grammar/grammar.h"
#include "grammar/internal/compiled_grammar.h"
#include "grammar/internal/emit.h"
#include "grammar/internal/lower.h"

namespace sluice::grammar {
namespace {

// A rule that can call itself before consuming a byte would make the
// matcher's closure unbounded; refuse it (the validator calls this a
// reference cycle without progress).
Status CheckLeftRecursion(const internal::Nfa& nfa) {
  const auto& rules = nfa.rules();
  for (uint32_t r = 0; r < rules.size(); ++r) {
    std::set<uint32_t> seen;
    std::vector<uint32_t> stack = {rules[r].start};
    std::set<uint32_t> entered;
    while (!stack.empty()) {
      uint32_t s = stack.back();
      stack.pop_back();
      if (!seen.insert(s).second) continue;
      const internal::NfaState& st = nfa.state(s);
      for (uint32_t e : st.eps) stack.push_back(e);
      for (const internal::CallEdge& c : st.calls) {
        if (c.rule == r) {
          return Status(ErrorCode::kUnprocessable,
                        "the schema refers to itself without consuming input (left-recursive $ref)");
        }
        if (entered.insert(c.rule).second) stack.push_back(rules[c.rule].start);
      }
    }
  }
  return Status::Ok();
}

// Removes edges into states from which the rule cannot finish, so that a
// matcher never enters a dead end (every live state can still complete a
// document: what the sampler needs to always have a token to choose).
void Trim(internal::Nfa& nfa) {
  size_t n = nfa.size();
  std::vector<uint8_t> productive(n, 0);
  std::vector<std::vector<uint32_t>> rev(n);
  std::vector<uint32_t> queue;
  const auto& rules = nfa.rules();
  for (uint32_t s = 0; s < n; ++s) {
    const internal::NfaState& st = nfa.state(s);
    for (uint32_t e : st.eps) rev[e].push_back(s);
    for (const auto& b : st.bytes) rev[b.to].push_back(s);
    for (const auto& c : st.calls) {
      rev[c.ret].push_back(s);
      rev[rules[c.rule].start].push_back(s);
    }
    if (st.final) {
      productive[s] = 1;
      queue.push_back(s);
    }
  }
  auto check = [&](uint32_t s) {
    const internal::NfaState& st = nfa.state(s);
    for (uint32_t e : st.eps) {
      if (productive[e]) return true;
    }
    for (const auto& b : st.bytes) {
      if (productive[b.to]) return true;
    }
    for (const auto& c : st.calls) {
      if (productive[c.ret] && productive[rules[c.rule].start]) return true;
    }
    return false;
  };
  while (!queue.empty()) {
    uint32_t x = queue.back();
    queue.pop_back();
    for (uint32_t s : rev[x]) {
      if (!productive[s] && check(s)) {
        productive[s] = 1;
        queue.push_back(s);
      }
    }
  }
  for (uint32_t s = 0; s < n; ++s) {
    internal::NfaState& st = nfa.mutable_state(s);
    std::erase_if(st.eps, [&](uint32_t e) { return !productive[e]; });
    std::erase_if(st.bytes, [&](const internal::ByteEdge& b) { return !productive[b.to]; });
    std::erase_if(st.calls, [&](const internal::CallEdge& c) {
      return !productive[c.ret] || !productive[rules[c.rule].start];
    });
  }
  // A text state whose character edges were trimmed (an unanchored pattern
  // whose later starts can never match) no longer takes any text.
  for (uint32_t s = 0; s < n; ++s) {
    internal::NfaState& st = nfa.mutable_state(s);
    if (st.text_budget < 0) continue;
    bool takes_text = std::any_of(st.bytes.begin(), st.bytes.end(),
                                  [](const internal::ByteEdge& b) { return b.lo <= 'a' && 'a' <= b.hi; });
    if (!takes_text) st.text_budget = -1;
  }
}

bool DetectDraft7(const boost::json::value& doc, bool fallback) {
  if (!doc.is_object()) return fallback;
  const auto* s = doc.get_object().if_contains("$schema");
  if (s == nullptr || !s->is_string()) return fallback;
  std::string_view uri = s->get_string();
  for (std::string_view old : {"draft-07", "draft-06", "draft-04"}) {
    if (uri.find(old) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

StatusOr<std::shared_ptr<const CompiledGrammar>> CompileJsonSchema(std::string_view schema_json,
                                                                   const CompileOptions& options,
                                                                   CompileReport* report) {
  CompileReport local;
  if (report == nullptr) report = &local;
  auto refuse = [&](Status s) -> StatusOr<std::shared_ptr<const CompiledGrammar>> {
    report->refused.push_back(s.message());
    return s;
  };
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(schema_json, ec);
  if (ec) return refuse(Status(ErrorCode::kInvalidArgument, "schema is not valid JSON: " + ec.message()));

  internal::LowerOptions lower_options;
  lower_options.draft7 = DetectDraft7(doc, options.draft7);
  lower_options.additional_properties_by_default = options.additional_properties_by_default || options.superset;
  lower_options.superset = options.superset;
  std::set<std::string> post;
  auto ir = internal::Lower(doc, lower_options, &post);
  if (!ir.ok()) return refuse(ir.status());

  internal::EmitOptions emit_options;
  emit_options.max_whitespace = options.superset ? -1 : options.compact ? 0 : options.max_whitespace;
  emit_options.superset = options.superset;
  emit_options.max_states = options.max_states;
  auto nfa = internal::Emit(*ir, emit_options);
  if (!nfa.ok()) return refuse(nfa.status());
  Trim(*nfa);
  if (Status s = CheckLeftRecursion(*nfa); !s.ok()) return refuse(s);

  report->post_validated.assign(post.begin(), post.end());
  return std::shared_ptr<const CompiledGrammar>(std::make_shared<CompiledGrammar>(std::move(*nfa)));
}

}  // namespace sluice::grammar
