// SuffixSet: the exact name set, an open-addressing table over XXH3 hashes.
//
// A slot is 16 bytes: a 32-bit hash tag, a reference into the name arena (with two scope bits),
// and the Rule. A name that several rules share (the same domain in two lists) takes one slot per
// rule but is stored once in the arena. Names in the arena are length-prefixed, and every tag hit
// is verified against the full name, so there are no false positives.
//
// Linear probing from a multiply-shift home slot; all rules of one name sit in the cluster that
// starts there, so a lookup scans until the first empty slot. Capacity is not a power of two:
// it keeps the load factor near kMaxLoad, which keeps the table under 30 bytes per rule.
//
// Scope says which names a slot matches: kApex matches the name itself, kBelow every name strictly
// under it. A plain domain entry has both; `match: exact` has kApex; an RPZ `*.d` owner has kBelow.
//
// The view does not own its memory. Lookups are const, do not allocate, and are safe on any thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "filters/match/policy.hpp"

namespace takedown::filters {

struct SuffixSlot {
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr std::uint32_t kApex = 1;
  static constexpr std::uint32_t kBelow = 2;
  static constexpr std::uint32_t kMaxArenaOffset = (1u << 30) - 2;

  std::uint32_t tag = 0;
  std::uint32_t name_ref = kEmpty;  // arena offset << 2 | scope
  Rule rule{};

  bool empty() const { return name_ref == kEmpty; }
  std::uint32_t scope() const { return name_ref & 3u; }
  std::uint32_t arena_offset() const { return name_ref >> 2; }
};
static_assert(sizeof(SuffixSlot) == 16);

class SuffixSet {
 public:
  static constexpr double kMaxLoad = 0.6;

  SuffixSet() = default;
  SuffixSet(std::span<const SuffixSlot> slots, std::span<const std::uint8_t> arena)
      : slots_(slots.data()), capacity_(slots.size()), arena_(arena.data()) {}

  static std::uint64_t capacity_for(std::uint64_t rules) {
    return rules == 0 ? 1 : static_cast<std::uint64_t>(rules / kMaxLoad) + 1;
  }
  static std::uint64_t home_slot(std::uint64_t hash, std::uint64_t capacity) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(hash) * capacity) >> 64);
  }
  static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash); }

  // Calls visit(const SuffixSlot&) for every rule stored under exactly `name`.
  // No allocation; O(cluster length); safe on any thread.
  template <typename Visit>
  void for_each_rule(std::uint64_t hash, std::string_view name, Visit&& visit) const {
    const std::uint32_t tag = tag_of(hash);
    std::uint64_t i = home_slot(hash, capacity_);
    for (;;) {
      const SuffixSlot& slot = slots_[i];
      if (slot.empty()) return;
      if (slot.tag == tag && name_equals(slot.arena_offset(), name)) visit(slot);
      if (++i == capacity_) i = 0;
    }
  }

  // The home slot's cache line and the next one: a lookup scans to the first empty slot, about
  // 3.6 slots at kMaxLoad, and from most home slots that runs into the next line.
  void prefetch(std::uint64_t hash) const {
    constexpr std::uint64_t kSlotsPerLine = 64 / sizeof(SuffixSlot);
    const std::uint64_t home = home_slot(hash, capacity_);
    const std::uint64_t next_line = home + kSlotsPerLine;
    __builtin_prefetch(slots_ + home);
    __builtin_prefetch(slots_ + (next_line < capacity_ ? next_line : capacity_ - 1));
  }
  // Prefetches the arena bytes of the first slot in the cluster whose tag matches, so that the
  // verifying memcmp does not stall. The slots should already be in cache (prefetch() above).
  void prefetch_name(std::uint64_t hash) const {
    const std::uint32_t tag = tag_of(hash);
    for (std::uint64_t i = home_slot(hash, capacity_);; i = (i + 1 == capacity_) ? 0 : i + 1) {
      const SuffixSlot& slot = slots_[i];
      if (slot.empty()) return;
      if (slot.tag == tag) {
        __builtin_prefetch(arena_ + slot.arena_offset());
        return;
      }
    }
  }

  std::string_view arena_name(std::uint32_t offset) const {
    return {reinterpret_cast<const char*>(arena_ + offset + 1), arena_[offset]};
  }
  std::uint64_t capacity() const { return capacity_; }

 private:
  bool name_equals(std::uint32_t offset, std::string_view name) const {
    return arena_[offset] == name.size() &&
           std::memcmp(arena_ + offset + 1, name.data(), name.size()) == 0;
  }

  const SuffixSlot* slots_ = nullptr;
  std::uint64_t capacity_ = 0;
  const std::uint8_t* arena_ = nullptr;
};

}  // namespace takedown::filters
