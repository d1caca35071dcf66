#include "net/lines.h"

#include <gtest/gtest.h>

namespace sluice::net {
namespace {

TEST(LineSplitterTest, SplitsAcrossChunksAndSkipsEmptyLines) {
  LineSplitter s;
  std::vector<std::string> out;
  ASSERT_TRUE(s.Feed("{\"a\":", &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(s.Feed("1}\n\n{\"b\"", &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "{\"a\":1}");
  ASSERT_TRUE(s.Feed(":2}\r\n", &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], "{\"b\":2}");
  EXPECT_EQ(s.TakeRemainder(), "");
}

TEST(LineSplitterTest, EverySplitPointGivesTheSameLines) {
  const std::string text = "{\"x\":\"\xE2\x82\xAC\"}\n{\"y\":2}\r\n{\"z\":3}";
  for (size_t i = 0; i <= text.size(); ++i) {
    LineSplitter s;
    std::vector<std::string> out;
    ASSERT_TRUE(s.Feed(text.substr(0, i), &out).ok());
    ASSERT_TRUE(s.Feed(text.substr(i), &out).ok());
    ASSERT_EQ(out.size(), 2u) << i;
    EXPECT_EQ(out[0], "{\"x\":\"\xE2\x82\xAC\"}");
    EXPECT_EQ(out[1], "{\"y\":2}");
    EXPECT_EQ(s.TakeRemainder(), "{\"z\":3}");
  }
}

TEST(LineSplitterTest, RejectsOverlongLine) {
  LineSplitter s(8);
  std::vector<std::string> out;
  EXPECT_TRUE(s.Feed("12345", &out).ok());
  EXPECT_EQ(s.Feed("67890", &out).code(), ErrorCode::kUpstreamError);
}

}  // namespace
}  // namespace sluice::net
