// WorkerCounters: what one worker counts, as plain uint64_t written by that worker only.
//
// One table (TAKEDOWN_WORKER_COUNTERS) lists every counter once: the struct, the sum over
// workers and the stats report all expand it, so they cannot drift. How they add up (tested by the
// data-plane tests):
//
//   rx_packets     = tx_packets + dropped + tx_errors
//   dropped        = answered + reset + blocked_drop + malformed_drop
//   blocked_dns + blocked_http + blocked_tls = answered + reset + blocked_drop
//   ports' tx      = tx_packets + responses_sent + resets_sent
//
// tx_packets counts forwarded originals only. An answered query is received and "dropped" as a
// query (answered); its answer counts in responses_sent. A reset segment counts in `reset`; its
// two RSTs count in resets_sent. Replies the tx ring refuses, or that find no mbuf, count in
// reply_errors, never in tx_errors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace takedown::dataplane {

#define TAKEDOWN_WORKER_COUNTERS(X) \
  X(rx_packets)                     \
  X(tx_packets)                     \
  X(tx_errors)                      \
  X(answered)                       \
  X(reset)                          \
  X(blocked_drop)                   \
  X(malformed_drop)                 \
  X(responses_sent)                 \
  X(resets_sent)                    \
  X(reply_errors)                   \
  X(blocked_dns)                    \
  X(blocked_http)                   \
  X(blocked_tls)                    \
  X(extracted_dns)                  \
  X(extracted_http)                 \
  X(extracted_tls)                  \
  X(allowed)                        \
  X(logged)                         \
  X(passed)                         \
  X(malformed)                      \
  X(truncated)                      \
  X(bursts)                         \
  X(events_dropped)                 \
  X(events_rate_limited)            \
  X(busy_cycles)                    \
  X(polled_cycles)

// Verdicts by the protocol a name came from and the decision (filters::Protocol x Decision).
inline constexpr std::size_t kProtocols = 4;
inline constexpr std::size_t kDecisions = 5;

struct alignas(64) WorkerCounters {
#define TAKEDOWN_X(field) std::uint64_t field = 0;
  TAKEDOWN_WORKER_COUNTERS(TAKEDOWN_X)
#undef TAKEDOWN_X
  std::uint64_t verdicts[kProtocols][kDecisions] = {};

  WorkerCounters& operator+=(const WorkerCounters& other) {
#define TAKEDOWN_X(field) field += other.field;
    TAKEDOWN_WORKER_COUNTERS(TAKEDOWN_X)
#undef TAKEDOWN_X
    for (std::size_t p = 0; p < kProtocols; ++p) {
      for (std::size_t d = 0; d < kDecisions; ++d) verdicts[p][d] += other.verdicts[p][d];
    }
    return *this;
  }
};

// Per port, per worker: frames received on the port and frames sent out of it (all kinds).
struct PortCounters {
  std::uint64_t rx = 0;
  std::uint64_t tx = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
};

}  // namespace takedown::dataplane
