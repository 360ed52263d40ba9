// The wrapper headers decode_packet() opens, one reader each: PPPoE session, MPLS label stack,
// GRE, VXLAN and GTP-U. Each reads one header at `at` inside [at, end) of the frame and says what
// follows it (an EtherType-like next protocol) and where, or why it cannot be read. Internal to
// filters/packet; pure functions over bytes, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "filters/packet/packet_decoder.hpp"

namespace takedown::filters::wrapper {

// What comes after a wrapper header.
enum class Inner : std::uint8_t { Ipv4, Ipv6, IpByVersion, Ethernet, Mpls };

struct Read {
  DecodeResult result;    // Ok, or why the header cannot be opened
  Inner inner = Inner::Ipv4;
  std::size_t at = 0;     // where the inner packet starts
  std::size_t end = 0;    // where it ends: the wrapper's own length, or `end` when it has none
};

inline constexpr std::uint16_t kEtherIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherIpv6 = 0x86DD;
inline constexpr std::uint16_t kEtherPppoeSession = 0x8864;
inline constexpr std::uint16_t kEtherMpls = 0x8847;
inline constexpr std::uint16_t kEtherMplsMulticast = 0x8848;
inline constexpr std::uint16_t kEtherBridging = 0x6558;  // transparent Ethernet bridging in GRE

inline constexpr std::size_t kMaxMplsLabels = 8;
inline constexpr std::size_t kMaxGtpuExtensions = 8;

// PPPoE session header (RFC 2516: version 1, type 1, code 0, session id, length) and the PPP
// protocol field: IPv4 (0x0021) or IPv6 (0x0057).
Read pppoe(const std::uint8_t* frame, std::size_t at, std::size_t end);

// MPLS label stack entries down to the bottom-of-stack bit, then the payload by its first
// nibble: 4, 6, or 0 for a pseudowire control word followed by Ethernet.
Read mpls(const std::uint8_t* frame, std::size_t at, std::size_t end);

// GRE version 0 with its optional checksum, key and sequence number (RFC 2784, RFC 2890).
Read gre(const std::uint8_t* frame, std::size_t at, std::size_t end);

// VXLAN (RFC 7348): 8 bytes with the I flag set, then Ethernet.
Read vxlan(const std::uint8_t* frame, std::size_t at, std::size_t end);

// GTP-U version 1 G-PDU (3GPP TS 29.281): the mandatory 8 bytes, the optional sequence number,
// N-PDU number and next extension type, the extension headers, then IPv4 or IPv6.
Read gtpu(const std::uint8_t* frame, std::size_t at, std::size_t end);

// The GRE key's offset from the GRE header, or 0 when the header carries none.
std::size_t gre_key_offset(const std::uint8_t* gre);

}  // namespace takedown::filters::wrapper
