// Tokenizers in GGUF files: reading the tokenizer.ggml.* metadata llama.cpp's
// converters write, and writing it (tests use this to turn tokenizer.json
// files into GGUFs and check both load to the same tokenizer).
//
// Read: tokenizer.ggml.model "gpt2" (byte-level BPE; tokenizer.ggml.pre picks
// the pre-tokenizer, "qwen2" adds Qwen's NFC normalizer, the Llama-3 names set
// ignore_merges as llama.cpp does), "llama" (SentencePiece BPE merged by
// tokenizer.ggml.scores, byte fallback to <0xXX>, add_space_prefix), "bert"
// (WordPiece with llama.cpp's "▁"-marks-a-word-start spelling, uncased BERT
// normalization). Tokens of type control / user-defined / unknown are matched
// in text as added tokens. add_bos_token / add_eos_token choose what
// add_special adds. Anything else (t5, rwkv, a gpt2 vocabulary with the
// "default" pre-tokenizer, which llama.cpp splits with a pattern set sluice does
// not implement) is refused, naming the key and value.
//
// Thread safety: the functions are thread-safe; results are immutable.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "gguf/gguf_file.h"
#include "gguf/writer.h"
#include "tokenizer/tokenizer.h"

namespace sluice::tokenizer {

// Builds the tokenizer described by `file`'s tokenizer.ggml.* metadata. The
// result copies what it needs; `file` may be closed afterwards.
StatusOr<std::shared_ptr<const Tokenizer>> LoadFromGguf(const gguf::GgufFile& file);

// Adds the tokenizer.ggml.* metadata of `tokenizer` to `writer`. Refuses
// (kInvalidArgument, naming it) a configuration GGUF cannot express, e.g. a
// Metaspace pre-tokenizer or a post-processor adding more than one token.
Status WriteTokenizerToGguf(const Tokenizer& tokenizer, gguf::GgufWriter* writer);

// Loads a tokenizer.json or a .gguf (told apart by the "GGUF" magic).
StatusOr<std::shared_ptr<const Tokenizer>> LoadTokenizerFile(const std::string& path);

}  // namespace sluice::tokenizer
