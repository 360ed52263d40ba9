#include "control/sources/zone_transfer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "control/sources/tsig_secret.hpp"

namespace takedown::control {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kMaxZoneBytes = 2ull << 30;  // no policy zone comes near

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;
struct RdfFree {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using Rdf = std::unique_ptr<ldns_rdf, RdfFree>;

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
    return (v6 ? "[" + source_.primary + "]" : source_.primary) + ":" + std::to_string(source_.port);
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
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
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

std::string rcode_text(ldns_pkt_rcode rcode) {
  const ldns_lookup_table* t = ldns_lookup_by_id(ldns_rcodes, static_cast<int>(rcode));
  return t != nullptr ? t->name : "RCODE " + std::to_string(rcode);
}

// RFC 8945 TSIG error codes in the primary's TSIG record.
std::string tsig_error_text(const ldns_pkt* pkt) {
  const ldns_rr* tsig = ldns_pkt_tsig(pkt);
  if (tsig == nullptr || ldns_rr_rd_count(tsig) < 6) return {};
  const std::uint16_t code = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
  switch (code) {
    case 0:
      return {};
    case 16:
      return "TSIG BADSIG: the key's secret differs from the primary's";
    case 17:
      return "TSIG BADKEY: the primary has no key of that name and algorithm";
    case 18:
      return "TSIG BADTIME: the clocks differ by more than the fudge";
    case 22:
      return "TSIG BADTRUNC";
    default:
      return "TSIG error " + std::to_string(code);
  }
}

// Reads the answer RRs of a transfer as a stream and tells when it is complete (RFC 1995 §4,
// RFC 5936 §2.2). Applies a full zone to `fresh` and diffs to `edited`, a copy of the zone held.
class TransferStream {
 public:
  TransferStream(bool incremental, const ZoneRecords& held)
      : incremental_(incremental), held_serial_(held.soa().serial), fresh_(held.zone()),
        edited_(held) {}

  // False with `error` when the stream cannot be a transfer of this zone.
  bool record(const ldns_rr* rr, std::string& error) {
    const bool soa = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA;
    const std::uint32_t serial = soa ? ZoneRecords::timers_of(rr).serial : 0;
    switch (phase_) {
      case Phase::First:
        if (!soa) {
          error = "the transfer does not start with the zone's SOA";
          return false;
        }
        final_serial_ = serial;
        fresh_.add(rr);
        phase_ = Phase::Second;
        return true;
      case Phase::Second:
        if (soa && incremental_ && serial != final_serial_) {
          if (serial != held_serial_) {
            out_of_step_ = true;
            error = "the IXFR starts from serial " + std::to_string(serial) + ", the copy is at " +
                    std::to_string(held_serial_);
            return false;
          }
          full_ = false;
          phase_ = Phase::Deleting;
          return true;
        }
        full_ = true;
        if (soa) {  // an empty zone: SOA, SOA
          phase_ = Phase::Done;
          return true;
        }
        fresh_.add(rr);
        phase_ = Phase::FullBody;
        return true;
      case Phase::FullBody:
        if (soa) {
          phase_ = Phase::Done;
          return true;
        }
        fresh_.add(rr);
        return true;
      case Phase::Deleting:
        if (soa) {
          edited_.add(rr);
          diff_serial_ = serial;
          phase_ = Phase::Adding;
          return true;
        }
        if (!edited_.remove(rr)) {
          out_of_step_ = true;
          error = "the IXFR deletes a record the copy does not hold";
          return false;
        }
        ++removed_;
        return true;
      case Phase::Adding:
        if (soa) {
          if (serial == final_serial_) {
            phase_ = Phase::Done;
            return true;
          }
          if (serial != diff_serial_) {
            out_of_step_ = true;
            error = "the IXFR's diffs are not in sequence";
            return false;
          }
          phase_ = Phase::Deleting;
          return true;
        }
        edited_.add(rr);
        ++added_;
        return true;
      case Phase::Done:
        error = "records after the transfer's final SOA";
        return false;
    }
    return false;
  }

  bool done() const { return phase_ == Phase::Done; }
  // After the first message: one SOA at or before the copy's serial means up to date.
  bool up_to_date(std::size_t records_in_first_message, bool have_copy) const {
    return incremental_ && have_copy && phase_ == Phase::Second && records_in_first_message == 1 &&
           !serial_newer(final_serial_, held_serial_);
  }
  bool full() const { return full_; }
  bool out_of_step() const { return out_of_step_; }
  std::uint64_t added() const { return full_ ? fresh_.size() : added_; }
  std::uint64_t removed() const { return removed_; }
  ZoneRecords& result() { return full_ ? fresh_ : edited_; }

