#include "schema/formats.h"

#include <gtest/gtest.h>

namespace sluice::schema {
namespace {

TEST(FormatsTest, DateTime) {
  EXPECT_TRUE(IsValidFormat(Format::kDate, "2020-02-29"));
  EXPECT_FALSE(IsValidFormat(Format::kDate, "2021-02-29"));
  EXPECT_FALSE(IsValidFormat(Format::kDate, "2020-1-01"));
  EXPECT_TRUE(IsValidFormat(Format::kTime, "08:30:06.283185Z"));
  EXPECT_TRUE(IsValidFormat(Format::kTime, "23:59:60Z"));
  EXPECT_TRUE(IsValidFormat(Format::kTime, "15:59:60-08:00"));
  EXPECT_FALSE(IsValidFormat(Format::kTime, "22:59:60Z"));
  EXPECT_FALSE(IsValidFormat(Format::kTime, "08:30:06"));  // offset required
  EXPECT_TRUE(IsValidFormat(Format::kDateTime, "1963-06-19T08:30:06.283185Z"));
  EXPECT_TRUE(IsValidFormat(Format::kDateTime, "1963-06-19t08:30:06z"));
  EXPECT_FALSE(IsValidFormat(Format::kDateTime, "1963-06-19 08:30:06Z"));
}

TEST(FormatsTest, NetworkNames) {
  EXPECT_TRUE(IsValidFormat(Format::kIpv4, "192.168.0.1"));
  EXPECT_FALSE(IsValidFormat(Format::kIpv4, "192.168.0.01"));
  EXPECT_FALSE(IsValidFormat(Format::kIpv4, "256.0.0.1"));
  EXPECT_FALSE(IsValidFormat(Format::kIpv4, "1.2.3"));
  EXPECT_TRUE(IsValidFormat(Format::kIpv6, "::1"));
  EXPECT_TRUE(IsValidFormat(Format::kIpv6, "2001:db8::8a2e:370:7334"));
  EXPECT_TRUE(IsValidFormat(Format::kIpv6, "::ffff:192.168.0.1"));
  EXPECT_FALSE(IsValidFormat(Format::kIpv6, "1::2::3"));
  EXPECT_FALSE(IsValidFormat(Format::kIpv6, "12345::"));
  EXPECT_FALSE(IsValidFormat(Format::kIpv6, "1:2:3:4:5:6:7:8:9"));
  EXPECT_TRUE(IsValidFormat(Format::kHostname, "www.example.com"));
  EXPECT_FALSE(IsValidFormat(Format::kHostname, "-bad.example"));
  EXPECT_FALSE(IsValidFormat(Format::kHostname, "under_score.example"));
  EXPECT_FALSE(IsValidFormat(Format::kHostname, std::string(64, 'a') + ".com"));
  EXPECT_TRUE(IsValidFormat(Format::kEmail, "joe.bloggs@example.com"));
  EXPECT_TRUE(IsValidFormat(Format::kEmail, "\"joe bloggs\"@example.com"));
  EXPECT_FALSE(IsValidFormat(Format::kEmail, "joe..bloggs@example.com"));
  EXPECT_FALSE(IsValidFormat(Format::kEmail, "no-at-sign"));
}

TEST(FormatsTest, IdentifiersAndUris) {
  EXPECT_TRUE(IsValidFormat(Format::kUuid, "2EB8AA08-AA98-11EA-B4AA-73B441D16380"));
  EXPECT_FALSE(IsValidFormat(Format::kUuid, "2eb8aa08-aa98-11ea-b4aa-73b441d1638"));
  EXPECT_TRUE(IsValidFormat(Format::kUri, "http://foo.bar/?baz=qux#quux"));
  EXPECT_TRUE(IsValidFormat(Format::kUri, "urn:oasis:names:specification:docbook:dtd:xml:4.1.2"));
  EXPECT_FALSE(IsValidFormat(Format::kUri, "//foo.bar/?baz=qux#quux"));
  EXPECT_FALSE(IsValidFormat(Format::kUri, "http:// shouldfail.com"));
  EXPECT_FALSE(IsValidFormat(Format::kUri, "abc"));
  EXPECT_EQ(FormatFromName("regex"), std::nullopt);
  EXPECT_EQ(FormatFromName("ipv6"), Format::kIpv6);
}

}  // namespace
}  // namespace sluice::schema
