// tokenizer_to_gguf IN (tokenizer.json or .gguf) OUT.gguf
//
// Writes the tokenizer's tokenizer.ggml.* metadata (and no tensors) to a GGUF
// with the project's writer; the differential test checks that the GGUF loads
// to a tokenizer giving the same ids as the tokenizer.json.
#include <iostream>

#include "gguf/writer.h"
#include "tokenizer/tokenizer_gguf.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tokenizer_to_gguf IN OUT.gguf\n";
    return 2;
  }
  auto tok = sluice::tokenizer::LoadTokenizerFile(argv[1]);
  if (!tok.ok()) {
    std::cerr << "tokenizer_to_gguf: " << tok.status().ToString() << "\n";
    return 1;
  }
  sluice::gguf::GgufWriter writer;
  sluice::Status st = writer.SetString("general.architecture", "tokenizer");
  if (st.ok()) st = sluice::tokenizer::WriteTokenizerToGguf(**tok, &writer);
  if (st.ok()) st = writer.WriteFile(argv[2]);
  if (!st.ok()) {
    std::cerr << "tokenizer_to_gguf: " << st.ToString() << "\n";
    return 1;
  }
  return 0;
}
