#include "tokenizer/pretokenizer/pretokenizer.h"

#include <gtest/gtest.h>

namespace sluice::tokenizer {
namespace {
}  // namespace
}  // namespace sluice::tokenizer
