// `sluice gguf info FILE`: a human-readable dump of a GGUF file's header,
// metadata and tensor table. Long strings and arrays are abbreviated.
#pragma once

#include <ostream>
#include <string>

#include "base/status.h"
#include "gguf/gguf_file.h"

namespace sluice::gguf {

// Opens `path` and prints its description to `out`. On error nothing is
// printed and the status says why (kNotFound for a missing file,
// kInvalidArgument for a malformed one).
Status PrintGgufInfo(const std::string& path, std::ostream& out);

// Prints the description of an already parsed file.
void PrintGgufInfo(const GgufFile& file, std::ostream& out);

// One value as `gguf info` shows it: numbers as is, strings quoted and escaped
// (cut after 120 bytes), arrays as `[151936 strings: "!", "\"", "#", … ]`
// with the first few elements.
std::string FormatValue(const Value& value);

}  // namespace sluice::gguf
