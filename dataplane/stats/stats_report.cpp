#include "dataplane/stats/stats_report.hpp"

#include <cstdio>

#include "control/cli/cli_output.hpp"

namespace takedown::dataplane {

namespace {

void field(std::string& out, const char* name, std::uint64_t value, bool last = false) {
  out += '"';
  out += name;
  out += "\": ";
  out += std::to_string(value);
  if (!last) out += ", ";
}

}  // namespace

std::string stats_json(const StatsInput& in) {
  const WorkerCounters& c = in.totals;
  const std::uint64_t dropped = c.answered + c.reset + c.blocked_drop + c.malformed_drop;
  std::string out = "{";
  field(out, "rx_packets", c.rx_packets);
  field(out, "tx_packets", c.tx_packets);
  field(out, "dropped", dropped);
  field(out, "tx_errors", c.tx_errors);
  out += "\"dropped_by\": {";
  field(out, "answered", c.answered);
  field(out, "reset", c.reset);
  field(out, "blocked_drop", c.blocked_drop);
  field(out, "malformed", c.malformed_drop, true);
  out += "}, ";
  field(out, "responses_sent", c.responses_sent);
  field(out, "resets_sent", c.resets_sent);
  field(out, "reply_errors", c.reply_errors);
  out += "\"blocked\": {";
  field(out, "dns", c.blocked_dns);
  field(out, "http", c.blocked_http);
  field(out, "tls", c.blocked_tls, true);
  out += "}, ";
  field(out, "allowed", c.allowed);
  field(out, "logged", c.logged);
  field(out, "passed", c.passed);
  field(out, "malformed", c.malformed);
  field(out, "truncated", c.truncated);
  out += "\"extracted\": {";
  field(out, "dns", c.extracted_dns);
  field(out, "http", c.extracted_http);
  field(out, "tls", c.extracted_tls, true);
  out += "}, \"events\": {";
  field(out, "written", in.events_written);
  field(out, "dropped", c.events_dropped);
  field(out, "rate_limited", c.events_rate_limited, true);
  out += "}, \"lists\": {";
  for (std::size_t i = 0; i < in.list_names.size(); ++i) {
    if (i != 0) out += ", ";
    control::append_json_string(out, in.list_names[i]);
    out += ": " + std::to_string(i < in.list_hits.size() ? in.list_hits[i] : 0);
  }
  out += "}, \"snapshot\": {";
  field(out, "generation", in.generation);
  field(out, "domains", in.domains, true);
  out += "}, \"ports\": {";
  for (std::size_t i = 0; i < in.ports.size(); ++i) {
    if (i != 0) out += ", ";
    control::append_json_string(out, in.ports[i].name);
    out += ": {";
    field(out, "rx", in.ports[i].counters.rx);
    field(out, "tx", in.ports[i].counters.tx);
    field(out, "rx_missed", in.ports[i].rx_missed, true);
    out += "}";
  }
  out += "}, ";
  field(out, "bursts", c.bursts);
  field(out, "workers", in.workers);
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.3f", in.elapsed_seconds);
  out += "\"elapsed_seconds\": ";
  out += elapsed;
  out += "}";
  return out;
}

}  // namespace takedown::dataplane
