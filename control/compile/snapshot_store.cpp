#include "control/compile/snapshot_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "control/compile/snapshot_compiler.hpp"

namespace takedown::control {

namespace {

namespace fs = std::filesystem;

constexpr const char* kPrefix = "takedown-";
constexpr const char* kSuffix = ".snap";

bool is_snapshot_name(const std::string& name) {
  return name.rfind(kPrefix, 0) == 0 && name.size() > 14 &&
         name.compare(name.size() - 5, 5, kSuffix) == 0;
}

}  // namespace

std::vector<std::string> snapshots_newest_first(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_regular_file(ec) && is_snapshot_name(entry.path().filename().string())) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
}

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
    std::snprintf(name, sizeof name, "%s%015lld%s", kPrefix, static_cast<long long>(ms), kSuffix);
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
