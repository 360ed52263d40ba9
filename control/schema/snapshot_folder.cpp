#include "control/schema/snapshot_folder.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>

namespace takedown::schema {

namespace fs = std::filesystem;

bool is_snapshot_name(const std::string& name) {
  const std::string prefix = kSnapshotPrefix;
  const std::string suffix = kSnapshotSuffix;
  return name.rfind(prefix, 0) == 0 && name.size() > prefix.size() + suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

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

}  // namespace takedown::schema
