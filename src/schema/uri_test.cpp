#include "schema/uri.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "schema/json_pointer.h"

namespace sluice::schema {
namespace {

// RFC 3986 §5.4 examples.
TEST(UriTest, ResolvesReferences) {
  const char* base = "http://a/b/c/d;p?q";
  EXPECT_EQ(ResolveUri(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUri(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUri(base, "/g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "//g"), "http://g");
  EXPECT_EQ(ResolveUri(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(ResolveUri(base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(ResolveUri(base, ""), "http://a/b/c/d;p?q");
  EXPECT_EQ(ResolveUri(base, "../.."), "http://a/");
  EXPECT_EQ(ResolveUri(base, "../../../g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "g;x=1/../y"), "http://a/b/c/y");
  EXPECT_EQ(ResolveUri("urn:uuid:deadbeef", "#/a"), "urn:uuid:deadbeef#/a");
  EXPECT_EQ(ResolveUri("", "#/a"), "#/a");
}

TEST(UriTest, SplitsFragments) {
  EXPECT_EQ(SplitFragment("a/b#c").first, "a/b");
  EXPECT_EQ(SplitFragment("a/b#c").second, "c");
  EXPECT_EQ(SplitFragment("a/b").second, std::nullopt);
}

TEST(JsonPointerTest, ParsesAndResolves) {
  auto tokens = ParseJsonPointer("/a~1b/c~0d/0");
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, (std::vector<std::string>{"a/b", "c~d", "0"}));
  EXPECT_FALSE(ParseJsonPointer("a").has_value());
  EXPECT_FALSE(ParseJsonPointer("/~2").has_value());
  EXPECT_EQ(PercentDecode("a%25b%2"), "a%b%2");
  const auto doc = boost::json::parse(R"({"a/b":{"c~d":[7]}})");
  const auto* v = ResolveJsonPointer(doc, *tokens);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, 7);
  EXPECT_EQ(ResolveJsonPointer(doc, {"a/b", "c~d", "01"}), nullptr);
  EXPECT_EQ(EscapeJsonPointerToken("a/b~"), "a~1b~0");
}

}  // namespace
}  // namespace sluice::schema
