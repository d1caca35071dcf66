#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "tokenizer/internal/special_ids.h"

namespace sluice::tokenizer::internal {
namespace {

int32_t FindFirst(const TokenizerSpec& spec, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    for (const AddedTokenSpec& t : spec.added_tokens) {
      if (t.content == name) return t.id;
    }
  }
  return -1;
}

}  // namespace

void FillSpecialIds(TokenizerSpec* spec) {
  if (spec->bos_id < 0) spec->bos_id = FindFirst(*spec, {"<|begin_of_text|>", "<s>", "<|startoftext|>", "[CLS]", "<bos>"});
  if (spec->eos_id < 0) spec->eos_id = FindFirst(*spec, {"<|end_of_text|>", "</s>", "<|endoftext|>", "[SEP]", "<eos>"});
  if (spec->eot_id < 0) spec->eot_id = FindFirst(*spec, {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>"});
  if (spec->pad_id < 0) spec->pad_id = FindFirst(*spec, {"<|finetune_right_pad_id|>", "[PAD]", "<pad>", "<|pad|>"});
  if (spec->unk_id < 0 && spec->model == ModelKind::kWordPiece) spec->unk_id = FindFirst(*spec, {"[UNK]"});
  auto add = [&](int32_t id) {
    if (id >= 0 && std::find(spec->end_of_generation_ids.begin(), spec->end_of_generation_ids.end(), id) ==
                       spec->end_of_generation_ids.end()) {
      spec->end_of_generation_ids.push_back(id);
    }
  };
  add(spec->eos_id);
  add(spec->eot_id);
  for (std::string_view name : {"<|eom_id|>", "<|endoftext|>", "<|im_end|>", "<|end_of_text|>", "</s>"}) {
    add(FindFirst(*spec, {name}));
  }
}

}  // namespace sluice::tokenizer::internal
