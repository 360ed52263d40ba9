#include "control/run/reloader.hpp"

#include <cstdio>

#include "control/compile/snapshot_compiler.hpp"
#include "control/compile/snapshot_store.hpp"
#include "control/run/control_client.hpp"
#include "control/schema/config.hpp"
#include "control/schema/control_messages.hpp"

namespace takedown::control {

bool Reloader::reload(const std::string& config_path, ReloadResult& result, ReloadError& error) {
  auto config = schema::load_config(config_path);
  if (!config) {
    error = {ReloadStage::Compile, config.error(), ""};
    return false;
  }
  // A reload that fails before takedownd sees it is reported to takedownd all the same (best
  // effort: it may be down), so its failure metric and status count every failed reload.
  const auto report = [&](const char* stage, const std::string& why) {
    (void)control_request(config->control.socket, schema::ReloadFailedRequest{stage, why}, 2000);
  };
  auto compiled = compile_snapshot(*config);
  if (!compiled) {
    error = {ReloadStage::Compile, compiled.error(), ""};
    report("compile", compiled.error());
    return false;
  }
  auto stored = store_snapshot(config->control.snapshot_dir, compiled->snapshot);
  if (!stored) {
    error = {ReloadStage::Store, stored.error(), ""};
    report("store", stored.error());
    return false;
  }
  if (!load(config->control.socket, stored->path, compiled->total_ms, result, error)) return false;
  result.stale_temporaries_removed = stored->stale_temporaries_removed;
  result.lists = compiled->reports.size();
  result.compile_ms = compiled->total_ms;
  return true;
}

bool Reloader::load(const std::string& socket, const std::string& snapshot_path, double compile_ms,
                    ReloadResult& result, ReloadError& error) {
  auto line = control_request(socket, schema::LoadRequest{snapshot_path, compile_ms});
  if (!line) {
    error = {ReloadStage::Load, line.error(), snapshot_path};
    return false;
  }
  auto reply = schema::decode_load_reply(*line);
  if (!reply) {
    error = {ReloadStage::Load, "takedownd's reply to load: " + reply.error(), snapshot_path};
    return false;
  }
  if (const auto* refused = std::get_if<schema::ErrorReply>(&*reply)) {
    error = {ReloadStage::Load, "takedownd refused " + snapshot_path + ": " + refused->error,
             snapshot_path};
    return false;
  }
  const auto& loaded = std::get<schema::LoadReply>(*reply);
  result = ReloadResult{};
  result.snapshot_path = snapshot_path;
  result.generation = loaded.generation;
  result.domains = loaded.domains;
  result.lists = loaded.lists;
  result.verify_us = loaded.verify_us;
  result.prepare_us = loaded.prepare_us;
  result.swap_us = loaded.swap_us;
  result.lagging_workers = loaded.lagging_workers;
  return true;
}

std::string describe(const ReloadResult& r) {
  char line[512];
  std::snprintf(line, sizeof line,
                "generation %llu: %zu lists, %llu domains, compile %.1f ms, verify %.2f ms, "
                "scratch %.0f us, swap %.1f us (%s)",
                static_cast<unsigned long long>(r.generation), r.lists,
                static_cast<unsigned long long>(r.domains), r.compile_ms, r.verify_us / 1000.0,
                r.prepare_us, r.swap_us, r.snapshot_path.c_str());
  std::string out = line;
  if (r.stale_temporaries_removed != 0) {
    out += "; removed " + std::to_string(r.stale_temporaries_removed) +
           " temporary files that killed writers left";
  }
  if (!r.lagging_workers.empty()) {
    out += "; the grace period passed its deadline, waiting for worker";
    for (unsigned w : r.lagging_workers) out.append(" ").append(std::to_string(w));
  }
  return out;
}

}  // namespace takedown::control
