// FlowTracker over TCP: golden ClientHellos and requests built byte by byte, cut into segments
// the way browsers send them (a post-quantum key share before the SNI), delivered in order, out
// of order, repeated, overlapping, over several records and on a SYN; then blocked flows, ends,
// timeouts and a flood.
#include "filters/flow/flow_tracker.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/frames.hpp"

namespace takedown::filters {
namespace {

namespace f = testing::frames;
using f::Bytes;
using f::operator+;

constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kData = 0x18;  // PSH+ACK
constexpr std::uint8_t kRst = 0x14;
constexpr std::uint32_t kIsn = 0xFFFFFF00;  // data starts just before the wrap, on purpose

// A browser-like ClientHello: GREASE, a 1,216-byte key share, then the SNI, about 1.4 KB.
Bytes pq_hello(const std::string& name = "blocked.example") {
  return f::client_hello({f::grease(0x0A0A), f::key_share(), f::sni(name), f::alpn()});
}

struct Harness {
  explicit Harness(FlowConfig config = {}) {
    auto t = FlowTracker::create(config, ports, 1000000);  // ticks are microseconds here
    if (!t) throw std::runtime_error(t.error());
    tracker = std::move(t.value());
  }

  Bytes frame(std::uint32_t seq, std::uint8_t flags, const Bytes& payload, std::uint16_t dst = 443) {
    return f::tcp_frame(sport, dst, seq, flags, payload);
  }
  // Stream bytes [from, to) of `stream` as one segment.
  FlowStep segment(const Bytes& stream, std::size_t from, std::size_t to, std::uint16_t dst = 443) {
    return feed(frame(kIsn + 1 + static_cast<std::uint32_t>(from), kData, f::slice(stream, from, to), dst));
  }
  FlowStep syn(const Bytes& data = {}, std::uint16_t dst = 443) {
    return feed(frame(kIsn, kSyn, data, dst));
  }
  FlowStep feed(const Bytes& bytes) {
    last = bytes;
    extract_name(last, ports, x);
    FlowStep s = tracker->step(last, x, now);
    if (s.kind == FlowStepKind::Named) named = std::string(x.name()->view());
    return s;
  }
  // What the data plane does after matching a Named step.
  void decide(const FlowStep& s, Decision decision) {
    Verdict v;
    v.decision = decision;
    v.rule.line = 7;
    tracker->settle(last, s, x, v, 3, now);
  }

  ExtractPorts ports;
  std::unique_ptr<FlowTracker> tracker;
  Extraction x;
  Bytes last;
  std::string named;
  std::uint64_t now = 1000;
  std::uint16_t sport = 40000;
};

TEST(FlowTrackerTcp, SniInTheSecondSegment) {
  Harness h;
  const Bytes hello = pq_hello();
  ASSERT_GT(hello.size(), 1300u);
  EXPECT_EQ(h.syn().kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 0, 1000).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.x.status, DecodeStatus::NotApplicable);  // gathering is not "truncated"
  const FlowStep s = h.segment(hello, 1000, hello.size());
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "blocked.example");
  EXPECT_EQ(h.x.protocol, Protocol::Tls);
  EXPECT_TRUE(h.x.reassembled);
  EXPECT_EQ(h.x.packets, 2);
  h.decide(s, Decision::Pass);
  EXPECT_EQ(h.tracker->counters().reassembled, 1u);
  EXPECT_EQ(h.tracker->counters().active, 0u);
}

TEST(FlowTrackerTcp, SniInTheThirdSegment) {
  Harness h;
  const Bytes hello = pq_hello();
  h.syn();
  EXPECT_EQ(h.segment(hello, 0, 500).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 500, 1000).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 1000, hello.size()).kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "blocked.example");
  EXPECT_EQ(h.x.packets, 3);
}

