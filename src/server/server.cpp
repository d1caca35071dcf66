#include "server/server.h"

#include <sys/resource.h>

#include <csignal>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"
#include "server/router.h"
#include "server/session.h"

namespace sluice::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// The server-side TLS context: TLS 1.2 or newer, the configured chain and key.
StatusOr<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const Config& config) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(config.tls_cert, ec);
  if (ec) {
    return Status(ErrorCode::kInvalidArgument,
                  "tls_cert '" + config.tls_cert + "': " + ec.message());
  }
  ctx->use_private_key_file(config.tls_key, asio::ssl::context::pem, ec);
  if (ec) {
    return Status(ErrorCode::kInvalidArgument, "tls_key '" + config.tls_key + "': " + ec.message());
  }
  return ctx;
}

asio::awaitable<void> Listen(tcp::acceptor& acceptor, SessionHost& host) {
  auto& ioc = static_cast<asio::io_context&>(acceptor.get_executor().context());
  while (true) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kTuple);
    if (ec) {
      if (host.stopping() || ec == asio::error::operation_aborted) co_return;
      Log(LogLevel::kWarn, "accept failed", {{"error", ec.message()}});
      // Out of file descriptors and similar: back off instead of spinning.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    boost::system::error_code ignored;
    if (host.size() >= host.gateway().config.max_connections) {
      // Over the connection cap: refuse cheaply instead of queueing.
      static const std::string kBusy = [] {
        std::string body = "{\"detail\":\"too many connections, retry\"}\n";
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
               "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
      }();
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kBusy), ignored);
      socket.close(ignored);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, RunSession(std::move(socket), host), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        Log(LogLevel::kError, "session ended by an exception", {{"error", ex.what()}});
      }
    });
  }
}

// Waits for in-flight sessions to end, up to the grace period, then stops.
asio::awaitable<void> Drain(asio::io_context& ioc, SessionHost& host,
                            std::chrono::milliseconds grace) {
  auto deadline = std::chrono::steady_clock::now() + grace;
  asio::steady_timer tick(ioc);
  while (host.size() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(kTuple);
  }
  size_t left = host.size();
  if (left > 0) {
    Log(LogLevel::kWarn, "shutdown grace period over; closing remaining connections",
        {{"connections", static_cast<int64_t>(left)}});
    host.CloseAll();
    // Let cancelled streams unwind (close their upstreams) before stopping.
    auto hard_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (host.size() > 0 && std::chrono::steady_clock::now() < hard_deadline) {
      tick.expires_after(std::chrono::milliseconds(10));
      co_await tick.async_wait(kTuple);
    }
  }
  Log(LogLevel::kInfo, "stopped");
  ioc.stop();
}

}  // namespace

// Many idle keep-alive clients need many descriptors: use all we may.
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int RunServer(const Config& config) {
  RaiseFileLimit();
  auto router = Router::Build(config);
  if (!router.ok()) {
    Log(LogLevel::kError, "cannot start", {{"error", router.status().message()}});
    return 1;
  }
  auto security = BuildSecurity(config);
  if (!security.ok()) {
    Log(LogLevel::kError, "cannot start", {{"error", security.status().message()}});
    return 1;
  }
  Metrics metrics;
  std::unique_ptr<asio::ssl::context> tls;
  if (!config.tls_cert.empty()) {
    auto made = MakeTlsContext(config);
    if (!made.ok()) {
      Log(LogLevel::kError, "cannot start", {{"error", made.status().message()}});
      return 1;
    }
    tls = std::move(*made);
  }
  Gateway gw{config, **router, metrics, **security};
  SessionHost host(gw, tls.get());

  int n_threads = config.threads > 0 ? config.threads
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  asio::io_context ioc(n_threads);

  boost::system::error_code ec;
  auto address = asio::ip::make_address(config.listen_host, ec);
  if (ec) {
    Log(LogLevel::kError, "cannot start",
        {{"error", "listen address '" + config.listen_host + "' is not an IP address"}});
    return 1;
  }
  tcp::endpoint endpoint(address, config.listen_port);
  tcp::acceptor acceptor(ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    Log(LogLevel::kError, "cannot listen",
        {{"host", config.listen_host}, {"port", int{config.listen_port}}, {"error", ec.message()}});
    return 1;
  }
  Log(LogLevel::kInfo, "listening",
      {{"host", config.listen_host},
       {"port", int{acceptor.local_endpoint().port()}},
       {"scheme", tls ? "https" : "http"},
       {"threads", n_threads},
       {"default_model", config.default_model}});

  asio::co_spawn(ioc, Listen(acceptor, host), asio::detached);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& sig_ec, int signo) {
    if (sig_ec) return;
    Log(LogLevel::kInfo, "shutting down",
        {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"},
         {"in_flight", static_cast<int64_t>(host.size())},
         {"grace_ms", static_cast<int64_t>(config.shutdown_grace.count())}});
    boost::system::error_code ignored;
    acceptor.close(ignored);
    host.BeginShutdown();
    asio::co_spawn(ioc, Drain(ioc, host, config.shutdown_grace), asio::detached);
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < n_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace sluice::server
