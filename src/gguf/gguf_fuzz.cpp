// libFuzzer target for the GGUF parser: any input must parse or fail with a
// status, never read outside the buffer. Build with clang and
// -DSLUICE_FUZZ=ON; run: ./gguf_fuzz -max_len=4096 corpus/
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "gguf/gguf_file.h"
#include "gguf/gguf_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::StatusOr<sluice::gguf::GgufFile> file = sluice::gguf::ParseGguf({data, size});
  if (file.ok()) {
    std::ostringstream out;  // the printer walks every value
    sluice::gguf::PrintGgufInfo(*file, out);
  }
  return 0;
}
