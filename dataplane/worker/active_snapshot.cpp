#include "dataplane/worker/runtime.hpp"

namespace takedown::dataplane {

ActiveSnapshot::ActiveSnapshot(std::unique_ptr<filters::Snapshot> snapshot,
                               std::uint64_t generation, unsigned workers, std::string origin)
    : snapshot_(std::move(snapshot)),
      matcher_(*snapshot_),
      generation_(generation),
      origin_(std::move(origin)),
      slots_(workers) {
  answer_tails_.reserve(snapshot_->lists().size());
  for (std::size_t list = 0; list < snapshot_->lists().size(); ++list) {
    answer_tails_.emplace_back(snapshot_->reply(list));
  }
}

Result<std::unique_ptr<ActiveSnapshot>> ActiveSnapshot::create(
    std::unique_ptr<filters::Snapshot> snapshot, std::uint64_t generation, unsigned workers,
    std::string origin) {
  std::unique_ptr<ActiveSnapshot> active(
      new ActiveSnapshot(std::move(snapshot), generation, workers, std::move(origin)));
  for (WorkerSlot& slot : active->slots_) {
    auto prepared = slot.scratch.prepare(*active->snapshot_);
    if (!prepared) return make_error(prepared.error());
    slot.list_hits.assign(active->snapshot_->lists().size(), 0);
  }
  return active;
}

}  // namespace takedown::dataplane
