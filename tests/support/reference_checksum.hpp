// RFC 1071 written out word by word, for tests and fuzz targets to check the reply writers'
// internet_checksum() against: the ones' complement sum of big-endian 16-bit words, an odd last
// byte padded with zero, the end-around carry after each word. Slow on purpose: plain to read.
#pragma once

#include <cstddef>
#include <cstdint>

namespace takedown::testing {

// `sum` plus the words of `bytes`, folded to 16 bits. A segment whose checksum is right sums,
// with its pseudo-header, to 0xFFFF.
inline std::uint32_t reference_sum(std::uint32_t sum, const std::uint8_t* bytes,
                                   std::size_t length) {
  for (std::size_t i = 0; i < length; i += 2) {
    sum += std::uint32_t{bytes[i]} << 8 | (i + 1 < length ? std::uint32_t{bytes[i + 1]} : 0u);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  }
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

}  // namespace takedown::testing
