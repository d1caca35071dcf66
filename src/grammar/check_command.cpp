#include "grammar/check_command.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grammar/grammar.h"
#include "grammar/json_text.h"
#include "grammar/internal/vocabulary.h"
#include "grammar/token_matcher.h"
#include "schema/schema.h"
#include "tokenizer/tokenizer_gguf.h"

namespace sluice::grammar {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// This thread's CPU time in µs: unlike wall time, it does not count the
// time the thread waited for a core on a shared machine.
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct Totals {
  int schemas = 0, compiled = 0, refused = 0, tests = 0, passed = 0, skipped = 0;
  int valid_rejected = 0, invalid_accepted_grammar = 0, invalid_accepted_final = 0, mask_mismatch = 0;
  std::vector<double> mask_us, mask_cpu_us, compile_us;
};

bool LooksDraft7(const std::string& path) {
  for (const char* d : {"draft7", "draft-07", "draft6", "draft4"}) {
    if (path.find(d) != std::string::npos) return true;
  }
  return false;
}

void CheckGroup(const json::object& group, const std::string& file, const tokenizer::Tokenizer& tok,
                const std::shared_ptr<const TokenVocabulary>& vocab, bool draft7, bool emit_json, std::ostream& out,
                Totals& t) {
  ++t.schemas;
  const json::value* schema = group.if_contains("schema");
  const json::value* tests = group.if_contains("tests");
  std::string description = group.contains("description") && group.at("description").is_string()
                                ? std::string(group.at("description").get_string())
                                : "";
  if (!schema || !tests || !tests->is_array()) return;
  std::string schema_text = json::serialize(*schema);
  CompileOptions options;
  options.draft7 = draft7;
  options.additional_properties_by_default = true;  // the suite tests JSON Schema's default
  CompileReport report;
  auto start = Clock::now();
  auto grammar = CompileJsonSchema(schema_text, options, &report);
  double compile_us = Micros(Clock::now() - start);
  schema::CompileOptions vo;
  vo.draft = draft7 ? schema::Draft::kDraft7 : schema::Draft::kDraft2020_12;
  auto validator = schema::Compile(*schema, vo);
  json::object line;
  line["file"] = file;
  line["description"] = description;
  int n_tests = static_cast<int>(tests->get_array().size());
  if (!grammar.ok() || !validator.ok()) {
    ++t.refused;
    t.skipped += n_tests;
    line["compiled"] = false;
    line["refused"] = grammar.ok() ? "validator: " + validator.status().message() : grammar.status().message();
    if (emit_json) out << json::serialize(line) << "\n";
    return;
  }
  ++t.compiled;
  t.compile_us.push_back(compile_us);
  json::array post;
  for (const auto& p : report.post_validated) post.emplace_back(p);
  int passed = 0, valid_rejected = 0, bad_grammar = 0, bad_final = 0;
  double mask_max = 0;
  std::vector<uint32_t> bits(vocab->n_words());
  for (const auto& test : tests->get_array()) {
    if (!test.is_object() || !test.get_object().contains("data")) continue;
    const json::value& data = test.at("data");
    bool expected = test.get_object().contains("valid") && test.at("valid").is_bool() && test.at("valid").get_bool();
    std::string text = PythonJson(data);
    tokenizer::EncodeOptions eo;
    eo.parse_special = false;
    std::vector<int32_t> ids = tok.Encode(text, eo);
    TokenMatcher m(*grammar, vocab);
    bool ok = true;
    for (size_t i = 0; i <= ids.size() && ok; ++i) {
      double cpu0 = ThreadCpuMicros();
      auto s = Clock::now();
      m.FillMask(bits);
      double us = Micros(Clock::now() - s);
      t.mask_cpu_us.push_back(ThreadCpuMicros() - cpu0);
      t.mask_us.push_back(us);
      mask_max = std::max(mask_max, us);
      if (i == ids.size()) break;
      auto id = static_cast<size_t>(ids[i]);
      bool allowed = (bits[id / 32] >> (id % 32)) & 1u;
      if (!allowed) {
        ok = false;
        break;
      }
      if (!m.Advance(ids[i])) {
        ++t.mask_mismatch;
        ok = false;
      }
    }
    bool grammar_accepts = ok && m.IsAccepting();
    bool final_accepts = grammar_accepts && schema::IsValid(**validator, data);
    ++t.tests;
    if (final_accepts == expected) ++passed;
    if (expected && !final_accepts) ++valid_rejected;
    if (!expected && grammar_accepts) ++bad_grammar;
    if (!expected && final_accepts) ++bad_final;
  }
  t.passed += passed;
  t.valid_rejected += valid_rejected;
  t.invalid_accepted_grammar += bad_grammar;
  t.invalid_accepted_final += bad_final;
  if (emit_json) {
    line["compiled"] = true;
    line["compile_us"] = compile_us;
    line["post_validated"] = std::move(post);
    line["tests"] = n_tests;
    line["passed"] = passed;
    line["valid_rejected"] = valid_rejected;
    line["invalid_accepted_grammar"] = bad_grammar;
    line["invalid_accepted_final"] = bad_final;
    line["mask_us_max"] = mask_max;
    out << json::serialize(line) << "\n";
  }
}

}  // namespace

