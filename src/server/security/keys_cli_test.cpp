#include "server/security/keys_cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "server/security/api_key.h"

namespace sluice::security {
namespace {

class KeysCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("sluice-keys-cli-" + std::to_string(::getpid()) + ".db"))
                .string();
    Remove();
  }
  void TearDown() override { Remove(); }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

// The value after "key: " in create's output.
std::string KeyFrom(const std::string& out) {
  auto at = out.find("key: ");
  return at == std::string::npos ? "" : out.substr(at + 5, kApiKeyLength);
}

TEST_F(KeysCliTest, CreateListRevoke) {
  KeysCreateArgs args;
  args.db_path = path_;
  args.name = "team-a";
  args.models = {"llama3,qwen", "phi"};
  args.rpm = 60;
  args.budget_tokens = 100000;
  args.budget_period = "month";
  args.expires = "2999-01-01";
  std::ostringstream out, err;
  ASSERT_EQ(RunKeysCreate(args, out, err), 0) << err.str();
  std::string key = KeyFrom(out.str());
  ASSERT_TRUE(CheckKeyFormat(key).ok()) << out.str();

  auto store = KeyStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto record = (*store)->Authenticate(key, WallTime(std::chrono::seconds(2'000'000'000)));
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->models, (std::vector<std::string>{"llama3", "qwen", "phi"}));
  EXPECT_EQ(record->limits.budget_period, BudgetPeriod::kMonth);
  EXPECT_EQ(record->expires_at, *ParseExpiry("2999-01-01T00:00:00Z"));

  std::ostringstream list;
  ASSERT_EQ(RunKeysList(path_, list, err), 0);
  EXPECT_NE(list.str().find(record->id), std::string::npos);
  EXPECT_NE(list.str().find("100000/month"), std::string::npos);
  EXPECT_NE(list.str().find("active"), std::string::npos);
  EXPECT_EQ(list.str().find(key), std::string::npos);
  EXPECT_EQ(list.str().find(HashApiKey(key)), std::string::npos);

  std::ostringstream revoked;
  ASSERT_EQ(RunKeysRevoke(path_, record->id, revoked, err), 0);
  std::ostringstream list2;
  ASSERT_EQ(RunKeysList(path_, list2, err), 0);
  EXPECT_NE(list2.str().find("revoked"), std::string::npos);
  EXPECT_EQ(RunKeysRevoke(path_, "key_missing", revoked, err), 1);
}

TEST_F(KeysCliTest, BadArgumentsExitWithTwo) {
  std::ostringstream out, err;
  KeysCreateArgs args;
  args.db_path = path_;
  args.name = "x";
  args.budget_period = "week";
  EXPECT_EQ(RunKeysCreate(args, out, err), 2);
  args.budget_period = "";
  args.budget_tokens = 10;
  EXPECT_EQ(RunKeysCreate(args, out, err), 2);
  args.budget_tokens = 0;
  args.expires = "2000-01-01";
  EXPECT_EQ(RunKeysCreate(args, out, err), 2);
  args.expires = "31/12/2999";
  EXPECT_EQ(RunKeysCreate(args, out, err), 2);
  args.expires = "";
  args.name = "";
  EXPECT_EQ(RunKeysCreate(args, out, err), 2);
  EXPECT_EQ(out.str().find("key:"), std::string::npos);
}

TEST(KeysCli, ParseExpiry) {
  auto d = ParseExpiry("2026-12-31");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->time_since_epoch().count(), 1798675200);  // `date -ud 2026-12-31 +%s`
  auto t = ParseExpiry("2026-12-31T18:30:05Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->time_since_epoch().count(), 1798675200 + 18 * 3600 + 30 * 60 + 5);
  EXPECT_FALSE(ParseExpiry("2026-02-30").ok());
  EXPECT_FALSE(ParseExpiry("2026-12-31T25:00:00Z").ok());
  EXPECT_FALSE(ParseExpiry("2026-12-31 ").ok());
}

TEST(KeysCli, DbPathResolution) {
  ::unsetenv("SLUICE_KEYS_DB");
  EXPECT_EQ(ResolveKeysDbPath(""), "sluice-keys.db");
  ::setenv("SLUICE_KEYS_DB", "/tmp/x.db", 1);
  EXPECT_EQ(ResolveKeysDbPath(""), "/tmp/x.db");
  EXPECT_EQ(ResolveKeysDbPath("/a.db"), "/a.db");
  ::unsetenv("SLUICE_KEYS_DB");
}

}  // namespace
}  // namespace sluice::security
