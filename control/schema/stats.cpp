#include "control/schema/stats.hpp"

#include <cstring>

#include "control/schema/json_writer.hpp"

namespace takedown::schema {

Counters& Counters::operator+=(const Counters& other) {
  for (std::size_t row = 0; row < kCounterCount; ++row) value(row) += other.value(row);
  for (std::size_t p = 0; p < kProtocols; ++p) {
    for (std::size_t d = 0; d < kDecisions; ++d) verdicts[p][d] += other.verdicts[p][d];
  }
  return *this;
}

std::uint64_t dropped_total(const Counters& counters) {
  std::uint64_t sum = 0;
  for (std::size_t row = 0; row < kCounterCount; ++row) {
    if (std::strcmp(kCounterRows[row].group, "dropped_by") == 0) sum += counters.value(row);
  }
  return sum;
}

void write_stats(JsonWriter& out, const Stats& stats) {
  out.begin_object();
  out.field("dropped", dropped_total(stats.totals));
  const char* group = "";
  for (std::size_t row = 0; row < kCounterCount; ++row) {
    const CounterRow& r = kCounterRows[row];
    if (r.key[0] == '\0') continue;
    if (std::strcmp(r.group, group) != 0) {
      if (group[0] != '\0') out.end_object();
      group = r.group;
      if (group[0] != '\0') out.key(group).begin_object();
    }
    out.field(r.key, stats.totals.value(row));
  }
  if (group[0] != '\0') out.end_object();
  out.key("lists").begin_object();
  for (const ListHits& l : stats.lists) out.field(l.name, l.hits);
  out.end_object();
  out.key("snapshot").begin_object();
  out.field("generation", stats.generation).field("domains", stats.domains);
  out.end_object();
  out.key("ports").begin_object();
  for (const PortStats& p : stats.ports) {
    out.key(p.name).begin_object();
    out.field("rx", p.rx).field("tx", p.tx).field("rx_missed", p.rx_missed);
    out.end_object();
  }
  out.end_object();
  out.field("workers", stats.workers);
  out.field("elapsed_seconds", stats.elapsed_seconds, 3);
  out.end_object();
}

std::string stats_json(const Stats& stats) {
  JsonWriter out;
  write_stats(out, stats);
  return out.take();
}

}  // namespace takedown::schema
