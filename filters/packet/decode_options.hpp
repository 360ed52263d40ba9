// DecodeOptions: which encapsulations decode_packet() opens, how deep, and on which UDP ports.
//
// All wrappers are open by default, up to 4 of them around the inner packet (a VLAN tag is not a
// wrapper; PPPoE, an MPLS label stack, GRE, VXLAN, GTP-U and an IP-in-IP header each count one).
// A frame wrapped deeper is not applicable (reason `too_many_layers`) and is forwarded. The config
// section `decode:` fills it (control/schema/config.hpp). Plain value; no allocation.
#pragma once

#include <emmintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "filters/common/port_list.hpp"

namespace takedown::filters {

struct DecodeOptions {
  static constexpr std::uint8_t kMaxLayersLimit = 6;
  static constexpr std::size_t kMaxPorts = 4;

  std::uint8_t max_layers = 4;  // 0 opens none: only Ethernet, VLAN and IP, as before wrappers
  bool pppoe = true;
  bool mpls = true;
  bool gre = true;
  bool vxlan = true;
  bool gtpu = true;
  bool ip_in_ip = true;  // IPv4 or IPv6 directly inside IPv4 or IPv6 (protocols 4 and 41)
  std::array<std::uint16_t, kMaxPorts> vxlan_ports{4789};  // UDP destination ports; 0 unused
  std::array<std::uint16_t, kMaxPorts> gtpu_ports{2152};

  // Whether `port` is one of the VXLAN or GTP-U ports, open or not: every UDP datagram asks, so
  // the eight 16-bit entries (the two lists lie side by side) are compared in one vector.
  __attribute__((always_inline)) bool tunnel_port(std::uint16_t port) const {
    static_assert(kMaxPorts == 4 && sizeof vxlan_ports == 8 && sizeof gtpu_ports == 8);
    static_assert(offsetof(DecodeOptions, gtpu_ports) == offsetof(DecodeOptions, vxlan_ports) + 8);
    const __m128i lists = _mm_loadu_si128(reinterpret_cast<const __m128i*>(
        reinterpret_cast<const char*>(this) + offsetof(DecodeOptions, vxlan_ports)));
    const __m128i equal = _mm_cmpeq_epi16(lists, _mm_set1_epi16(static_cast<short>(port)));
    return port != 0 && _mm_movemask_epi8(equal) != 0;
  }

  // Which of the two lists a tunnel port is in, once tunnel_port() said it is in one.
  static bool listed(const std::array<std::uint16_t, kMaxPorts>& ports, std::uint16_t port) {
    return port_listed(ports, port);
  }
};

}  // namespace takedown::filters
