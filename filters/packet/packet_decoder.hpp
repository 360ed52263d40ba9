// decode_packet(): from a frame's link header, through its wrappers, to the inner transport.
// Bounds-checked over a byte span. No DPDK.
//
// Link headers: Ethernet II, or a capture's other link types (filters/packet/link_type.hpp).
// Under Ethernet: up to two 802.1Q / 802.1ad (QinQ) tags. Wrappers, each opened when
// DecodeOptions allows it and counted against its max_layers:
//   - PPPoE session (EtherType 0x8864) carrying PPP IPv4 (0x0021) or IPv6 (0x0057);
//   - MPLS (0x8847, 0x8848): a label stack of up to 8 entries, then IPv4 or IPv6 told apart by the
//     first nibble, or an Ethernet pseudowire behind a control word (first nibble 0, RFC 4385);
//   - GRE (IP protocol 47, version 0, RFC 2784/2890) with its optional checksum, key and sequence
//     number, carrying IPv4, IPv6, MPLS or Ethernet (transparent Ethernet bridging, 0x6558);
//   - VXLAN (UDP to a vxlan port, 4789; RFC 7348) carrying Ethernet;
//   - GTP-U G-PDUs (UDP to a gtpu port, 2152; 3GPP TS 29.281) with their optional fields and
//     extension headers (such as the 5G PDU session container), carrying IPv4 or IPv6;
//   - IP in IP: IPv4 or IPv6 directly in IPv4 or IPv6 (protocols 4 and 41: 4in4, 6in4, 6in6, 4in6).
// The innermost IP: IPv4 with options; IPv6 with up to 8 hop-by-hop, routing, destination-options
// and fragment headers; then UDP, or TCP with its data offset and options. Fragments: only a first
// fragment that holds the whole transport header is decoded; a fragmented tunnel packet is not.
// Every layer is bounded by the one around it (an IP length, a PPPoE or UDP length), so padding
// never reaches a parser.
//
// The result is a status (Ok, Truncated, Malformed, NotApplicable), a reason for counters, and
// offsets into the frame: the inner packet's (what matching, flows and events see) and a list of
// the headers around it that a reply must copy and mend (filters/respond/reply_headers.hpp).
// Hot path: no allocation, no exception, O(headers); safe on any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "filters/common/enum_text.hpp"
#include "filters/common/parse_result.hpp"
#include "filters/packet/decode_options.hpp"
#include "filters/packet/link_type.hpp"

namespace takedown::filters {

// Why a frame was not decoded; the names are counter and metric labels.
#define TAKEDOWN_DECODE_REASONS(X)                     \
  X(None, "none")                                      \
  X(EthernetShort, "ethernet_short")                   \
  X(LinkShort, "link_short")                           \
  X(VlanShort, "vlan_short")                           \
  X(TooManyVlanTags, "too_many_vlan_tags")             \
  X(NotIp, "not_ip")                                   \
  X(TooManyLayers, "too_many_layers")                  \
  X(PppoeShort, "pppoe_short")                         \
  X(PppoeBadHeader, "pppoe_bad_header")                \
  X(PppoeBadLength, "pppoe_bad_length")                \
  X(PppNotIp, "ppp_not_ip")                            \
  X(MplsShort, "mpls_short")                           \
  X(MplsTooManyLabels, "mpls_too_many_labels")         \
  X(MplsUnknownPayload, "mpls_unknown_payload")        \
  X(GreShort, "gre_short")                             \
  X(GreBadHeader, "gre_bad_header")                    \
  X(GreNotIp, "gre_not_ip")                            \
  X(VxlanShort, "vxlan_short")                         \
  X(VxlanBadFlags, "vxlan_bad_flags")                  \
  X(GtpuShort, "gtpu_short")                           \
  X(GtpuBadHeader, "gtpu_bad_header")                  \
  X(GtpuBadLength, "gtpu_bad_length")                  \
  X(GtpuNotGpdu, "gtpu_not_gpdu")                      \
  X(GtpuBadExtension, "gtpu_bad_extension")            \
  X(GtpuNotIp, "gtpu_not_ip")                          \
  X(TunnelFragment, "tunnel_fragment")                 \
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

// A header around the inner packet. Ethernet and the link header are the frame's own (or, inside
// VXLAN, GRE or an MPLS pseudowire, the inner frame's); Ipv4, Ipv6 and Udp are a tunnel's outer
// headers; the rest are the wrappers themselves.
#define TAKEDOWN_HEADER_KINDS(X) \
  X(Link, "link")                \
  X(Ethernet, "ethernet")        \
  X(Pppoe, "pppoe")              \
  X(Mpls, "mpls")                \
  X(Ipv4, "ipv4")                \
  X(Ipv6, "ipv6")                \
  X(Udp, "udp")                  \
  X(Gre, "gre")                  \
  X(Vxlan, "vxlan")              \
  X(GtpU, "gtpu")

TAKEDOWN_ENUM(HeaderKind, TAKEDOWN_HEADER_KINDS)

struct OuterHeader {
  HeaderKind kind;
  std::uint16_t offset;  // in the frame
};

// What wraps the inner packet, for the event log: a wrapper and its identifier.
#define TAKEDOWN_WRAPPER_KINDS(X) \
  X(Pppoe, "pppoe")               \
  X(Mpls, "mpls")                 \
  X(Gre, "gre")                   \
  X(Vxlan, "vxlan")               \
  X(GtpU, "gtpu")                 \
  X(IpInIp, "ipip")

TAKEDOWN_ENUM(WrapperKind, TAKEDOWN_WRAPPER_KINDS)

struct Wrapper {
  WrapperKind kind;
  bool has_id;       // GRE without a key and IP in IP have none
  std::uint32_t id;  // PPPoE session id, MPLS top label, GRE key, VXLAN VNI, GTP-U TEID
};

struct DecodedPacket {
  static constexpr std::uint8_t kUdp = 17;
  static constexpr std::uint8_t kTcp = 6;
  // TCP flag bits, as in tcp_flags.
  static constexpr std::uint8_t kFin = 0x01;
  static constexpr std::uint8_t kSyn = 0x02;
  static constexpr std::uint8_t kRst = 0x04;
  static constexpr std::uint8_t kPsh = 0x08;
  static constexpr std::uint8_t kAck = 0x10;
  // The link header, then at most four per wrapper (VXLAN: IP, UDP, VXLAN, the inner Ethernet).
  static constexpr std::size_t kMaxOuterHeaders = 1 + 4 * DecodeOptions::kMaxLayersLimit;

