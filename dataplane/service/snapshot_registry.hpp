// SnapshotRegistry: the main lcore's side of the RCU snapshot swap.
//
// load_file() verifies a snapshot file (Snapshot::load_file checks everything), prepares one
// Hyperscan scratch per worker, publishes the new ActiveSnapshot with one atomic store and waits
// for an rte_rcu_qsbr grace period (every worker has finished the poll round that might still
// hold the old one) before it frees the old snapshot. The wait has a deadline: the main lcore
// never blocks on a worker for longer. Past it the old snapshot is retired, not freed; poll()
// frees it once every worker has reported, and until then the workers that have not are
// `lagging()` (named in status and /metrics). While kMaxRetired snapshots wait so, further loads
// are refused: a wedged worker cannot make memory grow without bound.
//
// Workers never wait: they read a pointer. A snapshot that fails to load leaves the running one
// alone. Hits per list survive reloads, keyed by list name (a retired snapshot's count once it is
// freed). Main lcore only; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "control/schema/control_messages.hpp"
#include "dataplane/worker/runtime.hpp"

namespace takedown::dataplane {

// What a swap did is what the load reply says: generation, domains, lists, the verify, scratch
// and swap times, and the workers still lagging at the deadline.
using SwapReport = schema::LoadReply;

// What the reloads so far did, for the metrics.
struct ReloadHistory {
  std::uint64_t loads = 0;           // snapshots published after the first
  std::uint64_t failures = 0;        // snapshots refused, and failures takedownctl reported
  std::uint64_t grace_timeouts = 0;  // grace periods past their deadline
  double last_verify_us = 0;
  double last_swap_us = 0;
  double last_compile_ms = 0;  // as takedownctl reported it with the load request
  double last_load_unix = 0;
  schema::ReloadFailure last_failure;
  // The fetched and transferred lists, as takedownctl last reported them (sources request).
  std::vector<schema::SourceStatus> sources;

  // Counts a failed reload and keeps it as the last one.
  void failed(std::string stage, std::string error);
};

class SnapshotRegistry {
 public:
  static constexpr std::chrono::milliseconds kDefaultGraceDeadline{100};
  static constexpr std::size_t kMaxRetired = 4;

  SnapshotRegistry(Runtime& runtime, unsigned workers,
                   std::chrono::microseconds grace_deadline = kDefaultGraceDeadline)
      : runtime_(runtime), workers_(workers), grace_deadline_(grace_deadline) {}
  ~SnapshotRegistry();
  SnapshotRegistry(const SnapshotRegistry&) = delete;
  SnapshotRegistry& operator=(const SnapshotRegistry&) = delete;

  // Publishes `snapshot` as generation 1, or the next generation.
  Result<SwapReport> publish(std::unique_ptr<filters::Snapshot> snapshot, std::string origin);
  Result<SwapReport> load_file(const std::string& path);
  // Frees the retired snapshots whose grace period has ended. Cheap; call every loop round.
  void poll();

  const ActiveSnapshot& current() const { return *current_; }
  ReloadHistory& history() { return history_; }
  const ReloadHistory& history() const { return history_; }
  // Workers a retired snapshot still waits for, ascending; empty when none waits.
  std::vector<unsigned> lagging() const;
  std::size_t retired() const { return retired_.size(); }
  // (name, source file) of list `list` in generation `generation`, while that generation is one
  // of the last kGenerationsKept; empty strings otherwise. For the event log.
  std::pair<std::string, std::string> list_of(std::uint64_t generation, std::uint16_t list) const;
  static constexpr std::size_t kGenerationsKept = 16;

  // Decided matches per list name, over every generation so far, in first-seen order.
  std::vector<std::pair<std::string, std::uint64_t>> list_hits() const;

 private:
  struct Retired {
    std::unique_ptr<ActiveSnapshot> snapshot;
    std::uint64_t token;                // rte_rcu_qsbr_start()'s
    std::vector<std::uint64_t> rounds;  // each worker's progress when the grace period began
  };

  Result<SwapReport> swap_in(std::unique_ptr<filters::Snapshot> snapshot, std::string origin,
                             double verify_us);
  // True when every online worker has reported since `token`.
  bool grace_over(std::uint64_t token) const;
  void retire(const ActiveSnapshot& old);

  Runtime& runtime_;
  unsigned workers_;
  std::chrono::microseconds grace_deadline_;
  std::unique_ptr<ActiveSnapshot> current_;
  std::vector<Retired> retired_;
  std::map<std::string, std::uint64_t> retired_hits_;
  std::vector<std::string> list_order_;
  ReloadHistory history_;
  std::map<std::uint64_t, std::vector<std::pair<std::string, std::string>>> lists_by_generation_;
};

}  // namespace takedown::dataplane
