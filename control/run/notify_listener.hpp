// NotifyListener: DNS NOTIFY (RFC 1996) for the lists with a `transfer:`, on control.notify.
//
// A NOTIFY is accepted when its zone is that of a transfer list, it comes from that list's
// primary (the source address as configured), and, when the list has a TSIG key, it is signed
// with that key and verifies (RFC 8945). An accepted NOTIFY is answered (NOERROR, signed when the
// NOTIFY was) and makes the zone due for an IXFR at once. Anything else that is a DNS query is
// answered REFUSED (unknown zone, another source) or NOTAUTH (TSIG missing or not verifying),
// logged with the reason and counted; datagrams that are not DNS queries get no reply, so the
// port cannot reflect traffic. NOTIFY comes over UDP or TCP (Knot sends it over TCP): both are
// served on the same address and port. A TCP connection from an address that is no list's
// primary is closed unread; the others share one 1 s deadline per call (at most 8 connections),
// so silent clients delay the loop by 1 s at most. On a dual-stack socket an IPv4 sender is
// compared as IPv4. A signed NOTIFY must be signed within its fudge of now (no replays). DNS
// messages and TSIG through ldns. Cold path; the run loop's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "control/schema/config.hpp"
#include "filters/common/result.hpp"

namespace takedown::control {

struct NotifyEvent {
  bool accepted = false;
  std::string zone;     // as asked, normalised
  std::string primary;  // the list's primary (accepted), or the sender
  std::string log;      // one line: what came from where, and what was done
};

class NotifyListener {
 public:
  // Binds UDP `listen` ("address:port", as control.notify).
  static Result<std::unique_ptr<NotifyListener>> open(const std::string& listen);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  int fd() const { return fd_; }
  int tcp_fd() const { return tcp_fd_; }
  std::uint16_t port() const { return port_; }
  // Reads and answers every datagram waiting (at most 64 per call).
  std::vector<NotifyEvent> drain(const schema::Config& config);

 private:
  NotifyListener(int fd, int tcp_fd, std::uint16_t port) : fd_(fd), tcp_fd_(tcp_fd), port_(port) {}
  void serve_tcp(const schema::Config& config, std::vector<NotifyEvent>& events);
  int fd_;
  int tcp_fd_;
  std::uint16_t port_;
};

// The answer to one datagram `wire` from `sender` (an address as text), for the tests: the
// event, and in `reply` the bytes to send back (empty: no reply).
NotifyEvent handle_notify(const schema::Config& config, const std::uint8_t* wire, std::size_t size,
                          const std::string& sender, std::vector<std::uint8_t>& reply);

}  // namespace takedown::control
