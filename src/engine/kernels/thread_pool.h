// ThreadPool: the engine's compute threads (never network I/O threads).
// ParallelFor splits [0, n) into contiguous chunks, runs them on the pool's
// threads plus the calling thread, and returns when all are done. One
// ParallelFor at a time per pool (the generator owns one pool per worker).
#pragma once

#include <cstdint>
#include <functional>

namespace sluice::engine {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);  // n_threads >= 1, counting the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const;
  // fn(begin, end) over disjoint chunks covering [0, n); chunks are at least `grain` long.
  void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace sluice::engine
