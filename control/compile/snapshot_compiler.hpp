// compile_snapshot(): the whole build side in one call, config in, snapshot file image out.
//
// Loads every list of the config, applies each list's policy (and per-entry overrides such as RPZ
// actions), builds the snapshot and reports per list what loaded and what was skipped and why.
// A list file that cannot be read, or a list left with no valid entry, fails the whole compile
// with its file named: a running data plane must never get a snapshot with a list silently gone.
// Cold path; no shared state, so separate compiles may run on separate threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control/compile/snapshot_builder.hpp"
#include "control/config/config.hpp"
#include "control/lists/parsed_list.hpp"
#include "filters/common/result.hpp"

namespace takedown::control {

struct CompileOutput {
  std::vector<std::uint8_t> snapshot;
  std::vector<ListReport> reports;
  // "file:line: reason" for each regex or url pattern Hyperscan rejected (also counted as a skip
  // in its list's report). A compile for a reload treats any of these as an error.
  std::vector<std::string> pattern_errors;
  BuildStats stats;
  double parse_ms = 0;
  double build_ms = 0;
  double total_ms = 0;
};

Result<CompileOutput> compile_snapshot(const Config& config);
// load_config() then compile_snapshot(); the error says which step failed and names the file.
Result<CompileOutput> compile_config_file(const std::string& config_path);

// The policy a list applies, from its config.
filters::Policy list_policy(const ListConfig& list);
// A list policy with one entry's override applied (RPZ actions, adblock exceptions, ...).
filters::Policy apply_override(const filters::Policy& list_policy, const PolicyOverride& o);

// Writes `bytes` to `path` through a temporary file, fsync and rename, so readers never see a
// partial snapshot.
Result<bool> write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes);

}  // namespace takedown::control
