// open_snapshot(): what `check` and `inspect` judge names against: the config's lists compiled in
// memory (-c), or a compiled snapshot file (-s). With -c the config's protocol ports come along.
// Skipped list lines are summarised on stderr. Cold path, command-line use only.
#pragma once

#include <memory>
#include <string>

#include "filters/common/result.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/flow/flow_config.hpp"
#include "filters/snapshot/snapshot.hpp"

namespace takedown::control {

struct SnapshotSource {
  std::unique_ptr<filters::Snapshot> snapshot;
  filters::ExtractPorts ports;  // the config's, or the defaults with -s
  filters::FlowConfig flows;    // likewise
};

// Exactly one of the paths is non-empty.
Result<SnapshotSource> open_snapshot(const std::string& config_path,
                                     const std::string& snapshot_path);

}  // namespace takedown::control
