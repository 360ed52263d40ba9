#include "dataplane/events/event_log.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "control/cli/cli_output.hpp"
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
    case EventOutcome::Reset:
      return "reset";
    case EventOutcome::Dropped:
      return "dropped";
    case EventOutcome::Forwarded:
      return "forwarded";
  }
  return "?";
}

void number(std::string& out, const char* key, std::uint64_t value) {
  out += ", \"";
  out += key;
  out += "\": ";
  out += std::to_string(value);
}

void text(std::string& out, const char* key, std::string_view value) {
  out += ", \"";
  out += key;
  out += "\": ";
  control::append_json_string(out, value);
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
      std::fwrite(line_.data(), 1, line_.size(), file_);
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
  line_ = "{\"timestamp\": \"";
  line_ += stamp;
  line_ += "\", \"event_type\": \"takedown\"";
  text(line_, "in_iface", e.port < ports.size() ? ports[e.port] : std::string_view("?"));
  if (e.vlan_count != 0) {
    line_ += ", \"vlan\": [" + std::to_string(e.vlan[0] & 0x0FFF);
    if (e.vlan_count > 1) line_ += ", " + std::to_string(e.vlan[1] & 0x0FFF);
    line_ += "]";
  }
  char address[INET6_ADDRSTRLEN];
  const int family = e.ip_version == 6 ? AF_INET6 : AF_INET;
  text(line_, "src_ip", inet_ntop(family, e.src_ip, address, sizeof address));
  number(line_, "src_port", e.src_port);
  text(line_, "dest_ip", inet_ntop(family, e.dst_ip, address, sizeof address));
  number(line_, "dest_port", e.dst_port);
  text(line_, "proto", e.l4_protocol == 6 ? "TCP" : "UDP");
  const auto protocol = static_cast<filters::Protocol>(e.protocol);
  text(line_, "app_proto", filters::to_string(protocol));
  const std::string_view name(e.name, e.name_length);
  if (protocol == filters::Protocol::Dns) {
    line_ += ", \"dns\": {\"rrname\": ";
    control::append_json_string(line_, name);
    const std::string_view type = rrtype(e.qtype);
    if (!type.empty()) {
      text(line_, "rrtype", type);
    } else {
      number(line_, "rrtype", e.qtype);
    }
    line_ += "}";
  } else if (protocol == filters::Protocol::Http) {
    line_ += ", \"http\": {\"hostname\": ";
    control::append_json_string(line_, name);
    text(line_, "url", std::string_view(e.path, e.path_length));
    line_ += "}";
  } else if (protocol == filters::Protocol::Tls) {
    line_ += ", \"tls\": {\"sni\": ";
    control::append_json_string(line_, name);
    line_ += "}";
  }
  line_ += ", \"takedown\": {\"action\": ";
  control::append_json_string(line_,
                              filters::to_string(static_cast<filters::Decision>(e.decision)));
  text(line_, "outcome", outcome_text(e.outcome));
  if (protocol == filters::Protocol::Dns && e.l4_protocol == 17 &&
      e.decision == static_cast<std::uint8_t>(filters::Decision::Block)) {
    text(line_, "response", filters::to_string(static_cast<filters::DnsResponse>(e.response)));
  }
  const auto [list, source] = lists(e.generation, e.list);
  text(line_, "list", list);
  text(line_, "source",
       source.empty() ? std::string() : source + ":" + std::to_string(e.rule_line));
  number(line_, "generation", e.generation);
  line_ += "}}\n";
}

}  // namespace takedown::dataplane
