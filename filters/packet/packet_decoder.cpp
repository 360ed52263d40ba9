#include "filters/packet/packet_decoder.hpp"

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "filters/common/byte_order.hpp"
#include "filters/common/enum_text.hpp"
#include "filters/packet/wrapper_headers.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(DecodeStatus, TAKEDOWN_PARSE_STATUSES)
TAKEDOWN_ENUM_DEFINE(DecodeReason, TAKEDOWN_DECODE_REASONS)
TAKEDOWN_ENUM_DEFINE(HeaderKind, TAKEDOWN_HEADER_KINDS)
TAKEDOWN_ENUM_DEFINE(WrapperKind, TAKEDOWN_WRAPPER_KINDS)

namespace {

using wrapper::Inner;
using wrapper::kEtherIpv4;
using wrapper::kEtherIpv6;

constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88A8;
constexpr std::size_t kMaxVlanTags = 2;
constexpr std::size_t kMaxIpv6Extensions = 8;
constexpr std::uint8_t kIpInIpv4 = 4;
constexpr std::uint8_t kIpInIpv6 = 41;
constexpr std::uint8_t kIpGre = 47;

constexpr auto fail = DecodeResult::fail;

// The plain path (link, tags, IP, transport) is inlined into one function; every wrapper's path
// is out of line, so an unwrapped frame pays for wrappers one predictable branch per layer.
#define TAKEDOWN_HOT inline __attribute__((always_inline))
#define TAKEDOWN_COLD __attribute__((noinline, cold))

inline std::size_t tcp_header_length(const std::uint8_t* tcp) {
  return static_cast<std::size_t>(tcp[12] >> 4) * 4;
}

std::size_t transport_header_minimum(std::uint8_t protocol) {
  return protocol == DecodedPacket::kUdp ? 8 : 20;
}

// One frame's walk from the link header inwards. Each layer reads [at, end), where `end` is where
// the layer around it says its data ends; a wrapper recurses into its inner packet, at most
// options.max_layers deep.
class Decoder {
 public:
  Decoder(const std::uint8_t* frame, std::size_t size, const DecodeOptions& options,
          DecodedPacket& out)
      : frame_(frame), size_(size), options_(options), out_(out) {}

  TAKEDOWN_HOT DecodeResult link(LinkType type) {
    if (__builtin_expect(type == LinkType::Ethernet, 1)) return ethernet(0, size_);
    return other_link(type);
  }

 private:
  TAKEDOWN_COLD DecodeResult other_link(LinkType type) {
    switch (type) {
      case LinkType::Ethernet:
        return ethernet(0, size_);
      case LinkType::RawIp:
        return ip_by_version(0, size_);
      case LinkType::RawIpv4:
        return ipv4(0, size_);
      case LinkType::RawIpv6:
        return ipv6(0, size_);
      case LinkType::LinuxSll:  // packet type, ARPHRD, address length, 8 address bytes, protocol
        return link_header(16, 14);
      case LinkType::LinuxSll2:  // protocol, reserved, ifindex, ARPHRD, type, length, address
        return link_header(20, 0);
      case LinkType::CiscoHdlc:  // address, control, protocol
        return link_header(4, 2);
      case LinkType::BsdNull:
      case LinkType::BsdLoop:
        return bsd_family(type == LinkType::BsdLoop);
    }
    return fail(DecodeStatus::NotApplicable, DecodeReason::NotIp);
  }

  TAKEDOWN_HOT bool note(HeaderKind kind, std::size_t offset) {
    if (out_.outer_count == DecodedPacket::kMaxOuterHeaders) return false;
    out_.outer[out_.outer_count++] = {kind, static_cast<std::uint16_t>(offset)};
    return true;
  }

  // Counts a wrapper against the depth limit.
  bool open_wrapper() {
    if (out_.layers == options_.max_layers) return false;
    ++out_.layers;
    return true;
  }

  // A link header of `length` bytes whose EtherType is at `type_at`.
  TAKEDOWN_COLD DecodeResult link_header(std::size_t length, std::size_t type_at) {
    if (size_ < length) return fail(DecodeStatus::Truncated, DecodeReason::LinkShort);
    note(HeaderKind::Link, 0);
    return ether_type(load_be16(frame_ + type_at), length, size_);
  }

