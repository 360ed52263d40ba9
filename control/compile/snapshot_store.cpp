#include "control/compile/snapshot_store.hpp"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>

#include "control/compile/snapshot_compiler.hpp"
#include "control/schema/snapshot_folder.hpp"

namespace takedown::control {

namespace fs = std::filesystem;

namespace {

// The pid of "takedown-<n>.snap.tmp.<pid>" (write_file_atomically's temporaries), or 0.
long temporary_owner(const std::string& name) {
  const std::string marker = std::string(schema::kSnapshotSuffix) + ".tmp.";
  const std::size_t at = name.find(marker);
  if (name.rfind(schema::kSnapshotPrefix, 0) != 0 || at == std::string::npos) return 0;
  const std::string digits = name.substr(at + marker.size());
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return 0;
  }
  return std::stol(digits);
}

bool running(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

std::size_t remove_stale_temporaries(const std::string& folder) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const long pid = temporary_owner(entry.path().filename().string());
    if (pid > 0 && !running(pid) && fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

Result<StoredSnapshot> store_snapshot(const std::string& folder,
                                      const std::vector<std::uint8_t>& bytes, std::size_t keep) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return make_error(folder + ": cannot create the snapshot folder: " + ec.message());
  StoredSnapshot out;
  out.stale_temporaries_removed = remove_stale_temporaries(folder);
  const auto now_ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  // Never reuse a number and never sort before the newest already there, in one step.
  std::uint64_t number = now_ms;
  const auto existing = schema::snapshots_newest_first(folder);
  if (!existing.empty()) {
    const auto newest = schema::snapshot_number(fs::path(existing.front()).filename().string());
    if (newest && *newest >= number) number = *newest + 1;
  }
  if (number > schema::kMaxSnapshotNumber) {
    return make_error(existing.front() + ": a snapshot number at the limit (18 digits) is in the " +
                      "snapshot folder, so no later one can be named; remove that file");
  }
  out.path = (fs::path(folder) / schema::snapshot_name(number)).string();
  auto written = write_file_atomically(out.path, bytes);
  if (!written) return make_error(written.error());
  const auto all = schema::snapshots_newest_first(folder);
  for (std::size_t i = keep; i < all.size(); ++i) fs::remove(all[i], ec);
  return out;
}

}  // namespace takedown::control