TEST(FlowTrackerTcp, OutOfOrderTheFrameThatCompletesTheNameNamesIt) {
  Harness h;
  const Bytes hello = pq_hello();
  h.syn();
  EXPECT_EQ(h.segment(hello, 1000, hello.size()).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 500, 1000).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 0, 500).kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "blocked.example");
}

TEST(FlowTrackerTcp, RetransmittedSegmentsAddNothing) {
  Harness h;
  const Bytes hello = pq_hello();
  h.syn();
  h.segment(hello, 0, 1000);
  EXPECT_EQ(h.segment(hello, 0, 1000).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 200, 700).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 1000, hello.size()).kind, FlowStepKind::Named);
  EXPECT_EQ(h.x.packets, 2);  // the repeats brought no new bytes
  EXPECT_EQ(h.tracker->counters().overlap_conflicts, 0u);
}

// Two overlapping segments disagree about the SNI: the policy picks, the conflict is counted.
TEST(FlowTrackerTcp, ConflictingOverlapIsCountedAndTheConfiguredCopyWins) {
  const Bytes first = pq_hello("blocked.example");
  const Bytes second = pq_hello("allowed.example");  // same length, same offsets
  ASSERT_EQ(first.size(), second.size());
  std::size_t sni_at = 0;
  for (std::size_t i = 0; i + 7 < first.size(); ++i) {
    if (std::string(first.begin() + i, first.begin() + i + 7) == "blocked") sni_at = i;
  }
  ASSERT_GT(sni_at, 1000u);
  for (OverlapPolicy policy : {OverlapPolicy::First, OverlapPolicy::Last}) {
    FlowConfig config;
    config.overlap = policy;
    Harness h(config);
    h.syn();
    h.segment(first, 0, sni_at + 3);  // the SNI's first three bytes, "blo"
    EXPECT_EQ(h.segment(second, sni_at - 4, second.size()).kind, FlowStepKind::Named);
    EXPECT_EQ(h.tracker->counters().overlap_conflicts, 2u) << to_string(policy);  // "blo" / "all"
    EXPECT_EQ(h.named, policy == OverlapPolicy::First ? "bloowed.example" : "allowed.example");
  }
}

TEST(FlowTrackerTcp, ClientHelloOverSeveralRecords) {
  Harness h;
  const Bytes records = f::split_records(pq_hello(), 300);
  ASSERT_GT(records.size(), pq_hello().size());
  h.syn();
  EXPECT_EQ(h.segment(records, 0, 900).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(records, 900, records.size()).kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "blocked.example");
}

TEST(FlowTrackerTcp, RecordsAllInOneSegment) {
  Harness h;
  const Bytes records = f::split_records(f::client_hello({f::sni("one.example")}), 20);
  h.syn();
  EXPECT_EQ(h.segment(records, 0, records.size()).kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "one.example");
  EXPECT_FALSE(h.x.reassembled);
}

TEST(FlowTrackerTcp, DataOnTheSyn) {
  Harness h;
  const Bytes hello = pq_hello();
  EXPECT_EQ(h.syn(f::slice(hello, 0, 1000)).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 1000, hello.size()).kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "blocked.example");

  Harness whole;
  whole.sport = 40001;
  EXPECT_EQ(whole.syn(f::client_hello({f::sni("fast.example")})).kind, FlowStepKind::Named);
  EXPECT_EQ(whole.named, "fast.example");
}

TEST(FlowTrackerTcp, FirstSegmentWithoutItsSynStillGathers) {
  Harness h;
  const Bytes hello = pq_hello();
  EXPECT_EQ(h.segment(hello, 0, 1000).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 1000, hello.size()).kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "blocked.example");
}

TEST(FlowTrackerTcp, OneSegmentClientHelloNeedsNoGathering) {
  Harness h;
  h.syn();
  const Bytes hello = f::client_hello({f::sni("short.example")});
  const FlowStep s = h.segment(hello, 0, hello.size());
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  EXPECT_FALSE(h.x.reassembled);
  h.decide(s, Decision::Pass);
  EXPECT_EQ(h.tracker->counters().active, 0u);
  // Bulk data of the flow afterwards: no entry, nothing to do.
  EXPECT_EQ(h.segment(Bytes(1400, 0x17), 0, 1400).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.tracker->counters().active, 0u);
}