  // The BSD loopback family word: AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD,
  // OpenBSD), 28 (FreeBSD) or 30 (macOS). Null writes it in the capturing host's byte order.
  TAKEDOWN_COLD DecodeResult bsd_family(bool network_order) {
    if (size_ < 4) return fail(DecodeStatus::Truncated, DecodeReason::LinkShort);
    std::uint32_t family = load_be32(frame_);
    if (!network_order && (family & 0xFFFF0000u) != 0) family = __builtin_bswap32(family);
    note(HeaderKind::Link, 0);
    if (family == 2) return ipv4(4, size_);
    if (family == 10 || family == 24 || family == 28 || family == 30) return ipv6(4, size_);
    return fail(DecodeStatus::NotApplicable, DecodeReason::NotIp);
  }

  TAKEDOWN_HOT DecodeResult ethernet(std::size_t at, std::size_t end) {
    if (end - at < 14) return fail(DecodeStatus::Truncated, DecodeReason::EthernetShort);
    if (!note(HeaderKind::Ethernet, at))
      return fail(DecodeStatus::NotApplicable, DecodeReason::TooManyLayers);
    const bool outermost = out_.vlan_count == 0 && out_.layers == 0;
    std::uint16_t type = load_be16(frame_ + at + 12);
    at += 14;
    for (std::size_t tags = 0; type == kEtherVlan || type == kEtherQinQ; ++tags) {
      if (tags == kMaxVlanTags) return fail(DecodeStatus::NotApplicable, DecodeReason::TooManyVlanTags);
      if (end - at < 4) return fail(DecodeStatus::Truncated, DecodeReason::VlanShort);
      if (outermost) out_.vlan_tci[out_.vlan_count++] = load_be16(frame_ + at);
      type = load_be16(frame_ + at + 2);
      at += 4;
    }
    return ether_type(type, at, end);
  }

  TAKEDOWN_HOT DecodeResult ether_type(std::uint16_t type, std::size_t at, std::size_t end) {
    switch (type) {
      case kEtherIpv4:
        return ipv4(at, end);
      case kEtherIpv6:
        return ipv6(at, end);
      case wrapper::kEtherPppoeSession:
        if (!options_.pppoe) break;
        return enter(HeaderKind::Pppoe, at, wrapper::pppoe(frame_, at, end));
      case wrapper::kEtherMpls:
      case wrapper::kEtherMplsMulticast:
        if (!options_.mpls) break;
        return enter(HeaderKind::Mpls, at, wrapper::mpls(frame_, at, end));
      default:
        break;
    }
    return fail(DecodeStatus::NotApplicable, DecodeReason::NotIp);
  }

  // Opens a wrapper whose header at `at` was read as `read`.
  TAKEDOWN_COLD DecodeResult enter(HeaderKind kind, std::size_t at, const wrapper::Read& read) {
    if (read.result.status != DecodeStatus::Ok) return read.result;
    if (!open_wrapper() || !note(kind, at))
      return fail(DecodeStatus::NotApplicable, DecodeReason::TooManyLayers);
    switch (read.inner) {
      case Inner::Ipv4:
        return ipv4(read.at, read.end);
      case Inner::Ipv6:
        return ipv6(read.at, read.end);
      case Inner::IpByVersion:
        return ip_by_version(read.at, read.end);
      case Inner::Ethernet:
        return ethernet(read.at, read.end);
      case Inner::Mpls:
        if (!options_.mpls) return fail(DecodeStatus::NotApplicable, DecodeReason::GreNotIp);
        return enter(HeaderKind::Mpls, read.at, wrapper::mpls(frame_, read.at, read.end));
    }
    return fail(DecodeStatus::NotApplicable, DecodeReason::NotIp);
  }

  TAKEDOWN_COLD DecodeResult ip_by_version(std::size_t at, std::size_t end) {
    if (at == end) return fail(DecodeStatus::Truncated, DecodeReason::Ipv4Short);
    const std::uint8_t version = frame_[at] >> 4;
    if (version == 4) return ipv4(at, end);
    if (version == 6) return ipv6(at, end);
    return fail(DecodeStatus::NotApplicable, DecodeReason::NotIp);
  }

  TAKEDOWN_HOT bool tunnels(std::uint8_t protocol) const {
    if (__builtin_expect(protocol == DecodedPacket::kUdp || protocol == DecodedPacket::kTcp, 1))
      return false;
    if (protocol == kIpGre) return options_.gre;
    return (protocol == kIpInIpv4 || protocol == kIpInIpv6) && options_.ip_in_ip;
  }

