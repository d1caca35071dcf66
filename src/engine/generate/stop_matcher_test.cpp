#include "engine/generate/stop_matcher.h"

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

// Feeds `deltas` one by one; returns everything released plus Finish().
std::string FeedAll(StopMatcher& m, const std::vector<std::string>& deltas, bool finish = true) {
  std::string out;
  for (const std::string& d : deltas) out += m.Feed(d);
  if (finish) out += m.Finish();
  return out;
}

TEST(StopMatcher, NoStopsPassesEverythingThrough) {
  StopMatcher m({});
  EXPECT_EQ(m.Feed("hello"), "hello");
  EXPECT_EQ(m.held(), 0u);
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, StopSplitAcrossTokensNeverLeaks) {
  StopMatcher m({"</answer>"});
  EXPECT_EQ(m.Feed("The result"), "The result");
  EXPECT_EQ(m.Feed(" is 4</"), " is 4");  // "</" held
  EXPECT_EQ(m.held(), 2u);
  EXPECT_EQ(m.Feed("ans"), "");
  EXPECT_EQ(m.Feed("wer> and more"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.Feed("ignored"), "");
  EXPECT_EQ(m.Finish(), "");
}

TEST(StopMatcher, FalseStartIsReleased) {
  StopMatcher m({"STOP"});
  EXPECT_EQ(m.Feed("ST"), "");
  EXPECT_EQ(m.Feed("ART"), "START");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, HeldTailReleasedAtFinish) {
  StopMatcher m({"\n\n"});
  EXPECT_EQ(FeedAll(m, {"line", "\n"}), "line\n");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, EarliestOfSeveralStopsWins) {
  StopMatcher m({"cd", "b"});
  EXPECT_EQ(FeedAll(m, {"a", "bcd"}), "a");
  EXPECT_TRUE(m.stopped());
}

TEST(StopMatcher, StopInsideOneDelta) {
  StopMatcher m({"###"});
  EXPECT_EQ(FeedAll(m, {"x###y"}), "x");
}

TEST(StopMatcher, OverlappingPrefixesHoldTheLongest) {
  StopMatcher m({"aab"});
  EXPECT_EQ(m.Feed("xaa"), "x");
  EXPECT_EQ(m.Feed("a"), "a");  // "aaa": only "aa" can still start "aab"
  EXPECT_EQ(m.Feed("b"), "");
  EXPECT_TRUE(m.stopped());
}

TEST(StopMatcher, MultibyteStopSplitMidCharacter) {
  StopMatcher m({"é!"});  // C3 A9 21
  EXPECT_EQ(m.Feed("caf\xC3"), "caf");
  EXPECT_EQ(m.Feed("\xA9"), "");
  EXPECT_EQ(m.Feed("!"), "");
  EXPECT_TRUE(m.stopped());
}

}  // namespace
}  // namespace sluice::engine
