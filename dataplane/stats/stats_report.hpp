// The stats JSON takedownd prints on exit: totals over workers, by list, by port, the snapshot.
// The field names and how the counters add up are documented in worker_counters.hpp and the
// README. Cold path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/stats/worker_counters.hpp"

namespace takedown::dataplane {

struct PortStats {
  std::string name;
  PortCounters counters;
  std::uint64_t rx_missed = 0;  // dropped by the device: the rx ring was full
};

struct StatsInput {
  WorkerCounters totals;
  std::vector<std::string> list_names;
  std::vector<std::uint64_t> list_hits;
  std::vector<PortStats> ports;
  std::uint64_t generation = 0;
  std::uint64_t domains = 0;
  unsigned workers = 0;
  double elapsed_seconds = 0;
};

std::string stats_json(const StatsInput& in);

}  // namespace takedown::dataplane
