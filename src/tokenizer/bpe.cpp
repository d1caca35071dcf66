#include "tokenizer/bpe.h"

#include <algorithm>
#include <climits>
#include <queue>

namespace sluice::tokenizer {

void BpeMerger::Merge(std::vector<int32_t>* word) const {
  if (word->size() < 2) return;
  if (word->size() <= kShortWord) {
    word->resize(MergeShort(word->data(), word->size()));
  } else {
    MergeLong(word);
  }
}

size_t BpeMerger::MergeShort(int32_t* ids, size_t n) const {
  // rank[i] / merged[i] describe the pair (ids[i], ids[i+1]).
  int32_t rank[kShortWord];
  int32_t merged[kShortWord];
  auto look = [&](size_t i) {
    const internal::Merge* m = ids[i] >= 0 && ids[i + 1] >= 0 ? pairs_.Find(ids[i], ids[i + 1]) : nullptr;
    rank[i] = m ? m->rank : INT32_MAX;
    merged[i] = m ? m->id : -1;
  };
  for (size_t i = 0; i + 1 < n; ++i) look(i);
  while (n > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < n; ++i) {
      if (rank[i] < rank[best]) best = i;
    }
    if (rank[best] == INT32_MAX) break;
    ids[best] = merged[best];
    // Remove symbol best+1 and the pair (best, best+1).
    for (size_t i = best + 1; i + 1 < n; ++i) ids[i] = ids[i + 1];
    for (size_t i = best + 1; i + 2 < n; ++i) {
      rank[i] = rank[i + 1];
      merged[i] = merged[i + 1];
    }
    --n;
    if (best + 1 < n) look(best);
    if (best > 0) look(best - 1);
  }
  return n;
}

void BpeMerger::MergeLong(std::vector<int32_t>* word) const {
  std::vector<int32_t>& ids = *word;
  const int32_t n = static_cast<int32_t>(ids.size());
  std::vector<int32_t> prev(n), next(n);
  for (int32_t i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  struct Candidate {
    int32_t rank, pos, right, left_id, right_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto push = [&](int32_t pos) {
    if (pos < 0) return;
    const int32_t r = next[pos];
    if (r < 0 || ids[pos] < 0 || ids[r] < 0) return;
    if (const internal::Merge* m = pairs_.Find(ids[pos], ids[r])) {
      heap.push(Candidate{m->rank, pos, r, ids[pos], ids[r]});
    }
  };
  for (int32_t i = 0; i + 1 < n; ++i) push(i);
  std::vector<bool> dead(n, false);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    if (dead[c.pos] || next[c.pos] != c.right || ids[c.pos] != c.left_id || ids[c.right] != c.right_id) {
      continue;  // stale: one side was merged away since this was pushed
    }
    ids[c.pos] = pairs_.Find(c.left_id, c.right_id)->id;
    dead[c.right] = true;
    next[c.pos] = next[c.right];
    if (next[c.pos] >= 0) prev[next[c.pos]] = c.pos;
    push(prev[c.pos]);
    push(c.pos);
  }
  size_t out = 0;
  for (int32_t i = 0; i >= 0; i = next[i]) ids[out++] = ids[i];
  ids.resize(out);
}

}  // namespace sluice::tokenizer
