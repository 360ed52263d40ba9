// DecodedPacket's questions about the headers around the inner packet.
#include "filters/common/byte_order.hpp"
#include "filters/packet/packet_decoder.hpp"
#include "filters/packet/wrapper_headers.hpp"

namespace takedown::filters {

bool DecodedPacket::can_reply_back() const {
  for (std::uint8_t i = 0; i < outer_count; ++i) {
    if (outer[i].kind == HeaderKind::Mpls || outer[i].kind == HeaderKind::GtpU) return false;
  }
  return true;
}

std::size_t DecodedPacket::wrappers(std::span<const std::uint8_t> frame, Wrapper* out,
                                    std::size_t capacity) const {
  const std::uint8_t* f = frame.data();
  std::size_t n = 0;
  for (std::uint8_t i = 0; i < outer_count && n < capacity; ++i) {
    const std::uint8_t* h = f + outer[i].offset;
    switch (outer[i].kind) {
      case HeaderKind::Pppoe:
        out[n++] = {WrapperKind::Pppoe, true, load_be16(h + 2)};
        break;
      case HeaderKind::Mpls:
        out[n++] = {WrapperKind::Mpls, true, load_be24(h) >> 4};
        break;
      case HeaderKind::Gre: {
        const std::size_t key = wrapper::gre_key_offset(h);
        out[n++] = {WrapperKind::Gre, key != 0, key != 0 ? load_be32(h + key) : 0};
        break;
      }
      case HeaderKind::Vxlan:
        out[n++] = {WrapperKind::Vxlan, true, load_be24(h + 4)};
        break;
      case HeaderKind::GtpU:
        out[n++] = {WrapperKind::GtpU, true, load_be32(h + 4)};
        break;
      case HeaderKind::Ipv4:
      case HeaderKind::Ipv6: {
        // An outer IP header not followed by GRE or UDP carries IP directly.
        const bool carrier = i + 1 < outer_count && (outer[i + 1].kind == HeaderKind::Gre ||
                                                      outer[i + 1].kind == HeaderKind::Udp);
        if (!carrier) out[n++] = {WrapperKind::IpInIp, false, 0};
        break;
      }
      default:
        break;
    }
  }
  return n;
}

std::uint32_t DecodedPacket::context(std::span<const std::uint8_t> frame) const {
  if (layers == 0) return 0;
  Wrapper found[DecodeOptions::kMaxLayersLimit];
  const std::size_t n = wrappers(frame, found, DecodeOptions::kMaxLayersLimit);
  std::uint32_t tag = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Wrapper& w = found[i];
    const bool symmetric = w.kind == WrapperKind::Pppoe || w.kind == WrapperKind::Gre ||
                           w.kind == WrapperKind::Vxlan;
    if (!symmetric || !w.has_id) continue;
    // A multiplicative mix: different kinds and depths of the same id give different tags.
    tag = (tag ^ (w.id + 0x9E3779B9u * (static_cast<std::uint32_t>(w.kind) + 1))) * 0x85EBCA6Bu;
    tag ^= tag >> 15;
  }
  return tag;
}

}  // namespace takedown::filters
