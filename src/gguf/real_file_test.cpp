// Reads a real GGUF file made by someone else's writer, when one is around:
// $SLUICE_GGUF_FILE, else the first *.gguf under $SLUICE_SOURCE_DIR/models.
// Skipped (with a message) when there is none.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "gguf/gguf_file.h"
#include "gguf/gguf_info.h"

namespace sluice::gguf {
namespace {

std::string FindRealGguf() {
  if (const char* env = std::getenv("SLUICE_GGUF_FILE"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* source = std::getenv("SLUICE_SOURCE_DIR");
  const std::filesystem::path models =
      std::filesystem::path(source != nullptr ? source : ".") / "models";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(models, ec)) {
    if (entry.path().extension() == ".gguf") return entry.path().string();
  }
  return "";
}

TEST(GgufRealFile, ParsesAndEveryTensorLiesInTheFile) {
  const std::string path = FindRealGguf();
  if (path.empty()) {
    GTEST_SKIP() << "no real GGUF file: set SLUICE_GGUF_FILE or put one in models/";
  }
  StatusOr<GgufFile> file = OpenGguf(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_TRUE(file->version() == 2 || file->version() == 3);
  EXPECT_TRUE(file->GetString("general.architecture").ok());
  for (const TensorInfo& t : file->tensors()) {
    EXPECT_GE(t.data.data(), file->bytes().data());
    EXPECT_LE(t.data.data() + t.data.size(), file->bytes().data() + file->bytes().size());
  }
  std::ostringstream out;
  PrintGgufInfo(*file, out);
  EXPECT_FALSE(out.str().empty());
}

}  // namespace
}  // namespace sluice::gguf
