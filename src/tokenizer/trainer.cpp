#include "tokenizer/trainer.h"

#include <algorithm>
#include <fstream>
#include <queue>
#include <thread>
#include <unordered_map>

#include "tokenizer/byte_level.h"
#include "tokenizer/internal/impl.h"
#include "tokenizer/internal/special_ids.h"

namespace sluice::tokenizer {
namespace {

using Counts = std::unordered_map<std::string, int64_t>;

void CountPieces(PreTokenizerKind kind, std::string_view text, Counts* counts,
                 std::vector<std::string_view>* pieces) {
  pieces->clear();
  PreTokenize(kind, text, pieces);
  for (std::string_view p : *pieces) ++(*counts)[std::string(p)];
}

// Counts pre-tokens of `chunks` on `n_threads` threads, then merges the maps.
Counts CountAll(PreTokenizerKind kind, const std::vector<std::string_view>& chunks, int n_threads) {
  n_threads = std::max(1, std::min<int>(n_threads, static_cast<int>(chunks.size())));
  std::vector<Counts> partial(static_cast<size_t>(n_threads));
  std::vector<std::thread> threads;
  for (int t = 0; t < n_threads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::string_view> pieces;
      for (size_t i = static_cast<size_t>(t); i < chunks.size(); i += static_cast<size_t>(n_threads)) {
        CountPieces(kind, chunks[i], &partial[static_cast<size_t>(t)], &pieces);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  Counts total = std::move(partial[0]);
  for (size_t t = 1; t < partial.size(); ++t) {
    for (auto& [k, v] : partial[t]) total[k] += v;
  }
  return total;
}

uint64_t PairKey(int32_t a, int32_t b) { return (uint64_t{static_cast<uint32_t>(a)} << 32) | static_cast<uint32_t>(b); }

class Merger {
 public:
  Merger(const Counts& counts, int32_t first_byte_id, std::vector<std::string>* token_bytes)
      : bytes_(*token_bytes) {
    words_.reserve(counts.size());
    // Sorted so that word indices, and hence everything after, are deterministic.
    std::vector<const std::pair<const std::string, int64_t>*> sorted;
    for (const auto& kv : counts) sorted.push_back(&kv);
    std::sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->first < y->first; });
    for (const auto* kv : sorted) {
      Word w;
      w.count = kv->second;
      for (char c : kv->first) w.ids.push_back(first_byte_id + static_cast<unsigned char>(c));
      words_.push_back(std::move(w));
    }
    for (size_t i = 0; i < words_.size(); ++i) AddPairs(static_cast<int32_t>(i), +1);
    for (const auto& [key, count] : pair_count_) Push(key, count);
  }

  // Performs the best merge, giving it id `new_id`; false when nothing merges.
  bool Step(int32_t new_id, int32_t* left, int32_t* right) {
    while (!heap_.empty()) {
      const Entry e = heap_.top();
      heap_.pop();
      auto it = pair_count_.find(e.key);
      if (it == pair_count_.end() || it->second != e.count || e.count <= 0) continue;  // stale
      *left = static_cast<int32_t>(e.key >> 32);
      *right = static_cast<int32_t>(e.key & 0xFFFFFFFFu);
      bytes_[new_id] = bytes_[*left] + bytes_[*right];  // before Apply pushes pairs with new_id
      Apply(*left, *right, new_id);
      return true;
    }
    return false;
  }

 private:
  struct Word {
    std::vector<int32_t> ids;
    int64_t count = 0;
  };
  struct Entry {
    int64_t count;
    uint64_t key;
  };
  struct Less {
    const std::vector<std::string>* bytes;
    // Max-heap on count; on ties the smallest (left bytes, right bytes) first.
    bool operator()(const Entry& x, const Entry& y) const {
      if (x.count != y.count) return x.count < y.count;
      const std::string& xl = (*bytes)[x.key >> 32];
      const std::string& yl = (*bytes)[y.key >> 32];
      if (xl != yl) return xl > yl;
      return (*bytes)[x.key & 0xFFFFFFFFu] > (*bytes)[y.key & 0xFFFFFFFFu];
    }
  };

  void Push(uint64_t key, int64_t count) {
    if (count > 0) heap_.push(Entry{count, key});
  }

  void AddPairs(int32_t w, int sign) {
    const Word& word = words_[w];
    for (size_t i = 0; i + 1 < word.ids.size(); ++i) {
      const uint64_t key = PairKey(word.ids[i], word.ids[i + 1]);
      pair_count_[key] += sign * word.count;
      if (sign > 0) where_[key].push_back(w);
      touched_.push_back(key);
    }
  }

  void Apply(int32_t a, int32_t b, int32_t new_id) {
    const uint64_t key = PairKey(a, b);
    std::vector<int32_t> words = std::move(where_[key]);
    where_.erase(key);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    touched_.clear();
    for (int32_t w : words) {
      std::vector<int32_t>& ids = words_[w].ids;
      bool has = false;
      for (size_t i = 0; i + 1 < ids.size() && !has; ++i) has = ids[i] == a && ids[i + 1] == b;
      if (!has) continue;  // stale index entry
      AddPairs(w, -1);
      size_t out = 0;
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i + 1 < ids.size() && ids[i] == a && ids[i + 1] == b) {
          ids[out++] = new_id;
          ++i;
        } else {
          ids[out++] = ids[i];
        }
      }
      ids.resize(out);
      AddPairs(w, +1);
    }
    pair_count_.erase(key);
    std::sort(touched_.begin(), touched_.end());
    touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
    for (uint64_t k : touched_) {
      auto it = pair_count_.find(k);
      if (it == pair_count_.end()) continue;
      if (it->second <= 0) {
        pair_count_.erase(it);
      } else {
        Push(k, it->second);
      }
    }
  }

