#include "net/sse.h"

#include <gtest/gtest.h>

namespace sluice::net {
namespace {

std::vector<SseEvent> ParseWhole(std::string_view text) {
  SseParser p;
  std::vector<SseEvent> out;
  EXPECT_TRUE(p.Feed(text, &out).ok());
  return out;
}

// Feeds `text` split at every possible pair of positions and checks the result
// never depends on where the chunks were cut.
void ExpectSplitInvariant(std::string_view text) {
  std::vector<SseEvent> whole = ParseWhole(text);
  for (size_t i = 0; i <= text.size(); ++i) {
    for (size_t j = i; j <= text.size(); ++j) {
      SseParser p;
      std::vector<SseEvent> out;
      ASSERT_TRUE(p.Feed(text.substr(0, i), &out).ok());
      ASSERT_TRUE(p.Feed(text.substr(i, j - i), &out).ok());
      ASSERT_TRUE(p.Feed(text.substr(j), &out).ok());
      ASSERT_EQ(out.size(), whole.size()) << "split at " << i << "," << j;
      for (size_t k = 0; k < out.size(); ++k) {
        EXPECT_EQ(out[k].data, whole[k].data) << "split at " << i << "," << j;
        EXPECT_EQ(out[k].event, whole[k].event);
      }
    }
  }
}

TEST(SseParserTest, ParsesDataEventsAndComments) {
  auto events = ParseWhole(": keep-alive\n\ndata: {\"a\":1}\n\nevent: done\ndata: x\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[1].event, "done");
  EXPECT_EQ(events[1].data, "x");
}

TEST(SseParserTest, JoinsMultipleDataLinesWithNewline) {
  auto events = ParseWhole("data: a\ndata: b\ndata\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\nb\n");
}

TEST(SseParserTest, AcceptsCrLfAndCrLineEndings) {
  auto events = ParseWhole("data: one\r\n\r\ndata: two\r\rdata:three\n\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data, "one");
  EXPECT_EQ(events[1].data, "two");
  EXPECT_EQ(events[2].data, "three");  // no space after the colon is fine
}

TEST(SseParserTest, OnlyOneLeadingSpaceIsStripped) {
  auto events = ParseWhole("data:  two spaces\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, " two spaces");
}

TEST(SseParserTest, EventWithoutDataIsNotDispatched) {
  EXPECT_TRUE(ParseWhole("event: ping\n\n").empty());
  EXPECT_TRUE(ParseWhole("id: 5\n\n").empty());
}

TEST(SseParserTest, IncompleteEventIsHeldBack) {
  SseParser p;
  std::vector<SseEvent> out;
  ASSERT_TRUE(p.Feed("data: partial", &out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(p.HasPartial());
  ASSERT_TRUE(p.Feed("\n\n", &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(p.HasPartial());
}

TEST(SseParserTest, StripsByteOrderMarkAtStart) {
  auto events = ParseWhole("\xEF\xBB\xBF" "data: x\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
}

TEST(SseParserTest, SplitsAnywhereIncludingMidCrLfAndMidUtf8) {
  ExpectSplitInvariant("data: {\"content\":\"h\xC3\xA9llo \xF0\x9F\x98\x80\"}\r\n\r\ndata: [DONE]\r\n\r\n");
  ExpectSplitInvariant(": c\r\nevent: e\rdata: a\r\ndata: b\n\n");
}

TEST(SseParserTest, RejectsOversizedEvent) {
  SseParser p(16);
  std::vector<SseEvent> out;
  Status s = p.Feed("data: 0123456789abcdefghij\n\n", &out);
  EXPECT_EQ(s.code(), ErrorCode::kUpstreamError);
}

TEST(SseEncodeTest, EncodesAndRoundTrips) {
  EXPECT_EQ(EncodeSseData("{\"a\":1}"), "data: {\"a\":1}\n\n");
  std::string multi = EncodeSseData("line1\nline2\r\nline3");
  EXPECT_EQ(multi, "data: line1\ndata: line2\ndata: line3\n\n");
  auto events = ParseWhole(multi);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "line1\nline2\nline3");
}

}  // namespace
}  // namespace sluice::net
