// Finding a model's GGUF in a local Ollama store.
//
// Layout (as Ollama writes it):
//   <models>/manifests/registry.ollama.ai/library/NAME/TAG   JSON manifest
//   <models>/blobs/sha256-HEX                                the layers
// The manifest's "layers" array holds one entry with "mediaType":
// "application/vnd.ollama.image.model" whose "digest" ("sha256:HEX") names the
// GGUF blob. A NAME with a slash ("user/model") is looked up under
// registry.ollama.ai/user/model instead of library/. <models> is
// $OLLAMA_MODELS, else ~/.ollama/models. Thread-safe (reads the environment).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::engine {

// "NAME" or "NAME:TAG" (TAG defaults to "latest") → path of the model blob in
// `models_dir`. Errors name the missing piece: kNotFound for a missing
// manifest or blob, kInvalidArgument for a malformed reference, manifest or
// digest (a digest must be sha256 and 64 hex digits: never a path).
StatusOr<std::string> ResolveOllamaModel(std::string_view reference, const std::string& models_dir);

// $OLLAMA_MODELS, else $HOME/.ollama/models; kNotFound when neither is set.
StatusOr<std::string> DefaultOllamaModelsDir();

}  // namespace sluice::engine
