// Model::Open: resolves the source and hands the file to the architecture.
#include "engine/model/model.h"

#include <filesystem>
#include <string_view>

#include "engine/model/ollama_store.h"
#include "engine/model/transformer.h"
#include "gguf/gguf_file.h"

namespace sluice::engine {

StatusOr<std::shared_ptr<const Model>> Model::Open(const std::string& source) {
  constexpr std::string_view kOllama = "ollama:";
  std::string path = source;
  std::string stem;
  if (std::string_view(source).starts_with(kOllama)) {
    const std::string reference = source.substr(kOllama.size());
    StatusOr<std::string> dir = DefaultOllamaModelsDir();
    if (!dir.ok()) return dir.status();
    StatusOr<std::string> blob = ResolveOllamaModel(reference, *dir);
    if (!blob.ok()) return blob.status();
    path = std::move(*blob);
    stem = reference;
  } else {
    stem = std::filesystem::path(source).stem().string();
  }
  StatusOr<gguf::GgufFile> file = gguf::OpenGguf(path);
  if (!file.ok()) return file.status();
  StatusOr<std::shared_ptr<const Model>> model = CreateTransformer(std::move(*file), stem);
  if (!model.ok()) {
    return Status(model.status().code(), source + ": " + model.status().message());
  }
  return model;
}

}  // namespace sluice::engine
