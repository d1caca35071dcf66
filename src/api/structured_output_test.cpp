#include "api/structured_output.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace sluice::api {
namespace {

TEST(StructuredOutputTest, AcceptsWhitespaceAndOneCodeFence) {
  EXPECT_TRUE(ParseAndValidate("  {\"a\":1}\n", nullptr).ok);
  auto fenced = ParseAndValidate("```json\n{\"a\":1}\n```", nullptr);
  ASSERT_TRUE(fenced.ok);
  EXPECT_EQ(fenced.value.as_object().at("a").as_int64(), 1);
}

TEST(StructuredOutputTest, RejectsProseAndTrailingGarbage) {
  auto prose = ParseAndValidate("Sure! {\"a\":1}", nullptr);
  EXPECT_FALSE(prose.ok);
  ASSERT_EQ(prose.errors.size(), 1u);
  EXPECT_EQ(prose.errors[0].instance_path, "");
  EXPECT_FALSE(ParseAndValidate("{\"a\":1} thanks", nullptr).ok);
  EXPECT_FALSE(ParseAndValidate("{\"a\":", nullptr).ok);
  EXPECT_FALSE(ParseAndValidate("", nullptr).ok);
}

TEST(StructuredOutputTest, ValidatesAgainstSchema) {
  auto schema = schema::Compile(boost::json::parse(R"({"type":"object","required":["a"]})"));
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(ParseAndValidate("{\"a\":1}", schema->get()).ok);
  auto r = ParseAndValidate("{\"b\":1}", schema->get());
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.errors.empty());
}

}  // namespace
}  // namespace sluice::api
