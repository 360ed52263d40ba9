#include "filters/packet/packet_decoder.hpp"

#include "filters/common/byte_order.hpp"
#include "filters/common/enum_text.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(DecodeStatus, TAKEDOWN_PARSE_STATUSES)
TAKEDOWN_ENUM_DEFINE(DecodeReason, TAKEDOWN_DECODE_REASONS)

namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86DD;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88A8;
constexpr std::size_t kMaxVlanTags = 2;
constexpr std::size_t kMaxIpv6Extensions = 8;

inline std::uint32_t load_be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

inline std::size_t tcp_header_length(const std::uint8_t* tcp) {
  return static_cast<std::size_t>(tcp[12] >> 4) * 4;
}

constexpr auto fail = DecodeResult::fail;

// Decodes UDP or TCP in [l4, end) of `frame`; `end` is where the IP layer says its data ends.
DecodeResult decode_transport(const std::uint8_t* frame, std::size_t l4, std::size_t end,
                              std::uint8_t protocol, DecodedPacket& out) {
  out.l4_protocol = protocol;
  out.l4_offset = static_cast<std::uint16_t>(l4);
  const std::size_t available = end - l4;
  if (protocol == DecodedPacket::kUdp) {
    if (available < 8) return fail(DecodeStatus::Truncated, DecodeReason::UdpShort);
    const std::uint16_t length = load_be16(frame + l4 + 4);
    if (length < 8 || length > available)
      return fail(DecodeStatus::Malformed, DecodeReason::UdpBadLength);
    out.src_port = load_be16(frame + l4);
    out.dst_port = load_be16(frame + l4 + 2);
    out.payload_offset = static_cast<std::uint16_t>(l4 + 8);
    out.payload_length = static_cast<std::uint16_t>(length - 8);
    return {};
  }
  if (available < 20) return fail(DecodeStatus::Truncated, DecodeReason::TcpShort);
  const std::size_t header = tcp_header_length(frame + l4);
  if (header < 20) return fail(DecodeStatus::Malformed, DecodeReason::TcpBadOffset);
  if (header > available) return fail(DecodeStatus::Truncated, DecodeReason::TcpShort);
  out.src_port = load_be16(frame + l4);
  out.dst_port = load_be16(frame + l4 + 2);
  out.tcp_seq = load_be32(frame + l4 + 4);
  out.tcp_ack = load_be32(frame + l4 + 8);
  out.tcp_flags = frame[l4 + 13];
  out.payload_offset = static_cast<std::uint16_t>(l4 + header);
  out.payload_length = static_cast<std::uint16_t>(available - header);
  return {};
}

std::size_t transport_header_minimum(std::uint8_t protocol) {
  return protocol == DecodedPacket::kUdp ? 8 : 20;
}

DecodeResult decode_ipv4(const std::uint8_t* frame, std::size_t size, std::size_t l3,
                         DecodedPacket& out) {
  if (size - l3 < 20) return fail(DecodeStatus::Truncated, DecodeReason::Ipv4Short);
  const std::uint8_t* ip = frame + l3;
  const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
  if ((ip[0] >> 4) != 4 || header < 20)
    return fail(DecodeStatus::Malformed, DecodeReason::Ipv4BadHeader);
  const std::size_t total = load_be16(ip + 2);
  if (total < header) return fail(DecodeStatus::Malformed, DecodeReason::Ipv4BadLength);
  if (total > size - l3) return fail(DecodeStatus::Truncated, DecodeReason::Ipv4BadLength);
  out.ip_version = 4;
  const std::uint8_t protocol = ip[9];
  if (protocol != DecodedPacket::kUdp && protocol != DecodedPacket::kTcp) {
    return fail(DecodeStatus::NotApplicable, DecodeReason::NotUdpOrTcp);
  }
  const std::uint16_t fragment = load_be16(ip + 6);
  const bool more_fragments = (fragment & 0x2000) != 0;
  const std::uint16_t fragment_offset = fragment & 0x1FFF;
  if (fragment_offset != 0) return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
  if (more_fragments) {
    // A first fragment is examined only when the whole transport header is inside it.
    const std::size_t l4 = l3 + header;
    if (total - header < transport_header_minimum(protocol) ||
        (protocol == DecodedPacket::kTcp && total - header < tcp_header_length(frame + l4))) {
      return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
    }
  }
  return decode_transport(frame, l3 + header, l3 + total, protocol, out);
}

