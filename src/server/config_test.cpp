#include "server/config.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <unistd.h>

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string WriteTemp(const std::string& text) {
  char name[] = "/tmp/sluice-config-XXXXXX";
  int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(name) << text;
  return name;
}

TEST(ConfigTest, DefaultsNeedNoFile) {
  auto c = LoadConfig("", FakeEnv({{"SLUICE_DEMO_MODEL", ""}}));  // no demo model
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8000);
  EXPECT_EQ(c->body_limit, 1u << 20);
  EXPECT_EQ(c->shutdown_grace.count(), 10000);
  ASSERT_EQ(c->providers.size(), 1u);
  EXPECT_EQ(c->providers[0].kind, "ollama");
  EXPECT_EQ(c->providers[0].base_url, "http://localhost:11434");
  EXPECT_EQ(c->providers[0].connect_timeout.count(), 5000);
  EXPECT_EQ(c->providers[0].first_token_timeout.count(), 60000);
  EXPECT_EQ(c->providers[0].idle_timeout.count(), 30000);
  EXPECT_EQ(c->default_model, "llama3.2");
}

TEST(ConfigTest, DefaultsServeTheDemoModel) {
  auto c = LoadConfig("", FakeEnv({{"SLUICE_DEMO_MODEL", "/models/demo.gguf"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->providers.size(), 2u);
  EXPECT_EQ(c->providers[0].name, "demo");
  EXPECT_EQ(c->providers[0].kind, "embedded");
  EXPECT_EQ(c->providers[0].model, "/models/demo.gguf");
  EXPECT_EQ(c->providers[1].kind, "ollama");
  EXPECT_EQ(c->default_model, "sluice-demo");
  ASSERT_EQ(c->models.size(), 3u);
  EXPECT_EQ(c->models[0].name, "sluice-demo");
  EXPECT_EQ(c->models[1].name, "llama3.2");
  EXPECT_EQ(c->models[2].name, "ollama/*");

  // The lab's OLLAMA_API_URL makes its Ollama the default; the demo stays routable.
  auto lab = LoadConfig("", FakeEnv({{"SLUICE_DEMO_MODEL", "/models/demo.gguf"},
                                     {"OLLAMA_API_URL", "http://ollama:11434"}}));
  ASSERT_TRUE(lab.ok()) << lab.status().ToString();
  EXPECT_EQ(lab->providers[0].kind, "ollama");
  EXPECT_EQ(lab->default_model, "llama3.2");
  EXPECT_EQ(lab->models[0].name, "sluice-demo");
}

TEST(ConfigTest, HonoursLabOllamaVariableAndOverrides) {
  auto c = LoadConfig("", FakeEnv({{"OLLAMA_API_URL", "http://ollama:11434/api/generate"},
                                   {"SLUICE_LISTEN", "0.0.0.0:9000"},
                                   {"SLUICE_DEFAULT_MODEL", "qwen2.5"},
                                   {"SLUICE_BODY_LIMIT", "2048"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->providers[0].base_url, "http://ollama:11434");
  EXPECT_EQ(c->listen_host, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9000);
  EXPECT_EQ(c->default_model, "qwen2.5");
  EXPECT_EQ(c->body_limit, 2048u);
}

TEST(ConfigTest, ReadsTomlFile) {
  std::string path = WriteTemp(R"(
[server]
listen = "[::1]:0"
threads = 2
body_limit = 4096
shutdown_grace_ms = 500
default_model = "fast"

[providers.vllm]
kind = "openai"
base_url = "https://vllm.internal:8443"
api_key_env = "VLLM_KEY"
first_token_timeout_ms = 1500

[models.fast]
provider = "vllm"
upstream = "Qwen/Qwen2.5-7B-Instruct"

[models."vllm/*"]
provider = "vllm"
)");
  auto c = LoadConfig(path, FakeEnv({}));
  std::remove(path.c_str());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 0);
  EXPECT_EQ(c->threads, 2);
  EXPECT_EQ(c->body_limit, 4096u);
  EXPECT_EQ(c->shutdown_grace.count(), 500);
  ASSERT_EQ(c->providers.size(), 1u);
  EXPECT_EQ(c->providers[0].kind, "openai");
  EXPECT_EQ(c->providers[0].first_token_timeout.count(), 1500);
  EXPECT_EQ(c->providers[0].idle_timeout.count(), 30000);
  ASSERT_EQ(c->models.size(), 2u);
  EXPECT_EQ(c->models[0].upstream_model, "Qwen/Qwen2.5-7B-Instruct");
}

TEST(ConfigTest, RejectsMistakesWithPreciseMessages) {
  struct Case {
    const char* toml;
    const char* expect;
  } cases[] = {
      {"[server]\nlisten = 8000\n", "server.listen"},
      {"[server]\nlisten_port = 1\n", "server.listen_port: unknown key"},
      {"[providers.x]\nkind = \"grpc\"\nbase_url = \"http://a\"\n", "providers.x.kind"},
      {"[providers.x]\nkind = \"ollama\"\n", "providers.x.base_url"},
      {"[providers.x]\nkind = \"ollama\"\nbase_url = \"localhost\"\n", "providers.x.base_url"},
      {"[providers.x]\nkind = \"ollama\"\nbase_url = \"http://a\"\nidle_timeout_ms = -1\n",
       "providers.x.idle_timeout_ms"},
      {"[providers.x]\nkind = \"ollama\"\nbase_url = \"http://a\"\n[models.m]\nprovider = \"y\"\n",
       "no provider named 'y'"},
      {"[nonsense]\n", "unknown section"},
      {"this is = not toml [", "config: "},
  };
  for (const Case& c : cases) {
    std::string path = WriteTemp(c.toml);
    auto cfg = LoadConfig(path, FakeEnv({}));
    std::remove(path.c_str());
    ASSERT_FALSE(cfg.ok()) << c.toml;
    EXPECT_NE(cfg.status().message().find(c.expect), std::string::npos)
        << c.toml << " → " << cfg.status().message();
  }
}

TEST(ConfigTest, ParsesListenForms) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListen(":8080", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListen("[::]:1", &host, &port).ok());
  EXPECT_EQ(host, "::");
  EXPECT_FALSE(ParseListen("localhost", &host, &port).ok());
  EXPECT_FALSE(ParseListen("a:99999", &host, &port).ok());
  EXPECT_FALSE(ParseListen("a:", &host, &port).ok());
}

}  // namespace
}  // namespace sluice::server
