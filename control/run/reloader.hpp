// reload_config(): the control path in one call. Compiles the config's lists, stores the snapshot
// in the snapshot folder (atomic rename, the newest five kept) and asks takedownd to load it.
//
// Nothing reaches the data plane unless the compile is clean: a missing or empty list fails it
// (as for `compile`), and so does any regex or url pattern Hyperscan rejects, named file:line.
// When takedownd cannot be reached the snapshot is still stored (a restarted takedownd resumes
// from it) and the error says so. Cold path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::control {

struct ReloadResult {
  std::string snapshot_path;
  std::size_t lists = 0;
  std::uint64_t domains = 0;
  double compile_ms = 0;
  // From takedownd's reply.
  std::uint64_t generation = 0;
  double verify_us = 0;
  double prepare_us = 0;
  double swap_us = 0;
  std::vector<unsigned> lagging_workers;      // past the grace period's deadline
  std::size_t stale_temporaries_removed = 0;  // left in the snapshot folder by killed writers
};

// The stage that failed, for messages and exit handling.
enum class ReloadStage { Compile, Store, Load };

struct ReloadError {
  ReloadStage stage;
  std::string message;
  std::string snapshot_path;  // set when the snapshot was stored before the failure
};

class Reloader {
 public:
  // Compile, store and load; on success `result` is filled.
  bool reload(const std::string& config_path, ReloadResult& result, ReloadError& error);
  // Loads an already stored snapshot (after takedownd came back). `compile_ms` goes to
  // takedownd's metrics (0: not known).
  bool load(const std::string& socket, const std::string& snapshot_path, double compile_ms,
            ReloadResult& result, ReloadError& error);
};

// "generation 7: 2 lists, 66000 domains, compile 24 ms, verify 3.1 ms, swap 4 us (PATH)".
std::string describe(const ReloadResult& result);

}  // namespace takedown::control
