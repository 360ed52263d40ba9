#include "filters/flow/stream_gather.hpp"

#include <algorithm>
#include <cstring>

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(OverlapPolicy, TAKEDOWN_OVERLAP_POLICIES)

void StreamGather::clear() {
  std::memset(have_, 0, capacity_ / 8);
  contiguous_ = 0;
}

GatherResult StreamGather::add(std::uint64_t offset, std::span<const std::uint8_t> piece,
                               OverlapPolicy policy) {
  GatherResult result;
  if (piece.empty()) return result;
  if (offset >= capacity_) {
    result.past_window = true;
    return result;
  }
  std::uint32_t at = static_cast<std::uint32_t>(offset);
  std::uint32_t end = capacity_;
  if (piece.size() < capacity_ - at) {
    end = at + static_cast<std::uint32_t>(piece.size());
  } else {
    result.past_window = piece.size() > capacity_ - at;
  }
  const std::uint8_t* from = piece.data();
  while (at < end) {
    // One bitmap word at a time: the bytes of [at, end) inside it.
    const std::uint32_t word = at / 64;
    const std::uint32_t first = at % 64;
    const std::uint32_t last = std::min<std::uint32_t>(64, first + (end - at));
    const std::uint64_t span_mask =
        (last == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << last) - 1) &
        ~((std::uint64_t{1} << first) - 1);
    const std::uint64_t present = have_[word] & span_mask;
    const std::uint32_t count = last - first;
    if (present == 0) {
      std::memcpy(bytes_ + at, from, count);
      result.added += count;
    } else {
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t bit = first + i;
        if ((present >> bit) & 1) {
          if (bytes_[at + i] != from[i]) {
            result.conflicts += 1;
            if (policy == OverlapPolicy::Last) bytes_[at + i] = from[i];
          }
        } else {
          bytes_[at + i] = from[i];
          result.added += 1;
        }
      }
    }
    have_[word] |= span_mask;
    at += count;
    from += count;
  }
  // Move the contiguous run on over every word now full.
  while (contiguous_ < capacity_) {
    const std::uint64_t bits = have_[contiguous_ / 64] >> (contiguous_ % 64);
    const std::uint32_t room = 64 - contiguous_ % 64;
    const std::uint32_t run =
        ~bits == 0 ? room : std::min<std::uint32_t>(room, __builtin_ctzll(~bits));
    contiguous_ += run;
    if (run < room) break;
  }
  return result;
}

}  // namespace takedown::filters
