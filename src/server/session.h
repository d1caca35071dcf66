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

namespace boost::asio::ssl {
class context;
}

namespace sluice::server {

// State shared by the listener and every session. Thread-safe.
class SessionHost {
 public:
  // `tls`: serve HTTPS with this context (owned by the caller, outlives the
  // host); nullptr = plain HTTP.
  SessionHost(Gateway gw, boost::asio::ssl::context* tls) : gw_(gw), tls_(tls) {}

  const Gateway& gateway() const { return gw_; }
  boost::asio::ssl::context* tls() const { return tls_; }
  bool stopping() const { return stopping_.load(); }

  // Registers a live session. `close(force)` runs on any thread at shutdown:
  // without force it must close the connection if no request is in flight;
  // with force it must end the connection even mid-stream.
  uint64_t Add(std::function<void(bool force)> close);
  void Remove(uint64_t id);
  size_t size() const;

  // Stops new requests on every session; idle ones close now.
  void BeginShutdown();
  // Ends every remaining session, in flight or not (grace period over).
  void CloseAll();

 private:
  Gateway gw_;
  boost::asio::ssl::context* tls_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::function<void(bool)>> sessions_;
};

// Serves requests on `socket` (after a TLS handshake when the host has a
// context) until the client closes, an error, or shutdown.
boost::asio::awaitable<void> RunSession(boost::asio::ip::tcp::socket socket, SessionHost& host);

}  // namespace sluice::server
