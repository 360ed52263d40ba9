// takedownctl compile -c CONFIG [-o FILE] [--all-skips]
#include <cstdio>
#include <map>
#include <string>

#include "control/cli/command_line.hpp"
#include "control/cli/commands.hpp"
#include "control/compile/snapshot_compiler.hpp"
#include "control/compile/snapshot_store.hpp"

namespace takedown::control {
namespace {

constexpr const char* kHelp =
    "Usage: takedownctl compile -c CONFIG [-o FILE] [--all-skips]\n"
    "Compiles every list of CONFIG into one snapshot, written atomically to FILE or, without\n"
    "-o, stored in CONFIG's control.snapshot_dir (the newest five are kept), where takedownd\n"
    "starts from the newest. Prints per list how many entries loaded and were skipped, the\n"
    "first 5 skipped lines and the first 5 warnings (entries that load but look wrong, such\n"
    "as a public suffix on a block list) as file:line: reason, the count of each reason, then\n"
    "the compile time, the snapshot size and the bytes per domain.\n"
    "  --all-skips  every skipped line and every warning of every list, file:line: reason, in\n"
    "               line order (up to 1,048,576 per list; the counts cover the rest)\n"
    "A list that fails (missing, empty, a pattern Hyperscan rejects, a snapshot limit) is\n"
    "named file:line and nothing is written.\n\n";

void print_counts(const char* prefix, const std::map<std::string, std::uint64_t>& by_reason) {
  for (const auto& [reason, count] : by_reason) {
    std::printf("    %llu x %s%s\n", static_cast<unsigned long long>(count), prefix,
                reason.c_str());
  }
}

void print_report(const ListReport& r, bool all_skips) {
  std::printf("list %-20s %-8s %8llu loaded %8llu skipped  %s\n", r.name.c_str(), r.format.c_str(),
              static_cast<unsigned long long>(r.loaded), static_cast<unsigned long long>(r.skipped),
              r.path.c_str());
  if (all_skips) {
    for (const std::string& line : r.all_notes()) std::printf("    %s\n", line.c_str());
    if (r.unnoted != 0) {
      std::printf("    (%llu more not listed; by reason:)\n",
                  static_cast<unsigned long long>(r.unnoted));
      print_counts("", r.skipped_by_reason);
      print_counts("warning: ", r.warned_by_reason);
    }
    return;
  }
  for (const auto& line : r.first_skips) std::printf("    %s\n", line.c_str());
  if (r.skipped > r.first_skips.size()) print_counts("", r.skipped_by_reason);
  for (const auto& line : r.first_warnings) std::printf("    %s\n", line.c_str());
  if (r.warned > r.first_warnings.size()) print_counts("warning: ", r.warned_by_reason);
}

}  // namespace

int run_compile_command(int argc, char** argv) {
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, "coah", kHelp, cl); done >= 0) return done;
  const std::string& config_path = cl.config;
  const std::string& output_path = cl.output;
  if (config_path.empty() || cl.first_operand != argc) {
    std::fputs("takedownctl compile: needs -c CONFIG\n", stderr);
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  auto config = schema::load_config(config_path);
  if (!config) {
    std::fprintf(stderr, "takedownctl: %s\n", config.error().c_str());
    return kExitFailed;
  }
  auto compiled = compile_snapshot(*config);
  if (!compiled) {
    std::fprintf(stderr, "takedownctl: compile failed: %s\n", compiled.error().c_str());
    return kExitFailed;
  }
  for (const ListReport& r : compiled->reports) print_report(r, cl.all_skips);
  std::string written_to = output_path;
  if (output_path.empty()) {
    auto stored = store_snapshot(config->control.snapshot_dir, compiled->snapshot);
    if (!stored) {
      std::fprintf(stderr, "takedownctl: %s\n", stored.error().c_str());
      return kExitFailed;
    }
    written_to = stored->path;
    if (stored->stale_temporaries_removed != 0) {
      std::printf("removed %zu temporary files that killed writers left in %s\n",
                  stored->stale_temporaries_removed, config->control.snapshot_dir.c_str());
    }
  } else if (auto written = write_file_atomically(output_path, compiled->snapshot); !written) {
    std::fprintf(stderr, "takedownctl: %s\n", written.error().c_str());
    return kExitFailed;
  }
  const BuildStats& s = compiled->stats;
  std::printf(
      "compiled %llu domains (%llu domain rules, %llu duplicates dropped), %llu regex rules, %llu "
      "url rules\n",
      static_cast<unsigned long long>(s.domains), static_cast<unsigned long long>(s.rules),
      static_cast<unsigned long long>(s.duplicates), static_cast<unsigned long long>(s.regex_rules),
      static_cast<unsigned long long>(s.url_rules));
  std::printf("compile time %.1f ms (parse %.1f ms, build %.1f ms)\n", compiled->total_ms,
              compiled->parse_ms, compiled->build_ms);
  const double size = static_cast<double>(compiled->snapshot.size());
  std::printf("snapshot %s: %.0f bytes", written_to.c_str(), size);
  if (s.domains > 0) std::printf(", %.1f bytes per domain", size / static_cast<double>(s.domains));
  std::printf(
      " (bloom %llu bytes over the names and %llu parents, expected false-positive rate "
      "%.4f)\n",
      static_cast<unsigned long long>(s.bloom_bytes), static_cast<unsigned long long>(s.below_keys),
      s.bloom_expected_rate);
  return kExitOk;
}

}  // namespace takedown::control
