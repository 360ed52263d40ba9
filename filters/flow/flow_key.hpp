// FlowKey: one direction of a transport flow, as the flow table files it: the inner 5-tuple plus
// the VLAN IDs (QinQ: both) and the wrappers' context (PPPoE session, GRE key, VXLAN VNI: see
// DecodedPacket::context), so tenants and subscribers with overlapping addresses stay apart. IPv4
// addresses take the first 4 of the 16 address bytes; every unused byte is zero, so two keys
// compare and hash as bytes. Plain value, 48 bytes; no allocation.
//
// presence() is a second, cheap hash of the last 4 bytes of each address and the two ports only,
// which presence_of() reads straight from a packet without building the key. Equal keys have
// equal presence hashes; the flow table's presence filter (FlowTable::may_hold) is built on it.
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

  std::uint32_t presence() const {
    const std::size_t n = ip_version == 4 ? 4 : 16;
    return presence_hash(src + n - 4, dst + n - 4, src_port, dst_port);
  }
  // The presence hash of the key of(frame, packet, reverse) would give.
  static std::uint32_t presence_of(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                                   bool reverse = false) {
    const std::size_t n = packet.address_length();
    const std::uint8_t* s = packet.src_address(frame).data() + n - 4;
    const std::uint8_t* d = packet.dst_address(frame).data() + n - 4;
    return reverse ? presence_hash(d, s, packet.dst_port, packet.src_port)
                   : presence_hash(s, d, packet.src_port, packet.dst_port);
  }

 private:
  // Two independent multiplies, then a fold: about 10 cycles, against XXH3 of 48 bytes.
  static std::uint32_t presence_hash(const std::uint8_t* src4, const std::uint8_t* dst4,
                                     std::uint16_t src_port, std::uint16_t dst_port) {
    std::uint32_t s, d;
    std::memcpy(&s, src4, 4);
    std::memcpy(&d, dst4, 4);
    const std::uint64_t addresses = (std::uint64_t{s} << 32 | d) * 0x9E3779B97F4A7C15ULL;
    const std::uint64_t ports =
        (std::uint64_t{src_port} << 16 | dst_port | 0x5555'0000'0000ULL) * 0xC2B2AE3D27D4EB4FULL;
    const std::uint64_t h = (addresses ^ (ports >> 7) ^ (addresses >> 29)) * 0x165667B19E3779F9ULL;
    return static_cast<std::uint32_t>(h >> 32);
  }
};
static_assert(sizeof(FlowKey) == 48);

}  // namespace takedown::filters
