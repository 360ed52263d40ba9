// Extraction time per frame: Ethernet to the normalised name, on realistic frames (names from
// top-50k and the takedown list with prefixes, random casing, IPv4/IPv6, some VLAN tags and EDNS).
// Baselines in the same binary: decoding the headers alone (the floor), and a naive QNAME parser
// that builds a lowercased std::string per label, as many filters do.
// Wrappers: decoding and extraction of the same DNS query frames inside each wrapper an ISP wire
// carries (PPPoE, MPLS, GRE, VXLAN, GTP-U, IP in IP, three nested), against plain Ethernet in the
// same run (BM_DecodeWrapped/0 and BM_ExtractWrapped/0).
#include <benchmark/benchmark.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "bench/support/name_mix.hpp"
#include "filters/extract/name_extractor.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/wrapper_frames.hpp"

namespace takedown::bench {
namespace {

using namespace testing::frames;

std::string odd_case(std::string name, std::mt19937_64& rng) {
  if (rng() % 3 == 0) {
    for (char& c : name) {
      if (rng() % 4 == 0) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return name;
}

Bytes wrap(const Bytes& l4, std::uint8_t proto, std::mt19937_64& rng) {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> tags;
  if (rng() % 10 == 0) tags.push_back({0x8100, 100});
  return rng() % 2 ? ethernet(0x0800, tags) + ipv4(proto, l4)
                   : ethernet(0x86DD, tags) + ipv6(proto, l4);
}

// kind: 0 = DNS queries over UDP only; 1 = the protocol mix (60% DNS, 20% TLS, 15% HTTP, 5%
// DNS/TCP).
std::vector<Bytes> frames(int kind) {
  static const auto blocked = read_lines(source_path("conf/lists/takedown-66k.txt"));
  const auto names = name_mix(blocked, 4096, 3);
  std::mt19937_64 rng(17);
  std::vector<Bytes> out;
  for (const auto& n : names) {
    const std::string name = odd_case(n, rng);
    const int pick = kind == 0 ? 0 : static_cast<int>(rng() % 20);
    if (pick < 12) {
      out.push_back(
          wrap(udp(40000, 53, dns_query(name, rng() % 2 ? 1 : 28, rng() % 5 == 0)), 17, rng));
    } else if (pick < 16) {
      out.push_back(
          wrap(tcp(40000, 443, client_hello({grease(0x1A1A), sni(name), alpn()})), 6, rng));
    } else if (pick < 19) {
      const std::string req =
          "GET / HTTP/1.1\r\nHost: " + name + "\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n";
      out.push_back(wrap(tcp(40000, 80, Bytes(req.begin(), req.end())), 6, rng));
    } else {
      const Bytes m = dns_query(name);
      Bytes segment;
      put16(segment, m.size());
      append(segment, m);
      out.push_back(wrap(tcp(40000, 53, segment), 6, rng));
    }
  }
  return out;
}

// Extracts the frames of `set` round and round for the benchmark's time; returns how many had a
// name. Every extraction benchmark is this loop.
std::size_t extract_loop(benchmark::State& state, const std::vector<Bytes>& set) {
  const filters::ExtractPorts ports;
  filters::Extraction extraction;
  std::size_t i = 0, named = 0;
  for (auto _ : state) {
    filters::extract_name(set[i], ports, extraction);
    named += extraction.name() != nullptr;
    benchmark::DoNotOptimize(extraction.name());
    if (++i == set.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  return named;
}

void BM_Extract(benchmark::State& state) {
  static const std::vector<Bytes> sets[2] = {frames(0), frames(1)};
  const std::size_t named = extract_loop(state, sets[state.range(0)]);
  state.counters["named_share"] =
      static_cast<double>(named) / static_cast<double>(state.iterations());
}

void BM_Baseline_DecodeOnly(benchmark::State& state) {
  static const std::vector<Bytes> set = frames(0);
  filters::DecodedPacket packet;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(filters::decode_packet(set[i], packet));
    if (++i == set.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// What many filters do: decode, then build the name as a std::string, label by label, lowercased.
void BM_Baseline_StringQname(benchmark::State& state) {
  static const std::vector<Bytes> set = frames(0);
  filters::DecodedPacket packet;
  std::size_t i = 0;
  for (auto _ : state) {
    const Bytes& f = set[i];
    filters::decode_packet(f, packet);
    std::string name;
    std::size_t at = packet.payload_offset + 12;
    while (at < f.size() && f[at] != 0 && f[at] < 64) {
      std::string label(reinterpret_cast<const char*>(&f[at + 1]), f[at]);
      for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!name.empty()) name += '.';
      name += label;
      at += 1 + f[at];
    }
    benchmark::DoNotOptimize(name);
    if (++i == set.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The wrappers, by benchmark argument; 0 is plain Ethernet, the baseline.
const char* const kWrappers[] = {"ethernet", "qinq",  "pppoe",     "mpls",     "mpls_pw",
                                 "gre",      "gre_key_csum", "vxlan", "gtpu_ext", "ipip",
                                 "6in4",     "nested3"};

Bytes wrapped(int kind, const Bytes& inner_ip) {
  const std::uint16_t v4 = 0x0800;
  switch (kind) {
    case 1:
      return ethernet(v4, {{0x88A8, 100}, {0x8100, 200}}) + inner_ip;
    case 2:
      return ethernet(0x8864, {{0x88A8, 100}, {0x8100, 200}}) + pppoe(0x1234, inner_ip);
    case 3:
      return ethernet(0x8847) + mpls({16001, 24005}, inner_ip);
    case 4:
      return ethernet(0x8847) + mpls({16001, 24005}, control_word() + ethernet(v4) + inner_ip);
    case 5:
      return ethernet(v4) + outer_ipv4(47, gre(v4, inner_ip), 0x0A000001, 0x0A000002);
    case 6:
      return ethernet(v4) + outer_ipv4(47, gre(v4, inner_ip, {.checksum = true, .has_key = true,
                                                              .key = 42}),
                                       0x0A000001, 0x0A000002);
    case 7:
      return ethernet(v4) + outer_ipv4(17, udp(51515, 4789, vxlan(5001, ethernet(v4) + inner_ip)),
                                       0x0A000001, 0x0A000002);
    case 8:
      return ethernet(v4) + outer_ipv4(17, udp(2152, 2152, gtpu(0x1000, inner_ip, 0xFF,
                                                               pdu_session_container(), 0x85)),
                                       0x0A000001, 0x0A000002);
    case 9:
      return ethernet(v4) + outer_ipv4(4, inner_ip, 0x0A000001, 0x0A000002);
    case 10:
      return ethernet(v4) + outer_ipv4(41, inner_ip, 0x0A000001, 0x0A000002);
    case 11: {
      const Bytes gtp = outer_ipv4(17, udp(2152, 2152, gtpu(5, inner_ip)), 3, 4);
      const Bytes vx = outer_ipv4(17, udp(1234, 4789, vxlan(77, ethernet(v4) + gtp)), 5, 6);
      return ethernet(v4) + outer_ipv4(47, gre(0x6558, ethernet(v4) + vx), 7, 8);
    }
    default:
      return ethernet(inner_ip[0] >> 4 == 6 ? 0x86DD : v4) + inner_ip;
  }
}

const std::vector<Bytes>& wrapped_set(int kind) {
  static std::vector<Bytes> sets[sizeof kWrappers / sizeof kWrappers[0]];
  std::vector<Bytes>& set = sets[kind];
  if (set.empty()) {
    static const auto blocked = read_lines(source_path("conf/lists/takedown-66k.txt"));
    const auto names = name_mix(blocked, 4096, 3);
    std::mt19937_64 rng(23);
    for (const auto& n : names) {
      const Bytes l4 = udp(40000, 53, dns_query(odd_case(n, rng), rng() % 2 ? 1 : 28));
      // 6in4 carries IPv6; the others IPv4.
      set.push_back(wrapped(kind, kind == 10 ? ipv6(17, l4) : ipv4(17, l4)));
    }
  }
  return set;
}

void BM_DecodeWrapped(benchmark::State& state) {
  const auto& set = wrapped_set(static_cast<int>(state.range(0)));
  const filters::DecodeOptions options;
  filters::DecodedPacket packet;
  std::size_t i = 0, ok = 0;
  for (auto _ : state) {
    ok += filters::decode_packet(set[i], options, filters::LinkType::Ethernet, packet).status ==
          filters::DecodeStatus::Ok;
    benchmark::DoNotOptimize(packet.payload_offset);
    if (++i == set.size()) i = 0;
  }
  if (ok != static_cast<std::size_t>(state.iterations())) state.SkipWithError("a frame did not decode");
  state.SetLabel(kWrappers[state.range(0)]);
  state.SetItemsProcessed(state.iterations());
}

void BM_ExtractWrapped(benchmark::State& state) {
  const std::size_t named = extract_loop(state, wrapped_set(static_cast<int>(state.range(0))));
  if (named != static_cast<std::size_t>(state.iterations())) state.SkipWithError("a frame had no name");
  state.SetLabel(kWrappers[state.range(0)]);
}

// 0.1 s a repetition: 24 benchmarks, and the repetitions are interleaved at random.
BENCHMARK(BM_DecodeWrapped)->DenseRange(0, sizeof kWrappers / sizeof kWrappers[0] - 1)->MinTime(0.1);
BENCHMARK(BM_ExtractWrapped)->DenseRange(0, sizeof kWrappers / sizeof kWrappers[0] - 1)->MinTime(0.1);

// Argument: 0 = DNS query frames, 1 = the protocol mix.
BENCHMARK(BM_Extract)->Arg(0)->Arg(1);
BENCHMARK(BM_Baseline_DecodeOnly)->Arg(0);
BENCHMARK(BM_Baseline_StringQname)->Arg(0);

}  // namespace
}  // namespace takedown::bench

BENCHMARK_MAIN();