  std::vector<std::string>& bytes_;
  std::vector<Word> words_;
  std::unordered_map<uint64_t, int64_t> pair_count_;
  std::unordered_map<uint64_t, std::vector<int32_t>> where_;
  std::priority_queue<Entry, std::vector<Entry>, Less> heap_{Less{&bytes_}};
  std::vector<uint64_t> touched_;
};

}  // namespace

StatusOr<std::shared_ptr<const Tokenizer>> TrainByteLevelBpe(const std::vector<std::string_view>& texts,
                                                             const TrainOptions& options) {
  const PreTokenizerKind kind = options.pre_tokenizer;
  if (kind != PreTokenizerKind::kGpt2 && kind != PreTokenizerKind::kLlama3 && kind != PreTokenizerKind::kQwen2 &&
      kind != PreTokenizerKind::kO200k) {
    return Status(ErrorCode::kInvalidArgument, "training needs a byte-level pre-tokenizer (gpt2, llama3, qwen2, o200k)");
  }
  const auto n_special = static_cast<int32_t>(options.special_tokens.size());
  if (options.vocab_size < n_special + 256) {
    return Status(ErrorCode::kInvalidArgument, "vocab size " + std::to_string(options.vocab_size) +
                                                   " is below the 256 bytes plus " + std::to_string(n_special) +
                                                   " special tokens");
  }
  internal::TokenizerSpec spec;
  spec.model = ModelKind::kByteLevelBpe;
  spec.pre_tokenizer = kind;
  std::vector<std::string> bytes;  // raw bytes of each id
  for (int32_t i = 0; i < n_special; ++i) {
    const std::string& s = options.special_tokens[static_cast<size_t>(i)];
    if (s.empty()) return Status(ErrorCode::kInvalidArgument, "a special token is empty");
    spec.tokens.push_back(s);
    spec.types.push_back(TokenType::kControl);
    spec.added_tokens.push_back(internal::AddedTokenSpec{s, i, true});
    bytes.push_back(s);
  }
  for (int b = 0; b < 256; ++b) {
    bytes.emplace_back(1, static_cast<char>(b));
    std::string text;
    BytesToByteLevelText(bytes.back(), &text);
    spec.tokens.push_back(std::move(text));
    spec.types.push_back(TokenType::kNormal);
  }
  Merger merger(CountAll(kind, texts, options.n_threads), n_special, &bytes);
  int32_t left = 0, right = 0;
  while (static_cast<int32_t>(spec.tokens.size()) < options.vocab_size) {
    const auto id = static_cast<int32_t>(spec.tokens.size());
    bytes.push_back({});  // Step fills bytes[id] before its heap compares pairs with id
    if (!merger.Step(id, &left, &right)) {
      bytes.pop_back();
      break;
    }
    spec.merges.emplace_back(spec.tokens[left], spec.tokens[right]);
    spec.tokens.push_back(spec.tokens[left] + spec.tokens[right]);
    spec.types.push_back(TokenType::kNormal);
  }
  internal::FillSpecialIds(&spec);
  return internal::BuildTokenizer(std::move(spec));
}

StatusOr<std::shared_ptr<const Tokenizer>> TrainByteLevelBpeFromFiles(const std::vector<std::string>& paths,
                                                                      const TrainOptions& options) {
  std::vector<std::string> buffers;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(ErrorCode::kNotFound, "cannot read corpus file " + path);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    buffers.push_back(std::move(data));
  }
  // Chunks of ~4 MB cut after a newline that is followed by a non-space, so no
  // pre-token (e.g. a run of newlines) straddles two chunks.
  constexpr size_t kChunk = 4 << 20;
  std::vector<std::string_view> chunks;
  for (const std::string& data : buffers) {
    std::string_view rest = data;
    while (rest.size() > kChunk) {
      size_t cut = kChunk;
      while (cut + 1 < rest.size() && !(rest[cut - 1] == '\n' && rest[cut] != '\n' && rest[cut] != '\r' &&
                                         rest[cut] != ' ' && rest[cut] != '\t')) {
        ++cut;
      }
      chunks.push_back(rest.substr(0, cut));
      rest.remove_prefix(cut);
    }
    if (!rest.empty()) chunks.push_back(rest);
  }
  return TrainByteLevelBpe(chunks, options);
}

}  // namespace sluice::tokenizer
