#include "control/sources/zone_transfer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "control/sources/transfer_exchange.hpp"

namespace takedown::control {
namespace {

using Clock = std::chrono::steady_clock;
// A TCP connection to the primary with one deadline for everything.
class Connection {
 public:
  Connection(const schema::TransferSource& source, Clock::time_point deadline)
      : source_(source), deadline_(deadline) {}
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::string where() const {
    const bool v6 = source_.primary.find(':') != std::string::npos;
    return (v6 ? "[" + source_.primary + "]" : source_.primary) + ":" +
           std::to_string(source_.port);
  }

  bool open(std::string& error) {
    sockaddr_storage addr{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (inet_pton(AF_INET, source_.primary.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(source_.port);
      len = sizeof *v4;
    } else if (inet_pton(AF_INET6, source_.primary.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(source_.port);
      len = sizeof *v6;
    } else {
      error = "'" + source_.primary + "' is not an address";
      return false;
    }
    fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      error = std::string("socket: ") + std::strerror(errno);
      return false;
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS) {
      error = "connect to " + where() + ": " + std::strerror(errno);
      return false;
    }
    if (!wait(POLLOUT, error, "connecting")) return false;
    int so_error = 0;
    socklen_t so_len = sizeof so_error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
    if (so_error != 0) {
      error = "connect to " + where() + ": " + std::strerror(so_error);
      return false;
    }
    return true;
  }

  bool send_message(const std::uint8_t* wire, std::size_t size, std::string& error) {
    if (size > 0xFFFF) {  // the 2-byte length prefix of DNS over TCP (RFC 1035 4.2.2)
      error = "query to " + where() + " is " + std::to_string(size) + " bytes, over 65535";
      return false;
    }
    std::vector<std::uint8_t> framed(size + 2);
    framed[0] = static_cast<std::uint8_t>(size >> 8);
    framed[1] = static_cast<std::uint8_t>(size);
    std::memcpy(framed.data() + 2, wire, size);
    std::size_t done = 0;
    while (done < framed.size()) {
      const ssize_t n = ::send(fd_, framed.data() + done, framed.size() - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!wait(POLLOUT, error, "sending the query")) return false;
      } else {
        error = "sending to " + where() + ": " + std::strerror(errno);
        return false;
      }
    }
    return true;
  }

  // One framed message; false with `error` on a close, a timeout or a socket error.
  bool read_message(std::vector<std::uint8_t>& out, std::string& error) {
    std::uint8_t length[2];
    if (!read_exactly(length, 2, error, true)) return false;
    const std::size_t size = static_cast<std::size_t>(length[0]) << 8 | length[1];
    if (size < 12) {
      error = where() + " sent a " + std::to_string(size) + "-byte message (a DNS header is 12)";
      return false;
    }
    out.resize(size);
    return read_exactly(out.data(), size, error, false);
  }

 private:
  bool wait(short events, std::string& error, const char* doing) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) {
        error = "timed out " + std::string(doing) + " (" + where() + ", transfer.timeout " +
                std::to_string(source_.timeout_seconds) + " s)";
        return false;
      }
      pollfd p{fd_, events, 0};
      const int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) {
        error = std::string("poll: ") + std::strerror(errno);
        return false;
      }
    }
  }

  bool read_exactly(std::uint8_t* into, std::size_t size, std::string& error, bool at_boundary) {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::recv(fd_, into + done, size - done, 0);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n == 0) {
        error = where() + " closed the connection " +
                (at_boundary && done == 0 ? std::string("before the transfer was complete")
                                          : std::string("in the middle of a message"));
        return false;
      } else if (errno == EAGAIN || errno == EINTR) {
        if (!wait(POLLIN, error, "waiting for the transfer")) return false;
      } else {
        error = "reading from " + where() + ": " + std::strerror(errno);
        return false;
      }
    }
    return true;
  }

  const schema::TransferSource& source_;
  Clock::time_point deadline_;
  int fd_ = -1;
};

struct Attempt {
  TransferOutcome outcome;
  bool retry_with_axfr = false;
};

Attempt attempt(const schema::TransferSource& source, const std::string& secret, ZoneRecords& zone,
                bool incremental, Clock::time_point deadline) {
  Attempt a;
  TransferOutcome& out = a.outcome;
  Connection conn(source, deadline);
  TransferExchange exchange(source, secret, zone, incremental);
  const auto fail = [&](const std::string& why) {
    out.kind = TransferOutcome::Kind::Failed;
    out.error = std::string(incremental ? "IXFR" : "AXFR") + " of " + source.zone + " from " +
                conn.where() + ": " + why;
    out.messages = exchange.messages();
    out.wire_bytes = exchange.wire_bytes();
    a.retry_with_axfr = exchange.retry_with_axfr();
    return a;
  };
  if (exchange.query().empty()) return fail(exchange.error());
  std::string error;
  if (!conn.open(error) ||
      !conn.send_message(exchange.query().data(), exchange.query().size(), error))
    return fail(error);
  std::vector<std::uint8_t> message;
  for (;;) {
    if (!conn.read_message(message, error)) return fail(error);
    const TransferExchange::Step step = exchange.take(message.data(), message.size());
    if (step == TransferExchange::Step::Failed) return fail(exchange.error());
    if (step == TransferExchange::Step::More) continue;
    out.messages = exchange.messages();
    out.wire_bytes = exchange.wire_bytes();
    if (step == TransferExchange::Step::UpToDate) {
      out.kind = TransferOutcome::Kind::UpToDate;
      return a;
    }
    out.kind = exchange.full() ? TransferOutcome::Kind::Full : TransferOutcome::Kind::Incremental;
    out.added = exchange.added();
    out.removed = exchange.removed();
    zone = std::move(exchange.result());
    return a;
  }
}

}  // namespace

TransferOutcome transfer_zone(const schema::TransferSource& source, const std::string& secret,
                              ZoneRecords& zone) {
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(source.timeout_seconds);
  const bool incremental = zone.has_soa();
  Attempt first = attempt(source, secret, zone, incremental, deadline);
  first.outcome.asked = incremental ? "IXFR" : "AXFR";
  if (first.retry_with_axfr) {
    Attempt second = attempt(source, secret, zone, false, deadline);
    second.outcome.asked = "IXFR, then AXFR";
    second.outcome.wire_bytes += first.outcome.wire_bytes;
    second.outcome.messages += first.outcome.messages;
    if (second.outcome.kind == TransferOutcome::Kind::Failed)
      second.outcome.error += " (after the IXFR failed: " + first.outcome.error + ")";
    first = std::move(second);
  }
  first.outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return first.outcome;
}

}  // namespace takedown::control
