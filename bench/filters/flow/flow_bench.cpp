// What flows cost. Every figure has its baseline in the same binary and run:
//   BM_DnsMix/flows:0 vs /flows:1   DNS queries extracted alone, then also stepped through a
//                                   FlowTracker (the ratio is the table's cost on DNS traffic);
//   BM_WebMix/flows:0 vs /flows:1   a web mix per frame: two-segment post-quantum ClientHellos
//                                   (SYN, two segments), QUIC Initials of new flows, data segments
//                                   of established flows, DNS; without flows only single-packet
//                                   names are found, with them every name is;
//   BM_QuicInitial                  one client Initial of a new flow: keys, header protection,
//                                   AEAD, CRYPTO frames, ClientHello: ns per decrypted Initial;
//   BM_WebMixUnderFlood/flood:0 vs /flood:1
//                                   the web mix in bursts of 32, timed alone; with flood:1 each
//                                   burst is followed by 32 first ClientHello segments that never
//                                   complete and 32 junk 1,250-byte Initials, each from a source
//                                   never seen before (the table fills, evicts, and the QUIC
//                                   budget, 50,000 a second on a clock of 3 us per frame, is
//                                   spent). The ratio is the flood's cost to normal traffic;
//                                   rss_growth_kb shows that memory stays where it was.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "filters/flow/flow_tracker.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/quic_builder.hpp"

