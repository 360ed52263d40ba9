// FlowTable against a model (a std::map of the keys it holds): inserts, finds, erases and
// timeouts in a random order, on a table small enough that every bucket fills and empties many
// times. A wrong way tag or bucket bit shows as a flow the table forgets or one it keeps.
#include "filters/flow/flow_table.hpp"

#include <gtest/gtest.h>

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
  }
  // Every flow the model holds is still found, every other one is not.
  for (std::uint32_t n = 0; n < 200; ++n) {
    const auto it = held.find(n);
    EXPECT_EQ(table.find(key_of(n), FlowTable::hash(key_of(n)), now),
              it == held.end() ? FlowTable::kNone : it->second)
        << "key " << n;
  }
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
