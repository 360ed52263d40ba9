#include "dataplane/service/snapshot_registry.hpp"

#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>
#include <chrono>

#include "dataplane/stats/worker_counters.hpp"

namespace takedown::dataplane {

namespace {

using Clock = std::chrono::steady_clock;

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

}  // namespace

void ReloadHistory::failed(std::string stage, std::string error) {
  ++failures;
  last_failure = {
      std::move(stage), std::move(error),
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()};
}

SnapshotRegistry::~SnapshotRegistry() {
  if (current_) runtime_.active.store(nullptr, std::memory_order_release);
}

bool SnapshotRegistry::grace_over(std::uint64_t token) const {
  return runtime_.rcu == nullptr || rte_rcu_qsbr_check(runtime_.rcu, token, false) == 1;
}

void SnapshotRegistry::poll() {
  for (std::size_t i = 0; i < retired_.size();) {
    if (grace_over(retired_[i].token)) {
      retire(*retired_[i].snapshot);
      retired_.erase(retired_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

std::vector<unsigned> SnapshotRegistry::lagging() const {
  std::vector<unsigned> out;
  for (unsigned w = 0; w < workers_; ++w) {
    const std::uint64_t now = runtime_.progress[w].rounds.load(std::memory_order_acquire);
    for (const Retired& r : retired_) {
      if (r.rounds[w] == now) {
        out.push_back(w);
        break;
      }
    }
  }
  return out;
}

Result<SwapReport> SnapshotRegistry::load_file(const std::string& path) {
  poll();
  if (retired_.size() >= kMaxRetired) {
    ++history_.failures;
    std::string workers;
    for (unsigned w : lagging()) workers.append(" ").append(std::to_string(w));
    return make_error(std::to_string(retired_.size()) + " old snapshots still wait for worker" +
                      workers + " to report a quiescent state; no further load until it does");
  }
  const auto start = Clock::now();
  auto snapshot = filters::Snapshot::load_file(path);
  if (!snapshot) {
    history_.failed("load", snapshot.error());
    return make_error(snapshot.error());
  }
  auto report = swap_in(std::move(*snapshot), path, micros_since(start));
  if (!report) history_.failed("load", report.error());
  return report;
}

Result<SwapReport> SnapshotRegistry::publish(std::unique_ptr<filters::Snapshot> snapshot,
                                             std::string origin) {
  return swap_in(std::move(snapshot), std::move(origin), 0);
}

Result<SwapReport> SnapshotRegistry::swap_in(std::unique_ptr<filters::Snapshot> snapshot,
                                             std::string origin, double verify_us) {
  SwapReport report;
  report.verify_us = verify_us;
  const std::uint64_t generation = current_ ? current_->generation() + 1 : 1;
  auto start = Clock::now();
  auto next = ActiveSnapshot::create(std::move(snapshot), generation, workers_, std::move(origin));
  if (!next) return make_error(next.error());
  report.prepare_us = micros_since(start);

  start = Clock::now();
  std::unique_ptr<ActiveSnapshot> old = std::move(current_);
  current_ = std::move(*next);
  runtime_.active.store(current_.get(), std::memory_order_release);
  if (old != nullptr) {
    Retired waiting{std::move(old), 0, std::vector<std::uint64_t>(workers_)};
    for (unsigned w = 0; w < workers_; ++w)
      waiting.rounds[w] = runtime_.progress[w].rounds.load(std::memory_order_acquire);
    if (runtime_.rcu != nullptr) waiting.token = rte_rcu_qsbr_start(runtime_.rcu);
    const auto deadline = start + grace_deadline_;
    bool over = grace_over(waiting.token);
    while (!over && Clock::now() < deadline) {
      rte_pause();
      over = grace_over(waiting.token);
    }
    report.swap_us = micros_since(start);
    if (over) {
      retire(*waiting.snapshot);  // no worker holds it any more: its hits are final
    } else {
      ++history_.grace_timeouts;
      retired_.push_back(std::move(waiting));
      report.lagging_workers = lagging();
    }
  } else {
    report.swap_us = micros_since(start);
  }
  auto& names = lists_by_generation_[generation];
  for (std::size_t l = 0; l < current_->snapshot().lists().size(); ++l) {
    names.emplace_back(current_->snapshot().list_name(l), current_->snapshot().list_source(l));
  }
  while (lists_by_generation_.size() > kGenerationsKept)
    lists_by_generation_.erase(lists_by_generation_.begin());
  for (std::size_t l = 0; l < current_->snapshot().lists().size(); ++l) {
    const std::string name(current_->snapshot().list_name(l));
    if (std::find(list_order_.begin(), list_order_.end(), name) == list_order_.end()) {
      list_order_.push_back(name);
    }
  }
  if (generation > 1) ++history_.loads;
  history_.last_verify_us = report.verify_us;
  history_.last_swap_us = report.swap_us;
  history_.last_load_unix =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  report.generation = generation;
  report.domains = current_->snapshot().meta().domain_count;
  report.lists = current_->snapshot().lists().size();
  return report;
}

void SnapshotRegistry::retire(const ActiveSnapshot& old) {
  for (unsigned w = 0; w < old.workers(); ++w) {
    const auto& hits = old.slot(w).list_hits;
    for (std::size_t l = 0; l < hits.size(); ++l) {
      retired_hits_[std::string(old.snapshot().list_name(l))] += hits[l];
    }
  }
}

std::pair<std::string, std::string> SnapshotRegistry::list_of(std::uint64_t generation,
                                                              std::uint16_t list) const {
  const auto found = lists_by_generation_.find(generation);
  if (found == lists_by_generation_.end() || list >= found->second.size()) return {};
  return found->second[list];
}

std::vector<std::pair<std::string, std::uint64_t>> SnapshotRegistry::list_hits() const {
  std::map<std::string, std::uint64_t> totals = retired_hits_;
  for (unsigned w = 0; w < current_->workers(); ++w) {
    const auto& hits = current_->slot(w).list_hits;
    for (std::size_t l = 0; l < hits.size(); ++l) {
      totals[std::string(current_->snapshot().list_name(l))] += live(hits[l]);
    }
  }
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const std::string& name : list_order_) out.emplace_back(name, totals[name]);
  return out;
}

}  // namespace takedown::dataplane
