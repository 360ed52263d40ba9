// The snapshot folder (config `control.snapshot_dir`), as both processes see it: takedownctl
// stores the snapshots it compiles there (control/compile/snapshot_store.hpp) and takedownd
// starts from the newest one that verifies.
//
// Files are named takedown-<unix milliseconds, 15 digits>.snap, so name order is age order.
// Cold path; reads the folder, holds nothing.
#pragma once

#include <string>
#include <vector>

namespace takedown::schema {

inline constexpr const char* kSnapshotPrefix = "takedown-";
inline constexpr const char* kSnapshotSuffix = ".snap";

// True for a file name the store writes ("takedown-001764000000000.snap").
bool is_snapshot_name(const std::string& file_name);

// The snapshot files in `folder`, newest first; empty when there is no such folder.
std::vector<std::string> snapshots_newest_first(const std::string& folder);

}  // namespace takedown::schema
