#include "tokenizer/pretokenizer/normalizer.h"

#include <gtest/gtest.h>

namespace sluice::tokenizer {
namespace {

using namespace std::literals;

TEST(Nfc, ComposesAndPassesInvalidBytes) {
  EXPECT_EQ(NfcNormalize("e\u0301"), "\u00e9");
  EXPECT_EQ(NfcNormalize("\u212b"), "\u00c5");            // ANGSTROM SIGN → Å
  EXPECT_EQ(NfcNormalize("\u1100\u1161"), "\uac00");      // Hangul jamo → 가
  EXPECT_EQ(NfcNormalize("plain ascii"), "plain ascii");
  EXPECT_EQ(NfcNormalize("a\xff" "e\u0301"), "a\xff\u00e9");
  EXPECT_EQ(NfcNormalize("a\0b"sv), "a\0b"s);
}

std::string Bert(std::string_view s) { return BertNormalize(s, true, true, true, true); }

TEST(BertNormalize, DefaultUncased) {
  EXPECT_EQ(Bert("H\u00e9llo\tWORLD\x01!"), "hello world!");
  EXPECT_EQ(Bert("\u4e2d\u6587x"), " \u4e2d  \u6587 x");
  EXPECT_EQ(Bert("\u00a0x\u2028"), " x ");
  // NUL, U+FFFD and controls go, including the White_Space controls \v \f U+0085.
  EXPECT_EQ(Bert("a\0b\ufffd\v\f\u0085\u200bc"sv), "abc");
  EXPECT_EQ(Bert("\u0130stanbul"), "istanbul");
  EXPECT_EQ(Bert("a\xff" "b"), "ab");  // an invalid byte is dropped like U+FFFD
}

TEST(BertNormalize, EachFlagAlone) {
  EXPECT_EQ(BertNormalize("\u0130 \u00c9\x01", true, false, false, false), "i\u0307 \u00e9\x01");
  EXPECT_EQ(BertNormalize("\u00c9cole", false, true, false, false), "Ecole");
  EXPECT_EQ(BertNormalize("\u4e2d", false, false, true, false), " \u4e2d ");
  EXPECT_EQ(BertNormalize("a\tb\x01", false, false, false, true), "a b");
  EXPECT_EQ(BertNormalize("a\xff", false, false, false, false), "a\xff");
  // Final sigma has no context per code point: Σ → σ everywhere.
  EXPECT_EQ(BertNormalize("\u039f\u03a3", true, false, false, false), "\u03bf\u03c3");
}

}  // namespace
}  // namespace sluice::tokenizer
