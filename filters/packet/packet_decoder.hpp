// decode_packet(): Ethernet to transport, bounds-checked, over a byte span. No DPDK.
//
// Layers: Ethernet II with up to two 802.1Q / 802.1ad (QinQ) tags; IPv4 with options; IPv6 with
// up to 8 hop-by-hop, routing, destination-options and fragment headers; UDP; TCP with its data
// offset and options. Fragments: only a first fragment that holds the whole transport header is
// decoded; any other fragment is NotApplicable. The payload is bounded by the IP length, so
// Ethernet padding never reaches a parser.
//
// The result is a status (Ok, Truncated, Malformed, NotApplicable), a reason for counters, and
// offsets into the frame. Hot path: no allocation, no exception, O(headers); safe on any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "filters/common/enum_text.hpp"
#include "filters/common/parse_result.hpp"

namespace takedown::filters {

// Why a frame was not decoded; the names are counter and metric labels.
#define TAKEDOWN_DECODE_REASONS(X)                     \
  X(None, "none")                                      \
  X(EthernetShort, "ethernet_short")                   \
  X(VlanShort, "vlan_short")                           \
  X(TooManyVlanTags, "too_many_vlan_tags")             \
  X(NotIp, "not_ip")                                   \
  X(Ipv4Short, "ipv4_short")                           \
  X(Ipv4BadHeader, "ipv4_bad_header")                  \
  X(Ipv4BadLength, "ipv4_bad_length")                  \
  X(Ipv6Short, "ipv6_short")                           \
  X(Ipv6BadHeader, "ipv6_bad_header")                  \
  X(Ipv6ExtensionShort, "ipv6_extension_short")        \
  X(Ipv6TooManyExtensions, "ipv6_too_many_extensions") \
  X(Fragment, "fragment")                              \
  X(NotUdpOrTcp, "not_udp_or_tcp")                     \
  X(UdpShort, "udp_short")                             \
  X(UdpBadLength, "udp_bad_length")                    \
  X(TcpShort, "tcp_short")                             \
  X(TcpBadOffset, "tcp_bad_offset")

TAKEDOWN_ENUM(DecodeReason, TAKEDOWN_DECODE_REASONS)

struct DecodedPacket {
  static constexpr std::uint8_t kUdp = 17;
  static constexpr std::uint8_t kTcp = 6;
  // TCP flag bits, as in tcp_flags.
  static constexpr std::uint8_t kFin = 0x01;
  static constexpr std::uint8_t kSyn = 0x02;
  static constexpr std::uint8_t kRst = 0x04;
  static constexpr std::uint8_t kAck = 0x10;

  std::uint8_t vlan_count = 0;
  std::uint16_t vlan_tci[2] = {0, 0};  // outer first
  std::uint16_t ether_type = 0;        // of the IP layer, after the tags
  std::uint8_t ip_version = 0;         // 4 or 6
  std::uint8_t l4_protocol = 0;        // kUdp or kTcp
  std::uint16_t l3_offset = 0;
  std::uint16_t l4_offset = 0;
  std::uint16_t payload_offset = 0;
  std::uint16_t payload_length = 0;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint8_t tcp_flags = 0;

  // The IP addresses, inside the `frame` this packet was decoded from: 4 bytes for IPv4, 16 for
  // IPv6. Valid once decode_packet() got as far as the transport header. O(1), no allocation.
  std::span<const std::uint8_t> src_address(std::span<const std::uint8_t> frame) const {
    return frame.subspan(l3_offset + (ip_version == 4 ? 12u : 8u), address_length());
  }
  std::span<const std::uint8_t> dst_address(std::span<const std::uint8_t> frame) const {
    return frame.subspan(l3_offset + (ip_version == 4 ? 16u : 24u), address_length());
  }
  std::size_t address_length() const { return ip_version == 4 ? 4 : 16; }
};

using DecodeResult = ParseResult<DecodeReason>;

DecodeResult decode_packet(std::span<const std::uint8_t> frame, DecodedPacket& out);

}  // namespace takedown::filters
