// EventRing: one worker's events on their way to the main lcore. Single producer (the worker),
// single consumer (the main lcore), fixed capacity, no allocation after construction, no lock.
//
// The producer claims the slot at head, fills it and publishes head with a release store; the
// consumer reads up to head (acquire), copies the slots out and publishes tail. When the ring is
// full, reserve() returns nullptr: the caller drops the event and counts it, never waits.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "dataplane/events/block_event.hpp"

namespace takedown::dataplane {

class EventRing {
 public:
  explicit EventRing(std::size_t capacity_power_of_two = 1024)
      : slots_(capacity_power_of_two), mask_(capacity_power_of_two - 1) {}

  // Producer: a slot to fill, or nullptr when full. commit() publishes it.
  BlockEvent* reserve() {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) > mask_) return nullptr;
    return &slots_[head & mask_];
  }
  void commit() {
    head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  // Consumer: calls visit(const BlockEvent&) for everything published, then frees the slots.
  template <typename Visit>
  std::size_t drain(Visit&& visit) {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    for (std::uint64_t i = tail; i != head; ++i) visit(slots_[i & mask_]);
    tail_.store(head, std::memory_order_release);
    return static_cast<std::size_t>(head - tail);
  }

 private:
  std::vector<BlockEvent> slots_;
  std::uint64_t mask_;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace takedown::dataplane
