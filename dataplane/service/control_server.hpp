// ControlServer: the data plane's UNIX stream socket, served by the main lcore.
//
// One request per line, one reply line per request (JSON both ways; the handler builds them).
// The socket is created mode 0660 in a folder created if missing. An existing socket file is
// replaced only when nothing answers on it (a stale file after a crash); a live one means another
// takedownd serves it, which is refused. Clients are non-blocking and at most kMaxClients at once;
// a request line longer than kMaxLine is refused and its client dropped. The file is removed on
// destruction. Cold path; not thread-safe.
#pragma once

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
  static constexpr std::size_t kMaxClients = 16;
  static constexpr std::size_t kMaxLine = schema::kMaxRequestBytes;
  using Handler = std::function<std::string(std::string_view request)>;

  static Result<std::unique_ptr<ControlServer>> open(const std::string& path);
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
  };

  ControlServer(int fd, std::string path) : listen_fd_(fd), path_(std::move(path)) {}
  void accept_clients();
  void read_client(Client& client, const Handler& handle);
  void write_client(Client& client);

  int listen_fd_;
  std::string path_;
  std::vector<Client> clients_;
};

}  // namespace takedown::dataplane
