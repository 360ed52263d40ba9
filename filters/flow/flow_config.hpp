// FlowConfig: the `flows:` section, the sizes and timeouts of one worker's flow table. Every
// figure is fixed at start-up; the table never grows. Defaults fit a 10 GbE port with headroom:
// 65,536 flows of 88 bytes and 4,096 gathering buffers of 4 KiB plus their bitmaps take about
// 25 MiB per worker. The schema (control/schema/config.cpp) reads and checks it. Plain value.
#pragma once

#include <cstdint>

#include "filters/common/enum_text.hpp"
#include "filters/flow/stream_gather.hpp"

namespace takedown::filters {

// What happens to a QUIC Initial that would take this worker past its decryption budget.
#define TAKEDOWN_OVER_BUDGET_POLICIES(X) \
  X(Drop, "drop")                        \
  X(Forward, "forward")

TAKEDOWN_ENUM(OverBudgetPolicy, TAKEDOWN_OVER_BUDGET_POLICIES)

struct FlowConfig {
  static constexpr std::uint32_t kMinFlows = 64;
  static constexpr std::uint32_t kMaxFlows = 1u << 24;
  static constexpr std::uint32_t kMinReassemblyBytes = 512;
  static constexpr std::uint32_t kMaxReassemblyBytes = 65536;

  std::uint32_t per_worker = 65536;       // flow table entries per worker
  std::uint32_t reassembly_flows = 4096;  // flows a worker gathers bytes for at once
  std::uint32_t reassembly_bytes = 4096;  // the first bytes of a flow gathered, at most
  std::uint32_t reassembly_timeout_ms = 5000;
  std::uint32_t blocked_timeout_ms = 120000;
  OverlapPolicy overlap = OverlapPolicy::First;
  // Per worker; 0: no limit. An Initial of a new flow costs about 1.5 us (flow_bench), so 50,000
  // a second hold a flood of junk Initials to under a tenth of the worker.
  std::uint32_t quic_decrypts_per_second = 50000;
  // A QUIC flow's Initials that leave its name incomplete are held by the data plane until the
  // name is (then forwarded before it, or dropped with it) or for this long (then forwarded):
  // a blocked name's Initials never reach the server. 0: forward them at once, as for TCP.
  std::uint32_t quic_hold_ms = 20;
  OverBudgetPolicy quic_over_budget = OverBudgetPolicy::Drop;
};

}  // namespace takedown::filters