  TAKEDOWN_HOT DecodeResult ipv4(std::size_t l3, std::size_t end) {
    if (end - l3 < 20) return fail(DecodeStatus::Truncated, DecodeReason::Ipv4Short);
    const std::uint8_t* ip = frame_ + l3;
    const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
    if ((ip[0] >> 4) != 4 || header < 20)
      return fail(DecodeStatus::Malformed, DecodeReason::Ipv4BadHeader);
    const std::size_t total = load_be16(ip + 2);
    if (total < header) return fail(DecodeStatus::Malformed, DecodeReason::Ipv4BadLength);
    if (total > end - l3) return fail(DecodeStatus::Truncated, DecodeReason::Ipv4BadLength);
    const std::uint8_t protocol = ip[9];
    const std::uint16_t fragment = load_be16(ip + 6);
    const bool more_fragments = (fragment & 0x2000) != 0;
    const std::uint16_t fragment_offset = fragment & 0x1FFF;
    if (__builtin_expect(tunnels(protocol), 0)) {
      if (more_fragments || fragment_offset != 0)
        return fail(DecodeStatus::NotApplicable, DecodeReason::TunnelFragment);
      return tunnel(HeaderKind::Ipv4, l3, protocol, l3 + header, l3 + total);
    }
    out_.ip_version = 4;
    out_.l3_offset = static_cast<std::uint16_t>(l3);
    if (protocol != DecodedPacket::kUdp && protocol != DecodedPacket::kTcp) {
      return fail(DecodeStatus::NotApplicable, DecodeReason::NotUdpOrTcp);
    }
    if (fragment_offset != 0) return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
    if (more_fragments) {
      // A first fragment is examined only when the whole transport header is inside it.
      const std::size_t l4 = l3 + header;
      if (total - header < transport_header_minimum(protocol) ||
          (protocol == DecodedPacket::kTcp && total - header < tcp_header_length(frame_ + l4))) {
        return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
      }
    }
    return transport(l3, l3 + header, l3 + total, protocol, more_fragments);
  }

  TAKEDOWN_HOT DecodeResult ipv6(std::size_t l3, std::size_t end) {
    if (end - l3 < 40) return fail(DecodeStatus::Truncated, DecodeReason::Ipv6Short);
    const std::uint8_t* ip = frame_ + l3;
    if ((ip[0] >> 4) != 6) return fail(DecodeStatus::Malformed, DecodeReason::Ipv6BadHeader);
    const std::size_t ip_end = l3 + 40 + load_be16(ip + 4);
    if (ip_end > end) return fail(DecodeStatus::Truncated, DecodeReason::Ipv6BadHeader);
    std::uint8_t next = ip[6];
    std::size_t at = l3 + 40;
    bool fragmented = false;
    for (std::size_t extensions = 0;; ++extensions) {
      if (next == DecodedPacket::kUdp || next == DecodedPacket::kTcp || tunnels(next)) break;
      if (next != 0 && next != 43 && next != 44 && next != 60) {
        out_.ip_version = 6;
        out_.l3_offset = static_cast<std::uint16_t>(l3);
        return fail(DecodeStatus::NotApplicable, DecodeReason::NotUdpOrTcp);
      }
      if (extensions == kMaxIpv6Extensions) {
        return fail(DecodeStatus::NotApplicable, DecodeReason::Ipv6TooManyExtensions);
      }
      if (ip_end - at < 8) return fail(DecodeStatus::Truncated, DecodeReason::Ipv6ExtensionShort);
      const std::size_t length = next == 44 ? 8 : (std::size_t{frame_[at + 1]} + 1) * 8;
      if (next == 44) {
        if ((load_be16(frame_ + at + 2) & 0xFFF8) != 0)
          return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
        fragmented = (frame_[at + 3] & 1) != 0;
      }
      if (length > ip_end - at)
        return fail(DecodeStatus::Truncated, DecodeReason::Ipv6ExtensionShort);
      next = frame_[at];
      at += length;
    }
    if (tunnels(next)) {
      if (fragmented) return fail(DecodeStatus::NotApplicable, DecodeReason::TunnelFragment);
      return tunnel(HeaderKind::Ipv6, l3, next, at, ip_end);
    }
    out_.ip_version = 6;
    out_.l3_offset = static_cast<std::uint16_t>(l3);
    if (fragmented) {
      const std::size_t available = ip_end - at;
      if (available < transport_header_minimum(next) ||
          (next == DecodedPacket::kTcp && available < tcp_header_length(frame_ + at))) {
        return fail(DecodeStatus::NotApplicable, DecodeReason::Fragment);
      }
    }
    return transport(l3, at, ip_end, next, fragmented);
  }

