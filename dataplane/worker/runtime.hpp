// Runtime and ActiveSnapshot: what the workers share.
//
// An ActiveSnapshot bundles a verified snapshot with its matcher, the records of each list's
// negative DNS answers (filters::DnsAnswerTails), its generation and one slot per worker (that
// worker's Hyperscan scratch, prepared for this snapshot's databases, and its hits per list).
// Workers load Runtime::active once per poll round and report a quiescent state to
// Runtime::rcu after it; the main lcore publishes a new ActiveSnapshot with one atomic store and
// frees the old one after an RCU grace period (SnapshotRegistry). Nothing here is written by two
// threads: a worker writes only its own slot.
#pragma once

#include <rte_mempool.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "control/schema/dataplane_config.hpp"
#include "dataplane/port/port_setup.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/match/match_scratch.hpp"
#include "filters/match/matcher.hpp"
#include "filters/respond/dns_answer.hpp"
#include "filters/snapshot/snapshot.hpp"

struct rte_rcu_qsbr;

namespace takedown::dataplane {

struct alignas(64) WorkerSlot {
  filters::MatchScratch scratch;
  std::vector<std::uint64_t> list_hits;  // by list index of this snapshot
};

class ActiveSnapshot {
 public:
  // Prepares one slot per worker (Hyperscan scratch allocation: cold path). `origin` says where
  // the snapshot came from, for status and logs.
  static Result<std::unique_ptr<ActiveSnapshot>> create(std::unique_ptr<filters::Snapshot> snapshot,
                                                        std::uint64_t generation, unsigned workers,
                                                        std::string origin);

  const filters::Snapshot& snapshot() const { return *snapshot_; }
  const filters::Matcher& matcher() const { return matcher_; }
  // List `list`'s negative answer records (list < snapshot().lists().size()).
  const filters::DnsAnswerTails& answer_tails(std::size_t list) const {
    return answer_tails_[list];
  }
  std::uint64_t generation() const { return generation_; }
  const std::string& origin() const { return origin_; }
  // Only worker `index` writes its slot; readers sum the slots.
  WorkerSlot& slot(unsigned index) const { return slots_[index]; }
  unsigned workers() const { return static_cast<unsigned>(slots_.size()); }

 private:
  ActiveSnapshot(std::unique_ptr<filters::Snapshot> snapshot, std::uint64_t generation,
                 unsigned workers, std::string origin);

  std::unique_ptr<filters::Snapshot> snapshot_;
  filters::Matcher matcher_;
  std::vector<filters::DnsAnswerTails> answer_tails_;
  std::uint64_t generation_;
  std::string origin_;
  mutable std::vector<WorkerSlot> slots_;
};

// A worker's poll rounds so far, stored after each round's quiescent report: the main lcore tells
// from it which worker a late grace period is waiting for. Written by that worker only.
struct alignas(64) WorkerProgress {
  std::atomic<std::uint64_t> rounds{0};
};

struct Runtime {
  static constexpr unsigned kMaxWorkers = schema::DataplaneConfig::kMaxWorkers;

  std::vector<Port> ports;
  rte_mempool* pool = nullptr;
  rte_rcu_qsbr* rcu = nullptr;  // may be null (in-process tests without reload)
  filters::ExtractPorts extract_ports;
  schema::MalformedPolicy malformed = schema::MalformedPolicy::Forward;
  std::uint16_t burst = 32;  // frames per rx burst, at most Worker::kBurst
  std::uint32_t idle_sleep_us = 0;  // dataplane.idle_sleep_us: 0 = poll without pause
  std::atomic<const ActiveSnapshot*> active{nullptr};
  std::array<WorkerProgress, kMaxWorkers> progress{};
  std::atomic<bool> stop{false};
};

}  // namespace takedown::dataplane
