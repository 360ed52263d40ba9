#include "control/run/reloader.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>

#include "control/cli/cli_output.hpp"
#include "control/compile/snapshot_compiler.hpp"
#include "control/compile/snapshot_store.hpp"
#include "control/config/config.hpp"
#include "control/run/control_client.hpp"

namespace takedown::control {

bool Reloader::reload(const std::string& config_path, ReloadResult& result, ReloadError& error) {
  auto config = load_config(config_path);
  if (!config) {
    error = {ReloadStage::Compile, config.error(), ""};
    return false;
  }
  auto compiled = compile_snapshot(*config);
  if (!compiled) {
    error = {ReloadStage::Compile, compiled.error(), ""};
    return false;
  }
  if (!compiled->pattern_errors.empty()) {
    std::string message = "patterns that Hyperscan rejects stop a reload:";
    for (const auto& e : compiled->pattern_errors) message += "\n  " + e;
    error = {ReloadStage::Compile, message, ""};
    return false;
  }
  result = ReloadResult{};
  result.lists = compiled->reports.size();
  result.domains = compiled->stats.domains;
  result.compile_ms = compiled->total_ms;
  auto stored = store_snapshot(config->control.snapshot_dir, compiled->snapshot);
  if (!stored) {
    error = {ReloadStage::Store, stored.error(), ""};
    return false;
  }
  const double compile_ms = result.compile_ms;
  const std::size_t lists = result.lists;
  compile_ms_ = compile_ms;
  const bool loaded = load(config->control.socket, *stored, result, error);
  compile_ms_ = 0;
  if (!loaded) return false;
  result.compile_ms = compile_ms;
  result.lists = lists;
  return true;
}

bool Reloader::load(const std::string& socket, const std::string& snapshot_path,
                    ReloadResult& result, ReloadError& error) {
  std::string request = "{\"command\": \"load\", \"snapshot\": ";
  append_json_string(request, snapshot_path);
  if (compile_ms_ > 0) request += ", \"compile_ms\": " + std::to_string(compile_ms_);
  request += "}";
  auto reply = control_request(socket, request);
  if (!reply) {
    error = {ReloadStage::Load, reply.error(), snapshot_path};
    return false;
  }
  if (const std::string refused = reply_error(*reply); !refused.empty()) {
    error = {ReloadStage::Load, "takedownd refused " + snapshot_path + ": " + refused,
             snapshot_path};
    return false;
  }
  const YAML::Node node = YAML::Load(*reply);
  result.snapshot_path = snapshot_path;
  result.generation = node["generation"].as<std::uint64_t>(0);
  result.domains = node["domains"].as<std::uint64_t>(result.domains);
  result.lists = node["lists"].as<std::size_t>(result.lists);
  result.verify_us = node["verify_us"].as<double>(0);
  result.prepare_us = node["prepare_us"].as<double>(0);
  result.swap_us = node["swap_us"].as<double>(0);
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
  return line;
}

}  // namespace takedown::control
