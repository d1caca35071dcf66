// Chat templates: turning a conversation into the prompt a model was trained on.
//
// GGUF files carry their template as Jinja source (tokenizer.chat_template).
// We do not run Jinja; we recognise the family from marker strings in the
// source and render that family's format ourselves:
//
//   ChatML (Qwen)     <|im_start|>{role}\n{content}<|im_end|>\n ... <|im_start|>assistant\n
//                     (Qwen's templates insert a default system message when
//                     the conversation has none; it is read from the source)
//   Llama 3           <|begin_of_text|><|start_header_id|>{role}<|end_header_id|>\n\n
//                     {content, trimmed}<|eot_id|> ... <|start_header_id|>assistant<|end_header_id|>\n\n
//   Llama 2           <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s><s>[INST] ...
//   Mistral           <s>[INST] {user} [/INST]{assistant}</s>[INST] ...  ("[INST]" without "<<SYS>>";
//                     a system message is put before the first user message)
//   Phi-3             <|system|>\n{c}<|end|>\n<|user|>\n{c}<|end|>\n ... <|assistant|>\n
//
// A model without a template gets ChatML. A template we do not recognise is
// an error (never a silent guess); the provider's `chat_template` setting
// overrides detection.
//
// Rendering produces segments: special tokens (looked up by their text, so
// message content can never smuggle one in: content is encoded with special
// parsing off) and plain text. Everything here is pure and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tokenizer/tokenizer.h"

namespace sluice::engine {

enum class ChatFamily { kChatMl, kLlama3, kLlama2, kMistral, kPhi3 };

struct ChatMessage {
  std::string role;  // "system" | "user" | "assistant" (others are rendered as given)
  std::string content;
};

struct ChatTemplate {
  ChatFamily family = ChatFamily::kChatMl;
  bool add_bos = false;        // the template starts the prompt with bos_token
  std::string default_system;  // ChatML: system message used when none is given
};

// The family named by a config override: "chatml", "llama3", "llama2",
// "mistral", "phi3". Anything else: kInvalidArgument listing the names.
StatusOr<ChatTemplate> ChatTemplateByName(std::string_view name);

// Recognises `source` (a GGUF tokenizer.chat_template; "" = none → ChatML).
// kInvalidArgument for a template of no known family, quoting its start.
StatusOr<ChatTemplate> DetectChatTemplate(std::string_view source);

const char* ChatFamilyName(ChatFamily family);

struct PromptSegment {
  enum class Kind { kText, kSpecial, kBos, kEos };
  Kind kind = Kind::kText;
  std::string text;  // kText: plain text; kSpecial: the token's vocabulary text
};

// The conversation followed by the generation prompt (the assistant turn's
// opening), as segments.
std::vector<PromptSegment> RenderChat(const ChatTemplate& tmpl,
                                      std::span<const ChatMessage> messages);

// The same as one string (special tokens spelled out; BOS/EOS as "<s>"/"</s>"
// unless `bos`/`eos` say otherwise). For tests, logs and `sluice generate`.
std::string RenderChatText(const ChatTemplate& tmpl, std::span<const ChatMessage> messages,
                           std::string_view bos = "<s>", std::string_view eos = "</s>");

// Token ids of `segments`: adjacent text is encoded together with special
// parsing off; special tokens by vocabulary lookup (a token the vocabulary
// lacks is encoded as its text); BOS/EOS by the tokenizer's ids (skipped when
// it has none).
std::vector<int32_t> EncodePrompt(const tokenizer::Tokenizer& tok,
                                  std::span<const PromptSegment> segments);

// Special tokens `tmpl` needs that `tok` does not have (empty when all are
// there): a model whose vocabulary lacks its own template's markers is
// reported at load.
std::vector<std::string> MissingTemplateTokens(const ChatTemplate& tmpl,
                                               const tokenizer::Tokenizer& tok);

}  // namespace sluice::engine