namespace takedown::bench {
namespace {

namespace f = testing::frames;
namespace q = testing::quic;
using f::Bytes;
using f::operator+;

using f::tcp_frame;
using f::udp_frame;

std::vector<Bytes> dns_mix() {
  std::vector<Bytes> out;
  for (int i = 0; i < 4096; ++i) {
    out.push_back(udp_frame(static_cast<std::uint16_t>(1024 + i), 53,
                            f::dns_query("host" + std::to_string(i) + ".example.com")));
  }
  return out;
}

// Per connection: SYN, two ClientHello segments, three data segments; per QUIC flow one Initial
// (the ClientHello fits); two DNS queries. Flows differ by source port.
std::vector<Bytes> web_mix() {
  std::vector<Bytes> out;
  const Bytes bulk(1400, 0x17);
  for (int c = 0; c < 512; ++c) {
    const std::uint16_t sport = static_cast<std::uint16_t>(2000 + c);
    const Bytes hello = f::client_hello({f::grease(0x0A0A), f::key_share(),
                                         f::sni("site" + std::to_string(c) + ".example"),
                                         f::alpn()});
    const std::uint32_t isn = 1000u * static_cast<std::uint32_t>(c);
    out.push_back(tcp_frame(sport, 443, isn, 0x02, {}));
    out.push_back(tcp_frame(sport, 443, isn + 1, 0x18, f::slice(hello, 0, 1200)));
    out.push_back(tcp_frame(sport, 443, isn + 1201, 0x18, f::slice(hello, 1200, hello.size())));
    for (int d = 0; d < 3; ++d) {
      out.push_back(tcp_frame(sport, 443,
                              isn + 1 + static_cast<std::uint32_t>(hello.size() + 1400 * d), 0x18,
                              bulk));
    }
    q::Initial in;
    in.frames = q::crypto_frame(
        0, f::handshake_of(f::client_hello({f::sni("quic" + std::to_string(c) + ".example")})));
    out.push_back(udp_frame(static_cast<std::uint16_t>(30000 + c), 443, q::seal(in)));
    out.push_back(udp_frame(sport, 53, f::dns_query("dns" + std::to_string(c) + ".example")));
    out.push_back(udp_frame(sport, 53, f::dns_query("cdn" + std::to_string(c) + ".example")));
  }
  return out;
}

std::unique_ptr<filters::FlowTracker> tracker() {
  filters::FlowConfig config;
  config.quic_decrypts_per_second = 0;
  return std::move(filters::FlowTracker::create(config, filters::ExtractPorts{}, 1000000).value());
}

void run_mix(benchmark::State& state, const std::vector<Bytes>& set) {
  const bool flows = state.range(0) != 0;
  const filters::ExtractPorts ports;
  auto t = tracker();
  filters::Extraction x;
  std::size_t i = 0;
  std::uint64_t now = 1;
  std::uint64_t named = 0;
  for (auto _ : state) {
    filters::extract_name(set[i], ports, x);
    if (flows) {
      const filters::FlowStep s = t->step(set[i], x, now);
      if (s.kind == filters::FlowStepKind::Named) {
        ++named;
        t->settle(set[i], s, x, filters::Verdict{}, 0, now);
      }
    } else {
      named += x.name() != nullptr;
    }
    benchmark::DoNotOptimize(x.name());
    if (++i == set.size()) {
      i = 0;
      now += 10000000;  // a new round of the same flows, ten seconds later
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["named_share"] =
      static_cast<double>(named) / static_cast<double>(state.iterations());
}

void BM_DnsMix(benchmark::State& state) {
  static const auto set = dns_mix();
  run_mix(state, set);
}
BENCHMARK(BM_DnsMix)->ArgName("flows")->Arg(0)->Arg(1);

void BM_WebMix(benchmark::State& state) {
  static const auto set = web_mix();
  run_mix(state, set);
}
BENCHMARK(BM_WebMix)->ArgName("flows")->Arg(0)->Arg(1);

void BM_QuicInitial(benchmark::State& state) {
  q::Initial in;
  in.frames = q::crypto_frame(0, f::handshake_of(f::client_hello(
                                     {f::grease(0x0A0A), f::sni("quic.example"), f::alpn()})));
  const Bytes datagram = q::seal(in);
  std::vector<Bytes> set;
  for (int i = 0; i < 1024; ++i)
    set.push_back(udp_frame(static_cast<std::uint16_t>(10000 + i), 443, datagram));
  auto t = tracker();
  const filters::ExtractPorts ports;
  filters::Extraction x;
  std::size_t i = 0;
  std::uint64_t now = 1;
  for (auto _ : state) {
    filters::extract_name(set[i], ports, x);
    const filters::FlowStep s = t->step(set[i], x, now);
    if (s.kind != filters::FlowStepKind::Named) state.SkipWithError("the Initial was not named");
    t->settle(set[i], s, x, filters::Verdict{}, 0, now);
    if (++i == set.size()) {
      i = 0;
      now += 10000000;  // past the passed flows' timeout: the same sources are new flows again
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuicInitial);

// Resident memory now, in KiB (/proc/self/statm).
double resident_kib() {
  std::ifstream statm("/proc/self/statm");
  double size = 0, resident = 0;
  statm >> size >> resident;
  return resident * 4.0;
}

// A flood frame from a source never seen before: `serial` goes into the source address and port.
void stamp_source(Bytes& frame, std::uint32_t serial) {
  frame[26] = 100;  // 100.x.y.z
  frame[27] = static_cast<std::uint8_t>(serial >> 16);
  frame[28] = static_cast<std::uint8_t>(serial >> 8);
  frame[29] = static_cast<std::uint8_t>(serial);
  frame[34] = static_cast<std::uint8_t>(0x80 | (serial >> 24));
  frame[35] = static_cast<std::uint8_t>(serial);
}

void BM_WebMixUnderFlood(benchmark::State& state) {
  static const auto set = web_mix();
  const bool flood = state.range(0) != 0;
  const Bytes hello = f::client_hello({f::grease(0x0A0A), f::key_share(), f::sni("flood.example")});
  Bytes half = tcp_frame(40000, 443, 1, 0x18, f::slice(hello, 0, 600));  // never completed
  Bytes junk = udp_frame(40000, 443, [] {
    // A well-formed v1 Initial header (8-byte DCID, no SCID, no token, length 1,232) over
    // bytes that do not decrypt.
    Bytes d(1250, 0x5A);
    const Bytes header = {0xC3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x44, 0xD0};
    std::copy(header.begin(), header.end(), d.begin());
    return d;
  }());
  filters::FlowConfig config;  // the defaults takedownd runs with
  auto t = std::move(filters::FlowTracker::create(config, filters::ExtractPorts{}, 1000000).value());
  const filters::ExtractPorts ports;
  filters::Extraction x;
  std::size_t i = 0;
  // Microseconds, three per frame: 333,000 frames a second, so the mix's own Initials (one frame in
  // nine) stay within the default budget and the flood's do not.
  std::uint64_t now = 1;
  std::uint32_t serial = 0;
  std::uint64_t named = 0, normal = 0;
  const auto step = [&](const Bytes& frame) {
    filters::extract_name(frame, ports, x);
    const filters::FlowStep s = t->step(frame, x, now);
    if (s.kind == filters::FlowStepKind::Named || s.kind == filters::FlowStepKind::Packet) {
      t->settle(frame, s, x, filters::Verdict{}, 0, now);
    }
    now += 3;
    return s.kind;
  };
  // Each round of the mix comes from other client addresses (101.r.r.r): its flows are new ones,
  // as a real mix's are, not the same 5-tuples again (a passed QUIC flow's later Initials are
  // not inspected again).
  std::size_t longest = 0;
  for (const Bytes& frame : set) longest = std::max(longest, frame.size());
  Bytes frame;
  frame.reserve(longest);
  std::uint32_t round = 0;
  const double rss_before = resident_kib();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    for (int b = 0; b < 32; ++b) {
      frame.assign(set[i].begin(), set[i].end());
      frame[26] = 101;
      frame[27] = static_cast<std::uint8_t>(round >> 16);
      frame[28] = static_cast<std::uint8_t>(round >> 8);
      frame[29] = static_cast<std::uint8_t>(round);
      named += step(frame) == filters::FlowStepKind::Named || x.name() != nullptr;
      ++normal;
      if (++i == set.size()) {
        i = 0;
        ++round;
      }
    }
    const auto stop = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
    if (flood) {
      for (int b = 0; b < 32; ++b) {
        stamp_source(half, ++serial);
        step(half);
        stamp_source(junk, ++serial);
        step(junk);
      }
    }
    t->expire(now);  // once per burst, as a worker does per poll round
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(normal));
  const filters::FlowCounters& c = t->counters();
  state.counters["flood_frames"] = static_cast<double>(serial);
  state.counters["evicted"] = static_cast<double>(c.evicted);
  state.counters["quic_failed"] = static_cast<double>(c.quic_failed);
  state.counters["quic_over_budget"] = static_cast<double>(c.quic_over_budget);
  state.counters["named_share"] = static_cast<double>(named) / static_cast<double>(normal);
  state.counters["rss_growth_kb"] = resident_kib() - rss_before;
}
BENCHMARK(BM_WebMixUnderFlood)->ArgName("flood")->Arg(0)->Arg(1)->UseManualTime();

}  // namespace
}  // namespace takedown::bench

BENCHMARK_MAIN();
