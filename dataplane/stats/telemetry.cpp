#include "dataplane/stats/telemetry.hpp"

#include <rte_telemetry.h>

#include <mutex>

namespace takedown::dataplane {

namespace {

std::mutex g_mutex;
schema::Stats g_stats;
TelemetrySnapshot g_snapshot;

int stats_command(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lock(g_mutex);
  const schema::Counters& c = g_stats.totals;
  rte_tel_data_start_dict(d);
  for (std::size_t row = 0; row < schema::kCounterCount; ++row)
    rte_tel_data_add_dict_u64(d, schema::kCounterRows[row].field, c.value(row));
  rte_tel_data_add_dict_u64(d, "dropped", schema::dropped_total(c));
  return 0;
}

// Telemetry keys may hold letters, digits, '_' and '/' only: "takedown-66k" is "takedown_66k".
std::string telemetry_key(const std::string& name) {
  std::string key = name.substr(0, RTE_TEL_MAX_STRING_LEN - 1);
  for (char& c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '/';
    if (!ok) c = '_';
  }
  return key;
}

int lists_command(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lock(g_mutex);
  rte_tel_data_start_dict(d);
  for (const schema::ListHits& l : g_stats.lists) {
    rte_tel_data_add_dict_u64(d, telemetry_key(l.name).c_str(), l.hits);
  }
  return 0;
}

int snapshot_command(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lock(g_mutex);
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "generation", g_stats.generation);
  rte_tel_data_add_dict_u64(d, "domains", g_stats.domains);
  rte_tel_data_add_dict_u64(d, "reloads", g_stats.reloads.loads);
  rte_tel_data_add_dict_u64(d, "reload_failures", g_stats.reloads.failures);
  rte_tel_data_add_dict_string(d, "origin",
                               g_snapshot.origin.substr(0, RTE_TEL_MAX_STRING_LEN - 1).c_str());
  return 0;
}

}  // namespace

void register_telemetry() {
  rte_telemetry_register_cmd(
      "/takedown/stats", stats_command,
      "Takedown data plane counters (the stats JSON's totals). No parameters.");
  rte_telemetry_register_cmd(
      "/takedown/lists", lists_command,
      "Takedown decided matches per list, over every generation. No parameters.");
  rte_telemetry_register_cmd(
      "/takedown/snapshot", snapshot_command,
      "Takedown snapshot in use: generation, domains, origin, reloads. No parameters.");
}

void publish_telemetry(const schema::Stats& stats, const TelemetrySnapshot& snapshot) {
  std::lock_guard lock(g_mutex);
  g_stats = stats;
  g_snapshot = snapshot;
}

}  // namespace takedown::dataplane