  LinkType link = LinkType::Ethernet;
  std::uint8_t vlan_count = 0;
  std::uint16_t vlan_tci[2] = {0, 0};  // the outermost Ethernet's tags, outer first
  std::uint8_t layers = 0;             // wrappers opened
  std::uint8_t outer_count = 0;
  std::uint8_t ip_version = 0;  // of the inner packet: 4 or 6
  std::uint8_t l4_protocol = 0;  // kUdp or kTcp
  std::uint16_t l3_offset = 0;   // the inner IP header
  std::uint16_t l4_offset = 0;
  std::uint16_t payload_offset = 0;
  std::uint16_t payload_length = 0;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint8_t tcp_flags = 0;
  // Outermost first; only the first outer_count are set (not cleared per frame: hot path). Last:
  // decode_packet() clears every field before it at once.
  OuterHeader outer[kMaxOuterHeaders];

  // The inner IP addresses, inside the `frame` this packet was decoded from: 4 bytes for IPv4, 16
  // for IPv6. Valid once decode_packet() got as far as the transport header. O(1), no allocation.
  std::span<const std::uint8_t> src_address(std::span<const std::uint8_t> frame) const {
    return frame.subspan(l3_offset + (ip_version == 4 ? 12u : 8u), address_length());
  }
  std::span<const std::uint8_t> dst_address(std::span<const std::uint8_t> frame) const {
    return frame.subspan(l3_offset + (ip_version == 4 ? 16u : 24u), address_length());
  }
  std::size_t address_length() const { return ip_version == 4 ? 4 : 16; }

  // Whether a reply to the sender can be built: not through MPLS (the return path has other
  // labels) nor GTP-U (the downlink TEID is not in the uplink packet). A reply onwards, to the
  // destination, always can: it takes the packet's own path.
  bool can_reply_back() const;

  // The wrappers, outermost first, with their identifiers; returns how many were written (up to
  // `capacity`). O(outer headers), no allocation.
  std::size_t wrappers(std::span<const std::uint8_t> frame, Wrapper* out,
                       std::size_t capacity) const;

  // A 32-bit tag of the wrappers' identifiers that are the same in both directions (PPPoE
  // session, GRE key, VXLAN VNI), so flows of tenants or subscribers with overlapping addresses
  // stay apart; 0 for a plain frame. MPLS labels and TEIDs differ by direction and are left out.
  std::uint32_t context(std::span<const std::uint8_t> frame) const;
};

using DecodeResult = ParseResult<DecodeReason>;

DecodeResult decode_packet(std::span<const std::uint8_t> frame, const DecodeOptions& options,
                           LinkType link, DecodedPacket& out);

// Ethernet with every wrapper open, as before there were options.
inline DecodeResult decode_packet(std::span<const std::uint8_t> frame, DecodedPacket& out) {
  return decode_packet(frame, DecodeOptions{}, LinkType::Ethernet, out);
}

}  // namespace takedown::filters
