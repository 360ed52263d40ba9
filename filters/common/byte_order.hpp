// Big-endian (network order) loads from byte pointers, for the packet and protocol parsers.
// The caller has bounds-checked the bytes. Pure functions; no alignment needed.
#pragma once

#include <cstdint>

namespace takedown::filters {

inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

inline std::uint32_t load_be24(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2];
}

inline std::uint32_t load_be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | load_be24(p + 1);
}

}  // namespace takedown::filters
