// The flow path allocates nothing per packet: global operator new and libcrypto's allocator are
// replaced by counting ones (CRYPTO_set_mem_functions, before libcrypto's first allocation), and
// two-segment ClientHellos, blocked flows, QUIC Initials of new flows, junk Initials and the
// expiry sweep run under them after the tracker is made.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "filters/flow/flow_tracker.hpp"
#include "tests/support/counting_new.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/quic_builder.hpp"

namespace {
using takedown::testing::g_allocations;
using takedown::testing::g_counting;

void* counted_malloc(std::size_t size, const char*, int) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return std::malloc(size);
}
void* counted_realloc(void* p, std::size_t size, const char*, int) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return std::realloc(p, size);
}
void plain_free(void* p, const char*, int) { std::free(p); }
// Before main, so before libcrypto allocates anything: it refuses the change afterwards.
const bool g_crypto_counted = CRYPTO_set_mem_functions(counted_malloc, counted_realloc, plain_free) == 1;
}  // namespace

namespace takedown::filters {
namespace {

namespace f = testing::frames;
namespace q = testing::quic;
using f::Bytes;
using f::operator+;

TEST(FlowAllocation, PacketsAllocateNothing) {
  ASSERT_TRUE(g_crypto_counted) << "libcrypto allocated before the test could count it";
  std::vector<Bytes> frames;
  for (int c = 0; c < 64; ++c) {
    const auto sport = static_cast<std::uint16_t>(2000 + c);
    const Bytes hello = f::client_hello({f::grease(0x0A0A), f::key_share(),
                                         f::sni("site" + std::to_string(c) + ".example")});
    frames.push_back(f::tcp_frame(sport, 443, 1, 0x18, f::slice(hello, 0, 1000)));
    frames.push_back(f::tcp_frame(sport, 443, 1001, 0x18, f::slice(hello, 1000, hello.size())));
    frames.push_back(f::tcp_frame(sport, 443, 1, 0x18, f::slice(hello, 0, 1000)));  // again: blocked flows repeat
    q::Initial in;
    in.frames = q::crypto_frame(0, f::handshake_of(f::client_hello({f::sni("quic.example")})));
    frames.push_back(f::udp_frame(static_cast<std::uint16_t>(30000 + c), 443, q::seal(in)));
    Bytes junk(1250, 0x5A);
    const Bytes header = {0xC3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, static_cast<std::uint8_t>(c),
                          0, 0, 0x44, 0xD0};
    std::memcpy(junk.data(), header.data(), header.size());
    frames.push_back(f::udp_frame(static_cast<std::uint16_t>(40000 + c), 443, junk));
  }
  FlowConfig config;
  config.per_worker = 256;  // small, so the loop also evicts
  config.reassembly_flows = 16;
  auto tracker = std::move(FlowTracker::create(config, ExtractPorts{}, 1000000).value());
  const ExtractPorts ports;
  Extraction x;
  std::uint64_t now = 1;
  std::size_t named = 0, blocked = 0;
  Verdict block;
  block.decision = Decision::Block;

  g_counting = true;
  for (int round = 0; round < 20; ++round) {
    for (const Bytes& frame : frames) {
      extract_name(frame, ports, x);
      const FlowStep s = tracker->step(frame, x, now);
      if (s.kind == FlowStepKind::Named || s.kind == FlowStepKind::Packet) {
        ++named;
        tracker->settle(frame, s, x, round % 2 ? block : Verdict{}, 0, now);
      }
      blocked += s.kind == FlowStepKind::Blocked;
      now += 50;
    }
    tracker->expire(now);
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_GT(named, 20u * 64u);  // the names were really found
  EXPECT_GT(blocked, 0u);       // and blocked flows were met again
  EXPECT_GT(tracker->counters().quic_decrypted, 0u);
  EXPECT_GT(tracker->counters().quic_failed, 0u);
  EXPECT_GT(tracker->counters().evicted + tracker->counters().timed_out, 0u);
}

}  // namespace
}  // namespace takedown::filters
