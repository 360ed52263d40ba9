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

struct WorkerLoad {
  std::uint64_t busy_cycles = 0;    // poll rounds that received something
  std::uint64_t polled_cycles = 0;  // all poll rounds
};

struct ReloadFigures {
  std::uint64_t loads = 0;
  std::uint64_t failures = 0;
  double last_verify_us = 0;
  double last_swap_us = 0;
  double last_compile_ms = 0;
  double last_load_unix = 0;
};

struct ReasonCount {
  std::string reason;
  std::uint64_t malformed = 0;
  std::uint64_t truncated = 0;
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
  std::vector<WorkerLoad> worker_load;  // one per worker, for the metrics
  std::uint64_t events_written = 0;     // lines the event log wrote
  std::vector<ReasonCount> reasons;     // malformed and truncated frames by reason
  ReloadFigures reloads;
};

std::string stats_json(const StatsInput& in);

}  // namespace takedown::dataplane
