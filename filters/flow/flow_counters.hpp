// FlowCounters: what one FlowTracker counts. Plain uint64_t written by its owner only; the data
// plane copies them into its exported counters (control/schema/stats.hpp) once per poll round.
#pragma once

#include <cstdint>

namespace takedown::filters {

struct FlowCounters {
  std::uint64_t active = 0;      // entries in use now
  std::uint64_t created = 0;     // entries made
  std::uint64_t evicted = 0;     // entries pushed out for a newer one before they timed out
  std::uint64_t timed_out = 0;   // entries removed after their timeout
  std::uint64_t reassembled = 0;       // names that needed bytes from more than one packet
  std::uint64_t abandoned = 0;         // gathering that stopped without a name
  std::uint64_t overlap_conflicts = 0; // overlapping pieces whose bytes differed
  std::uint64_t flow_verdicts = 0;     // packets given a blocked flow's verdict without inspection
  std::uint64_t quic_decrypted = 0;    // Initials whose protection was removed
  std::uint64_t quic_failed = 0;       // Initials that would not decrypt or parse
  std::uint64_t quic_over_budget = 0;  // Initials past the decryption budget
};

}  // namespace takedown::filters
