// Fuzz target: the schema module's ECMA-262-subset regex. The input is
// PATTERN '\0' TEXT (no NUL: the whole input is the pattern and the text is a
// fixed set of strings). The pattern is compiled; when it compiles, the
// program must stay under kMaxProgramSize and Search runs over the text(s).
// Search is O(|text| * |program|), so the text is capped at 4 KiB to keep
// executions fast; larger texts only scale the same code paths.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "schema/regex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace regex = sluice::schema::regex;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  std::string_view pattern = input.substr(0, nul);

  sluice::StatusOr<regex::Regex> re = regex::Regex::Compile(pattern);
  if (!re.ok()) return 0;
  if (re->program().insts.size() > regex::kMaxProgramSize) {
    std::fprintf(stderr, "regex_fuzz: program has %zu states, cap is %zu\n",
                 re->program().insts.size(), regex::kMaxProgramSize);
    std::abort();
  }
  if (nul != std::string_view::npos) {
    (void)re->Search(input.substr(nul + 1, 4096));
  } else {
    for (std::string_view text : {"", "a", "abc123", "hello world\n", "snake_case_name",
                                  "\xC3\xA9\xF0\x9F\x98\x80", "\xFF\xFE invalid utf-8"}) {
      (void)re->Search(text);
    }
  }
  return 0;
}
