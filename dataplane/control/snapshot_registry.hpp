// SnapshotRegistry: the main lcore's side of the RCU snapshot swap.
//
// load_file() verifies a snapshot file (Snapshot::load_file checks everything), prepares one
// Hyperscan scratch per worker, publishes the new ActiveSnapshot with one atomic store, waits for
// an rte_rcu_qsbr grace period (every worker has finished the poll round that might still hold
// the old one) and only then frees the old snapshot. Workers never wait: they read a pointer.
// A snapshot that fails to load leaves the running one alone. Hits per list survive reloads,
// keyed by list name. Main lcore only; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/worker/runtime.hpp"

namespace takedown::dataplane {

struct SwapReport {
  std::uint64_t generation = 0;
  std::uint64_t domains = 0;
  std::size_t lists = 0;
  double verify_us = 0;   // read, verify and map the file
  double prepare_us = 0;  // per-worker Hyperscan scratch
  double swap_us = 0;     // the pointer store plus the grace period
};

// What the reloads so far did, for the metrics.
struct ReloadHistory {
  std::uint64_t loads = 0;     // snapshots published after the first
  std::uint64_t failures = 0;  // snapshots refused
  double last_verify_us = 0;
  double last_swap_us = 0;
  double last_compile_ms = 0;  // as takedownctl reported it with the load request
  double last_load_unix = 0;
};

class SnapshotRegistry {
 public:
  SnapshotRegistry(Runtime& runtime, unsigned workers) : runtime_(runtime), workers_(workers) {}
  ~SnapshotRegistry();
  SnapshotRegistry(const SnapshotRegistry&) = delete;
  SnapshotRegistry& operator=(const SnapshotRegistry&) = delete;

  // Publishes `snapshot` as generation 1, or the next generation.
  Result<SwapReport> publish(std::unique_ptr<filters::Snapshot> snapshot, std::string origin);
  Result<SwapReport> load_file(const std::string& path);

  const ActiveSnapshot& current() const { return *current_; }
  ReloadHistory& history() { return history_; }
  const ReloadHistory& history() const { return history_; }
  // (name, source file) of list `list` in generation `generation`, while that generation is one
  // of the last kGenerationsKept; empty strings otherwise. For the event log.
  std::pair<std::string, std::string> list_of(std::uint64_t generation, std::uint16_t list) const;
  static constexpr std::size_t kGenerationsKept = 16;

  // Decided matches per list name, over every generation so far, in first-seen order.
  std::vector<std::pair<std::string, std::uint64_t>> list_hits() const;

 private:
  Result<SwapReport> swap_in(std::unique_ptr<filters::Snapshot> snapshot, std::string origin,
                             double verify_us);
  void retire(const ActiveSnapshot& old);

  Runtime& runtime_;
  unsigned workers_;
  std::unique_ptr<ActiveSnapshot> current_;
  std::map<std::string, std::uint64_t> retired_hits_;
  std::vector<std::string> list_order_;
  ReloadHistory history_;
  std::map<std::uint64_t, std::vector<std::pair<std::string, std::string>>> lists_by_generation_;
};

}  // namespace takedown::dataplane
