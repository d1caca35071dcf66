// Fuzz target: the GGUF reader on an in-memory file. gguf::ParseGguf must
// parse or fail with a Status and never read outside the buffer; a file it
// accepts must keep the promises of gguf_file.h: every tensor's data lies
// inside the buffer, every key is found by name, typed lookups fail cleanly.
// The info printer then walks every value. (Supersedes src/gguf/gguf_fuzz.cpp,
// which does the parse and the print only.)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "gguf/gguf_file.h"
#include "gguf/gguf_info.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "gguf_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::StatusOr<sluice::gguf::GgufFile> file = sluice::gguf::ParseGguf({data, size});
  if (!file.ok()) return 0;

  const uint8_t* begin = data;
  const uint8_t* end = data + size;
  unsigned sum = 0;  // touch tensor bytes so ASan checks them
  for (const sluice::gguf::TensorInfo& t : file->tensors()) {
    if (t.data.size() != t.n_bytes) Fail("tensor data size differs from n_bytes");
    if (!t.data.empty()) {
      if (t.data.data() < begin || t.data.data() + t.data.size() > end) {
        Fail("tensor data outside the buffer");
      }
      sum += t.data.front() + t.data.back();
    }
    if (file->FindTensor(t.name) == nullptr) Fail("tensor not found by its own name");
  }
  for (const sluice::gguf::MetadataEntry& m : file->metadata()) {
    if (file->Find(m.key) == nullptr) Fail("metadata key not found by its own name");
    // Each getter either matches the type or says why not; none may crash.
    (void)file->GetU32(m.key);
    (void)file->GetU64(m.key);
    (void)file->GetF32(m.key);
    (void)file->GetBool(m.key);
    (void)file->GetString(m.key);
    (void)file->GetArray(m.key);
    if (auto strings = file->GetStringArray(m.key); strings.ok()) {
      for (std::string_view s : *strings) sum += s.empty() ? 0u : static_cast<unsigned char>(s[0]);
    }
    (void)file->GetF32Array(m.key);
    (void)file->GetI32Array(m.key);
    (void)file->GetU32Array(m.key);
  }
  std::ostringstream out;
  sluice::gguf::PrintGgufInfo(*file, out);
  return static_cast<int>(sum & 0u);  // keep `sum` observable
}
