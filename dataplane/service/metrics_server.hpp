// MetricsServer: GET /metrics over HTTP/1.x on a TCP address, served by the main lcore.
//
// One request per connection, answered with Connection: close: the Prometheus scraper's way.
// Anything but GET /metrics gets 404 (405 for another method). Non-blocking; a client that sends
// more than 8 KB of headers is dropped. Nobody can blind it (any local user can connect): a
// client must send its whole header within `header` of connecting and read its answer without
// stalling for `idle`; up to `max_clients` are held, and past that the oldest unanswered one makes
// room; a poll round reads at most one buffer from each client and renders the metrics once, for
// every client whose request it completed. Cold path; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::dataplane {

class MetricsServer {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    std::size_t max_clients = 512;
    Clock::duration header = std::chrono::seconds(2);
    Clock::duration idle = std::chrono::seconds(5);
  };

  // `listen` is "host:port" (IPv4 or a bracketed IPv6 address).
  static Result<std::unique_ptr<MetricsServer>> open(const std::string& listen, Limits limits);
  static Result<std::unique_ptr<MetricsServer>> open(const std::string& listen) {
    return open(listen, Limits{});
  }
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Waits up to `timeout_ms`, accepts, reads requests and answers them with `render()`.
  void poll(int timeout_ms, const std::function<std::string()>& render);

 private:
  struct Client {
    int fd;
    std::string in;
    std::string out;
    bool answered = false;
    Clock::time_point accepted;
    Clock::time_point active;  // the last byte sent
  };
  MetricsServer(int fd, Limits limits) : fd_(fd), limits_(limits) {}
  // `metrics` is rendered at most once per round, when the first client needs it.
  void serve(Client& client, const std::function<std::string()>& render, std::string& metrics,
             bool& rendered);
  void accept_clients();

  int fd_;
  Limits limits_;
  std::vector<Client> clients_;
};

}  // namespace takedown::dataplane
