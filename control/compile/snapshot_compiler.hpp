// compile_snapshot(): the one way a snapshot is made, config in, verified file image out. Every
// caller uses it (takedownctl compile, reload and run, check and inspect with -c, the tests), so
// every caller applies the same rules:
//
// - every list of the config is loaded, with each list's policy and per-entry overrides (RPZ
//   actions, adblock exceptions, ...) applied;
// - a list file that cannot be read, a list left with no valid entry, a regex or url pattern
//   Hyperscan rejects, or a snapshot limit reached (65,535 distinct answers, 1 GiB of names)
//   fails the whole compile, naming the file and line: a running data plane must never get a
//   snapshot with a list or a rule silently gone;
// - lines a format skips, and entries that load with a warning (a format's own, and a block
//   entry for a public suffix: over_broad.hpp), are counted per list and reason,
//   with the first few named file:line, in the reports (skip_summary() says them in one line per
//   list).
// Cold path; no shared state, so separate compiles may run on separate threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control/compile/snapshot_builder.hpp"
#include "control/lists/list_loader.hpp"
#include "control/lists/parsed_list.hpp"
#include "control/schema/config.hpp"
#include "filters/common/result.hpp"

namespace takedown::control {

struct CompileOutput {
  std::vector<std::uint8_t> snapshot;
  std::vector<ListReport> reports;
  BuildStats stats;
  double parse_ms = 0;
  double build_ms = 0;
  double total_ms = 0;
};

Result<CompileOutput> compile_snapshot(const schema::Config& config);
// load_config() then compile_snapshot(); the error says which step failed and names the file.
Result<CompileOutput> compile_config_file(const std::string& config_path);

// One line per list that skipped entries: "list 'NAME': N entries skipped, first: FILE:LINE: why",
// and one per list with warnings: "list 'NAME': N warnings (the entries loaded), first: ...".
std::vector<std::string> skip_summary(const CompileOutput& compiled);

// The policy a list applies, from its config.
filters::Policy list_policy(const schema::ListConfig& list);
// A list policy with one entry's override applied (RPZ actions, adblock exceptions, ...).
filters::Policy apply_override(const filters::Policy& list_policy, const PolicyOverride& o);

// Writes `bytes` to `path` through a temporary file, fsync and rename, so readers never see a
// partial snapshot.
Result<bool> write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes);

}  // namespace takedown::control