  // An IP header at `l3` (of `kind`) whose protocol is GRE or IP in IP.
  TAKEDOWN_COLD DecodeResult tunnel(HeaderKind kind, std::size_t l3, std::uint8_t protocol,
                                    std::size_t at, std::size_t end) {
    if (protocol == kIpGre) {  // the GRE header counts the layer
      if (!note(kind, l3)) return fail(DecodeStatus::NotApplicable, DecodeReason::TooManyLayers);
      return enter(HeaderKind::Gre, at, wrapper::gre(frame_, at, end));
    }
    if (!open_wrapper() || !note(kind, l3))
      return fail(DecodeStatus::NotApplicable, DecodeReason::TooManyLayers);
    return protocol == kIpInIpv4 ? ipv4(at, end) : ipv6(at, end);
  }

  // Decodes UDP or TCP in [l4, end); `end` is where the IP layer says its data ends.
  TAKEDOWN_HOT DecodeResult transport(std::size_t l3, std::size_t l4, std::size_t end,
                                      std::uint8_t protocol, bool fragment) {
    out_.l4_protocol = protocol;
    out_.l4_offset = static_cast<std::uint16_t>(l4);
    const std::size_t available = end - l4;
    const std::uint8_t* h = frame_ + l4;
    if (protocol == DecodedPacket::kUdp) {
      if (available < 8) return fail(DecodeStatus::Truncated, DecodeReason::UdpShort);
      const std::uint16_t length = load_be16(h + 4);
      if (length < 8 || length > available)
        return fail(DecodeStatus::Malformed, DecodeReason::UdpBadLength);
      out_.src_port = load_be16(h);
      out_.dst_port = load_be16(h + 2);
      out_.payload_offset = static_cast<std::uint16_t>(l4 + 8);
      out_.payload_length = static_cast<std::uint16_t>(length - 8);
      if (!fragment) return udp_tunnel(l3, l4, l4 + length);
      return {};
    }
    if (available < 20) return fail(DecodeStatus::Truncated, DecodeReason::TcpShort);
    const std::size_t header = tcp_header_length(h);
    if (header < 20) return fail(DecodeStatus::Malformed, DecodeReason::TcpBadOffset);
    if (header > available) return fail(DecodeStatus::Truncated, DecodeReason::TcpShort);
    out_.src_port = load_be16(h);
    out_.dst_port = load_be16(h + 2);
    out_.tcp_seq = load_be32(h + 4);
    out_.tcp_ack = load_be32(h + 8);
    out_.tcp_flags = h[13];
    out_.payload_offset = static_cast<std::uint16_t>(l4 + header);
    out_.payload_length = static_cast<std::uint16_t>(available - header);
    return {};
  }

  // A UDP datagram to a VXLAN or GTP-U port is a tunnel; any other is the inner packet.
  TAKEDOWN_HOT DecodeResult udp_tunnel(std::size_t l3, std::size_t l4, std::size_t end) {
    if (__builtin_expect(!options_.tunnel_port(out_.dst_port), 1)) return {};
    return open_udp_tunnel(l3, l4, end);
  }

  TAKEDOWN_COLD DecodeResult open_udp_tunnel(std::size_t l3, std::size_t l4, std::size_t end) {
    const bool vxlan = options_.vxlan && DecodeOptions::listed(options_.vxlan_ports, out_.dst_port);
    const bool gtpu =
        !vxlan && options_.gtpu && DecodeOptions::listed(options_.gtpu_ports, out_.dst_port);
    if (!vxlan && !gtpu) return {};
    const HeaderKind ip = out_.ip_version == 4 ? HeaderKind::Ipv4 : HeaderKind::Ipv6;
    if (!note(ip, l3) || !note(HeaderKind::Udp, l4))
      return fail(DecodeStatus::NotApplicable, DecodeReason::TooManyLayers);
    const std::size_t at = l4 + 8;
    return vxlan ? enter(HeaderKind::Vxlan, at, wrapper::vxlan(frame_, at, end))
                 : enter(HeaderKind::GtpU, at, wrapper::gtpu(frame_, at, end));
  }

  const std::uint8_t* frame_;
  std::size_t size_;
  const DecodeOptions& options_;
  DecodedPacket& out_;
};

}  // namespace

DecodeResult decode_packet(std::span<const std::uint8_t> frame, const DecodeOptions& options,
                           LinkType link, DecodedPacket& out) {
  // Every field before the outer header list reset in one go; the list is valid up to
  // outer_count only, and is not cleared (hot path).
  static_assert(std::is_trivially_copyable_v<DecodedPacket>);
  std::memset(static_cast<void*>(&out), 0, offsetof(DecodedPacket, outer));
  out.link = link;
  const std::size_t size = frame.size() > 0xFFFF ? 0xFFFF : frame.size();
  Decoder decoder(frame.data(), size, options, out);
  return decoder.link(link);
}

}  // namespace takedown::filters
