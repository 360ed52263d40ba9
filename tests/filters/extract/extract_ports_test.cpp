// ExtractPorts::listed() and the port dispatch of extract_name(): each of the 8 entries of a list
// is compared, unused entries (0) never match, and port 0 is in no list.
#include "filters/extract/name_extractor.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "tests/support/frames.hpp"

namespace takedown::filters {
namespace {

namespace frames = takedown::testing::frames;

TEST(ExtractPorts, EveryEntryOfAListIsCompared) {
  std::array<std::uint16_t, ExtractPorts::kMax> ports{};
  for (std::size_t slot = 0; slot < ports.size(); ++slot) {
    ports.fill(0);
    ports[slot] = 5353;
    EXPECT_TRUE(ExtractPorts::listed(ports, 5353)) << "slot " << slot;
    EXPECT_FALSE(ExtractPorts::listed(ports, 5354)) << "slot " << slot;
    EXPECT_FALSE(ExtractPorts::listed(ports, 0xE914)) << "slot " << slot;  // 5353 = 0x14E9, swapped
  }
  const std::array<std::uint16_t, ExtractPorts::kMax> full{1, 2, 3, 4, 5, 6, 7, 65535};
  for (std::uint16_t p : full) EXPECT_TRUE(ExtractPorts::listed(full, p)) << p;
  EXPECT_FALSE(ExtractPorts::listed(full, 8));
}

TEST(ExtractPorts, PortZeroIsInNoListThoughUnusedEntriesAreZero) {
  const ExtractPorts ports;  // dns {53, 0, ...}
  EXPECT_FALSE(ExtractPorts::listed(ports.dns, 0));
  EXPECT_FALSE(ExtractPorts::listed(ports.http, 0));
  EXPECT_TRUE(ExtractPorts::listed(ports.dns, 53));
  EXPECT_TRUE(ExtractPorts::listed(ports.http, 8080));
}

TEST(ExtractPorts, ExtractNameDispatchesOnTheListedPorts) {
  ExtractPorts ports;
  ports.dns = {0, 0, 0, 0, 0, 0, 0, 5353};  // only the last entry used
  const auto query = frames::dns_query("Scam.Example");
  Extraction x;

  const auto to_5353 = frames::udp_frame(40000, 5353, query);
  extract_name(to_5353, ports, x);
  ASSERT_EQ(x.protocol, Protocol::Dns);
  ASSERT_NE(x.name(), nullptr);
  EXPECT_EQ(x.name()->view(), "scam.example");

  const auto to_53 = frames::udp_frame(40000, 53, query);
  extract_name(to_53, ports, x);
  EXPECT_EQ(x.protocol, Protocol::None);
  EXPECT_EQ(x.reason, "port_not_inspected");

  const auto to_0 = frames::udp_frame(40000, 0, query);
  extract_name(to_0, ports, x);
  EXPECT_EQ(x.protocol, Protocol::None);
  EXPECT_EQ(x.name(), nullptr);
}

}  // namespace
}  // namespace takedown::filters
