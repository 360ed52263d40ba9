#include "control/compile/snapshot_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "control/compile/snapshot_compiler.hpp"
#include "control/schema/snapshot_folder.hpp"

namespace takedown::control {

namespace fs = std::filesystem;
using schema::kSnapshotPrefix;
using schema::kSnapshotSuffix;
using schema::snapshots_newest_first;

Result<std::string> store_snapshot(const std::string& folder,
                                   const std::vector<std::uint8_t>& bytes, std::size_t keep) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return make_error(folder + ": cannot create the snapshot folder: " + ec.message());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  // Never reuse a name, and never sort before the newest already there.
  const auto existing = snapshots_newest_first(folder);
  std::string path;
  for (;; ++ms) {
    char name[64];
    std::snprintf(name, sizeof name, "%s%015lld%s", kSnapshotPrefix, static_cast<long long>(ms),
                  kSnapshotSuffix);
    path = (fs::path(folder) / name).string();
    if (existing.empty() || path > existing.front()) break;
  }
  auto written = write_file_atomically(path, bytes);
  if (!written) return make_error(written.error());
  const auto all = snapshots_newest_first(folder);
  for (std::size_t i = keep; i < all.size(); ++i) fs::remove(all[i], ec);
  return path;
}

}  // namespace takedown::control
