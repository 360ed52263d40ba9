// MatchScratch: the per-thread Hyperscan scratch a Matcher needs for regex and url rules.
//
// One per worker thread (lcore), never shared: Hyperscan scratch is not thread-safe. prepare()
// sizes it for a snapshot's databases and may allocate, so call it off the hot path, before the
// snapshot is first used on this thread. A scratch prepared for one snapshot can be prepared again
// for the next; the data plane prepares a fresh one per worker before it publishes a snapshot.
#pragma once

#include "filters/common/result.hpp"

struct hs_scratch;

namespace takedown::filters {

class Snapshot;

class MatchScratch {
 public:
  MatchScratch() = default;
  ~MatchScratch();
  MatchScratch(MatchScratch&& other) noexcept : scratch_(other.scratch_) {
    other.scratch_ = nullptr;
  }
  MatchScratch& operator=(MatchScratch&& other) noexcept;
  MatchScratch(const MatchScratch&) = delete;
  MatchScratch& operator=(const MatchScratch&) = delete;

  // Grows the scratch to serve `snapshot`'s databases. Cold path.
  Result<bool> prepare(const Snapshot& snapshot);

  hs_scratch* get() const { return scratch_; }

 private:
  hs_scratch* scratch_ = nullptr;
};

}  // namespace takedown::filters
