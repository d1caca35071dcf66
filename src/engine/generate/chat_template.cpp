#include "engine/generate/chat_template.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice::engine {

namespace {

using Kind = PromptSegment::Kind;

bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  // Python's str.strip() / Jinja's trim: ASCII whitespace is what matters here.
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Qwen's templates spell their default system turn as a literal:
//   '<|im_start|>system\nYou are Qwen, ...<|im_end|>\n'
// Returns the message text, or "" when the source has no such literal.
std::string ChatMlDefaultSystem(std::string_view source) {
  constexpr std::string_view kOpen = "<|im_start|>system";
  size_t at = 0;
  while ((at = source.find(kOpen, at)) != std::string_view::npos) {
    at += kOpen.size();
    std::string_view rest = source.substr(at);
    if (rest.substr(0, 2) == "\\n") {
      rest.remove_prefix(2);
    } else if (!rest.empty() && rest[0] == '\n') {
      rest.remove_prefix(1);
    } else {
      continue;
    }
    size_t end = rest.find("<|im_end|>");
    if (end == std::string_view::npos) continue;
    std::string_view text = rest.substr(0, end);
    // Only a plain literal counts (no concatenation or expression inside).
    if (text.empty() || text.find_first_of("'\"{}+\\") != std::string_view::npos) continue;
    return std::string(text);
  }
  return "";
}

class Renderer {
 public:
  void Text(std::string_view s) {
    if (s.empty()) return;
    if (!out_.empty() && out_.back().kind == Kind::kText) {
      out_.back().text.append(s);
    } else {
      out_.push_back({Kind::kText, std::string(s)});
    }
  }
  void Special(std::string_view s) { out_.push_back({Kind::kSpecial, std::string(s)}); }
  void Bos() { out_.push_back({Kind::kBos, ""}); }
  void Eos() { out_.push_back({Kind::kEos, ""}); }
  std::vector<PromptSegment> Take() { return std::move(out_); }

 private:
  std::vector<PromptSegment> out_;
};

void RenderChatMl(const ChatTemplate& t, std::span<const ChatMessage> messages, Renderer& r) {
  if (!t.default_system.empty() && (messages.empty() || messages[0].role != "system")) {
    r.Special("<|im_start|>");
    r.Text("system\n" + t.default_system);
    r.Special("<|im_end|>");
    r.Text("\n");
  }
  for (const ChatMessage& m : messages) {
    r.Special("<|im_start|>");
    r.Text(m.role + "\n" + m.content);
    r.Special("<|im_end|>");
    r.Text("\n");
  }
  r.Special("<|im_start|>");
  r.Text("assistant\n");
}

void RenderLlama3(std::span<const ChatMessage> messages, Renderer& r) {
  auto header = [&](std::string_view role) {
    r.Special("<|start_header_id|>");
    r.Text(role);
    r.Special("<|end_header_id|>");
    r.Text("\n\n");
  };
  for (const ChatMessage& m : messages) {
    header(m.role);
    r.Text(Trim(m.content));
    r.Special("<|eot_id|>");
  }
  header("assistant");
}

// Llama 2: the system message folds into the first user turn in a <<SYS>>
// block; every user turn opens with BOS, every assistant turn ends with EOS.
void RenderLlama2(std::span<const ChatMessage> messages, Renderer& r) {
  std::string system;
  size_t first = 0;
  if (!messages.empty() && messages[0].role == "system") {
    system = messages[0].content;
    first = 1;
  }
  for (size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    std::string content = m.content;
    if (i == first && first == 1) {
      content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
    }
    if (m.role == "assistant") {
      r.Text(" " + std::string(Trim(content)) + " ");
      r.Eos();
    } else {
      r.Bos();
      r.Text("[INST] " + std::string(Trim(content)) + " [/INST]");
    }
  }
}

// Mistral: one BOS; [INST] ... [/INST] per user turn, the answer then EOS.
void RenderMistral(std::span<const ChatMessage> messages, Renderer& r) {
  std::string system;
  size_t first = 0;
  if (!messages.empty() && messages[0].role == "system") {
    system = messages[0].content;
    first = 1;
  }
  r.Bos();
  bool system_pending = !system.empty();
  for (size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "assistant") {
      r.Text(m.content);
      r.Eos();
    } else {
      std::string content = m.content;
      if (system_pending) {
        content = system + "\n\n" + content;
        system_pending = false;
      }
      r.Text("[INST] " + content + " [/INST]");
    }
  }
}

void RenderPhi3(std::span<const ChatMessage> messages, Renderer& r) {
  for (const ChatMessage& m : messages) {
    r.Special("<|" + m.role + "|>");
    r.Text("\n" + m.content);
    r.Special("<|end|>");
    r.Text("\n");
  }
  r.Special("<|assistant|>");
  r.Text("\n");
}

}  // namespace

const char* ChatFamilyName(ChatFamily family) {
  switch (family) {
    case ChatFamily::kChatMl: return "chatml";
    case ChatFamily::kLlama3: return "llama3";
    case ChatFamily::kLlama2: return "llama2";
    case ChatFamily::kMistral: return "mistral";
    case ChatFamily::kPhi3: return "phi3";
  }
  return "?";
}

