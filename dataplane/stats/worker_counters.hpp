// WorkerCounters: what one worker counts, as plain uint64_t written by that worker only. The
// fields are the rows of the exported-statistics table (control/schema/stats.hpp), which also
// says how they add up; PortCounters is the per-port part the tx buffers update.
//
// Readers on the main lcore sum live values with add_live(): each field is a naturally aligned
// uint64_t, so an atomic relaxed load sees a whole recent value. No allocation; no locks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "control/schema/stats.hpp"

namespace takedown::dataplane {

using schema::kDecisions;
using schema::kProtocols;

struct alignas(64) WorkerCounters : schema::Counters {};

// Per port, per worker: frames received on the port and frames sent out of it (all kinds).
struct PortCounters {
  std::uint64_t rx = 0;
  std::uint64_t tx = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
};

inline std::uint64_t live(const std::uint64_t& counter) {
  return __atomic_load_n(&counter, __ATOMIC_RELAXED);
}

// Adds a running worker's counters to `into`.
inline void add_live(schema::Counters& into, const schema::Counters& from) {
  for (std::size_t row = 0; row < schema::kCounterCount; ++row)
    into.value(row) += live(from.value(row));
  for (std::size_t p = 0; p < kProtocols; ++p) {
    for (std::size_t d = 0; d < kDecisions; ++d) into.verdicts[p][d] += live(from.verdicts[p][d]);
  }
}

}  // namespace takedown::dataplane
