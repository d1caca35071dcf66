// Internal to the server: one client connection (session.cpp) and what it
// shares with the listener (server.cpp). Heavy headers: include only from
// those two files.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/handlers.h"

namespace sluice::server {

// State shared by the listener and every session. Thread-safe.
class SessionHost {
 public:
  explicit SessionHost(Gateway gw) : gw_(gw) {}

  const Gateway& gateway() const { return gw_; }
  bool stopping() const { return stopping_.load(); }

  // Registers a live session; `close_if_idle` runs (on any thread) at
  // shutdown and must close the connection if no request is in flight.
  uint64_t Add(std::function<void()> close_if_idle);
  void Remove(uint64_t id);
  size_t size() const;

  // Stops new requests on every session; idle ones close now.
  void BeginShutdown();

 private:
  Gateway gw_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::function<void()>> sessions_;
};

// Serves requests on `socket` until the client closes, an error, or shutdown.
boost::asio::awaitable<void> RunSession(boost::asio::ip::tcp::socket socket, SessionHost& host);

}  // namespace sluice::server
