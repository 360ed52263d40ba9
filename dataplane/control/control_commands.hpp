// ControlCommands: what the control socket answers. Requests are JSON objects, one per line:
//
//   {"command": "load", "snapshot": "/var/lib/takedown/takedown-1764000000000.snap"}
//   {"command": "stats"}
//   {"command": "status"}
//
// Replies are one JSON object each, with "ok": true or "ok": false and an "error" saying why:
// load -> generation, domains, lists, verify_us, prepare_us, swap_us (a snapshot that fails to
// verify is refused and the running one stays, its generation in the reply); stats -> "stats":
// the stats object of the exit report; status -> version, pid, uptime, generation, the snapshot's
// origin and size and the lists. Main lcore only.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "dataplane/control/snapshot_registry.hpp"

namespace takedown::dataplane {

class ControlCommands {
 public:
  using StatsJson = std::function<std::string()>;

  ControlCommands(SnapshotRegistry& registry, StatsJson stats)
      : registry_(registry), stats_(std::move(stats)), started_(std::chrono::steady_clock::now()) {}

  std::string handle(std::string_view request);

 private:
  std::string load(const std::string& path);
  std::string status() const;

  SnapshotRegistry& registry_;
  StatsJson stats_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace takedown::dataplane
