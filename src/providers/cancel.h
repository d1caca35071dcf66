// CancelToken: how the server tells a provider that nobody wants the answer
// any more (client disconnected, shutdown deadline passed).
//
// Cancel() runs every registered callback once, on the calling thread; a
// callback registered after Cancel() runs immediately. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

namespace sluice::providers {

class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void Cancel() {
    std::vector<std::function<void()>> run;
    {
      std::lock_guard lock(mu_);
      if (cancelled_) return;
      cancelled_ = true;
      run.swap(callbacks_);
    }
    for (auto& f : run) f();
  }

  bool cancelled() const {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

  // Returns a handle; callbacks live until Cancel() or Clear().
  void OnCancel(std::function<void()> f) {
    {
      std::lock_guard lock(mu_);
      if (!cancelled_) {
        callbacks_.push_back(std::move(f));
        return;
      }
    }
    f();
  }

  // Drops registered callbacks (their captures may be about to dangle).
  void Clear() {
    std::lock_guard lock(mu_);
    callbacks_.clear();
  }

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::vector<std::function<void()>> callbacks_;
};

}  // namespace sluice::providers
