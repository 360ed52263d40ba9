// StreamGather: the first bytes of one byte stream (a TCP direction, a QUIC CRYPTO stream),
// rebuilt from pieces that arrive in any order, repeated or overlapping, inside a fixed window.
//
// It works over memory the caller owns (FlowTable's gather slots): `capacity` bytes and one bit
// per byte saying which are here. add() places a piece at its stream offset; what falls past the
// window is left out and said so. Where a piece overlaps bytes already here and its bytes
// differ, that is a conflict: counted, and settled by the OverlapPolicy (first: the bytes already
// here stay, as Windows and BSD stacks do; last: the new bytes win, as Linux's does for data it
// has not yet delivered). prefix() is the contiguous run from offset 0, which the parsers read.
//
// Hot path: no allocation; add() is O(piece length / 64) where nothing overlaps, and
// byte-by-byte only where it does.
#pragma once

#include <cstdint>
#include <span>

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

#define TAKEDOWN_OVERLAP_POLICIES(X) \
  X(First, "first")                  \
  X(Last, "last")

TAKEDOWN_ENUM(OverlapPolicy, TAKEDOWN_OVERLAP_POLICIES)

struct GatherResult {
  std::uint32_t added = 0;      // bytes new to the window
  std::uint32_t conflicts = 0;  // bytes already here that the piece disagreed with
  bool past_window = false;     // some of the piece lies at or past `capacity`
};

class StreamGather {
 public:
  // `have` holds capacity/64 words; capacity is a multiple of 64.
  void bind(std::uint8_t* bytes, std::uint64_t* have, std::uint32_t capacity) {
    bytes_ = bytes;
    have_ = have;
    capacity_ = capacity;
  }
  void clear();

  GatherResult add(std::uint64_t offset, std::span<const std::uint8_t> piece, OverlapPolicy policy);

  std::span<const std::uint8_t> prefix() const { return {bytes_, contiguous_}; }
  std::uint32_t contiguous() const { return contiguous_; }
  std::uint32_t capacity() const { return capacity_; }
  bool full() const { return contiguous_ == capacity_; }

 private:
  std::uint8_t* bytes_ = nullptr;
  std::uint64_t* have_ = nullptr;
  std::uint32_t capacity_ = 0;
  std::uint32_t contiguous_ = 0;
};

}  // namespace takedown::filters
