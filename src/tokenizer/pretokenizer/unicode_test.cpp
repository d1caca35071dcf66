#include "tokenizer/pretokenizer/unicode.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::tokenizer {
namespace {

struct Decoded {
  uint32_t cp;  // not char32_t: GoogleTest cannot print that
  int n;
};

Decoded Decode(std::string_view s) {
  int n = 0;
  const char32_t cp = DecodeUtf8(s.data(), s.data() + s.size(), &n);
  return {static_cast<uint32_t>(cp), n};
}

TEST(DecodeUtf8, ValidSequences) {
  EXPECT_EQ(Decode("A").cp, uint32_t{U'A'});
  EXPECT_EQ(Decode("\u00e9").cp, uint32_t{U'\u00e9'});
  EXPECT_EQ(Decode("\u00e9").n, 2);
  EXPECT_EQ(Decode("\u20ac").cp, uint32_t{U'\u20ac'});
  EXPECT_EQ(Decode("\U0001F600").cp, uint32_t{U'\U0001F600'});
  EXPECT_EQ(Decode("\U0001F600").n, 4);
  EXPECT_EQ(Decode("\U0010FFFF").cp, uint32_t{U'\U0010FFFF'});
}

TEST(DecodeUtf8, InvalidBytesAreOneCodePointEach) {
  for (const std::string s : {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
                              "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80", "\xff", "\xc3",
                              "\xe2\x82", "\xf0\x9f\x98", "\xe2(x"}) {
    const Decoded d = Decode(s);
    EXPECT_EQ(d.cp, uint32_t{kInvalidCodePoint}) << s;
    EXPECT_EQ(d.n, 1) << s;
  }
  EXPECT_EQ(ClassOf(kInvalidCodePoint), ClassOf(0xFFFD));
}

TEST(ClassTable, AgreesWithUtf8procEverywhere) {
  for (char32_t cp = 0; cp < 128; ++cp) {
    EXPECT_EQ(internal::kAsciiClass[cp], internal::ClassOfReference(cp)) << static_cast<uint32_t>(cp);
  }
  for (char32_t cp = 0; cp <= 0x110000; ++cp) {
    ASSERT_EQ(ClassOf(cp), internal::ClassOfReference(cp)) << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(ClassTable, Samples) {
  EXPECT_EQ(ClassOf(U'a'), kClassLetter | kClassLowerish);
  EXPECT_EQ(ClassOf(U'\u01c5'), kClassLetter | kClassUpperish);  // ǅ Lt
  EXPECT_EQ(ClassOf(U'\u4e2d'), kClassLetter | kClassUpperish | kClassLowerish);
  EXPECT_EQ(ClassOf(U'\u0301'), kClassMark | kClassUpperish | kClassLowerish);
  EXPECT_EQ(ClassOf(U'\u0663'), kClassNumber);
  EXPECT_TRUE(ClassOf(U'\u0085') & kClassSpace);
  EXPECT_TRUE(ClassOf(U'\u3000') & kClassSpace);
  EXPECT_FALSE(ClassOf(U'\ufeff') & kClassSpace);
  EXPECT_FALSE(ClassOf(U'\u200b') & kClassSpace);
  EXPECT_TRUE(ClassOf(U'$') & kClassBertPunct);
  EXPECT_TRUE(ClassOf(U'\u2014') & kClassBertPunct);
  EXPECT_FALSE(ClassOf(U'\u20ac') & kClassBertPunct);
}

TEST(AppendUtf8, RoundTrips) {
  for (const char32_t cp : {U'\0', U'A', U'\u00e9', U'\u20ac', U'\U0001F600', U'\U0010FFFF'}) {
    std::string s;
    AppendUtf8(cp, &s);
    const Decoded d = Decode(s);
    EXPECT_EQ(d.cp, static_cast<uint32_t>(cp));
    EXPECT_EQ(static_cast<size_t>(d.n), s.size());
  }
}

}  // namespace
}  // namespace sluice::tokenizer
