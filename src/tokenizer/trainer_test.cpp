#include "tokenizer/trainer.h"

#include <gtest/gtest.h>

#include "tokenizer/internal/spec.h"
#include "tokenizer/tokenizer_json.h"

namespace sluice::tokenizer {
namespace {

std::vector<std::string_view> Corpus() {
  static const std::vector<std::string> texts = {
      "the cat sat on the mat. the cat ate the rat!",
      "low lower lowest newer newest wider, 12345 67890",
      "Die Katze saß auf der Matte. 猫がマットの上に座った。 the the the",
  };
  return {texts.begin(), texts.end()};
}

TEST(Trainer, DeterministicAndReloadable) {
  TrainOptions options{.vocab_size = 300, .special_tokens = {"<|endoftext|>"}};
  auto a = TrainByteLevelBpe(Corpus(), options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  options.n_threads = 1;
  auto b = TrainByteLevelBpe(Corpus(), options);
  ASSERT_TRUE(b.ok());
  auto ja = ByteLevelTokenizerToJson(**a);
  auto jb = ByteLevelTokenizerToJson(**b);
  ASSERT_TRUE(ja.ok() && jb.ok());
  EXPECT_EQ(*ja, *jb);  // same merges whatever the thread count

  EXPECT_EQ((*a)->TokenText(0), "<|endoftext|>");
  // "at" (cat sat mat ate rat Katze Matte) is the most frequent pair.
  EXPECT_EQ((*a)->spec().merges.front(), (std::pair<std::string, std::string>{"a", "t"}));
  auto back = LoadTokenizerJson(*ja);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->vocab_size(), (*a)->vocab_size());
  for (std::string_view text : Corpus()) {
    const std::vector<int32_t> ids = (*a)->Encode(text);
    EXPECT_EQ((*back)->Encode(text), ids);
    EXPECT_EQ((*a)->Decode(ids), text);
    EXPECT_LT(ids.size(), text.size());
  }
  EXPECT_EQ((*back)->Encode("x<|endoftext|>"), (std::vector<int32_t>{(*back)->TokenId("x"), 0}));
}

TEST(Trainer, RefusesATooSmallVocabulary) {
  TrainOptions options;
  options.vocab_size = 200;
  auto t = TrainByteLevelBpe(Corpus(), options);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("below the 256 bytes"), std::string::npos);
}

}  // namespace
}  // namespace sluice::tokenizer
