// ControlServer: the data plane's UNIX stream socket, served by the main lcore.
//
// One request per line, one reply line per request (JSON both ways; the handler builds them).
// The socket is created mode 0660 in a folder created if missing. An existing socket file is
// replaced only when nothing answers on it (a stale file after a crash); a live one means another
// takedownd serves it, which is refused. Clients are non-blocking; a request line longer than
// kMaxLine is refused and its client dropped. No client can hold the socket: one that sends
// nothing for `idle` is closed, one whose request line is not complete within `request` gets an
// error and is closed, one that does not read its reply within `idle` is closed, and when
// `max_clients` are connected the one idle longest makes room for the newcomer (told why). The
// file is removed on destruction. Cold path; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "control/schema/control_messages.hpp"
#include "filters/common/result.hpp"

namespace takedown::dataplane {

class ControlServer {
 public:
  static constexpr std::size_t kMaxLine = schema::kMaxRequestBytes;
  using Handler = std::function<std::string(std::string_view request)>;
  using Clock = std::chrono::steady_clock;

  struct Limits {
    std::size_t max_clients = 64;
    Clock::duration idle = std::chrono::seconds(10);
    Clock::duration request = std::chrono::seconds(2);
  };

  static Result<std::unique_ptr<ControlServer>> open(const std::string& path, Limits limits);
  static Result<std::unique_ptr<ControlServer>> open(const std::string& path) {
    return open(path, Limits{});
  }
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Waits up to `timeout_ms` for activity, accepts, reads, answers complete lines with
  // `handle`, and writes what it can of the replies.
  void poll(int timeout_ms, const Handler& handle);

 private:
  struct Client {
    int fd;
    std::string in;
    std::string out;
    bool closing = false;
    Clock::time_point active;             // the last byte in or out
    Clock::time_point request_started{};  // the first byte of the line in `in`
  };

  ControlServer(int fd, std::string path, Limits limits)
      : listen_fd_(fd), path_(std::move(path)), limits_(limits) {}
  void accept_clients();
  void read_client(Client& client, const Handler& handle);
  void write_client(Client& client);
  // Deadlines: idle and slow clients are told (when they can be) and closed.
  void expire(Clock::time_point now);
  // Closes and forgets the clients that are done (closing, nothing left to send).
  void drop_closed();

  int listen_fd_;
  std::string path_;
  Limits limits_;
  std::vector<Client> clients_;
};

}  // namespace takedown::dataplane
