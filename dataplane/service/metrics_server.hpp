// MetricsServer: GET /metrics over HTTP/1.x on a TCP address, served by the main lcore.
//
// One request per connection, answered with Connection: close: the Prometheus scraper's way.
// Anything but GET /metrics gets 404 (405 for another method). Non-blocking; a client that sends
// more than 8 KB of headers is dropped. Cold path; not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::dataplane {

class MetricsServer {
 public:
  // `listen` is "host:port" (IPv4 or a bracketed IPv6 address).
  static Result<std::unique_ptr<MetricsServer>> open(const std::string& listen);
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
  };
  explicit MetricsServer(int fd) : fd_(fd) {}
  void serve(Client& client, const std::function<std::string()>& render);

  int fd_;
  std::vector<Client> clients_;
};

}  // namespace takedown::dataplane