TEST(FlowTrackerTcp, HttpRequestHeadOverTwoSegments) {
  Harness h;
  const std::string head = "GET /login HTTP/1.1\r\nUser-Agent: test\r\nHost: blocked.example\r\n\r\n";
  const Bytes bytes(head.begin(), head.end());
  h.syn({}, 80);
  EXPECT_EQ(h.segment(bytes, 0, 30, 80).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(bytes, 30, bytes.size(), 80).kind, FlowStepKind::Named);
  EXPECT_EQ(h.named, "blocked.example");
  EXPECT_EQ(h.x.protocol, Protocol::Http);
  EXPECT_EQ(h.x.http.path, "/login");
}

TEST(FlowTrackerTcp, ABlockedFlowStaysBlockedUntilItTimesOut) {
  FlowConfig config;
  config.blocked_timeout_ms = 1000;
  Harness h(config);
  const Bytes hello = pq_hello();
  h.syn();
  h.segment(hello, 0, 1000);
  const FlowStep s = h.segment(hello, 1000, hello.size());
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  h.decide(s, Decision::Block);
  // The retransmitted ClientHello, and anything else the client sends, get the verdict at once.
  FlowStep again = h.segment(hello, 1000, hello.size());
  ASSERT_EQ(again.kind, FlowStepKind::Blocked);
  EXPECT_EQ(h.tracker->verdict_of(again).decision, Decision::Block);
  EXPECT_EQ(h.tracker->verdict_of(again).rule.line, 7u);
  EXPECT_EQ(again.action, 3);
  EXPECT_EQ(h.x.protocol, Protocol::Tls);
  EXPECT_EQ(h.segment(Bytes(10, 0x17), 0, 10).kind, FlowStepKind::Blocked);
  EXPECT_EQ(h.tracker->counters().flow_verdicts, 2u);
  h.now += 1000001 + 1000;
  EXPECT_EQ(h.segment(Bytes(10, 0x17), 0, 10).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.tracker->counters().timed_out, 1u);
  EXPECT_EQ(h.tracker->counters().active, 0u);
}

TEST(FlowTrackerTcp, ABlockedNameInOneSegmentIsRememberedToo) {
  Harness h;
  const Bytes hello = f::client_hello({f::sni("short.example")});
  const FlowStep s = h.segment(hello, 0, hello.size());  // no SYN seen
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  h.decide(s, Decision::Block);
  EXPECT_EQ(h.segment(hello, 0, hello.size()).kind, FlowStepKind::Blocked);
}

TEST(FlowTrackerTcp, ANewSynOnABlockedTupleIsJudgedAfresh) {
  Harness h;
  const Bytes hello = f::client_hello({f::sni("short.example")});
  h.syn();
  const FlowStep s = h.segment(hello, 0, hello.size());
  h.decide(s, Decision::Block);
  EXPECT_EQ(h.syn().kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 0, hello.size()).kind, FlowStepKind::Named);
}

TEST(FlowTrackerTcp, ASecondFrameOfTheFlowInTheSameBurstFollows) {
  Harness h;
  const Bytes hello = f::client_hello({f::sni("short.example")});
  h.syn();
  const FlowStep s = h.segment(hello, 0, hello.size());
  ASSERT_EQ(s.kind, FlowStepKind::Named);
  const Bytes first = h.last;
  Extraction first_x = h.x;
  EXPECT_EQ(h.segment(Bytes(10, 0x17), hello.size(), hello.size() + 10).kind, FlowStepKind::Follows);
  const Bytes follower = h.last;
  Verdict v;
  v.decision = Decision::Block;
  h.tracker->settle(first, s, first_x, v, 3, h.now);
  EXPECT_EQ(h.tracker->resolve(follower, h.x, h.now).kind, FlowStepKind::Blocked);
}

