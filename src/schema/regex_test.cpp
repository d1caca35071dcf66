#include "schema/regex.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::schema::regex {
namespace {

bool Matches(std::string_view pattern, std::string_view text) {
  auto re = Regex::Compile(pattern);
  EXPECT_TRUE(re.ok()) << pattern << ": " << re.status().message();
  return re.ok() && re->Search(text);
}

std::string CompileError(std::string_view pattern) {
  auto re = Regex::Compile(pattern);
  return re.ok() ? "" : re.status().message();
}

TEST(RegexTest, SearchIsUnanchored) {
  EXPECT_TRUE(Matches("abc", "xxabcxx"));
  EXPECT_FALSE(Matches("abc", "ab"));
  EXPECT_TRUE(Matches("", "anything"));
  EXPECT_TRUE(Matches("^abc$", "abc"));
  EXPECT_FALSE(Matches("^abc$", "abcd"));
  EXPECT_FALSE(Matches("^abc", "xabc"));
  EXPECT_TRUE(Matches("c$", "abc"));
}

TEST(RegexTest, ClassesAndEscapes) {
  EXPECT_TRUE(Matches("^[a-z][a-z0-9_]*$", "user_id2"));
  EXPECT_FALSE(Matches("^[a-z][a-z0-9_]*$", "2user"));
  EXPECT_FALSE(Matches("^[a-z][a-z0-9_]*$", "User"));
  EXPECT_TRUE(Matches("^[^abc]+$", "xyz"));
  EXPECT_FALSE(Matches("^[^abc]+$", "xaz"));
  EXPECT_TRUE(Matches("^\\d{3}-\\d{4}$", "555-1234"));
  EXPECT_FALSE(Matches("^\\d{3}-\\d{4}$", "55-1234"));
  EXPECT_TRUE(Matches("^\\w+\\s\\W$", "ab_9 !"));
  EXPECT_TRUE(Matches("^\\D\\S$", "a!"));
  EXPECT_TRUE(Matches("^a\\/b\\.c$", "a/b.c"));
  EXPECT_FALSE(Matches("^a\\.c$", "abc"));
  EXPECT_TRUE(Matches("^\\u00e9\\x41\\t$",
                      "\xc3\xa9"
                      "A\t"));
  EXPECT_TRUE(Matches("^[\\d.-]+$", "1.5-2"));
  EXPECT_FALSE(Matches("[]", "abc"));             // empty class matches nothing
  EXPECT_TRUE(Matches("^[^]$", "\n"));            // negated empty class matches anything
  EXPECT_TRUE(Matches("^\\s$", "\xe3\x80\x80"));  // U+3000 is ECMA whitespace
  EXPECT_TRUE(Matches("^\\uD83D\\uDE00$", "\xf0\x9f\x98\x80"));  // surrogate pair
}

TEST(RegexTest, DotIsOneCodePointExceptLineTerminators) {
  EXPECT_TRUE(Matches("^.$", "\xe2\x82\xac"));  // one code point, three bytes
  EXPECT_TRUE(Matches("^..$",
                      "\xf0\x9f\x98\x80"
                      "a"));
  EXPECT_FALSE(Matches("^.$", "\n"));
  EXPECT_FALSE(Matches("^.$", "ab"));
}

TEST(RegexTest, Quantifiers) {
  EXPECT_TRUE(Matches("^a{2,3}$", "aa"));
  EXPECT_TRUE(Matches("^a{2,3}$", "aaa"));
  EXPECT_FALSE(Matches("^a{2,3}$", "aaaa"));
  EXPECT_FALSE(Matches("^a{2,3}$", "a"));
  EXPECT_TRUE(Matches("^a{2,}$", "aaaaaa"));
  EXPECT_TRUE(Matches("^a{2}$", "aa"));
  EXPECT_TRUE(Matches("^(ab)+?c*?$", "ababcc"));
  EXPECT_TRUE(Matches("^x?y$", "y"));
  EXPECT_TRUE(Matches("^(a*)*$", "aaaa"));
  EXPECT_TRUE(Matches("^a{,3}$", "a{,3}"));  // not a quantifier: literal braces
}

TEST(RegexTest, AlternationAndGroups) {
  EXPECT_TRUE(Matches("^(cat|dog)s?$", "dogs"));
  EXPECT_FALSE(Matches("^(cat|dog)s?$", "cow"));
  EXPECT_TRUE(Matches("^(?:a|b|)c$", "c"));
  EXPECT_TRUE(Matches("^(?<year>\\d{4})$", "2024"));
  EXPECT_TRUE(Matches("a|^b", "xa"));
}

TEST(RegexTest, WordBoundary) {
  EXPECT_TRUE(Matches("\\bfoo\\b", "a foo b"));
  EXPECT_FALSE(Matches("\\bfoo\\b", "afoob"));
  EXPECT_TRUE(Matches("\\Boo", "foo"));
}

TEST(RegexTest, UnsupportedConstructsAreRefusedByName) {
  EXPECT_EQ(CompileError("(?=a)"), "pattern \"(?=a)\": lookahead is not supported");
  EXPECT_NE(CompileError("(?!a)").find("negative lookahead"), std::string::npos);
  EXPECT_NE(CompileError("(?<=a)b").find("lookbehind"), std::string::npos);
  EXPECT_NE(CompileError("(a)\\1").find("backreference"), std::string::npos);
  EXPECT_NE(CompileError("\\p{Script=Greek}").find("Unicode property \\p{Script=Greek}"),
            std::string::npos);
}

TEST(RegexTest, UnicodeLetterAndNumberCategories) {
  EXPECT_TRUE(Matches("^\\p{L}+$", "na\xc3\xafve\xce\xb1"));  // naïveα
  EXPECT_FALSE(Matches("^\\p{Letter}+$", "abc1"));
  EXPECT_TRUE(Matches("^\\p{Lu}\\p{Ll}$", "Ab"));
  EXPECT_TRUE(Matches("^\\p{N}$", "\xd9\xa3"));  // ARABIC-INDIC DIGIT THREE
  EXPECT_TRUE(Matches("^[\\p{L}\\p{Nd}_]+$", "x_9"));
  EXPECT_TRUE(Matches("^\\P{L}$", "1"));
  EXPECT_FALSE(Matches("^\\P{L}$", "a"));
}

TEST(RegexTest, MalformedPatternsFail) {
  EXPECT_NE(CompileError("(ab"), "");
  EXPECT_NE(CompileError("ab)"), "");
  EXPECT_NE(CompileError("[ab"), "");
  EXPECT_NE(CompileError("*a"), "");
  EXPECT_NE(CompileError("a**"), "");
  EXPECT_NE(CompileError("[z-a]"), "");
  EXPECT_NE(CompileError("a{3,2}"), "");
  EXPECT_NE(CompileError("\\"), "");
  EXPECT_NE(CompileError("\\q"), "");
  EXPECT_NE(CompileError("(a{1000}){1000}").find("too large"), std::string::npos);
  EXPECT_NE(CompileError(std::string(100000, '(')), "");
}

TEST(RegexTest, LongInputsRunInLinearTime) {
  const std::string text(100000, 'a');
  EXPECT_TRUE(Matches("^(a|aa)*$", text));
  EXPECT_FALSE(Matches("^(a*)*b$", text));  // catastrophic for backtracking engines
  EXPECT_TRUE(Matches("a{50}$", text));
  EXPECT_FALSE(Matches("^[a-z]{1,10}$", text));
}

TEST(RegexTest, ExposesTheNfa) {
  auto re = Regex::Compile("ab");
  ASSERT_TRUE(re.ok());
  const Program& p = re->program();
  ASSERT_EQ(p.insts.size(), 3u);
  EXPECT_EQ(p.insts[0].op, Inst::Op::kSet);
  EXPECT_TRUE(p.sets[p.insts[0].arg].Contains('a'));
  EXPECT_EQ(p.insts[2].op, Inst::Op::kMatch);
}

TEST(CharSetTest, ComplementAndContains) {
  CharSet s = CharSet::Range('b', 'd');
  s.Add(CharSet::Single('e'));
  ASSERT_EQ(s.ranges().size(), 1u);
  const CharSet c = s.Complement();
  EXPECT_FALSE(c.Contains('c'));
  EXPECT_TRUE(c.Contains('a'));
  EXPECT_TRUE(c.Contains(0x10FFFF));
  EXPECT_EQ(c.Complement(), s);
}

}  // namespace
}  // namespace sluice::schema::regex
