// FlowKey: one direction of a transport flow, as the flow table files it: the inner 5-tuple plus
// the VLAN IDs (QinQ: both) and the wrappers' context (PPPoE session, GRE key, VXLAN VNI: see
// DecodedPacket::context), so tenants and subscribers with overlapping addresses stay apart. IPv4
// addresses take the first 4 of the 16 address bytes; every unused byte is zero, so two keys
// compare and hash as bytes. Plain value, 48 bytes; no allocation.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

#include "filters/packet/packet_decoder.hpp"

namespace takedown::filters {

struct FlowKey {
  std::uint8_t src[16];
  std::uint8_t dst[16];
  std::uint16_t src_port;
  std::uint16_t dst_port;
  std::uint16_t vlan[2];  // VLAN IDs, outer first; 0 when untagged
  std::uint8_t l4_protocol;
  std::uint8_t ip_version;
  std::uint16_t zero;  // padding, always 0
  std::uint32_t context;

  // The key of `packet`'s direction (reverse: the opposite direction, as the other end sends).
  static FlowKey of(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                    bool reverse = false) {
    FlowKey k;
    std::memset(&k, 0, sizeof k);
    const auto s = packet.src_address(frame);
    const auto d = packet.dst_address(frame);
    std::memcpy(reverse ? k.dst : k.src, s.data(), s.size());
    std::memcpy(reverse ? k.src : k.dst, d.data(), d.size());
    k.src_port = reverse ? packet.dst_port : packet.src_port;
    k.dst_port = reverse ? packet.src_port : packet.dst_port;
    for (std::uint8_t i = 0; i < packet.vlan_count && i < 2; ++i)
      k.vlan[i] = packet.vlan_tci[i] & 0x0fff;
    k.l4_protocol = packet.l4_protocol;
    k.ip_version = packet.ip_version;
    k.context = packet.context(frame);
    return k;
  }

  bool operator==(const FlowKey& other) const { return std::memcmp(this, &other, sizeof *this) == 0; }
};
static_assert(sizeof(FlowKey) == 48);

}  // namespace takedown::filters