int RunCheckCommand(const CheckCommandOptions& options, std::ostream& out, std::ostream& err) {
  auto tok = tokenizer::LoadTokenizerFile(options.tokenizer_path);
  if (!tok.ok()) {
    err << "sluice: " << options.tokenizer_path << ": " << tok.status().message() << "\n";
    return 1;
  }
  auto vocab = VocabularyFor(*tok);
  std::vector<std::string> files;
  for (const auto& p : options.test_paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".json") in_dir.push_back(e.path().string());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(p);
    }
  }
  Totals t;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      err << "sluice: cannot read " << file << "\n";
      return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    json::value doc = json::parse(ss.str(), ec);
    if (ec || !(doc.is_object() || doc.is_array())) {
      err << "sluice: " << file << ": not a test file (" << (ec ? ec.message() : "expected an object or array")
          << ")\n";
      return 1;
    }
    bool draft7 = LooksDraft7(file);
    if (doc.is_object()) {
      CheckGroup(doc.get_object(), file, **tok, vocab, draft7, options.json, out, t);
    } else {
      for (const auto& g : doc.get_array()) {
        if (g.is_object()) CheckGroup(g.get_object(), file, **tok, vocab, draft7, options.json, out, t);
      }
    }
  }
  size_t n_masks = t.mask_us.size();
  double p50 = Percentile(t.mask_us, 50), p90 = Percentile(t.mask_us, 90), p99 = Percentile(t.mask_us, 99),
         p999 = Percentile(t.mask_us, 99.9), pmax = t.mask_us.empty() ? 0 : *std::max_element(t.mask_us.begin(), t.mask_us.end());
  double c50 = Percentile(t.compile_us, 50), c99 = Percentile(t.compile_us, 99);
  double u50 = Percentile(t.mask_cpu_us, 50), u90 = Percentile(t.mask_cpu_us, 90), u99 = Percentile(t.mask_cpu_us, 99),
         u999 = Percentile(t.mask_cpu_us, 99.9),
         umax = t.mask_cpu_us.empty() ? 0 : *std::max_element(t.mask_cpu_us.begin(), t.mask_cpu_us.end());
  if (options.json) {
    json::object s;
    s["summary"] = true;
    s["schemas"] = t.schemas;
    s["compiled"] = t.compiled;
    s["refused"] = t.refused;
    s["tests"] = t.tests;
    s["tests_skipped"] = t.skipped;
    s["passed"] = t.passed;
    s["valid_rejected"] = t.valid_rejected;
    s["invalid_accepted_grammar"] = t.invalid_accepted_grammar;
    s["invalid_accepted_final"] = t.invalid_accepted_final;
    s["masks"] = n_masks;
    s["mask_us"] = json::object{{"p50", p50}, {"p90", p90}, {"p99", p99}, {"p99.9", p999}, {"max", pmax}};
    s["mask_cpu_us"] = json::object{{"p50", u50}, {"p90", u90}, {"p99", u99}, {"p99.9", u999}, {"max", umax}};
    s["compile_us"] = json::object{{"p50", c50}, {"p99", c99}};
    out << json::serialize(s) << "\n";
    return 0;
  }
  char buf[768];
  std::snprintf(buf, sizeof buf,
                "schemas: %d compiled, %d refused (of %d)\n"
                "tests: %d of %d passed (%d skipped with refused schemas)\n"
                "valid instances wrongly rejected: %d\n"
                "invalid instances wrongly accepted: %d by the grammar alone, %d with the final validator\n"
                "mask time (us, %zu masks): p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n"
                "mask thread CPU time (us): p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n"
                "compile time (us): p50 %.1f  p99 %.1f\n",
                t.compiled, t.refused, t.schemas, t.passed, t.tests, t.skipped, t.valid_rejected,
                t.invalid_accepted_grammar, t.invalid_accepted_final, n_masks, p50, p90, p99, p999, pmax, u50, u90,
                u99, u999, umax, c50, c99);
  out << buf;
  if (t.mask_mismatch) out << "mask/advance disagreements: " << t.mask_mismatch << "\n";
  return 0;
}

}  // namespace sluice::grammar
