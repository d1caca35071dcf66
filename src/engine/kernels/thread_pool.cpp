// ThreadPool (thread_pool.h). Workers are created once. A ParallelFor
// publishes the job and bumps a generation counter; idle workers spin on the
// counter for a short while (back-to-back matmuls in a forward pass arrive
// microseconds apart) and then sleep on a condition variable. Chunks are
// handed out with an atomic counter, so a slow or descheduled thread delays
// only the chunk it holds, and a sleeping worker delays nothing: the caller
// runs chunks too, waits until all chunks are done, closes the job, and then
// waits only for the workers that had joined it (in_job).
#include "engine/kernels/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::engine {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

constexpr auto kSpinTime = std::chrono::microseconds(100);

// Spins briefly, then yields the core (it may be shared with the thread we wait for).
template <class Pred>
void WaitUntil(Pred done) {
  for (int i = 0; !done(); ++i) {
    if (i < 2048) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace

struct ThreadPool::Impl {
  int n_threads = 1;
  std::vector<std::thread> workers;

  std::mutex mu;
  std::condition_variable cv;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> n_sleeping{0};
  std::atomic<bool> open{false};  // the job's fields are valid; a worker may join
  std::atomic<int> in_job{0};     // workers that joined and may touch the job
  std::atomic<bool> stop{false};  // set before the last generation bump

  // The current job; written by the caller before the generation bump.
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0;
  int64_t chunk = 0;
  int64_t n_chunks = 0;
  std::atomic<int64_t> next_chunk{0};
  std::atomic<int64_t> done_chunks{0};

  void RunChunks() {
    for (;;) {
      const int64_t c = next_chunk.fetch_add(1, std::memory_order_relaxed);
      if (c >= n_chunks) return;
      const int64_t begin = c * chunk;
      (*fn)(begin, std::min(n, begin + chunk));
      done_chunks.fetch_add(1, std::memory_order_release);
    }
  }

  // Waits for a generation other than `seen`; returns it.
  uint64_t WaitForJob(uint64_t seen) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
    for (int i = 0;; ++i) {
      const uint64_t g = generation.load(std::memory_order_acquire);
      if (g != seen) return g;
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) break;
      CpuRelax();
    }
    std::unique_lock<std::mutex> lock(mu);
    n_sleeping.fetch_add(1);
    cv.wait(lock, [&] { return generation.load() != seen; });
    n_sleeping.fetch_sub(1);
    return generation.load(std::memory_order_acquire);
  }

  void WorkerLoop() {
    uint64_t seen = 0;
    for (;;) {
      seen = WaitForJob(seen);
      if (stop.load(std::memory_order_acquire)) return;
      // Join, then check the job is still open (seq_cst pairs with the
      // caller's close-then-read-in_job): either the caller sees us and
      // waits, or we see it closed and leave.
      in_job.fetch_add(1);
      if (open.load()) RunChunks();
      in_job.fetch_sub(1, std::memory_order_release);
    }
  }
};

// impl_ is a raw owning pointer because the header fixes it; it is created
// here and deleted only in the destructor.
ThreadPool::ThreadPool(int n_threads) : impl_(new Impl) {
  impl_->n_threads = std::max(1, n_threads);
  for (int i = 1; i < impl_->n_threads; ++i) {
    impl_->workers.emplace_back([this] { impl_->WorkerLoop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stop.store(true, std::memory_order_release);
    impl_->generation.fetch_add(1);
  }
  impl_->cv.notify_all();
  for (std::thread& t : impl_->workers) t.join();
  delete impl_;
}

int ThreadPool::size() const { return impl_->n_threads; }

void ThreadPool::ParallelFor(int64_t n, int64_t grain,
                             const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  Impl& p = *impl_;
  // A few chunks per thread balance uneven progress on shared cores.
  const int64_t target_chunks = static_cast<int64_t>(p.n_threads) * 4;
  const int64_t chunk = std::max(grain, (n + target_chunks - 1) / target_chunks);
  const int64_t n_chunks = (n + chunk - 1) / chunk;
  if (p.n_threads == 1 || n_chunks == 1) {
    fn(0, n);
    return;
  }
  p.fn = &fn;
  p.n = n;
  p.chunk = chunk;
  p.n_chunks = n_chunks;
  p.next_chunk.store(0, std::memory_order_relaxed);
  p.done_chunks.store(0, std::memory_order_relaxed);
  p.open.store(true);         // publishes the fields above
  p.generation.fetch_add(1);  // seq_cst: ordered before the n_sleeping read
  if (p.n_sleeping.load() > 0) {
    { std::lock_guard<std::mutex> lock(p.mu); }
    p.cv.notify_all();
  }
  p.RunChunks();
  WaitUntil([&] { return p.done_chunks.load(std::memory_order_acquire) == n_chunks; });
  p.open.store(false);
  WaitUntil([&] { return p.in_job.load(std::memory_order_acquire) == 0; });
}

}  // namespace sluice::engine
