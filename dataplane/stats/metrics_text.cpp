#include "dataplane/stats/metrics_text.hpp"

#include <cstdio>

#include "filters/extract/name_extractor.hpp"
#include "filters/match/verdict.hpp"

namespace takedown::dataplane {

namespace {

class Exposition {
 public:
  // A metric family: HELP and TYPE once, then its samples.
  void family(const char* name, const char* type, const char* help) {
    name_ = name;
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(double value, const std::string& labels = "") {
    char number[64];
    std::snprintf(number, sizeof number, "%.17g", value);
    out_ += name_;
    if (!labels.empty()) out_ += "{" + labels + "}";
    out_ += ' ';
    out_ += number;
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  const char* name_ = "";
};

// A label value with \, " and newline escaped, quoted.
std::string label(const char* key, std::string_view value) {
  std::string out = key;
  out += "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string prometheus_text(const StatsInput& in) {
  const WorkerCounters& c = in.totals;
  Exposition e;
  for (const bool bytes : {false, true}) {
    e.family(bytes ? "takedown_bytes_total" : "takedown_packets_total", "counter",
             bytes ? "Bytes received and sent, per port." : "Frames received and sent, per port.");
    for (const auto& p : in.ports) {
      const PortCounters& c = p.counters;
      e.sample(static_cast<double>(bytes ? c.rx_bytes : c.rx),
               label("port", p.name) + "," + label("direction", "rx"));
      e.sample(static_cast<double>(bytes ? c.tx_bytes : c.tx),
               label("port", p.name) + "," + label("direction", "tx"));
    }
  }
  e.family("takedown_rx_missed_total", "counter",
           "Frames the device dropped because its rx ring was full.");
  for (const auto& p : in.ports) e.sample(static_cast<double>(p.rx_missed), label("port", p.name));
  e.family("takedown_verdicts_total", "counter",
           "Frames by the protocol their name came from (none: no name) and the decision.");
  for (std::size_t p = 0; p < kProtocols; ++p) {
    for (std::size_t d = 0; d < kDecisions; ++d) {
      const auto protocol = filters::to_string(static_cast<filters::Protocol>(p));
      const auto decision = filters::to_string(static_cast<filters::Decision>(d));
      e.sample(static_cast<double>(c.verdicts[p][d]),
               label("protocol", protocol) + "," + label("action", decision));
    }
  }
  e.family("takedown_list_hits_total", "counter",
           "Decided matches per list, over every snapshot generation.");
  for (std::size_t l = 0; l < in.list_names.size(); ++l) {
    e.sample(static_cast<double>(l < in.list_hits.size() ? in.list_hits[l] : 0),
             label("list", in.list_names[l]));
  }
  e.family("takedown_dropped_total", "counter",
           "Frames not forwarded because of a verdict, by what became of them.");
  e.sample(static_cast<double>(c.answered), label("reason", "answered"));
  e.sample(static_cast<double>(c.reset), label("reason", "reset"));
  e.sample(static_cast<double>(c.blocked_drop), label("reason", "blocked_drop"));
  e.sample(static_cast<double>(c.malformed_drop), label("reason", "malformed"));
  e.family("takedown_replies_total", "counter", "DNS answers and TCP resets sent.");
  e.sample(static_cast<double>(c.responses_sent), label("kind", "dns_answer"));
  e.sample(static_cast<double>(c.resets_sent), label("kind", "tcp_reset"));
  e.family("takedown_tx_errors_total", "counter",
           "Frames the tx ring refused (forwarded originals).");
  e.sample(static_cast<double>(c.tx_errors));
  e.family("takedown_reply_errors_total", "counter",
           "Replies that found no mbuf or that the tx ring refused.");
  e.sample(static_cast<double>(c.reply_errors));
  e.family("takedown_malformed_total", "counter",
           "Frames a decoder or parser found malformed, by reason.");
  for (const auto& r : in.reasons) {
    if (r.malformed != 0) e.sample(static_cast<double>(r.malformed), label("reason", r.reason));
  }
  e.family("takedown_truncated_total", "counter",
           "Frames a decoder or parser found cut short, by reason.");
  for (const auto& r : in.reasons) {
    if (r.truncated != 0) e.sample(static_cast<double>(r.truncated), label("reason", r.reason));
  }
  e.family("takedown_events_total", "counter",
           "Event log records: written, dropped (ring full), rate limited.");
  e.sample(static_cast<double>(in.events_written), label("outcome", "written"));
  e.sample(static_cast<double>(c.events_dropped), label("outcome", "dropped"));
  e.sample(static_cast<double>(c.events_rate_limited), label("outcome", "rate_limited"));
  e.family("takedown_snapshot_generation", "gauge",
           "Generation of the snapshot in use (1 at start-up).");
  e.sample(static_cast<double>(in.generation));
  e.family("takedown_snapshot_domains", "gauge", "Distinct domains in the snapshot in use.");
  e.sample(static_cast<double>(in.domains));
  e.family("takedown_snapshot_loaded_timestamp_seconds", "gauge",
           "When the snapshot in use was published.");
  e.sample(in.reloads.last_load_unix);
  e.family("takedown_reloads_total", "counter", "Snapshots loaded after the first one.");
  e.sample(static_cast<double>(in.reloads.loads));
  e.family("takedown_reload_failures_total", "counter",
           "Snapshots refused (corrupt, truncated, wrong version).");
  e.sample(static_cast<double>(in.reloads.failures));
  e.family("takedown_reload_last_compile_seconds", "gauge",
           "Compile time of the last reload, as takedownctl reported it.");
  e.sample(in.reloads.last_compile_ms / 1e3);
  e.family("takedown_reload_last_verify_seconds", "gauge",
           "Read, verify and map time of the last load.");
  e.sample(in.reloads.last_verify_us / 1e6);
  e.family("takedown_reload_last_swap_seconds", "gauge",
           "Pointer store plus RCU grace period of the last load.");
  e.sample(in.reloads.last_swap_us / 1e6);
  e.family("takedown_worker_busy_ratio", "gauge",
           "Share of a worker's poll time spent in rounds that received frames.");
  for (std::size_t w = 0; w < in.worker_load.size(); ++w) {
    const WorkerLoad& l = in.worker_load[w];
    e.sample(l.polled_cycles == 0
                 ? 0.0
                 : static_cast<double>(l.busy_cycles) / static_cast<double>(l.polled_cycles),
             label("worker", std::to_string(w)));
  }
  e.family("takedown_uptime_seconds", "gauge", "Seconds since the workers started.");
  e.sample(in.elapsed_seconds);
  return e.take();
}

}  // namespace takedown::dataplane
