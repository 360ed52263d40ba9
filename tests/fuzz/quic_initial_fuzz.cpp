// libFuzzer target: FlowTracker's QUIC path. The first byte picks the mode:
//   even: the rest is a raw UDP datagram to port 443 (header parsing, and junk that must fail);
//   odd:  the rest is plaintext Initial frames, cut in two at a point the second byte gives,
//         each half sealed as a real Initial (v1 or v2) with the test builder, so decryption
//         succeeds and the frame walker, the CRYPTO gathering and the ClientHello parser get the
//         fuzzer's bytes. Also walks the bytes with read_initial_frames() directly.
// Checks: no crash or sanitizer report; a Named step has a QUIC name.
#include <cstdint>
#include <memory>

#include "filters/flow/flow_tracker.hpp"
#include "filters/quic/quic_packet.hpp"
#include "filters/tls/client_hello.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/quic_builder.hpp"

namespace {

namespace f = takedown::testing::frames;
namespace q = takedown::testing::quic;
using namespace takedown::filters;
using f::operator+;

FlowTracker& tracker() {
  static std::unique_ptr<FlowTracker> t = [] {
    FlowConfig config;
    config.per_worker = 256;
    config.reassembly_flows = 16;
    config.quic_decrypts_per_second = 0;
    return std::move(FlowTracker::create(config, ExtractPorts{}, 1000000).value());
  }();
  return *t;
}

void feed(const f::Bytes& datagram, std::uint16_t sport, std::uint64_t now) {
  const f::Bytes frame = f::ethernet(0x0800) + f::ipv4(17, f::udp(sport, 443, datagram));
  Extraction x;
  extract_name(frame, ExtractPorts{}, x);
  FlowStep step = tracker().step(frame, x, now);
  if (step.kind == FlowStepKind::Follows) step = tracker().resolve(frame, x, now);
  if (step.kind == FlowStepKind::Named) {
    if (x.name() == nullptr || x.protocol != Protocol::Quic) __builtin_trap();
    Verdict v;
    v.decision = (sport & 1) ? Decision::Block : Decision::Pass;
    tracker().settle(frame, step, x, v, 0, now);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::uint64_t now = 1;
  static std::uint16_t sport = 1024;
  if (size < 2) return 0;
  now += 1000;
  sport = static_cast<std::uint16_t>(sport == 65535 ? 1024 : sport + 1);
  const f::Bytes rest(data + 1, data + size);
  if ((data[0] & 1) == 0) {
    feed(rest, sport, now);
    return 0;
  }
  read_initial_frames(rest, [](std::uint64_t, std::span<const std::uint8_t> bytes) {
    ClientHello hello;
    parse_client_hello_message(bytes, hello);
  });
  if (rest.size() > 1100) return 0;  // one Initial's worth at most, so the seal fits
  const std::size_t cut = std::min<std::size_t>(data[1], rest.size());
  q::Initial first;
  first.version = (data[0] & 2) ? QuicCrypto::kVersion2 : QuicCrypto::kVersion1;
  first.packet_number = 0;
  first.frames = f::slice(rest, 0, cut);
  q::Initial second = first;
  second.packet_number = 1;
  second.frames = f::slice(rest, cut, rest.size());
  feed(q::seal(first), sport, now);
  feed(q::seal(second), sport, now + 1);
  return 0;
}
