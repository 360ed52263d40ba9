// ReasonCounters: one worker's malformed and truncated frames by the reason the decoder or parser
// gave ("ipv4_bad_length", "dns_name_short", ...), for the metrics' `reason` label.
//
// The reasons are the static strings of the parsers' reason tables, so a reason is known by its
// pointer: a small open-addressing table keyed by it, touched only for broken frames. The worker
// fills a slot (length, then the pointer with a release store) and counts; the main lcore reads
// pointers with acquire loads, so it never sees a half-made slot. No allocation.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace takedown::dataplane {

class ReasonCounters {
 public:
  static constexpr std::size_t kSlots = 128;

  void count(std::string_view reason, bool truncated) {
    const auto key = reinterpret_cast<std::uintptr_t>(reason.data());
    for (std::size_t i = (key >> 3) % kSlots, n = 0; n < kSlots; i = (i + 1) % kSlots, ++n) {
      Slot& s = slots_[i];
      const char* p = s.reason.load(std::memory_order_relaxed);
      if (p == nullptr) {
        s.length = static_cast<std::uint32_t>(reason.size());
        s.reason.store(reason.data(), std::memory_order_release);
        p = reason.data();
      }
      if (p == reason.data()) {
        (truncated ? s.truncated : s.malformed) += 1;
        return;
      }
    }
  }

  // visit(reason, malformed, truncated) for every reason seen so far.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const Slot& s : slots_) {
      const char* p = s.reason.load(std::memory_order_acquire);
      if (p == nullptr) continue;
      visit(std::string_view(p, s.length), __atomic_load_n(&s.malformed, __ATOMIC_RELAXED),
            __atomic_load_n(&s.truncated, __ATOMIC_RELAXED));
    }
  }

 private:
  struct Slot {
    std::atomic<const char*> reason{nullptr};
    std::uint32_t length = 0;
    std::uint64_t malformed = 0;
    std::uint64_t truncated = 0;
  };
  std::array<Slot, kSlots> slots_{};
};

}  // namespace takedown::dataplane
