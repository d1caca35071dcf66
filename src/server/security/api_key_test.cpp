#include "server/security/api_key.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice::security {
namespace {

TEST(ApiKey, GeneratedKeysHaveTheFormatAndPassTheCheck) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto key = GenerateApiKey();
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->size(), kApiKeyLength);
    EXPECT_TRUE(key->starts_with("sk-sluice-"));
    EXPECT_TRUE(CheckKeyFormat(*key).ok()) << *key;
    EXPECT_TRUE(seen.insert(*key).second);
  }
}

TEST(ApiKey, EverySingleCharacterTypoInBodyOrChecksumIsRejected) {
  auto key = GenerateApiKey();
  ASSERT_TRUE(key.ok());
  for (size_t i = kApiKeyPrefix.size(); i < key->size(); ++i) {
    std::string typo = *key;
    typo[i] = typo[i] == 'a' ? 'b' : 'a';
    Status st = CheckKeyFormat(typo);
    EXPECT_EQ(st.code(), ErrorCode::kUnauthenticated) << "position " << i;
    EXPECT_EQ(st.message(), "malformed API key");
  }
}

TEST(ApiKey, SwappedNeighboursAreRejected) {
  auto key = GenerateApiKey();
  ASSERT_TRUE(key.ok());
  int swapped = 0;
  for (size_t i = kApiKeyPrefix.size(); i + 1 < key->size(); ++i) {
    std::string typo = *key;
    if (typo[i] == typo[i + 1]) continue;
    std::swap(typo[i], typo[i + 1]);
    EXPECT_FALSE(CheckKeyFormat(typo).ok()) << "position " << i;
    ++swapped;
  }
  EXPECT_GT(swapped, 20);
}

TEST(ApiKey, WrongPrefixLengthOrAlphabetIsRejected) {
  auto key = GenerateApiKey();
  ASSERT_TRUE(key.ok());
  std::string body = key->substr(kApiKeyPrefix.size());
  EXPECT_FALSE(CheckKeyFormat("sk-other-" + body).ok());
  EXPECT_FALSE(CheckKeyFormat(key->substr(0, key->size() - 1)).ok());
  EXPECT_FALSE(CheckKeyFormat(*key + "a").ok());
  EXPECT_FALSE(CheckKeyFormat("").ok());
  std::string dash = *key;
  dash[kApiKeyPrefix.size() + 3] = '-';
  EXPECT_FALSE(CheckKeyFormat(dash).ok());
  EXPECT_FALSE(CheckKeyFormat("Bearer " + *key).ok());
}

TEST(ApiKey, HashIsSha256Hex) {
  // Reference: `printf abc | sha256sum`.
  EXPECT_EQ(HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto key = GenerateApiKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HashApiKey(*key).size(), 64u);
  EXPECT_EQ(HashApiKey(*key).find(key->substr(10, 8)), std::string::npos);
}

TEST(ApiKey, RandomBase62UsesTheWholeAlphabet) {
  auto s = RandomBase62(5000);
  ASSERT_TRUE(s.ok());
  std::set<char> chars(s->begin(), s->end());
  EXPECT_EQ(chars.size(), 62u);
}

}  // namespace
}  // namespace sluice::security
