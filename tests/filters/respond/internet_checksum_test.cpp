// internet_checksum against RFC 1071's definition written out word by word: every length from 0
// to 300 bytes, at every alignment, with and without a starting sum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "filters/respond/reply_headers.hpp"
#include "tests/support/reference_checksum.hpp"

namespace takedown::testing {
namespace {

std::uint16_t reference_checksum(const std::uint8_t* bytes, std::size_t length,
                                 std::uint32_t initial) {
  return static_cast<std::uint16_t>(~reference_sum(initial, bytes, length) & 0xFFFF);
}

TEST(InternetChecksum, Rfc1071Example) {
  // RFC 1071 section 3: the sum of these words is 0xDDF2, so the checksum is its complement.
  const std::uint8_t bytes[] = {0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7};
  EXPECT_EQ(filters::internet_checksum(bytes, sizeof bytes), 0xFFFF - 0xDDF2);
}

TEST(InternetChecksum, MatchesTheDefinitionAtEveryLengthAndAlignment) {
  std::mt19937 rng(1071);
  std::vector<std::uint8_t> buffer(320);
  for (int round = 0; round < 4; ++round) {
    for (auto& b : buffer) b = static_cast<std::uint8_t>(rng());
    if (round == 1) std::fill(buffer.begin(), buffer.end(), 0xFF);  // every carry at once
    for (std::size_t start = 0; start < 8; ++start) {
      for (std::size_t length = 0; length + start <= 308; ++length) {
        const std::uint32_t initial = round == 2 ? 0 : rng() % 0x3FFFF;  // a pseudo-header sum
        ASSERT_EQ(filters::internet_checksum(buffer.data() + start, length, initial),
                  reference_checksum(buffer.data() + start, length, initial))
            << "length " << length << ", start " << start << ", initial " << initial;
      }
    }
  }
}

TEST(InternetChecksum, TheLargestDatagramOfOnesDoesNotOverflow) {
  // 65535 bytes of 0xFF: every word at its largest, in every lane, with an odd byte at the end.
  const std::vector<std::uint8_t> ones(65535, 0xFF);
  for (const std::size_t length : {65535u, 65534u, 65528u, 4096u}) {
    EXPECT_EQ(filters::internet_checksum(ones.data(), length, 0x2FFFF),
              reference_checksum(ones.data(), length, 0x2FFFF))
        << "length " << length;
  }
}

TEST(InternetChecksum, AChecksummedBufferSumsToZero) {
  std::vector<std::uint8_t> udp = {0x30, 0x39, 0x00, 0x35, 0x00, 0x0B, 0x00, 0x00, 'a', 'b', 'c'};
  const std::uint16_t c = filters::internet_checksum(udp.data(), udp.size());
  udp[6] = static_cast<std::uint8_t>(c >> 8);
  udp[7] = static_cast<std::uint8_t>(c);
  EXPECT_EQ(filters::internet_checksum(udp.data(), udp.size()), 0);
}

}  // namespace
}  // namespace takedown::testing
