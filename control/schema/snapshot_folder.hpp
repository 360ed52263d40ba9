// The snapshot folder (config `control.snapshot_dir`), as both processes see it: takedownctl
// stores the snapshots it compiles there (control/compile/snapshot_store.hpp) and takedownd
// starts from the newest one that verifies.
//
// Files are named takedown-<number>.snap, the number at least 15 digits (at most 18). A new
// snapshot gets the current unix milliseconds, or one more than the highest number already there
// when that is higher (a clock that ran fast, a stray file): order is the order they were stored
// in, whatever the clock says, and finding a name never loops. Numbers compare as numbers, not as
// text. Cold path; reads the folder, holds nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace takedown::schema {

inline constexpr const char* kSnapshotPrefix = "takedown-";
inline constexpr const char* kSnapshotSuffix = ".snap";
inline constexpr std::uint64_t kMaxSnapshotNumber = 999'999'999'999'999'999ull;  // 18 digits

// The number of a file name the store writes ("takedown-001764000000000.snap" -> 1764000000000),
// or nullopt for any other name.
std::optional<std::uint64_t> snapshot_number(const std::string& file_name);
bool is_snapshot_name(const std::string& file_name);
// "takedown-<number, 15 digits at least>.snap".
std::string snapshot_name(std::uint64_t number);

// The snapshot files in `folder`, highest number first; empty when there is no such folder.
std::vector<std::string> snapshots_newest_first(const std::string& folder);

}  // namespace takedown::schema