TEST(FlowTrackerTcp, ResetOrFinBeforeTheNameAbandonsTheFlow) {
  Harness h;
  const Bytes hello = pq_hello();
  h.syn();
  h.segment(hello, 0, 1000);
  EXPECT_EQ(h.feed(h.frame(kIsn + 1001, kRst, {})).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.tracker->counters().abandoned, 1u);
  EXPECT_EQ(h.tracker->counters().active, 0u);
}

TEST(FlowTrackerTcp, NotAClientHelloEndsTheEntry) {
  Harness h;
  h.syn();
  EXPECT_EQ(h.segment(Bytes(100, 'A'), 0, 100).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.tracker->counters().active, 0u);
}

TEST(FlowTrackerTcp, AClientHelloLongerThanTheWindowIsAbandoned) {
  FlowConfig config;
  config.reassembly_bytes = 512;
  Harness h(config);
  const Bytes hello = pq_hello();  // the SNI lies past byte 1,200
  h.syn();
  EXPECT_EQ(h.segment(hello, 0, 400).kind, FlowStepKind::Gathering);
  EXPECT_EQ(h.segment(hello, 400, 1000).kind, FlowStepKind::Packet);
  EXPECT_EQ(h.x.reason, "reassembly_window_full");
  EXPECT_EQ(h.tracker->counters().abandoned, 1u);
}

TEST(FlowTrackerTcp, AGatheringFlowTimesOut) {
  FlowConfig config;
  config.reassembly_timeout_ms = 100;
  Harness h(config);
  const Bytes hello = pq_hello();
  h.syn();
  h.segment(hello, 0, 1000);
  h.now += 200000;
  for (int i = 0; i < 2000; ++i) h.tracker->expire(h.now);
  EXPECT_EQ(h.tracker->counters().active, 0u);
  EXPECT_EQ(h.tracker->counters().timed_out, 1u);
  EXPECT_EQ(h.tracker->counters().abandoned, 1u);
}

// A flood of half ClientHellos from many ports fills a small table: it evicts, counts, and a
// normal flow afterwards still completes.
TEST(FlowTrackerTcp, AFloodOfHalfClientHellosEvictsAndNeverBlocksNewFlows) {
  FlowConfig config;
  config.per_worker = 256;
  config.reassembly_flows = 16;
  Harness h(config);
  const Bytes hello = pq_hello();
  for (int i = 0; i < 20000; ++i) {
    h.sport = static_cast<std::uint16_t>(1024 + i % 60000);
    h.now += 1;
    const FlowStep s = h.segment(hello, 0, 1000);
    ASSERT_EQ(s.kind, FlowStepKind::Gathering) << i;
  }
  const FlowCounters& c = h.tracker->counters();
  EXPECT_LE(c.active, 256u);
  EXPECT_EQ(c.created, 20000u);
  EXPECT_EQ(c.created - c.evicted - c.timed_out, c.active);
  EXPECT_GE(c.evicted, 20000u - 256u);
  h.sport = 65000;
  h.syn();
  h.segment(hello, 0, 1000);
  EXPECT_EQ(h.segment(hello, 1000, hello.size()).kind, FlowStepKind::Named);
}

TEST(FlowTrackerTcp, DnsAndOtherPortsNeverTouchTheTable) {
  Harness h;
  h.feed(f::udp_frame(5353, 53, f::dns_query("a.example")));
  EXPECT_EQ(h.tracker->step(h.last, h.x, h.now).kind, FlowStepKind::Packet);
  h.feed(f::tcp_frame(1, 22, 5, kSyn, {}));
  EXPECT_EQ(h.tracker->counters().created, 0u);
}

}  // namespace
}  // namespace takedown::filters
