// Reply framing shared by the DNS answer and the TCP resets: the headers around the inner packet
// (link, VLAN tags, wrappers), a plain inner IPv4 or IPv6 header, and the checksums.
//
// A reply is built inside the same encapsulation as the packet it answers. The bytes before the
// inner IP header are copied, then mended for the reply's direction: Back (to the packet's
// source) swaps the Ethernet addresses of every Ethernet header (the outer one, and the inner one
// of VXLAN, GRE bridging or an MPLS pseudowire) and the addresses of every tunnel's outer IP
// header; Onwards (to its destination) keeps them. VLAN tags, the PPPoE session, the VXLAN VNI and
// the GRE key are kept. A tunnel's UDP ports are kept too: VXLAN and GTP-U are addressed to their
// well-known port in both directions, and the source port is the sender's flow entropy. Then every
// length in the wrappers (outer IP, UDP, PPPoE, GTP-U) is set for the reply, and the checksums
// are computed (outer IPv4 header, outer UDP unless it was zero over IPv4, GRE when present).
//
// The inner header never carries the original's IPv4 options or IPv6 extension headers: it is a
// fresh 20-byte IPv4 or 40-byte IPv6 header, TTL / hop limit 64, with the addresses kept or
// swapped. Outer IP headers are the original's, with TTL / hop limit 64 and no fragmentation.
//
// Back replies are impossible through MPLS and GTP-U (DecodedPacket::can_reply_back) and for a
// packet with more than kMaxReplyWrapper bytes before its inner IP header; can_reply() says so.
//
// Hot path: no allocation; `out` is either `frame.data()` itself (a reply written over its query,
// see write_reply_headers) or does not overlap `frame`. Safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "filters/packet/packet_decoder.hpp"

namespace takedown::filters {

enum class ReplyDirection : std::uint8_t {
  Back,     // to the frame's source: Ethernet and IP addresses swapped, inner ports swapped
  Onwards,  // to the frame's destination: addresses and ports kept
};

// The most bytes of link header and wrappers a reply copies.
inline constexpr std::size_t kMaxReplyWrapper = 256;
// Largest link, wrapper and inner IP header a reply can have.
inline constexpr std::size_t kMaxReplyHeaders = kMaxReplyWrapper + 40;

// Whether a reply in `direction` can be built for `packet`.
inline bool can_reply(const DecodedPacket& packet, ReplyDirection direction) {
  if (packet.l3_offset > kMaxReplyWrapper) return false;
  return direction == ReplyDirection::Onwards || packet.can_reply_back();
}

// Writes the link header, the wrappers and the inner IP header for a transport payload of
// `l4_length` bytes into `out` (at least kMaxReplyHeaders bytes). Returns the offset where the
// transport header starts. Call only when can_reply() holds. `out` may be the frame itself when
// its inner IP header is already the reply's size (IPv4 without options, IPv6 without extension
// headers): the headers are then turned around in place.
std::size_t write_reply_headers(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                                ReplyDirection direction, std::size_t l4_length, std::uint8_t* out);

// Finishes a reply written by write_reply_headers(): the inner UDP or TCP checksum (`l4` points at
// the transport header, `l4_length` bytes with the checksum field zero), then the wrappers'
// lengths and checksums, innermost first.
void finish_reply(std::uint8_t* out, const DecodedPacket& packet, std::uint8_t* l4,
                  std::size_t l4_length);

// The wrappers' part of finish_reply(), for a reply whose inner checksum is already set: the
// lengths and checksums of the headers before the inner IP header, for a reply ending at `end`.
void finish_wrappers(std::uint8_t* out, const DecodedPacket& packet, std::size_t end);

// The Internet checksum (RFC 1071) of `bytes`, folded and complemented.
std::uint16_t internet_checksum(const std::uint8_t* bytes, std::size_t length,
                                std::uint32_t initial = 0);
// The ones' complement sum whose complement internet_checksum() is: `bytes` as 16-bit big-endian
// words from the first (an odd last byte padded with zero), plus `initial`, folded to 16 bits.
// Bytes that start at an odd offset of the checksummed data add their sum byte-swapped.
std::uint32_t ones_complement_sum(const std::uint8_t* bytes, std::size_t length,
                                  std::uint32_t initial = 0);
// The sum of the pseudo-header (RFC 768; RFC 8200 section 8.1) of `length` transport bytes of
// `protocol` under the IPv4 or IPv6 header at `ip`. Its addresses' order does not change it.
std::uint32_t pseudo_header_sum(const std::uint8_t* ip, std::uint8_t protocol, std::size_t length);

}  // namespace takedown::filters
