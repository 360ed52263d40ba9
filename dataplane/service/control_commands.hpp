// ControlCommands: what the control socket answers. Each request line is decoded and each reply
// encoded by the typed messages of control/schema/control_messages.hpp (the protocol is
// documented there): load -> LoadReply (a snapshot that fails to verify is refused and the
// running one stays, its generation in the ErrorReply); stats -> StatsReply; status ->
// StatusReply (version, pid, uptime, generation, snapshot, lists, lagging workers). Main lcore
// only.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "control/schema/control_messages.hpp"
#include "dataplane/service/snapshot_registry.hpp"

namespace takedown::dataplane {

class ControlCommands {
 public:
  using CollectStats = std::function<schema::Stats()>;

  ControlCommands(SnapshotRegistry& registry, CollectStats stats)
      : registry_(registry), stats_(std::move(stats)), started_(std::chrono::steady_clock::now()) {}

  std::string handle(std::string_view request);

 private:
  std::string load(const schema::LoadRequest& request);
  std::string status() const;

  SnapshotRegistry& registry_;
  CollectStats stats_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace takedown::dataplane
