// EventLog: the main lcore's side of the event log. Drains the workers' EventRings and writes one
// JSON line per event, with Suricata EVE field names where one exists, so EVE pipelines ingest it:
//
//   {"timestamp": "2026-11-25T05:06:47.123456+0000", "event_type": "takedown", "in_iface":
//   "client",
//    "vlan": [100], "src_ip": "10.0.0.7", "src_port": 40000, "dest_ip": "192.0.2.53",
//    "dest_port": 53, "proto": "UDP", "app_proto": "dns", "dns": {"rrname": "scam.example",
//    "rrtype": "A"}, "takedown": {"action": "block", "outcome": "answered", "response": "nxdomain",
//    "ede": 15, "list": "takedown-66k", "source": "conf/lists/takedown-66k.txt:699",
//    "generation": 3}}
//
// "outcome" is what was sent: answered (a DNS answer over UDP), answered_tcp (one inside the
// query's TCP stream), http_page (the block page; with "http_status": 403 or 302), reset,
// dropped, or forwarded (log decisions). DNS answers carry "response" and, when the query had
// EDNS, the "ede" INFO-CODE. HTTP events carry "http": {"hostname", "url"}, TLS events "tls": {"sni"}. reopen() (on SIGHUP)
// closes and reopens the file, for logrotate. Cold path; main lcore only.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/schema/json_writer.hpp"
#include "dataplane/events/event_ring.hpp"
#include "filters/common/result.hpp"

namespace takedown::dataplane {

struct EventClock {
  std::uint64_t tsc = 0;    // a TSC reading ...
  double unix_seconds = 0;  // ... and the wall time it was taken at
  std::uint64_t hz = 1;
};

// (list name, its source file) for a list index of a snapshot generation; empty when unknown.
using ListLookup = std::function<std::pair<std::string, std::string>(std::uint64_t generation,
                                                                     std::uint16_t list)>;

class EventLog {
 public:
  static Result<std::unique_ptr<EventLog>> open(const std::string& path);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Writes what the rings hold; returns how many events.
  std::size_t drain(const std::vector<EventRing*>& rings, const std::vector<std::string>& ports,
                    const EventClock& clock, const ListLookup& lists);
  Result<bool> reopen();
  std::uint64_t written() const { return written_; }

 private:
  EventLog(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  void format(const BlockEvent& e, const std::vector<std::string>& ports, const EventClock& clock,
              const ListLookup& lists);

  std::string path_;
  std::FILE* file_;
  schema::JsonWriter line_;
  std::uint64_t written_ = 0;
};

}  // namespace takedown::dataplane
