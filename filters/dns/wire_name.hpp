// wire_name_length(): the length of an uncompressed DNS name in wire form (RFC 1035 section
// 3.1: labels of 1 to 63 bytes, each after its length byte, ending with the root's zero byte, 255
// bytes at most), or 0 when `bytes` does not start with one. Compression pointers are refused.
//
// Pure; safe on any thread; no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace takedown::filters {

inline constexpr std::size_t kMaxWireName = 255;

constexpr std::size_t wire_name_length(std::span<const std::uint8_t> bytes) {
  std::size_t at = 0;
  while (at < bytes.size() && at < kMaxWireName) {
    const std::uint8_t label = bytes[at];
    if (label == 0) return at + 1;
    if (label > 63) return 0;
    at += 1 + label;
  }
  return 0;
}

}  // namespace takedown::filters
