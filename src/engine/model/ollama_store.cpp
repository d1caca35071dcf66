#include "engine/model/ollama_store.h"

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::engine {
namespace {

constexpr std::string_view kModelMediaType = "application/vnd.ollama.image.model";
constexpr size_t kMaxManifestBytes = 1 << 20;

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, std::move(message)); }

bool IsValidNamePart(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::string> DefaultOllamaModelsDir() {
  if (const char* dir = std::getenv("OLLAMA_MODELS"); dir != nullptr && *dir != '\0') {
    return std::string(dir);
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.ollama/models";
  }
  return Status(ErrorCode::kNotFound, "ollama: neither OLLAMA_MODELS nor HOME is set");
}

StatusOr<std::string> ResolveOllamaModel(std::string_view reference, const std::string& models_dir) {
  const std::string ref(reference);
  std::string_view name = reference;
  std::string_view tag = "latest";
  if (const size_t colon = reference.find(':'); colon != std::string_view::npos) {
    name = reference.substr(0, colon);
    tag = reference.substr(colon + 1);
  }
  // NAME is "model" (library/) or "namespace/model".
  std::string_view ns = "library";
  std::string_view model = name;
  if (const size_t slash = name.find('/'); slash != std::string_view::npos) {
    ns = name.substr(0, slash);
    model = name.substr(slash + 1);
  }
  if (!IsValidNamePart(ns) || !IsValidNamePart(model) || !IsValidNamePart(tag)) {
    return Invalid("ollama: malformed model reference '" + ref +
                   "' (expected NAME or NAME:TAG of letters, digits, '.', '-', '_')");
  }

  namespace fs = std::filesystem;
  const fs::path root(models_dir);
  const fs::path manifest_path =
      root / "manifests" / "registry.ollama.ai" / std::string(ns) / std::string(model) / std::string(tag);
  std::error_code ec;
  if (!fs::is_regular_file(manifest_path, ec)) {
    return Status(ErrorCode::kNotFound, "ollama: no manifest for '" + ref + "' (looked for " +
                                            manifest_path.string() + ")");
  }
  std::ifstream in(manifest_path, std::ios::binary);
  std::string text;
  {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  if (!in.good() && !in.eof()) {
    return Status(ErrorCode::kNotFound, "ollama: cannot read " + manifest_path.string());
  }
  if (text.size() > kMaxManifestBytes) {
    return Invalid("ollama: manifest " + manifest_path.string() + " is too large");
  }

  boost::system::error_code json_ec;
  boost::json::value doc = boost::json::parse(text, json_ec);
  if (json_ec) {
    return Invalid("ollama: manifest " + manifest_path.string() + " is not JSON: " + json_ec.message());
  }
  const boost::json::object* obj = doc.if_object();
  const boost::json::value* layers_value = obj != nullptr ? obj->if_contains("layers") : nullptr;
  const boost::json::array* layers = layers_value != nullptr ? layers_value->if_array() : nullptr;
  if (layers == nullptr) {
    return Invalid("ollama: manifest " + manifest_path.string() + " has no \"layers\" array");
  }
  const boost::json::string* digest = nullptr;
  for (const boost::json::value& layer : *layers) {
    const boost::json::object* l = layer.if_object();
    if (l == nullptr) continue;
    const boost::json::value* media = l->if_contains("mediaType");
    if (media == nullptr || !media->is_string() || media->get_string() != kModelMediaType) continue;
    const boost::json::value* d = l->if_contains("digest");
    if (d == nullptr || !d->is_string()) {
      return Invalid("ollama: manifest " + manifest_path.string() +
                     ": the model layer has no \"digest\" string");
    }
    digest = &d->get_string();
    break;
  }
  if (digest == nullptr) {
    return Invalid("ollama: manifest " + manifest_path.string() + " has no layer of mediaType " +
                   std::string(kModelMediaType));
  }
  const std::string_view d(digest->data(), digest->size());
  constexpr std::string_view kPrefix = "sha256:";
  if (!d.starts_with(kPrefix) || !IsHex64(d.substr(kPrefix.size()))) {
    return Invalid("ollama: manifest " + manifest_path.string() + ": malformed digest \"" +
                   std::string(d.substr(0, 100)) + "\" (expected sha256:<64 hex digits>)");
  }
  const fs::path blob = root / "blobs" / ("sha256-" + std::string(d.substr(kPrefix.size())));
  if (!fs::is_regular_file(blob, ec)) {
    return Status(ErrorCode::kNotFound,
                  "ollama: model blob " + blob.string() + " for '" + ref + "' is missing");
  }
  return blob.string();
}

}  // namespace sluice::engine
