#include "control/run/notify_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "control/sources/ldns_handles.hpp"
#include "control/sources/tsig_secret.hpp"
#include "control/sources/tsig_verify.hpp"
#include "filters/match/domain_name.hpp"

namespace takedown::control {
namespace {

using Pkt = LdnsPkt;

// Two spellings of one address compare equal ("::1" and "0:0::1").
bool same_address(const std::string& a, const std::string& b) {
  std::uint8_t x[16] = {}, y[16] = {};
  const int family = a.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (family != (b.find(':') != std::string::npos ? AF_INET6 : AF_INET)) return false;
  return inet_pton(family, a.c_str(), x) == 1 && inet_pton(family, b.c_str(), y) == 1 &&
         std::memcmp(x, y, family == AF_INET ? 4 : 16) == 0;
}

std::string name_text(const ldns_rdf* name) {
  std::unique_ptr<char, decltype(&std::free)> text(ldns_rdf2str(name), std::free);
  filters::DomainName normalised;
  if (!text || normalised.assign(text.get()) != filters::NameStatus::Ok) return {};
  return std::string(normalised.view());
}

// The reply to `query`: same id, question and opcode, with `rcode`.
Pkt reply_to(const ldns_pkt* query, ldns_pkt_rcode rcode) {
  Pkt reply(ldns_pkt_new());
  ldns_pkt_set_id(reply.get(), ldns_pkt_id(query));
  ldns_pkt_set_qr(reply.get(), true);
  ldns_pkt_set_aa(reply.get(), rcode == LDNS_RCODE_NOERROR);
  ldns_pkt_set_opcode(reply.get(), LDNS_PACKET_NOTIFY);
  ldns_pkt_set_rcode(reply.get(), static_cast<std::uint8_t>(rcode));
  const ldns_rr_list* question = ldns_pkt_question(query);
  for (std::size_t i = 0; question != nullptr && i < ldns_rr_list_rr_count(question); ++i) {
    ldns_pkt_push_rr(reply.get(), LDNS_SECTION_QUESTION,
                     ldns_rr_clone(ldns_rr_list_rr(question, i)));
  }
  return reply;
}

}  // namespace

NotifyEvent handle_notify(const schema::Config& config, const std::uint8_t* wire, std::size_t size,
                          const std::string& sender, std::vector<std::uint8_t>& reply) {
  NotifyEvent event;
  event.primary = sender;
  reply.clear();
  ldns_pkt* raw = nullptr;
  if (!additional_records_fit(wire, size) || ldns_wire2pkt(&raw, wire, size) != LDNS_STATUS_OK) {
    event.log = "from " + sender + ": " + std::to_string(size) +
                " bytes that are not a DNS message, ignored";
    return event;
  }
  Pkt query(raw);
  const ldns_rr_list* question = ldns_pkt_question(query.get());
  if (ldns_pkt_qr(query.get()) || ldns_pkt_get_opcode(query.get()) != LDNS_PACKET_NOTIFY ||
      question == nullptr || ldns_rr_list_rr_count(question) != 1) {
    event.log =
        "from " + sender + ": a DNS message that is not a NOTIFY with one question, ignored";
    return event;
  }
  const ldns_rr* q = ldns_rr_list_rr(question, 0);
  event.zone = name_text(ldns_rr_owner(q));
  const schema::ListConfig* list = nullptr;
  bool zone_known = false;
  for (const auto& l : config.lists) {
    if (l.source != schema::SourceKind::Transfer || l.transfer.zone != event.zone) continue;
    zone_known = true;
    if (same_address(l.transfer.primary, sender)) list = &l;
  }
  const auto refuse = [&](ldns_pkt_rcode rcode, const std::string& why) {
    reply = wire_of(reply_to(query.get(), rcode).get());
    event.log = "NOTIFY for " + event.zone + " from " + sender + " refused (" +
                (rcode == LDNS_RCODE_NOTAUTH ? "NOTAUTH" : "REFUSED") + "): " + why;
    return event;
  };
  if (ldns_rr_get_type(q) != LDNS_RR_TYPE_SOA)
    return refuse(LDNS_RCODE_REFUSED, "the question is not for the zone's SOA");
  if (!zone_known) return refuse(LDNS_RCODE_REFUSED, "no list transfers that zone");
  if (list == nullptr) return refuse(LDNS_RCODE_REFUSED, "not from the zone's primary");
  const ldns_rr* tsig = ldns_pkt_tsig(query.get());
  Pkt answer = reply_to(query.get(), LDNS_RCODE_NOERROR);
  if (list->transfer.signed_with_tsig) {
    auto secret = read_tsig_secret(list->transfer.tsig.secret_file);
    if (!secret) return refuse(LDNS_RCODE_NOTAUTH, secret.error());
    const TsigCheck check =
        verify_tsig(query.get(), wire, size, list->transfer.tsig, *secret, nullptr, false, true);
    if (check != TsigCheck::Verified)
      return refuse(LDNS_RCODE_NOTAUTH, describe(check, list->transfer.tsig));
    const std::string key = list->transfer.tsig.name + ".";
    if (ldns_pkt_tsig_sign(answer.get(), key.c_str(), secret->c_str(), 300,
                           tsig_algorithm_name(list->transfer.tsig.algorithm).c_str(),
                           ldns_rr_rdf(tsig, 3)) != LDNS_STATUS_OK) {
      return refuse(LDNS_RCODE_NOTAUTH, "the answer could not be signed");
    }
  }
  reply = wire_of(answer.get());
  event.accepted = true;
  event.primary = list->transfer.primary;
  event.log = "NOTIFY for " + event.zone + " from " + sender +
              (list->transfer.signed_with_tsig ? " (TSIG " + list->transfer.tsig.name + ")" : "") +
              ": accepted, transferring";
  return event;
}

Result<std::unique_ptr<NotifyListener>> NotifyListener::open(const std::string& listen) {
  const auto host_port = schema::split_host_port(listen);
  if (!host_port) return make_error("control.notify '" + listen + "' is not address:port");
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host_port->first.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(host_port->second);
    len = sizeof *v4;
  } else {
    inet_pton(AF_INET6, host_port->first.c_str(), &v6->sin6_addr);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(host_port->second);
    len = sizeof *v6;
  }
  int fds[2] = {-1, -1};
  for (int kind : {SOCK_DGRAM, SOCK_STREAM}) {
    const int fd = ::socket(addr.ss_family, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (fd >= 0 && kind == SOCK_STREAM)
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        (kind == SOCK_STREAM && ::listen(fd, 16) != 0)) {
      const int saved = errno;
      for (int open_fd : fds) {
        if (open_fd >= 0) ::close(open_fd);
      }
      if (fd >= 0) ::close(fd);
      return make_error("control.notify: cannot listen on " + listen + " (" +
                        (kind == SOCK_DGRAM ? "UDP" : "TCP") + "): " + std::strerror(saved));
    }
    fds[kind == SOCK_DGRAM ? 0 : 1] = fd;
  }
  return std::unique_ptr<NotifyListener>(new NotifyListener(fds[0], fds[1], host_port->second));
}

