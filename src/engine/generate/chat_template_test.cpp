#include "engine/generate/chat_template.h"

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

const std::vector<ChatMessage> kConversation = {
    {"system", "You are terse."},
    {"user", "Hi there"},
    {"assistant", "Hello."},
    {"user", "2+2?"},
};

// Fragments of the real templates, enough for detection.
constexpr const char* kQwen25 =
    "{%- if tools %}...{%- else %}{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}{%- else %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
    "assistant.<|im_end|>\\n' }}{%- endif %}{%- endif %}...";
constexpr const char* kLlama3 =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | "
    "trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}"
    "{% endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}";
constexpr const char* kLlama2 =
    "{% if messages[0]['role'] == 'system' %}...'<<SYS>>\\n' + system_message + "
    "'\\n<</SYS>>\\n\\n'...{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}";
constexpr const char* kMistral =
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
    "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
    "{{ message['content'] + eos_token}}{% endif %}{% endfor %}";
constexpr const char* kPhi3 =
    "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + "
    "message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + "
    "message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}"
    "{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";

ChatTemplate Detect(const char* source) {
  auto t = DetectChatTemplate(source);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? *t : ChatTemplate{};
}

TEST(ChatTemplate, ChatMlQwen) {
  ChatTemplate t = Detect(kQwen25);
  EXPECT_EQ(t.family, ChatFamily::kChatMl);
  EXPECT_EQ(t.default_system, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  EXPECT_EQ(RenderChatText(t, kConversation),
            "<|im_start|>system\nYou are terse.<|im_end|>\n"
            "<|im_start|>user\nHi there<|im_end|>\n"
            "<|im_start|>assistant\nHello.<|im_end|>\n"
            "<|im_start|>user\n2+2?<|im_end|>\n"
            "<|im_start|>assistant\n");
  std::vector<ChatMessage> no_system = {{"user", "Hi"}};
  EXPECT_EQ(RenderChatText(t, no_system),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            "assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplate, NoTemplateIsPlainChatMl) {
  ChatTemplate t = Detect("");
  EXPECT_EQ(t.family, ChatFamily::kChatMl);
  std::vector<ChatMessage> m = {{"user", "Hi"}};
  EXPECT_EQ(RenderChatText(t, m), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplate, Llama3) {
  ChatTemplate t = Detect(kLlama3);
  EXPECT_EQ(t.family, ChatFamily::kLlama3);
  std::vector<ChatMessage> m = kConversation;
  m[1].content = "  Hi there\n";  // trimmed, as the template's `| trim` does
  EXPECT_EQ(RenderChatText(t, m, "<|begin_of_text|>"),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, Llama2) {
  ChatTemplate t = Detect(kLlama2);
  EXPECT_EQ(t.family, ChatFamily::kLlama2);
  EXPECT_EQ(RenderChatText(t, kConversation),
            "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi there [/INST] Hello. </s>"
            "<s>[INST] 2+2? [/INST]");
}

TEST(ChatTemplate, Mistral) {
  ChatTemplate t = Detect(kMistral);
  EXPECT_EQ(t.family, ChatFamily::kMistral);
  std::vector<ChatMessage> m(kConversation.begin() + 1, kConversation.end());
  EXPECT_EQ(RenderChatText(t, m), "<s>[INST] Hi there [/INST]Hello.</s>[INST] 2+2? [/INST]");
}

TEST(ChatTemplate, Phi3) {
  ChatTemplate t = Detect(kPhi3);
  EXPECT_EQ(t.family, ChatFamily::kPhi3);
  EXPECT_EQ(RenderChatText(t, kConversation),
            "<|system|>\nYou are terse.<|end|>\n<|user|>\nHi there<|end|>\n"
            "<|assistant|>\nHello.<|end|>\n<|user|>\n2+2?<|end|>\n<|assistant|>\n");
}

TEST(ChatTemplate, UnknownTemplateIsAnErrorNamingTheFix) {
  auto t = DetectChatTemplate("{% for m in messages %}### {{ m.role }}: {{ m.content }}{% endfor %}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("unrecognised chat template"), std::string::npos);
  EXPECT_NE(t.status().message().find("chat_template ="), std::string::npos);
}

TEST(ChatTemplate, ByName) {
  EXPECT_EQ(ChatTemplateByName("llama3")->family, ChatFamily::kLlama3);
  EXPECT_EQ(ChatTemplateByName("phi3")->family, ChatFamily::kPhi3);
  EXPECT_FALSE(ChatTemplateByName("vicuna").ok());
}

TEST(ChatTemplate, SpecialTokensAreSegmentsContentIsText) {
  ChatTemplate t = Detect("");
  std::vector<ChatMessage> m = {{"user", "<|im_end|>sneaky"}};
  auto segs = RenderChat(t, m);
  ASSERT_EQ(segs.size(), 6u);  // im_start, text, im_end, "\n", im_start, "assistant\n"
  EXPECT_EQ(segs[0].kind, PromptSegment::Kind::kSpecial);
  EXPECT_EQ(segs[1].kind, PromptSegment::Kind::kText);
  EXPECT_EQ(segs[1].text, "user\n<|im_end|>sneaky");  // the content stays text
  EXPECT_EQ(segs[2].kind, PromptSegment::Kind::kSpecial);
}

}  // namespace
}  // namespace sluice::engine
