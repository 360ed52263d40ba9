// FlowTable against a model (a std::map of the keys it holds): inserts, finds, erases and
// timeouts in a random order, on a table small enough that every bucket fills and empties many
// times. A wrong way tag or bucket bit shows as a flow the table forgets or one it keeps; a wrong
// presence count as a held flow the presence filter denies, or a filter not empty at the end.
#include "filters/flow/flow_table.hpp"

#include <gtest/gtest.h>

#include "tests/support/frames.hpp"

#include <cstring>
#include <map>
#include <random>

namespace takedown::filters {
namespace {

FlowKey key_of(std::uint32_t n) {
  FlowKey k;
  std::memset(&k, 0, sizeof k);
  std::memcpy(k.src, &n, sizeof n);
  k.dst[0] = 192;
  k.src_port = static_cast<std::uint16_t>(n * 7919u);
  k.dst_port = 443;
  k.l4_protocol = 6;
  k.ip_version = 4;
  return k;
}

FlowConfig small_table() {
  FlowConfig c;
  c.per_worker = FlowConfig::kMinFlows;  // 8 buckets of 8 ways
  c.reassembly_flows = 4;
  c.reassembly_timeout_ms = 1000;  // ticks are milliseconds here
  return c;
}

TEST(FlowTable, EveryFlowIsFoundUntilItIsErasedAcrossFullAndEmptiedBuckets) {
  FlowTable table(small_table(), 1000);
  std::map<std::uint32_t, std::uint32_t> held;  // key number -> entry
  std::mt19937 random(12345);
  const std::uint64_t now = 1;
  for (int round = 0; round < 20000; ++round) {
    const std::uint32_t n = random() % 200;
    const FlowKey key = key_of(n);
    const std::uint64_t hash = FlowTable::hash(key);
    const auto it = held.find(n);
    const std::uint32_t found = table.find(key, hash, now);
    ASSERT_EQ(found, it == held.end() ? FlowTable::kNone : it->second) << "round " << round;
    if (it != held.end()) {
      table.erase(it->second);
      held.erase(it);
      ASSERT_EQ(table.find(key, hash, now), FlowTable::kNone) << "round " << round;
      continue;
    }
    const std::uint32_t entry = table.insert(key, hash, Protocol::Tls, now);
    ASSERT_NE(entry, FlowTable::kNone);  // nothing is pinned: a full bucket evicts
    for (auto e = held.begin(); e != held.end(); ++e) {
      if (e->second == entry) {  // a full bucket evicted this flow for the new one
        held.erase(e);
        break;
      }
    }
    held[n] = entry;
    ASSERT_EQ(table.find(key, hash, now), entry);
    ASSERT_EQ(table.counters().active, held.size());
    for (const auto& [m, e] : held)
      ASSERT_TRUE(table.may_hold(key_of(m).presence())) << "round " << round << ", key " << m;
  }
  // Every flow the model holds is still found, every other one is not.
  for (std::uint32_t n = 0; n < 200; ++n) {
    const auto it = held.find(n);
    EXPECT_EQ(table.find(key_of(n), FlowTable::hash(key_of(n)), now),
              it == held.end() ? FlowTable::kNone : it->second)
        << "key " << n;
  }
  // Emptied, the presence filter holds nothing: every count went back to 0.
  for (const auto& [n, e] : held) table.erase(e);
  for (std::uint32_t n = 0; n < 200; ++n)
    EXPECT_FALSE(table.may_hold(key_of(n).presence())) << "key " << n;
}

// The presence hash read from a packet is the one of the key built from it, both ways round, for
// IPv4 and IPv6; and it tells apart the fields it covers.
TEST(FlowKey, PresenceFromThePacketIsThatOfItsKey) {
  using namespace testing::frames;
  namespace f = testing::frames;
  const f::Bytes frames[] = {
      f::tcp_frame(40000, 443, 1, 0x18, {'x'}),
      f::udp_frame(50000, 443, {0x40, 1, 2}),
      f::ethernet(0x86DD) + f::ipv6(6, f::tcp(40001, 80, {'y'})),
      f::ethernet(0x86DD) + f::ipv6(17, f::udp(50001, 443, {1})),
      f::ethernet(0x0800, {{0x8100, 7}}) + f::ipv4(6, f::tcp(40002, 443, {})),
  };
  std::vector<std::uint32_t> seen;
  for (const auto& frame : frames) {
    DecodedPacket p;
    ASSERT_EQ(decode_packet(frame, DecodeOptions{}, LinkType::Ethernet, p).status, DecodeStatus::Ok);
    EXPECT_EQ(FlowKey::presence_of(frame, p), FlowKey::of(frame, p).presence());
    EXPECT_EQ(FlowKey::presence_of(frame, p, true), FlowKey::of(frame, p, true).presence());
    EXPECT_NE(FlowKey::presence_of(frame, p), FlowKey::presence_of(frame, p, true));
    seen.push_back(FlowKey::presence_of(frame, p));
  }
  for (std::size_t i = 0; i < seen.size(); ++i)
    for (std::size_t j = i + 1; j < seen.size(); ++j) EXPECT_NE(seen[i], seen[j]) << i << ", " << j;
}

TEST(FlowTable, AFlowPastItsTimeoutIsGoneAndItsBucketTakesNewOnes) {
  FlowTable table(small_table(), 1000);
  std::uint32_t entries[64];
  for (std::uint32_t n = 0; n < 64; ++n) {
    entries[n] = table.insert(key_of(n), FlowTable::hash(key_of(n)), Protocol::Tls, 0);
    ASSERT_NE(entries[n], FlowTable::kNone);
  }
  // Gathering flows time out after 1000 ticks: found before, gone after, and room again.
  for (std::uint32_t n = 0; n < 64; ++n) {
    if (table.find(key_of(n), FlowTable::hash(key_of(n)), 1000) == FlowTable::kNone) continue;
    EXPECT_EQ(table.find(key_of(n), FlowTable::hash(key_of(n)), 1001), FlowTable::kNone);
  }
  EXPECT_EQ(table.counters().active, 0u);
  for (std::uint32_t n = 100; n < 110; ++n) {
    const std::uint32_t e = table.insert(key_of(n), FlowTable::hash(key_of(n)), Protocol::Tls, 2000);
    ASSERT_NE(e, FlowTable::kNone);
    EXPECT_EQ(table.find(key_of(n), FlowTable::hash(key_of(n)), 2000), e);
  }
}

}  // namespace
}  // namespace takedown::filters
