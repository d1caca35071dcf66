// Runs the official JSON-Schema-Test-Suite (github.com/json-schema-org/
// JSON-Schema-Test-Suite) against our validator: the verdicts are the golden
// reference. Required tests are each draft folder's top-level files; the
// test fails when fewer than 98% of them pass. optional/format files for the
// formats we assert are run and reported, not gated.
//
// Where the suite comes from:
//   $SLUICE_SHARED_DIR/data/json-schema-test-suite (default
//   $SLUICE_SOURCE_DIR/../shared; CTest sets SLUICE_SOURCE_DIR), else for
//   draft 7 Debian's package json-schema-test-suite under /usr/share.
// Remote refs to http://localhost:1234/ are served from the suite's remotes/.
// Required format.json runs with CompileOptions::assert_formats off (the
// spec's default); optional/format with it on (our default).
// The meta-schemas are not part of the suite: tests whose schema refers to
// one are counted as skipped, with the reason, never as passed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "schema/formats.h"
#include "schema/schema.h"

namespace sluice::schema {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr double kRequiredPassRate = 0.98;
constexpr std::string_view kRemotePrefix = "http://localhost:1234/";

std::optional<json::value> ReadJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = 1000;
  json::value v = json::parse(buffer.str(), ec, {}, po);
  if (ec) return std::nullopt;
  return v;
}

fs::path SharedSuiteDir() {
  if (const char* shared = std::getenv("SLUICE_SHARED_DIR")) {
    return fs::path(shared) / "data" / "json-schema-test-suite";
  }
  const char* source = std::getenv("SLUICE_SOURCE_DIR");
  const fs::path root = source ? fs::path(source) : fs::current_path();
  return root / ".." / "shared" / "data" / "json-schema-test-suite";
}

constexpr const char* kDebianSuite = "/usr/share/json-schema-test-suite";

struct Outcome {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::vector<std::string> failures;
  std::vector<std::string> skips;
  double PassRate() const {
    return passed + failed == 0 ? 0.0 : static_cast<double>(passed) / (passed + failed);
  }
};

bool IsMetaSchemaUri(std::string_view text) {
  return text.find("json-schema.org/draft") != std::string_view::npos &&
         text.find("test.json-schema.org") == std::string_view::npos;
}

// Runs one suite file: an array of {description, schema, tests: [...]}.
void RunFile(const fs::path& file, const fs::path& remotes, Draft draft, Outcome* out) {
  const auto doc = ReadJson(file);
  if (!doc || !doc->is_array()) {
    ++out->failed;
    out->failures.push_back(file.filename().string() + ": cannot read");
    return;
  }
  CompileOptions options;
  options.draft = draft;
  // The required format.json files test the spec's default, in which 2020-12
  // `format` is only an annotation ("invalid ... string is only an annotation
  // by default"). Our default asserts formats (as ajv-formats does), so those
  // files run with that switched off; optional/format runs with it on.
  options.assert_formats = file.parent_path().filename() == "format";
  options.load_remote = [&remotes](std::string_view uri) -> std::optional<json::value> {
    if (!uri.starts_with(kRemotePrefix)) return std::nullopt;
    return ReadJson(remotes / std::string(uri.substr(kRemotePrefix.size())));
  };
  for (const json::value& group : doc->get_array()) {
    const std::string group_name = fmt::format("{}: {}", file.filename().string(),
                                               std::string(group.at("description").as_string()));
    const json::array& tests = group.at("tests").get_array();
    auto schema = Compile(group.at("schema"), options);
    if (!schema.ok()) {
      const std::string& message = schema.status().message();
      const bool meta =
          message.find("cannot resolve reference") != std::string::npos && IsMetaSchemaUri(message);
      for (const json::value& test : tests) {
        const std::string name =
            fmt::format("{} / {}", group_name, std::string(test.at("description").as_string()));
        if (meta) {
          ++out->skipped;
          out->skips.push_back(name + " (needs a meta-schema the suite does not ship: " + message +
                               ")");
        } else {
          ++out->failed;
          out->failures.push_back(name + " (compile error: " + message + ")");
        }
      }
      continue;
    }
    for (const json::value& test : tests) {
      const bool expected = test.at("valid").as_bool();
      const bool actual = IsValid(**schema, test.at("data"));
      // The collecting path must agree with the yes/no path.
      const bool collected = Validate(**schema, test.at("data")).empty();
      const std::string name =
          fmt::format("{} / {}", group_name, std::string(test.at("description").as_string()));
      if (actual == expected && collected == expected) {
        ++out->passed;
      } else {
        ++out->failed;
        out->failures.push_back(fmt::format(
            "{} (expected {}, got {}{})", name, expected ? "valid" : "invalid",
            actual ? "valid" : "invalid", collected != actual ? ", Validate disagrees" : ""));
      }
    }
  }
}

