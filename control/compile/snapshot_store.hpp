// The snapshot folder (config `control.snapshot_dir`): where takedownctl keeps the snapshots it
// compiles and takedownd finds the newest to resume from.
//
// Files are named takedown-<unix milliseconds>.snap (zero-padded, so name order is age order),
// written through a temporary file, fsync and rename, so a reader never sees a partial one.
// store_snapshot() keeps the newest `keep` and removes older ones. Cold path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::control {

inline constexpr std::size_t kSnapshotsKept = 5;

// Writes `bytes` as a new snapshot in `folder` (created if missing) and returns its path.
Result<std::string> store_snapshot(const std::string& folder,
                                   const std::vector<std::uint8_t>& bytes,
                                   std::size_t keep = kSnapshotsKept);

// The snapshot files in `folder`, newest first; empty when there is no such folder.
std::vector<std::string> snapshots_newest_first(const std::string& folder);

}  // namespace takedown::control
