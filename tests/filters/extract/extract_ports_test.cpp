// ExtractPorts::listed() and the port dispatch of extract_name(): unused entries (0) never match,
// port 0 is in no list, and a port in a list's last slot is dispatched on. Every slot of a list
// is compared: tests/filters/common/port_list_test.cpp.
#include "filters/extract/name_extractor.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "tests/support/frames.hpp"

namespace takedown::filters {
namespace {

namespace frames = takedown::testing::frames;

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
