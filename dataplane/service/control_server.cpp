#include "dataplane/service/control_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace takedown::dataplane {

namespace {

Error system_error(const std::string& path, const std::string& what) {
  return make_error("control socket " + path + ": " + what + ": " + std::strerror(errno));
}

bool fill_address(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// True when a server answers on `path`.
bool someone_listens(const sockaddr_un& address) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return live;
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::open(const std::string& path, Limits limits) {
  sockaddr_un address;
  if (!fill_address(path, address)) {
    return make_error("control socket " + path + ": the path is longer than " +
                      std::to_string(sizeof address.sun_path - 1) + " bytes");
  }
  std::error_code ec;
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, ec);
  if (ec)
    return make_error("control socket " + path + ": cannot create its folder: " + ec.message());

  struct stat existing;
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      return make_error("control socket " + path + ": a file that is not a socket is in the way");
    }
    if (someone_listens(address)) {
      return make_error("control socket " + path + ": another takedownd is serving it");
    }
    ::unlink(path.c_str());  // stale, from a process that is gone
  }

  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return system_error(path, "socket");
  // Created 0660 from the start: never a moment when anyone else could connect.
  const mode_t old_mask = ::umask(0117);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (bound != 0) {
    const Error error = system_error(path, "bind");
    ::close(fd);
    return error;
  }
  if (::listen(fd, 16) != 0) {
    const Error error = system_error(path, "listen");
    ::close(fd);
    ::unlink(path.c_str());
    return error;
  }
  return std::unique_ptr<ControlServer>(new ControlServer(fd, path, limits));
}

ControlServer::~ControlServer() {
  for (const Client& c : clients_) ::close(c.fd);
  ::close(listen_fd_);
  ::unlink(path_.c_str());
}

void ControlServer::poll(int timeout_ms, const Handler& handle) {
  std::vector<pollfd> fds;
  fds.push_back({listen_fd_, POLLIN, 0});
  for (const Client& c : clients_) {
    fds.push_back({c.fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
  }
  const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
  expire(Clock::now());
  if (ready <= 0) {
    drop_closed();
    return;
  }
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    const short events = fds[i + 1].revents;
    if (events & (POLLIN | POLLHUP | POLLERR)) read_client(clients_[i], handle);
    if (!clients_[i].out.empty()) write_client(clients_[i]);
  }
  drop_closed();
  if (fds[0].revents & POLLIN) accept_clients();
}

void ControlServer::drop_closed() {
  std::erase_if(clients_, [](const Client& c) {
    if (c.closing && c.out.empty()) {
      ::close(c.fd);
      return true;
    }
    return false;
  });
}

namespace {

// One error line, sent if the socket takes it; the client is being closed anyway.
void tell(int fd, const std::string& why) {
  const std::string line = schema::encode(schema::ErrorReply{why, 0}) + "\n";
  (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

void ControlServer::expire(Clock::time_point now) {
  for (Client& c : clients_) {
    if (c.closing) {
      // A reply the client does not read is dropped with it.
      if (now - c.active > limits_.idle) c.out.clear();
      continue;
    }
    if (!c.in.empty() && now - c.request_started > limits_.request) {
      tell(c.fd, "request line not complete within the request deadline; closing");
      c.in.clear();
      c.out.clear();
      c.closing = true;
    } else if (now - c.active > limits_.idle) {
      c.out.clear();
      c.closing = true;
    }
  }
}

void ControlServer::accept_clients() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    drop_closed();
    if (clients_.size() >= limits_.max_clients) {
      // Room for the newcomer: the client idle longest goes, so nobody can lock the socket.
      auto oldest =
          std::min_element(clients_.begin(), clients_.end(),
                           [](const Client& a, const Client& b) { return a.active < b.active; });
      tell(oldest->fd,
           "closed to make room: too many control clients, and this one was idle longest");
      ::close(oldest->fd);
      clients_.erase(oldest);
    }
    clients_.push_back({fd, {}, {}, false, Clock::now()});
  }
}

void ControlServer::read_client(Client& client, const Handler& handle) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(client.fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      client.closing = true;
      break;
    }
    if (n < 0) break;
    client.active = Clock::now();
    if (client.in.empty()) client.request_started = client.active;
    client.in.append(buffer, static_cast<std::size_t>(n));
    if (client.in.size() > kMaxLine && client.in.find('\n') == std::string::npos) {
      client.out += schema::encode(schema::ErrorReply{
                        "request line longer than " + std::to_string(kMaxLine) + " bytes", 0}) +
                    "\n";
      client.in.clear();
      client.closing = true;
      return;
    }
  }
  for (std::size_t newline; (newline = client.in.find('\n')) != std::string::npos;) {
    std::string_view line(client.in.data(), newline);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) client.out += handle(line) + "\n";
    client.in.erase(0, newline + 1);
    client.request_started = client.active;  // what is left is the start of the next line
  }
}

void ControlServer::write_client(Client& client) {
  while (!client.out.empty()) {
    const ssize_t n = ::send(client.fd, client.out.data(), client.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      client.out.clear();
      client.closing = true;
      return;
    }
    client.out.erase(0, static_cast<std::size_t>(n));
    client.active = Clock::now();
  }
}

}  // namespace takedown::dataplane
