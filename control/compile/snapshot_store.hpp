// store_snapshot(): takedownctl's side of the snapshot folder (control/schema/snapshot_folder.hpp).
// Each snapshot it compiles is written through a temporary file, fsync and rename, so a reader
// never sees a partial one; the newest `keep` stay and older ones are removed. Cold path.
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

}  // namespace takedown::control