StatusOr<ChatTemplate> ChatTemplateByName(std::string_view name) {
  ChatTemplate t;
  if (name == "chatml") {
    t.family = ChatFamily::kChatMl;
  } else if (name == "llama3") {
    t.family = ChatFamily::kLlama3;
    t.add_bos = true;
  } else if (name == "llama2") {
    t.family = ChatFamily::kLlama2;
  } else if (name == "mistral") {
    t.family = ChatFamily::kMistral;
  } else if (name == "phi3") {
    t.family = ChatFamily::kPhi3;
  } else {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("unknown chat template '{}' (known: chatml, llama3, llama2, "
                              "mistral, phi3)", name));
  }
  return t;
}

StatusOr<ChatTemplate> DetectChatTemplate(std::string_view source) {
  ChatTemplate t;
  const bool bos = Contains(source, "bos_token");
  if (Trim(source).empty()) {
    t.family = ChatFamily::kChatMl;
  } else if (Contains(source, "<|im_start|>")) {
    t.family = ChatFamily::kChatMl;
    t.default_system = ChatMlDefaultSystem(source);
  } else if (Contains(source, "<|start_header_id|>")) {
    t.family = ChatFamily::kLlama3;
    t.add_bos = bos;
  } else if (Contains(source, "<|user|>") && Contains(source, "<|assistant|>")) {
    t.family = ChatFamily::kPhi3;
    t.add_bos = bos;
  } else if (Contains(source, "[INST]")) {
    t.family = Contains(source, "<<SYS>>") ? ChatFamily::kLlama2 : ChatFamily::kMistral;
  } else {
    std::string head(source.substr(0, 60));
    for (char& c : head) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("unrecognised chat template (it starts \"{}{}\"); none of the "
                              "ChatML, Llama 3, Llama 2/Mistral or Phi-3 markers is in it — set "
                              "chat_template = \"chatml\"|\"llama3\"|\"llama2\"|\"mistral\"|"
                              "\"phi3\" on the provider",
                              head, source.size() > 60 ? "…" : ""));
  }
  return t;
}

std::vector<PromptSegment> RenderChat(const ChatTemplate& tmpl,
                                      std::span<const ChatMessage> messages) {
  Renderer r;
  switch (tmpl.family) {
    case ChatFamily::kChatMl:
      if (tmpl.add_bos) r.Bos();
      RenderChatMl(tmpl, messages, r);
      break;
    case ChatFamily::kLlama3:
      if (tmpl.add_bos) r.Bos();
      RenderLlama3(messages, r);
      break;
    case ChatFamily::kLlama2: RenderLlama2(messages, r); break;
    case ChatFamily::kMistral: RenderMistral(messages, r); break;
    case ChatFamily::kPhi3:
      if (tmpl.add_bos) r.Bos();
      RenderPhi3(messages, r);
      break;
  }
  return r.Take();
}

std::string RenderChatText(const ChatTemplate& tmpl, std::span<const ChatMessage> messages,
                           std::string_view bos, std::string_view eos) {
  std::string out;
  for (const PromptSegment& s : RenderChat(tmpl, messages)) {
    switch (s.kind) {
      case Kind::kText:
      case Kind::kSpecial: out += s.text; break;
      case Kind::kBos: out += bos; break;
      case Kind::kEos: out += eos; break;
    }
  }
  return out;
}

std::vector<int32_t> EncodePrompt(const tokenizer::Tokenizer& tok,
                                  std::span<const PromptSegment> segments) {
  tokenizer::EncodeOptions plain;
  plain.add_special = false;
  plain.parse_special = false;
  std::vector<int32_t> ids;
  for (const PromptSegment& s : segments) {
    switch (s.kind) {
      case Kind::kText: tok.Encode(s.text, plain, &ids); break;
      case Kind::kSpecial: {
        int32_t id = tok.TokenId(s.text);
        if (id >= 0) {
          ids.push_back(id);
        } else {
          tok.Encode(s.text, plain, &ids);
        }
        break;
      }
      case Kind::kBos:
        if (tok.bos_id() >= 0) ids.push_back(tok.bos_id());
        break;
      case Kind::kEos:
        if (tok.eos_id() >= 0) ids.push_back(tok.eos_id());
        break;
    }
  }
  return ids;
}

std::vector<std::string> MissingTemplateTokens(const ChatTemplate& tmpl,
                                               const tokenizer::Tokenizer& tok) {
  std::vector<ChatMessage> probe = {{"system", "s"}, {"user", "u"}, {"assistant", "a"},
                                    {"user", "u"}};
  std::vector<std::string> missing;
  for (const PromptSegment& s : RenderChat(tmpl, probe)) {
    bool absent = (s.kind == Kind::kSpecial && tok.TokenId(s.text) < 0) ||
                  (s.kind == Kind::kBos && tok.bos_id() < 0) ||
                  (s.kind == Kind::kEos && tok.eos_id() < 0);
    std::string name = s.kind == Kind::kBos ? "BOS" : s.kind == Kind::kEos ? "EOS" : s.text;
    if (absent && std::find(missing.begin(), missing.end(), name) == missing.end()) {
      missing.push_back(name);
    }
  }
  return missing;
}

}  // namespace sluice::engine
