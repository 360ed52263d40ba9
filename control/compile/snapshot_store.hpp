// store_snapshot(): takedownctl's side of the snapshot folder (control/schema/snapshot_folder.hpp).
// Each snapshot it compiles is written through a temporary file, fsync and rename, so a reader
// never sees a partial one; the newest `keep` stay and older ones are removed. Temporaries that a
// writer killed mid-write left behind (takedown-*.snap.tmp.<pid>, the pid no longer running) are
// removed and counted. Cold path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::control {

inline constexpr std::size_t kSnapshotsKept = 5;

struct StoredSnapshot {
  std::string path;
  std::size_t stale_temporaries_removed = 0;
};

// Writes `bytes` as a new snapshot in `folder` (created if missing).
Result<StoredSnapshot> store_snapshot(const std::string& folder,
                                      const std::vector<std::uint8_t>& bytes,
                                      std::size_t keep = kSnapshotsKept);

// Removes the temporaries of writers that are gone; returns how many.
std::size_t remove_stale_temporaries(const std::string& folder);

}  // namespace takedown::control