 private:
  enum class Phase { First, Second, FullBody, Deleting, Adding, Done };
  bool incremental_;
  std::uint32_t held_serial_;
  Phase phase_ = Phase::First;
  std::uint32_t final_serial_ = 0;
  std::uint32_t diff_serial_ = 0;
  bool full_ = false;
  bool out_of_step_ = false;
  std::uint64_t added_ = 0;
  std::uint64_t removed_ = 0;
  ZoneRecords fresh_;
  ZoneRecords edited_;
};

struct Attempt {
  TransferOutcome outcome;
  bool retry_with_axfr = false;
};

Attempt attempt(const schema::TransferSource& source, const std::string& secret, ZoneRecords& zone,
                bool incremental, Clock::time_point deadline) {
  Attempt a;
  TransferOutcome& out = a.outcome;
  const std::string key_name = source.tsig.name + ".";
  const std::string algorithm = tsig_algorithm_name(source.tsig.algorithm);
  Connection conn(source, deadline);
  const std::string what = std::string(incremental ? "IXFR" : "AXFR") + " of " + source.zone +
                           " from " + conn.where();
  const auto fail = [&](const std::string& why) {
    out.kind = TransferOutcome::Kind::Failed;
    out.error = what + ": " + why;
    return a;
  };
  Rdf name(ldns_dname_new_frm_str((source.zone + ".").c_str()));
  if (!name) return fail("the zone name does not parse");
  Pkt query;
  if (incremental) {
    ldns_rr* soa = nullptr;
    if (ldns_rr_new_frm_str(&soa, zone.soa_line().c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK)
      return fail("the copy's SOA does not parse");
    query.reset(ldns_pkt_ixfr_request_new(ldns_rdf_clone(name.get()), LDNS_RR_CLASS_IN, 0, soa));
  } else {
    query.reset(
        ldns_pkt_query_new(ldns_rdf_clone(name.get()), LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0));
  }
  if (!query) return fail("cannot build the query");
  ldns_pkt_set_random_id(query.get());
  if (source.signed_with_tsig &&
      ldns_pkt_tsig_sign(query.get(), key_name.c_str(), secret.c_str(), 300, algorithm.c_str(),
                         nullptr) != LDNS_STATUS_OK) {
    return fail("cannot sign the query with TSIG key " + source.tsig.name);
  }
  std::uint8_t* wire = nullptr;
  std::size_t wire_size = 0;
  if (ldns_pkt2wire(&wire, query.get(), &wire_size) != LDNS_STATUS_OK) return fail("cannot encode the query");
  std::unique_ptr<std::uint8_t, decltype(&std::free)> wire_owner(wire, std::free);
  std::string error;
  if (!conn.open(error) || !conn.send_message(wire, wire_size, error)) return fail(error);

  Rdf mac(source.signed_with_tsig && ldns_pkt_tsig(query.get()) != nullptr
              ? ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(query.get()), 3))
              : nullptr);
  TransferStream stream(incremental, zone);
  std::vector<std::uint8_t> message;
  while (!stream.done()) {
    if (!conn.read_message(message, error)) return fail(error);
    out.wire_bytes += message.size() + 2;
    ++out.messages;
    if (out.wire_bytes > kMaxZoneBytes) return fail("more than 2 GiB: not a policy zone");
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, message.data(), message.size()) != LDNS_STATUS_OK)
      return fail("message " + std::to_string(out.messages) + " is not a DNS message");
    Pkt reply(raw);
    if (ldns_pkt_id(reply.get()) != ldns_pkt_id(query.get()) || !ldns_pkt_qr(reply.get()))
      return fail("message " + std::to_string(out.messages) + " is not a reply to the query");
    const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply.get());
    if (rcode != LDNS_RCODE_NOERROR) {
      const std::string tsig_error = tsig_error_text(reply.get());
      a.retry_with_axfr = incremental && (rcode == LDNS_RCODE_NOTIMPL || rcode == LDNS_RCODE_FORMERR);
      return fail("the primary answered " + rcode_text(rcode) +
                  (tsig_error.empty() ? "" : " (" + tsig_error + ")"));
    }
    if (source.signed_with_tsig) {
      const bool verified =
          out.messages == 1
              ? ldns_pkt_tsig_verify(reply.get(), message.data(), message.size(), key_name.c_str(),
                                     secret.c_str(), mac.get())
              : ldns_pkt_tsig_verify_next(reply.get(), message.data(), message.size(),
                                          key_name.c_str(), secret.c_str(), mac.get(), 1);
      if (!verified) {
        return fail("message " + std::to_string(out.messages) +
                    (ldns_pkt_tsig(reply.get()) == nullptr ? " is not signed" : "'s TSIG does not verify") +
                    " with key " + source.tsig.name + " (every message must be signed)");
      }
      mac.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(reply.get()), 3)));
    }
    const ldns_rr_list* answer = ldns_pkt_answer(reply.get());
    const std::size_t count = answer == nullptr ? 0 : ldns_rr_list_rr_count(answer);
    for (std::size_t i = 0; i < count; ++i) {
      if (!stream.record(ldns_rr_list_rr(answer, i), error)) {
        a.retry_with_axfr = incremental && stream.out_of_step();
        return fail(error);
      }
    }
    if (out.messages == 1 && stream.up_to_date(count, zone.has_soa())) {
      out.kind = TransferOutcome::Kind::UpToDate;
      return a;
    }
  }
  out.kind = stream.full() ? TransferOutcome::Kind::Full : TransferOutcome::Kind::Incremental;
  out.added = stream.added();
  out.removed = stream.removed();
  zone = std::move(stream.result());
  return a;
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
