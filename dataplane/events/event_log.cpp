#include "dataplane/events/event_log.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "filters/extract/name_extractor.hpp"
#include "filters/match/policy.hpp"
#include "filters/match/verdict.hpp"

namespace takedown::dataplane {

namespace {

std::string_view rrtype(std::uint16_t qtype) {
  switch (qtype) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 255:
      return "ANY";
    default:
      return {};
  }
}

std::string_view outcome_text(EventOutcome o) {
  switch (o) {
    case EventOutcome::Answered:
      return "answered";
    case EventOutcome::AnsweredTcp:
      return "answered_tcp";
    case EventOutcome::Page:
      return "http_page";
    case EventOutcome::Reset:
      return "reset";
    case EventOutcome::Dropped:
      return "dropped";
    case EventOutcome::Forwarded:
      return "forwarded";
  }
  return "?";
}

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr)
    return make_error("events.path " + path + ": cannot open: " + std::strerror(errno));
  return std::unique_ptr<EventLog>(new EventLog(path, file));
}

EventLog::~EventLog() { std::fclose(file_); }

Result<bool> EventLog::reopen() {
  std::FILE* file = std::fopen(path_.c_str(), "a");
  if (file == nullptr)
    return make_error("events.path " + path_ + ": cannot reopen: " + std::strerror(errno));
  std::fclose(file_);
  file_ = file;
  return true;
}

std::size_t EventLog::drain(const std::vector<EventRing*>& rings,
                            const std::vector<std::string>& ports, const EventClock& clock,
                            const ListLookup& lists) {
  std::size_t n = 0;
  for (EventRing* ring : rings) {
    n += ring->drain([&](const BlockEvent& e) {
      format(e, ports, clock, lists);
      std::fwrite(line_.text().data(), 1, line_.text().size(), file_);
      std::fputc('\n', file_);
    });
  }
  if (n != 0) std::fflush(file_);
  written_ += n;
  return n;
}

void EventLog::format(const BlockEvent& e, const std::vector<std::string>& ports,
                      const EventClock& clock, const ListLookup& lists) {
  const double when =
      clock.unix_seconds +
      (static_cast<double>(e.tsc) - static_cast<double>(clock.tsc)) / static_cast<double>(clock.hz);
  const auto seconds = static_cast<std::time_t>(std::floor(when));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];
  const std::size_t used = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(stamp + used, sizeof stamp - used, ".%06d+0000",
                static_cast<int>((when - std::floor(when)) * 1e6));
  line_.clear();
  line_.begin_object().field("timestamp", stamp).field("event_type", "takedown");
  line_.field("in_iface", e.port < ports.size() ? std::string_view(ports[e.port]) : "?");
  if (e.vlan_count != 0) {
    line_.key("vlan").begin_array();
    for (std::uint8_t v = 0; v < e.vlan_count && v < 2; ++v) line_.value(e.vlan[v] & 0x0FFF);
    line_.end_array();
  }
  // The wrappers the packet came in, outermost first: [{"pppoe":4660},{"gre":null}].
  if (e.wrapper_count != 0) {
    line_.key("wrappers").begin_array();
    for (std::uint8_t w = 0; w < e.wrapper_count && w < BlockEvent::kMaxWrappers; ++w) {
      line_.begin_object().key(filters::to_string(static_cast<filters::WrapperKind>(e.wrapper_kind[w])));
      if (e.wrapper_has_id[w] != 0) {
        line_.value(static_cast<std::uint64_t>(e.wrapper_id[w]));
      } else {
        line_.raw("null");
      }
      line_.end_object();
    }
    line_.end_array();
  }
  char address[INET6_ADDRSTRLEN];
  const int family = e.ip_version == 6 ? AF_INET6 : AF_INET;
  line_.field("src_ip", inet_ntop(family, e.src_ip, address, sizeof address));
  line_.field("src_port", e.src_port);
  line_.field("dest_ip", inet_ntop(family, e.dst_ip, address, sizeof address));
  line_.field("dest_port", e.dst_port);
  line_.field("proto", e.l4_protocol == 6 ? "TCP" : "UDP");
  const auto protocol = static_cast<filters::Protocol>(e.protocol);
  line_.field("app_proto", filters::to_string(protocol));
  const std::string_view name(e.name, e.name_length);
  if (protocol == filters::Protocol::Dns) {
    line_.key("dns").begin_object().field("rrname", name);
    const std::string_view type = rrtype(e.qtype);
    if (!type.empty()) {
      line_.field("rrtype", type);
    } else {
      line_.field("rrtype", e.qtype);
    }
    line_.end_object();
  } else if (protocol == filters::Protocol::Http) {
    line_.key("http").begin_object().field("hostname", name);
    line_.field("url", std::string_view(e.path, e.path_length)).end_object();
  } else if (protocol == filters::Protocol::Tls) {
    line_.key("tls").begin_object().field("sni", name).end_object();
  } else if (protocol == filters::Protocol::Quic) {
    // EVE's shape for QUIC: the SNI under "quic".
    line_.key("quic").begin_object().field("sni", name).end_object();
  }
  line_.key("takedown").begin_object();
  line_.field("action", filters::to_string(static_cast<filters::Decision>(e.decision)));
  line_.field("outcome", outcome_text(e.outcome));
  if (protocol == filters::Protocol::Dns &&
      e.decision == static_cast<std::uint8_t>(filters::Decision::Block) &&
      (e.l4_protocol == 17 || e.outcome == EventOutcome::AnsweredTcp)) {
    line_.field("response", filters::to_string(static_cast<filters::DnsResponse>(e.response)));
  }
  if (e.outcome == EventOutcome::Answered || e.outcome == EventOutcome::AnsweredTcp) {
    if (e.ede != 0) line_.field("ede", static_cast<std::uint64_t>(e.ede));
  }
  if (e.outcome == EventOutcome::Page) line_.field("http_status", static_cast<std::uint64_t>(e.http_status));
  const auto [list, source] = lists(e.generation, e.list);
  line_.field("list", list);
  line_.field("source",
              source.empty() ? std::string() : source + ":" + std::to_string(e.rule_line));
  line_.field("generation", e.generation);
  line_.end_object().end_object();
}

}  // namespace takedown::dataplane
