// DPDK telemetry commands: /takedown/stats, /takedown/lists and /takedown/snapshot, next to the
// ethdev commands in `dpdk-telemetry.py`.
//
// Telemetry callbacks run on EAL's telemetry thread, not the main lcore, so they read a copy of
// the stats that the main lcore publishes (publish_telemetry(), a few times a second) under a
// mutex; neither side ever waits on a worker. Register once, after rte_eal_init(). Telemetry keys
// allow only letters, digits, '_' and '/': other characters in list names become '_'.
#pragma once

#include <string>

#include "control/schema/stats.hpp"

namespace takedown::dataplane {

struct TelemetrySnapshot {
  std::string origin;  // where the snapshot in use came from
};

void register_telemetry();
// The main lcore hands over the latest stats and snapshot facts.
void publish_telemetry(const schema::Stats& stats, const TelemetrySnapshot& snapshot);

}  // namespace takedown::dataplane