DecodeResult decode_ipv6(const std::uint8_t* frame, std::size_t size, std::size_t l3,
                         DecodedPacket& out) {
  if (size - l3 < 40) return fail(DecodeStatus::Truncated, DecodeReason::Ipv6Short);
  const std::uint8_t* ip = frame + l3;
  if ((ip[0] >> 4) != 6) return fail(DecodeStatus::Malformed, DecodeReason::Ipv6BadHeader);
  const std::size_t end = l3 + 40 + load_be16(ip + 4);
  if (end > size) return fail(DecodeStatus::Truncated, DecodeReason::Ipv6BadHeader);
  out.ip_version = 6;
  std::uint8_t next = ip[6];
  std::size_t at = l3 + 40;
  bool fragmented = false;
  for (std::size_t extensions = 0;; ++extensions) {
    if (next == DecodedPacket::kUdp || next == DecodedPacket::kTcp) break;
    if (next != 0 && next != 43 && next != 44 && next != 60) {
      return fail(DecodeStatus::NotApplicable, DecodeReason::NotUdpOrTcp);
    }
    if (extensions == kMaxIpv6Extensions) {
      return fail(DecodeStatus::NotApplicable, DecodeReason::Ipv6TooManyExtensions);
    }
    if (end - at < 8) return fail(DecodeStatus::Truncated, DecodeReason::Ipv6ExtensionShort);
    const std::size_t length = next == 44 ? 8 : (std::size_t{frame[at + 1]} + 1) * 8;
    if (next == 44) {
      if ((load_be16(frame + at + 2) & 0xFFF8) != 0)
        return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
      fragmented = (frame[at + 3] & 1) != 0;
    }
    if (length > end - at) return fail(DecodeStatus::Truncated, DecodeReason::Ipv6ExtensionShort);
    next = frame[at];
    at += length;
  }
  if (fragmented) {
    const std::size_t available = end - at;
    if (available < transport_header_minimum(next) ||
        (next == DecodedPacket::kTcp && available < tcp_header_length(frame + at))) {
      return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
    }
  }
  return decode_transport(frame, at, end, next, out);
}

}  // namespace

DecodeResult decode_packet(std::span<const std::uint8_t> frame_span, DecodedPacket& out) {
  out = DecodedPacket{};
  const std::uint8_t* frame = frame_span.data();
  const std::size_t size = frame_span.size() > 0xFFFF ? 0xFFFF : frame_span.size();
  if (size < 14) return fail(DecodeStatus::Truncated, DecodeReason::EthernetShort);
  std::uint16_t type = load_be16(frame + 12);
  std::size_t at = 14;
  while (type == kEtherVlan || type == kEtherQinQ) {
    if (out.vlan_count == kMaxVlanTags)
      return fail(DecodeStatus::NotApplicable, DecodeReason::TooManyVlanTags);
    if (size - at < 4) return fail(DecodeStatus::Truncated, DecodeReason::VlanShort);
    out.vlan_tci[out.vlan_count++] = load_be16(frame + at);
    type = load_be16(frame + at + 2);
    at += 4;
  }
  out.ether_type = type;
  out.l3_offset = static_cast<std::uint16_t>(at);
  if (type == kEtherIpv4) return decode_ipv4(frame, size, at, out);
  if (type == kEtherIpv6) return decode_ipv6(frame, size, at, out);
  return fail(DecodeStatus::NotApplicable, DecodeReason::NotIp);
}

}  // namespace takedown::filters
