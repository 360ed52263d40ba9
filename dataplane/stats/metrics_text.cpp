#include "dataplane/stats/metrics_text.hpp"

#include <algorithm>
#include <cstdio>

#include "filters/extract/name_extractor.hpp"
#include "filters/match/verdict.hpp"

namespace takedown::dataplane {

namespace {

using schema::MetricFamily;

class Exposition {
 public:
  // A metric family: HELP and TYPE once, then its samples.
  void family(const schema::FamilyRow& row) {
    name_ = row.name;
    out_ += "# HELP ";
    out_ += row.name;
    out_ += ' ';
    out_ += row.help;
    out_ += "\n# TYPE ";
    out_ += row.name;
    out_ += row.type == schema::MetricType::Counter ? " counter\n" : " gauge\n";
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
  void sample(std::uint64_t value, const std::string& labels = "") {
    sample(static_cast<double>(value), labels);
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

// The samples of a family the counter table feeds: one per row naming it.
void counter_samples(Exposition& e, const schema::FamilyRow& family, const schema::Counters& c) {
  for (std::size_t row = 0; row < schema::kCounterCount; ++row) {
    const schema::CounterRow& r = schema::kCounterRows[row];
    if (r.family != family.id) continue;
    e.sample(c.value(row), r.label[0] == '\0' ? "" : label(family.label_key, r.label));
  }
}

void port_samples(Exposition& e, const schema::Stats& in, bool bytes) {
  for (const auto& p : in.ports) {
    e.sample(bytes ? p.rx_bytes : p.rx, label("port", p.name) + "," + label("direction", "rx"));
    e.sample(bytes ? p.tx_bytes : p.tx, label("port", p.name) + "," + label("direction", "tx"));
  }
}

}  // namespace

std::string prometheus_text(const schema::Stats& in) {
  const schema::Counters& c = in.totals;
  Exposition e;
  for (const schema::FamilyRow& family : schema::kFamilyRows) {
    e.family(family);
    switch (family.id) {
      case MetricFamily::Packets:
        port_samples(e, in, false);
        break;
      case MetricFamily::Bytes:
        port_samples(e, in, true);
        break;
      case MetricFamily::RxMissed:
        for (const auto& p : in.ports) e.sample(p.rx_missed, label("port", p.name));
        break;
      case MetricFamily::Verdicts:
        for (std::size_t p = 0; p < schema::kProtocols; ++p) {
          for (std::size_t d = 0; d < schema::kDecisions; ++d) {
            const auto protocol = filters::to_string(static_cast<filters::Protocol>(p));
            const auto decision = filters::to_string(static_cast<filters::Decision>(d));
            e.sample(c.verdicts[p][d],
                     label("protocol", protocol) + "," + label("action", decision));
          }
        }
        break;
      case MetricFamily::ListHits:
        for (const auto& l : in.lists) e.sample(l.hits, label("list", l.name));
        break;
      case MetricFamily::Malformed:
      case MetricFamily::Truncated:
        for (const auto& r : in.reasons) {
          const std::uint64_t n = family.id == MetricFamily::Malformed ? r.malformed : r.truncated;
          if (n != 0) e.sample(n, label("reason", r.reason));
        }
        break;
      case MetricFamily::SnapshotGeneration:
        e.sample(in.generation);
        break;
      case MetricFamily::SnapshotDomains:
        e.sample(in.domains);
        break;
      case MetricFamily::SnapshotLoaded:
        e.sample(in.reloads.last_load_unix);
        break;
      case MetricFamily::Reloads:
        e.sample(in.reloads.loads);
        break;
      case MetricFamily::ReloadFailures:
        e.sample(in.reloads.failures);
        break;
      case MetricFamily::ReloadLastCompile:
        e.sample(in.reloads.last_compile_ms / 1e3);
        break;
      case MetricFamily::ReloadLastVerify:
        e.sample(in.reloads.last_verify_us / 1e6);
        break;
      case MetricFamily::ReloadLastSwap:
        e.sample(in.reloads.last_swap_us / 1e6);
        break;
      case MetricFamily::GraceTimeouts:
        e.sample(in.reloads.grace_timeouts);
        break;
      case MetricFamily::RetiredPending:
        e.sample(in.reloads.retired_pending);
        break;
      case MetricFamily::WorkerLagging:
        for (std::size_t w = 0; w < in.worker_load.size(); ++w) {
          e.sample(in.worker_load[w].lagging ? 1.0 : 0.0, label("worker", std::to_string(w)));
        }
        break;
      case MetricFamily::WorkerBusy:
        for (std::size_t w = 0; w < in.worker_load.size(); ++w) {
          const schema::WorkerLoad& l = in.worker_load[w];
          e.sample(l.polled_cycles == 0
                       ? 0.0
                       : static_cast<double>(l.busy_cycles) / static_cast<double>(l.polled_cycles),
                   label("worker", std::to_string(w)));
        }
        break;
      case MetricFamily::SourceAge:
        for (const auto& src : in.sources) {
          if (src.last_success_unix > 0)
            e.sample(std::max(0.0, in.now_unix - src.last_success_unix), label("list", src.list));
        }
        break;
      case MetricFamily::SourceSuccess:
        for (const auto& src : in.sources) e.sample(src.last_success_unix, label("list", src.list));
        break;
      case MetricFamily::SourceFailures:
        for (const auto& src : in.sources) e.sample(src.failures, label("list", src.list));
        break;
      case MetricFamily::SourceUp:
        for (const auto& src : in.sources)
          e.sample(src.consecutive_failures == 0 ? 1.0 : 0.0, label("list", src.list));
        break;
      case MetricFamily::SourceEntries:
        for (const auto& src : in.sources) e.sample(src.entries, label("list", src.list));
        break;
      case MetricFamily::SourceSerial:
        for (const auto& src : in.sources) {
          if (src.has_serial) e.sample(src.serial, label("list", src.list));
        }
        break;
      case MetricFamily::SourceExpired:
        for (const auto& src : in.sources) {
          if (src.kind == "transfer") e.sample(src.expired ? 1.0 : 0.0, label("list", src.list));
        }
        break;
      case MetricFamily::Uptime:
        e.sample(in.elapsed_seconds);
        break;
      default:
        counter_samples(e, family, c);
        break;
    }
  }
  return e.take();
}

}  // namespace takedown::dataplane