std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void Print(const std::string& label, const Outcome& o) {
  std::cout << fmt::format(
      "[suite] {}: {} passed, {} failed, {} skipped ({:.1f}% of run tests pass)\n", label, o.passed,
      o.failed, o.skipped, 100.0 * o.PassRate());
  for (const std::string& f : o.failures) std::cout << "[suite]   FAIL " << f << "\n";
  for (const std::string& s : o.skips) std::cout << "[suite]   SKIP " << s << "\n";
}

// Suite root for a draft folder name, or empty when none is installed.
fs::path SuiteRootFor(const std::string& folder) {
  const fs::path shared = SharedSuiteDir();
  if (fs::is_directory(shared / "tests" / folder)) return shared;
  if (folder == "draft7" && fs::is_directory(fs::path(kDebianSuite) / "tests" / folder)) {
    return kDebianSuite;
  }
  return {};
}

void RunRequired(const std::string& folder, Draft draft) {
  const fs::path root = SuiteRootFor(folder);
  if (root.empty()) {
    GTEST_SKIP() << "JSON-Schema-Test-Suite for " << folder << " not found under "
                 << SharedSuiteDir() << " (set SLUICE_SHARED_DIR to the folder holding "
                 << "data/json-schema-test-suite)";
  }
  std::cout << "[suite] " << folder << " from " << root.string() << "\n";
  Outcome o;
  for (const fs::path& file : JsonFiles(root / "tests" / folder)) {
    RunFile(file, root / "remotes", draft, &o);
  }
  Print(folder + " required", o);
  ASSERT_GT(o.passed, 100) << "suite looks empty";
  EXPECT_GE(o.PassRate(), kRequiredPassRate)
      << folder << ": " << o.failed << " required tests fail (see the [suite] FAIL lines)";
}

void RunOptionalFormats(const std::string& folder, Draft draft) {
  const fs::path root = SuiteRootFor(folder);
  if (root.empty()) GTEST_SKIP() << "JSON-Schema-Test-Suite for " << folder << " not found";
  Outcome o;
  for (const fs::path& file : JsonFiles(root / "tests" / folder / "optional" / "format")) {
    if (!FormatFromName(file.stem().string())) continue;  // annotation-only formats
    RunFile(file, root / "remotes", draft, &o);
  }
  Print(folder + " optional/format (asserted formats, not gated)", o);
}

TEST(SchemaSuiteTest, Draft2020_12Required) { RunRequired("draft2020-12", Draft::kDraft2020_12); }
TEST(SchemaSuiteTest, Draft7Required) { RunRequired("draft7", Draft::kDraft7); }
TEST(SchemaSuiteTest, Draft2020_12OptionalFormat) {
  RunOptionalFormats("draft2020-12", Draft::kDraft2020_12);
}
TEST(SchemaSuiteTest, Draft7OptionalFormat) { RunOptionalFormats("draft7", Draft::kDraft7); }

}  // namespace
}  // namespace sluice::schema
