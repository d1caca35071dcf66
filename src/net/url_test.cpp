#include "net/url.h"

#include <gtest/gtest.h>

namespace sluice::net {
namespace {

TEST(UrlTest, ParsesHttpAndHttps) {
  auto a = ParseBaseUrl("http://localhost:11434");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->tls);
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, "11434");
  EXPECT_EQ(a->path, "");

  auto b = ParseBaseUrl("https://api.openai.com/v1/");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->tls);
  EXPECT_EQ(b->port, "443");
  EXPECT_EQ(b->path, "/v1");
  EXPECT_EQ(b->Authority(), "api.openai.com:443");
}

TEST(UrlTest, HandlesIpv6Literals) {
  auto u = ParseBaseUrl("http://[::1]:8080/base");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->Authority(), "[::1]:8080");
  EXPECT_EQ(u->path, "/base");
}

TEST(UrlTest, RejectsWhatIsNotABaseUrl) {
  EXPECT_FALSE(ParseBaseUrl("localhost:11434").ok());
  EXPECT_FALSE(ParseBaseUrl("ftp://x").ok());
  EXPECT_FALSE(ParseBaseUrl("http://x/?q=1").ok());
  EXPECT_FALSE(ParseBaseUrl("http://user:pw@x/").ok());
  EXPECT_FALSE(ParseBaseUrl("").ok());
}

}  // namespace
}  // namespace sluice::net
