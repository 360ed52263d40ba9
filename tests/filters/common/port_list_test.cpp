// port_listed(): every entry of a 4- or 8-port list is compared, unused entries (0) never match,
// and port 0 is in no list (the upper lanes of a 4-port list's load are 0 too).
#include "filters/common/port_list.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace takedown::filters {
namespace {

template <std::size_t N>
void every_entry_is_compared() {
  std::array<std::uint16_t, N> ports{};
  for (std::size_t slot = 0; slot < N; ++slot) {
    ports.fill(0);
    ports[slot] = 5353;
    EXPECT_TRUE(port_listed(ports, 5353)) << N << " ports, slot " << slot;
    EXPECT_FALSE(port_listed(ports, 5354)) << N << " ports, slot " << slot;
    EXPECT_FALSE(port_listed(ports, 0xE914)) << N << " ports, slot " << slot;  // 5353, swapped
    EXPECT_FALSE(port_listed(ports, 0)) << N << " ports, slot " << slot;
  }
  std::array<std::uint16_t, N> full{};
  for (std::size_t i = 0; i < N; ++i) full[i] = static_cast<std::uint16_t>(i + 1);
  full[N - 1] = 65535;
  for (std::uint16_t p : full) EXPECT_TRUE(port_listed(full, p)) << N << " ports, port " << p;
  EXPECT_FALSE(port_listed(full, static_cast<std::uint16_t>(N)));  // the value 65535 replaced
  EXPECT_FALSE(port_listed(full, 0));
}

TEST(PortList, EveryEntryOfAnEightPortListIsCompared) { every_entry_is_compared<8>(); }
TEST(PortList, EveryEntryOfAFourPortListIsCompared) { every_entry_is_compared<4>(); }

// A 4-port list is loaded as 64 bits: what lies after it in memory is never compared.
TEST(PortList, AFourPortListIgnoresWhatFollowsIt) {
  struct {
    std::array<std::uint16_t, 4> ports{4789, 0, 0, 0};
    std::array<std::uint16_t, 4> after{2152, 53, 80, 443};
  } lists;
  EXPECT_TRUE(port_listed(lists.ports, 4789));
  for (std::uint16_t p : lists.after) EXPECT_FALSE(port_listed(lists.ports, p)) << p;
}

}  // namespace
}  // namespace takedown::filters
