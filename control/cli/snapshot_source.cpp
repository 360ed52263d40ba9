#include "control/cli/snapshot_source.hpp"

#include <cstdio>

#include "control/compile/snapshot_compiler.hpp"

namespace takedown::control {

Result<SnapshotSource> open_snapshot(const std::string& config_path,
                                     const std::string& snapshot_path) {
  SnapshotSource source;
  if (config_path.empty()) {
    auto snapshot = filters::Snapshot::load_file(snapshot_path);
    if (!snapshot) return make_error(snapshot.error());
    source.snapshot = std::move(snapshot).value();
    return source;
  }
  auto config = schema::load_config(config_path);
  if (!config) return make_error(config.error());
  auto compiled = compile_snapshot(*config);
  if (!compiled) return make_error("compile failed: " + compiled.error());
  for (const std::string& line : skip_summary(*compiled)) {
    std::fprintf(stderr, "takedownctl: %s\n", line.c_str());
  }
  auto snapshot = filters::Snapshot::load_bytes(compiled->snapshot, config_path + " (compiled)");
  if (!snapshot) return make_error(snapshot.error());
  source.snapshot = std::move(snapshot).value();
  source.ports = config->ports;
  source.flows = config->flows;
  return source;
}

}  // namespace takedown::control