NotifyListener::~NotifyListener() {
  ::close(fd_);
  ::close(tcp_fd_);
}

namespace {

// The sender as text; an IPv4 sender on a dual-stack socket ([::]:port gives ::ffff:a.b.c.d)
// as the IPv4 address a config names.
std::string address_text(const sockaddr_storage& from) {
  char text[INET6_ADDRSTRLEN] = {};
  if (from.ss_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      inet_ntop(AF_INET, a.s6_addr + 12, text, sizeof text);
    } else {
      inet_ntop(AF_INET6, &a, text, sizeof text);
    }
  } else {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&from)->sin_addr, text, sizeof text);
  }
  return text;
}

// True when some transfer list has `sender` as its primary.
bool is_a_primary(const schema::Config& config, const std::string& sender) {
  for (const auto& l : config.lists) {
    if (l.source == schema::SourceKind::Transfer && same_address(l.transfer.primary, sender))
      return true;
  }
  return false;
}

// Reads exactly `size` bytes before `deadline`.
bool read_before(int fd, std::uint8_t* into, std::size_t size,
                 std::chrono::steady_clock::time_point deadline) {
  std::size_t done = 0;
  while (done < size) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    const ssize_t n = ::recv(fd, into + done, size - done, 0);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

void NotifyListener::serve_tcp(const schema::Config& config, std::vector<NotifyEvent>& events) {
  std::vector<std::uint8_t> reply;
  // One deadline for all the connections of this call: silent clients cost the loop 1 s at most.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (int i = 0; i < 8; ++i) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const int conn = ::accept4(tcp_fd_, reinterpret_cast<sockaddr*>(&from), &from_len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (conn < 0) return;
    const std::string sender = address_text(from);
    // TCP senders cannot be spoofed: one that is no list's primary is not read at all.
    if (!is_a_primary(config, sender)) {
      ::close(conn);
      events.push_back({false,
                        {},
                        sender,
                        "from " + sender + " over TCP: not a transfer list's primary, closed"});
      continue;
    }
    std::uint8_t length[2];
    std::vector<std::uint8_t> message;
    if (read_before(conn, length, 2, deadline)) {
      message.resize(static_cast<std::size_t>(length[0]) << 8 | length[1]);
      if (message.empty() || !read_before(conn, message.data(), message.size(), deadline)) {
        message.clear();
      }
    }
    if (message.empty()) {
      events.push_back(
          {false, {}, sender, "from " + sender + " over TCP: no whole message in time"});
    } else {
      events.push_back(handle_notify(config, message.data(), message.size(), sender, reply));
      if (!reply.empty()) {
        std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(reply.size() >> 8),
                                         static_cast<std::uint8_t>(reply.size())};
        framed.insert(framed.end(), reply.begin(), reply.end());
        (void)::send(conn, framed.data(), framed.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
    }
    ::close(conn);
  }
}

std::vector<NotifyEvent> NotifyListener::drain(const schema::Config& config) {
  std::vector<NotifyEvent> events;
  std::uint8_t buffer[65535];
  std::vector<std::uint8_t> reply;
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) break;
    events.push_back(
        handle_notify(config, buffer, static_cast<std::size_t>(n), address_text(from), reply));
    if (!reply.empty()) {
      (void)::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from),
                     from_len);
    }
  }
  serve_tcp(config, events);
  return events;
}

}  // namespace takedown::control
