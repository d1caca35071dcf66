#include "server/security/key_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "server/security/api_key.h"

namespace sluice::security {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const WallTime kNow{seconds(1'790'000'000)};  // 2026-09-21

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-keystore-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "keys.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<KeyStore> OpenOrDie() {
    auto store = KeyStore::Open(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(KeyStoreTest, CreateThenAuthenticateReturnsTheRecord) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  EXPECT_FALSE(*store->HasAnyKeys());
  KeySpec spec{"ci", {"llama3", "qwen"}, {60, 1000, 2, 5000, BudgetPeriod::kDay}, std::nullopt};
  auto created = store->Create(spec, kNow);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->id.starts_with("key_"));
  EXPECT_TRUE(CheckKeyFormat(created->plaintext).ok());
  EXPECT_TRUE(*store->HasAnyKeys());

  auto record = store->Authenticate(created->plaintext, kNow);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->id, created->id);
  EXPECT_EQ(record->name, "ci");
  EXPECT_EQ(record->models, (std::vector<std::string>{"llama3", "qwen"}));
  EXPECT_EQ(record->limits, spec.limits);
  EXPECT_EQ(record->created_at, kNow);
  EXPECT_FALSE(record->revoked_at);
}

TEST_F(KeyStoreTest, UnknownMalformedRevokedAndExpiredKeysAreRefused) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  auto a = store->Create({"a", {}, {}, kNow + hours(1)}, kNow);
  auto b = store->Create({"b", {}, {}, std::nullopt}, kNow);
  ASSERT_TRUE(a.ok() && b.ok());

  auto unknown = GenerateApiKey();
  ASSERT_TRUE(unknown.ok());
  auto r = store->Authenticate(*unknown, kNow);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "invalid API key");

  std::string typo = a->plaintext;
  typo[15] = typo[15] == 'x' ? 'y' : 'x';
  EXPECT_EQ(store->Authenticate(typo, kNow).status().message(), "malformed API key");

  EXPECT_TRUE(store->Authenticate(a->plaintext, kNow + seconds(3599)).ok());
  r = store->Authenticate(a->plaintext, kNow + hours(1));
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "API key expired");

  ASSERT_TRUE(store->Revoke(b->id, kNow + seconds(5)).ok());
  r = store->Authenticate(b->plaintext, kNow + seconds(6));
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "API key revoked");
  // Revoking again keeps the first time; unknown ids are kNotFound.
  ASSERT_TRUE(store->Revoke(b->id, kNow + seconds(50)).ok());
  EXPECT_EQ(store->Revoke("key_nope", kNow).code(), ErrorCode::kNotFound);

  auto list = store->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, a->id);
  EXPECT_EQ((*list)[1].revoked_at, kNow + seconds(5));
}

TEST_F(KeyStoreTest, ModelScoping) {
  KeyRecord all;
  EXPECT_TRUE(CheckModel(all, "anything").ok());
  KeyRecord scoped;
  scoped.models = {"llama3", "qwen"};
  EXPECT_TRUE(CheckModel(scoped, "qwen").ok());
  Status st = CheckModel(scoped, "gpt-4o");
  EXPECT_EQ(st.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(st.message().find("gpt-4o"), std::string::npos);
  EXPECT_FALSE(CheckModel(scoped, "llama").ok());
}

TEST_F(KeyStoreTest, InvalidSpecsAreRejected) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Create({"", {}, {}, std::nullopt}, kNow).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->Create({"x", {"a,b"}, {}, std::nullopt}, kNow).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->Create({"x", {}, {-1, 0, 0, 0, BudgetPeriod::kNone}, std::nullopt}, kNow)
                .status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->Create({"x", {}, {0, 0, 0, 10, BudgetPeriod::kNone}, std::nullopt}, kNow)
                .status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(*store->HasAnyKeys());
}

TEST_F(KeyStoreTest, KeysSurviveReopenAndRevocationIsSeenByAnotherConnection) {
  CreatedKey created;
  {
    auto store = OpenOrDie();
    ASSERT_TRUE(store);
    auto c = store->Create({"persist", {"m"}, {1, 2, 3, 0, BudgetPeriod::kNone}, std::nullopt}, kNow);
    ASSERT_TRUE(c.ok());
    created = *c;
  }
  auto server = OpenOrDie();  // the "server" after a restart
  ASSERT_TRUE(server);
  auto record = server->Authenticate(created.plaintext, kNow);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->limits.max_concurrent, 3);

  auto cli = OpenOrDie();  // the CLI, concurrently with the running server
  ASSERT_TRUE(cli);
  ASSERT_TRUE(cli->Revoke(created.id, kNow).ok());
  EXPECT_EQ(server->Authenticate(created.plaintext, kNow).status().message(), "API key revoked");
}

TEST_F(KeyStoreTest, NewerSchemaVersionIsRefused) {
  { ASSERT_TRUE(OpenOrDie()); }
  // A later sluice migrated the file to a version this one does not know.
  std::string cmd = "sqlite3 '" + path_ + "' 'PRAGMA user_version = 99' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "sqlite3 shell not installed";
  auto store = KeyStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("newer"), std::string::npos);
}

TEST_F(KeyStoreTest, ConcurrentAuthenticateFromSeveralThreads) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  std::vector<CreatedKey> keys;
  for (int i = 0; i < 8; ++i) {
    auto c = store->Create({"k" + std::to_string(i), {}, {}, std::nullopt}, kNow);
    ASSERT_TRUE(c.ok());
    keys.push_back(*c);
  }
  auto bogus = GenerateApiKey();
  ASSERT_TRUE(bogus.ok());
  std::atomic<int> ok{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const CreatedKey& k = keys[static_cast<size_t>((t + i) % 8)];
        auto r = store->Authenticate(k.plaintext, kNow);
        if (r.ok() && r->id == k.id) ++ok; else ++wrong;
        if (store->Authenticate(*bogus, kNow).ok()) ++wrong;
        if (t == 0 && i % 50 == 0) {  // a writer in the mix
          if (!store->Create({"w", {}, {}, std::nullopt}, kNow).ok()) ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 6 * 300);
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(KeyStoreTest, TwoConnectionsWritingAtOnceBothSucceed) {
  auto a = OpenOrDie();
  auto b = OpenOrDie();
  ASSERT_TRUE(a && b);
  std::atomic<int> failed{0};
  auto writer = [&](KeyStore* store) {
    for (int i = 0; i < 40; ++i) {
      if (!store->Create({"w", {}, {}, std::nullopt}, kNow).ok()) ++failed;
    }
  };
  std::thread ta(writer, a.get()), tb(writer, b.get());
  ta.join();
  tb.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(a->List()->size(), 80u);
}

}  // namespace
}  // namespace sluice::security
