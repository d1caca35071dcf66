#include "base/status.h"
#include "base/log.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Status Fails() { return Status(ErrorCode::kUpstreamError, "connection refused"); }

Status Propagates() {
  SLUICE_RETURN_IF_ERROR(Fails());
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeMessageAndDetails) {
  Status s(ErrorCode::kUnprocessable, "bad field", {{{"body", "prompt"}, "too short", "string_too_short"}});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kUnprocessable);
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0].loc[1], "prompt");
  EXPECT_EQ(s.ToString(), "unprocessable: bad field");
}

TEST(StatusTest, ReturnIfErrorPropagates) {
  Status s = Propagates();
  EXPECT_EQ(s.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(s.message(), "connection refused");
}

TEST(StatusOrTest, HoldsValueOrStatus) {
  StatusOr<int> good(42);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  StatusOr<int> bad(Status(ErrorCode::kNotFound, "no such model"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
}

TEST(LogTest, EscapesJson) {
  std::string out;
  AppendJsonEscaped(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u0001");
}

}  // namespace
}  // namespace sluice
