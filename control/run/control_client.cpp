#include "control/run/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace takedown::control {

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Error failure(const std::string& socket_path, const std::string& what) {
  return make_error("takedownd control socket " + socket_path + ": " + what);
}

}  // namespace

Result<std::string> control_request(const std::string& socket_path, const schema::Request& request,
                                    int timeout_ms) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof address.sun_path) return failure(socket_path, "path too long");
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  // Non-blocking throughout, so that one deadline covers the whole request: a takedownd that is
  // up but not serving (still starting, or wedged) fills the listen backlog, and a blocking
  // connect() would then wait for ever.
  Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) return failure(socket_path, std::string("socket: ") + std::strerror(errno));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const auto ms_left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now())
        .count();
  };
  const auto wait_for = [&](short events) {
    pollfd p{s.fd, events, 0};
    const auto left = ms_left();
    return left > 0 && ::poll(&p, 1, static_cast<int>(left)) > 0;
  };
  const auto too_late = [&] {
    return failure(socket_path, "no reply within " + std::to_string(timeout_ms) + " ms");
  };
  while (::connect(s.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EAGAIN) {
      return failure(socket_path, std::string("cannot connect: ") + std::strerror(errno) +
                                      " (is takedownd running with this config?)");
    }
    // The backlog is full: takedownd is not accepting. Try again until the deadline.
    if (ms_left() <= 0) {
      return failure(socket_path, "takedownd accepts no connection (its backlog is full) within " +
                                      std::to_string(timeout_ms) + " ms");
    }
    ::usleep(10000);
  }
  const std::string line = schema::encode(request) + "\n";
  for (std::size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(s.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) {
      if (!wait_for(POLLOUT)) return too_late();
      continue;
    }
    if (n < 0) return failure(socket_path, std::string("send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buffer[4096];
  for (;;) {
    if (!wait_for(POLLIN)) return too_late();
    const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EAGAIN) continue;
    if (n <= 0) return failure(socket_path, "takedownd closed the connection without a reply");
    reply.append(buffer, static_cast<std::size_t>(n));
    if (const std::size_t newline = reply.find('\n'); newline != std::string::npos) {
      reply.resize(newline);
      return reply;
    }
  }
}

}  // namespace takedown::control
