// libFuzzer target: FlowTracker's TCP gathering under any sequence of segments. The input is a
// stream (the first half, at least 16 bytes) and a script (the rest) of segments: which of four
// flows, SYN/RST/FIN/data, where in the stream and how long, and what becomes of a named flow.
// A tiny table (64 entries, 4 gather slots of 512 bytes) so that eviction and slot reuse happen
// all the time. Checks: no crash or sanitizer report; a Named step has a name; the active count
// never passes the capacity nor what was created.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "filters/flow/flow_tracker.hpp"
#include "tests/support/frames.hpp"

namespace {

namespace f = takedown::testing::frames;
using namespace takedown::filters;
using f::operator+;

std::unique_ptr<FlowTracker> make_tracker(bool last) {
  FlowConfig config;
  config.per_worker = 64;
  config.reassembly_flows = 4;
  config.reassembly_bytes = 512;
  config.reassembly_timeout_ms = 50;
  config.blocked_timeout_ms = 100;
  config.overlap = last ? OverlapPolicy::Last : OverlapPolicy::First;
  return std::move(FlowTracker::create(config, ExtractPorts{}, 1000).value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 20) return 0;
  const std::size_t stream_size = std::max<std::size_t>(16, size / 2);
  const f::Bytes stream(data, data + stream_size);
  const std::uint8_t* script = data + stream_size;
  const std::size_t script_size = size - stream_size;
  auto tracker = make_tracker(data[0] & 1);
  Extraction x;
  std::uint64_t now = 1;
  for (std::size_t at = 0; at + 5 <= script_size; at += 5) {
    const std::uint8_t op = script[at];
    const std::uint16_t flow = op & 3;
    const std::uint16_t dport = (op & 4) ? 80 : 443;
    const std::uint32_t offset = (script[at + 1] | script[at + 2] << 8) % (stream_size + 8);
    const std::size_t length = script[at + 3];
    now += script[at + 4];
    std::uint8_t flags = 0x18;
    switch ((op >> 3) & 7) {
      case 0: flags = 0x02; break;  // SYN
      case 1: flags = 0x14; break;  // RST
      case 2: flags = 0x19; break;  // FIN
      default: break;
    }
    const f::Bytes piece = flags == 0x14 ? f::Bytes{} : f::slice(stream, offset, offset + length);
    const std::uint32_t isn = 1000u * (flow + 1);
    const std::uint32_t seq = flags == 0x02 ? isn : isn + 1 + offset;
    const f::Bytes frame =
        f::ethernet(0x0800) +
        f::ipv4(6, f::tcp_segment(static_cast<std::uint16_t>(40000 + flow), dport, seq, flags, piece));
    extract_name(frame, ExtractPorts{}, x);
    FlowStep step = tracker->step(frame, x, now);
    if (step.kind == FlowStepKind::Follows) step = tracker->resolve(frame, x, now);
    if (step.kind == FlowStepKind::Named) {
      if (x.name() == nullptr) __builtin_trap();
      Verdict v;
      v.decision = (op & 0x40) ? Decision::Block : Decision::Pass;
      tracker->settle(frame, step, x, v, 1, now);
    }
    if (op == 0xff) tracker->expire(now);
    const FlowCounters& c = tracker->counters();
    if (c.active > tracker->table().capacity()) __builtin_trap();
    if (c.active > c.created) __builtin_trap();
  }
  return 0;
}
