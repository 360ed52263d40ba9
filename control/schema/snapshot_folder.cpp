#include "control/schema/snapshot_folder.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace takedown::schema {

namespace fs = std::filesystem;

std::optional<std::uint64_t> snapshot_number(const std::string& name) {
  const std::string prefix = kSnapshotPrefix;
  const std::string suffix = kSnapshotSuffix;
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  const std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18) return std::nullopt;  // fits a uint64 with room for +1
  std::uint64_t number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return number;
}

bool is_snapshot_name(const std::string& name) { return snapshot_number(name).has_value(); }

std::string snapshot_name(std::uint64_t number) {
  char name[64];
  std::snprintf(name, sizeof name, "%s%015llu%s", kSnapshotPrefix,
                static_cast<unsigned long long>(number), kSnapshotSuffix);
  return name;
}

std::vector<std::string> snapshots_newest_first(const std::string& folder) {
  std::vector<std::pair<std::uint64_t, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const auto number = snapshot_number(entry.path().filename().string());
    if (number && entry.is_regular_file(ec)) found.emplace_back(*number, entry.path().string());
  }
  std::sort(found.begin(), found.end(), std::greater<>());
  std::vector<std::string> out;
  for (auto& [number, path] : found) out.push_back(std::move(path));
  return out;
}

}  // namespace takedown::schema
