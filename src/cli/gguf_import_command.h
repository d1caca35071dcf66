// sluice gguf import MANIFEST.json OUT.gguf
//
// Builds a GGUF from weights another program dumped (tools/demo_model's
// export.py): a JSON manifest naming the metadata, the tensors and a
// tokenizer, plus one raw file of little-endian float32 values. The file is
// written with the project's GgufWriter and the tokenizer with
// WriteTokenizerToGguf, so the result is exactly what sluice itself reads.
//
// Manifest (paths relative to the manifest's directory):
//   {"weights": "weights.bin",
//    "tokenizer": "tokenizer.json",            // optional
//    "metadata": [{"key": K, "type": T, "value": V}, ...],   // in file order
//    "tensors": [{"name": N, "shape": [ne0, ne1, ...], "offset": BYTES}, ...]}
// T is one of string, u32, i32, f32, bool. `shape` is GGUF's ne order (ne0
// fastest-varying: a torch Linear weight [out, in] has shape [in, out]).
// `offset` is the tensor's byte offset in the weights file; each tensor is
// prod(shape) float32 values, written as F32 (`sluice quantize` converts).
//
// Every field is checked: unknown types, shapes with zero or more than four
// dimensions, offsets or sizes outside the weights file, duplicate names and
// keys are refused with a message naming the entry.
#pragma once

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace sluice::cli {

// Runs the import; 0 on success, 1 after printing the error to `err`.
int RunGgufImport(const std::string& manifest_path, const std::string& out_path, std::ostream& out,
                  std::ostream& err);

// Registers `import` under the existing `gguf` subcommand.
void AddGgufImportCommand(CLI::App& gguf);

}  // namespace sluice::cli
