// Reply time per blocked frame, from the extracted query to the whole reply frame in the worker's
// buffer. The baseline in the same run is the answer as it was before lists explained themselves
// (BM_DnsAnswer/bare: no SOA, an EDE code without text), so the cost of the SOA and the text is
// the difference; the TCP reset is the other floor. IPv4 over Ethernet, a 20-byte name.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "filters/extract/name_extractor.hpp"
#include "filters/respond/dns_answer.hpp"
#include "filters/respond/tcp_reset.hpp"
#include "filters/respond/tcp_stream_reply.hpp"
#include "tests/support/frames.hpp"

namespace takedown::bench {
namespace {

using namespace testing::frames;
using filters::DnsResponse;

constexpr char kName[] = "login.scam-bank.example";
const std::string kText = "blocked by takedown-66k";

// A list's reply as the snapshot keeps it: the default SOA names, the text.
struct Reply {
  Bytes rdata = wire_name("takedown.invalid") + wire_name("hostmaster.takedown.invalid") + Bytes(20, 1);
  std::string page = std::string("HTTP/1.1 403 Forbidden\r\n") + std::string(380, 'p');
  filters::ListReply full() const {
    filters::ListReply r;
    r.soa_rdata = rdata;
    r.ede_text = kText;
    r.http_page = page;
    return r;
  }
};

filters::Extraction extract(const Bytes& frame) {
  filters::Extraction x;
  filters::extract_name(frame, filters::ExtractPorts{}, x);
  return x;
}

Bytes tcp_query() {
  const Bytes message = dns_query(kName, 1, true);
  Bytes prefixed;
  put16(prefixed, message.size());
  return ethernet(0x0800) + ipv4(6, tcp(40000, 53, prefixed + message));
}

// range(0): 0 bare (no SOA, no text), 1 the list's SOA and text; range(1): 1 with EDNS.
void BM_DnsAnswer(benchmark::State& state) {
  const Reply lists;
  const filters::ListReply reply = state.range(0) ? lists.full() : filters::ListReply{};
  const Bytes frame = ethernet(0x0800) + ipv4(17, udp(40000, 53, dns_query(kName, 1, state.range(1) != 0)));
  const filters::Extraction x = extract(frame);
  filters::Policy policy;
  policy.dns = DnsResponse::Nxdomain;
  std::vector<std::uint8_t> out(filters::kMaxDnsAnswerFrame);
  for (auto _ : state) {
    benchmark::DoNotOptimize(filters::write_dns_answer(frame, x, policy, reply, out.data()));
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string(state.range(0) ? "soa+text" : "bare") + (state.range(1) ? ", edns" : ""));
}
BENCHMARK(BM_DnsAnswer)->Args({0, 0})->Args({1, 0})->Args({0, 1})->Args({1, 1});

// The worker's UDP answer, written over its query: range(0) 1 with the list's DnsAnswerTails
// (the records copied, only the header and question summed), 0 without (the baseline: every
// record written, the whole datagram summed); range(1) 1 with EDNS. The query is copied back
// into the frame before each answer, in both.
void BM_DnsAnswerInPlace(benchmark::State& state) {
  const Reply lists;
  const filters::ListReply reply = lists.full();
  const filters::DnsAnswerTails tails(reply);
  const Bytes query =
      ethernet(0x0800) + ipv4(17, udp(40000, 53, dns_query(kName, 1, state.range(1) != 0)));
  const filters::Extraction x = extract(query);
  filters::Policy policy;
  policy.dns = DnsResponse::Nxdomain;
  std::vector<std::uint8_t> frame(x.packet.payload_offset + filters::kAnswerUdpSize);
  const filters::DnsAnswerTails* with = state.range(0) != 0 ? &tails : nullptr;
  for (auto _ : state) {
    std::memcpy(frame.data(), query.data(), query.size());
    benchmark::DoNotOptimize(filters::write_dns_answer_in_place({frame.data(), query.size()}, x,
                                                                policy, reply, with));
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string(state.range(0) ? "tails" : "written") + (state.range(1) ? ", edns" : ""));
}
BENCHMARK(BM_DnsAnswerInPlace)->Args({0, 0})->Args({1, 0})->Args({0, 1})->Args({1, 1});

void BM_DnsAnswerOverTcp(benchmark::State& state) {
  const Reply lists;
  const filters::ListReply reply = lists.full();
  const Bytes frame = tcp_query();
  const filters::Extraction x = extract(frame);
  filters::Policy policy;
  std::vector<std::uint8_t> out(filters::kMaxDnsAnswerFrame);
  for (auto _ : state) {
    benchmark::DoNotOptimize(filters::write_dns_answer(frame, x, policy, reply, out.data()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_DnsAnswerOverTcp);

void BM_HttpPage(benchmark::State& state) {
  const Reply lists;
  const std::string text = "GET / HTTP/1.1\r\nHost: scam-bank.example\r\n\r\n";
  const Bytes frame = ethernet(0x0800) + ipv4(6, tcp(40000, 80, Bytes(text.begin(), text.end())));
  const filters::Extraction x = extract(frame);
  const auto page = std::span(reinterpret_cast<const std::uint8_t*>(lists.page.data()), lists.page.size());
  std::vector<std::uint8_t> out(filters::kMaxStreamReplyFrame);
  for (auto _ : state) {
    benchmark::DoNotOptimize(filters::write_tcp_stream_reply(frame, x.packet, page, out.data()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_HttpPage);

void BM_TcpResetBothWays(benchmark::State& state) {
  const Bytes frame = tcp_query();
  const filters::Extraction x = extract(frame);
  std::vector<std::uint8_t> out(filters::kMaxTcpResetFrame);
  for (auto _ : state) {
    benchmark::DoNotOptimize(filters::write_tcp_reset(frame, x.packet, filters::ReplyDirection::Back, out.data()));
    benchmark::DoNotOptimize(filters::write_tcp_reset(frame, x.packet, filters::ReplyDirection::Onwards, out.data()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_TcpResetBothWays);

}  // namespace
}  // namespace takedown::bench

BENCHMARK_MAIN();
