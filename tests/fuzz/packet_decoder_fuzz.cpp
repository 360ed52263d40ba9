// libFuzzer target: any bytes as a frame of any link type, through every wrapper. The first byte
// picks the link type and closes wrappers, the second the depth limit; the rest is the frame. A
// decoded packet must lie inside the frame, its headers in order (outer headers before the inner
// IP header, then the transport, then the payload).
#include "filters/packet/packet_decoder.hpp"

namespace {

using namespace takedown::filters;

constexpr LinkType kLinks[] = {LinkType::Ethernet,  LinkType::RawIp,    LinkType::RawIpv4,
                               LinkType::RawIpv6,   LinkType::LinuxSll, LinkType::LinuxSll2,
                               LinkType::CiscoHdlc, LinkType::BsdNull,  LinkType::BsdLoop};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t pick = data[0];
  DecodeOptions options;
  options.max_layers = static_cast<std::uint8_t>(data[1] % (DecodeOptions::kMaxLayersLimit + 1));
  options.pppoe = (pick & 0x10) == 0;
  options.mpls = (pick & 0x20) == 0;
  options.gre = (pick & 0x40) == 0;
  options.vxlan = options.gtpu = options.ip_in_ip = (pick & 0x80) == 0;
  const LinkType link = kLinks[(pick & 0x0F) % (sizeof kLinks / sizeof kLinks[0])];
  data += 2;
  size -= 2;
  DecodedPacket packet;
  const auto result = decode_packet({data, size}, options, link, packet);
  if (packet.layers > options.max_layers || packet.outer_count > DecodedPacket::kMaxOuterHeaders)
    __builtin_trap();
  if (result.status != DecodeStatus::Ok) return 0;
  if (std::size_t{packet.payload_offset} + packet.payload_length > size) __builtin_trap();
  if (packet.l3_offset >= packet.l4_offset || packet.l4_offset >= packet.payload_offset + 1u)
    __builtin_trap();
  for (std::uint8_t i = 0; i < packet.outer_count; ++i) {
    if (packet.outer[i].offset >= packet.l3_offset && packet.outer[i].kind != HeaderKind::Link)
      __builtin_trap();
    if (i > 0 && packet.outer[i].offset < packet.outer[i - 1].offset) __builtin_trap();
  }
  Wrapper wrappers[DecodeOptions::kMaxLayersLimit];
  if (packet.wrappers({data, size}, wrappers, DecodeOptions::kMaxLayersLimit) > packet.layers)
    __builtin_trap();
  (void)packet.context({data, size});
  return 0;
}
