// Parsing of a tokenizer.json's pipeline sections (normalizer, pre_tokenizer,
// post_processor, decoder) into a TokenizerSpec. Each refuses what it does not
// support with a message naming the section and the type.
#pragma once

#include <boost/json/fwd.hpp>

#include "base/status.h"
#include "tokenizer/internal/spec.h"

namespace sluice::tokenizer::internal {

// Sets spec->normalizer. Requires spec->model.
Status ParseNormalizer(const boost::json::value& v, TokenizerSpec* spec);
// Sets spec->pre_tokenizer / byte_level_add_prefix_space / metaspace_split and
// may add normalizer steps (Metaspace). `*byte_level` tells whether a
// ByteLevel pre-tokenizer is present.
Status ParsePreTokenizer(const boost::json::value& v, TokenizerSpec* spec, bool* byte_level);
// Sets spec->prefix_ids / suffix_ids. Requires the vocabulary.
Status ParsePostProcessor(const boost::json::value& v, TokenizerSpec* spec);
// Checks the decoder matches the model and sets the decode flags.
Status ParseDecoder(const boost::json::value& v, TokenizerSpec* spec);

}  // namespace sluice::tokenizer::internal
