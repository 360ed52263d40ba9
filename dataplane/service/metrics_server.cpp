#include "dataplane/service/metrics_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace takedown::dataplane {

namespace {

constexpr std::size_t kMaxRequest = 8192;

std::string response(const char* status, const std::string& body, const char* type) {
  return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::open(const std::string& listen,
                                                           Limits limits) {
  const std::size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  const bool v6 = host.size() > 1 && host.front() == '[' && host.back() == ']';
  if (v6) host = host.substr(1, host.size() - 2);
  sockaddr_storage address{};
  socklen_t length = 0;
  char* end = nullptr;
  const long number = std::strtol(port.c_str(), &end, 10);
  if (*end != '\0' || number < 1 || number > 65535) {
    return make_error("metrics.listen " + listen + ": '" + port + "' is not a port");
  }
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&address);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(number));
    if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) {
      return make_error("metrics.listen " + listen + ": '" + host + "' is not an IPv6 address");
    }
    length = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&address);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(number));
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) {
      return make_error("metrics.listen " + listen + ": '" + host + "' is not an IPv4 address");
    }
    length = sizeof *a;
  }
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error("metrics.listen " + listen + ": socket: " + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd, 256) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return make_error(
        "metrics.listen " + listen + ": cannot listen: " + why +
        " (another takedownd? set metrics.listen to a free port, or \"\" to turn metrics off)");
  }
  return std::unique_ptr<MetricsServer>(new MetricsServer(fd, limits));
}

MetricsServer::~MetricsServer() {
  for (const Client& c : clients_) ::close(c.fd);
  ::close(fd_);
}

void MetricsServer::poll(int timeout_ms, const std::function<std::string()>& render) {
  std::vector<pollfd> fds{{fd_, POLLIN, 0}};
  for (const Client& c : clients_)
    fds.push_back({c.fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});
  const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
  const Clock::time_point now = Clock::now();
  std::string metrics;
  bool rendered = false;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    Client& c = clients_[i];
    if (ready > 0 && fds[i + 1].revents != 0) serve(c, render, metrics, rendered);
    // Deadlines: the whole header within `header`, then no stall longer than `idle` reading
    // the answer. Such a client is dropped without an answer.
    if (!c.answered && now - c.accepted > limits_.header) {
      c.answered = true;
      c.out.clear();
    } else if (c.answered && !c.out.empty() && now - c.active > limits_.idle) {
      c.out.clear();
    }
  }
  std::erase_if(clients_, [](const Client& c) {
    if (c.answered && c.out.empty()) {
      ::close(c.fd);
      return true;
    }
    return false;
  });
  if (ready > 0 && (fds[0].revents & POLLIN)) accept_clients();
}

void MetricsServer::accept_clients() {
  for (int fd; (fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
    if (clients_.size() >= limits_.max_clients) {
      // Room for the newcomer: the oldest client still sending its request goes.
      auto oldest = clients_.end();
      for (auto it = clients_.begin(); it != clients_.end(); ++it) {
        if (!it->answered && (oldest == clients_.end() || it->accepted < oldest->accepted))
          oldest = it;
      }
      if (oldest == clients_.end()) {  // every slot is sending an answer: they finish first
        ::close(fd);
        continue;
      }
      ::close(oldest->fd);
      clients_.erase(oldest);
    }
    const Clock::time_point now = Clock::now();
    clients_.push_back({fd, {}, {}, false, now, now});
  }
}

void MetricsServer::serve(Client& client, const std::function<std::string()>& render,
                          std::string& metrics, bool& rendered) {
  if (!client.answered) {
    char buffer[2048];
    const ssize_t n = ::recv(client.fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      if (n < 0 && errno == EAGAIN) return;
      client.answered = true;  // gone before asking
      return;
    }
    client.in.append(buffer, static_cast<std::size_t>(n));
    if (client.in.size() > kMaxRequest) {
      client.answered = true;
      return;
    }
    if (client.in.find("\r\n\r\n") == std::string::npos &&
        client.in.find("\n\n") == std::string::npos)
      return;
    client.answered = true;
    client.active = Clock::now();
    if (client.in.rfind("GET ", 0) != 0) {
      client.out = response("405 Method Not Allowed", "only GET /metrics\n", "text/plain");
    } else if (client.in.rfind("GET /metrics ", 0) == 0 ||
               client.in.rfind("GET /metrics?", 0) == 0) {
      if (!rendered) {
        metrics = render();
        rendered = true;
      }
      client.out = response("200 OK", metrics, "text/plain; version=0.0.4; charset=utf-8");
    } else {
      client.out = response("404 Not Found", "metrics are at /metrics\n", "text/plain");
    }
  }
  while (!client.out.empty()) {
    const ssize_t n = ::send(client.fd, client.out.data(), client.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN) client.out.clear();
      return;
    }
    client.out.erase(0, static_cast<std::size_t>(n));
    client.active = Clock::now();
  }
}

}  // namespace takedown::dataplane
