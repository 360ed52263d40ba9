// Reply framing shared by the DNS answer and the TCP resets: Ethernet (with its VLAN tags), a
// plain IPv4 or IPv6 header, and the transport checksum over the pseudo-header.
//
// A reply never carries the original's IPv4 options or IPv6 extension headers: it is a fresh
// 20-byte IPv4 or 40-byte IPv6 header, TTL / hop limit 64, with the addresses either kept (a
// segment sent on towards its destination) or swapped (an answer sent back to its source). The
// Ethernet addresses follow the same rule; VLAN tags are copied as they are.
//
// Hot path: no allocation; `out` must not overlap `frame`. Safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "filters/packet/packet_decoder.hpp"

namespace takedown::filters {

enum class ReplyDirection : std::uint8_t {
  Back,     // to the frame's source: Ethernet, IP addresses and ports swapped
  Onwards,  // to the frame's destination: addresses and ports kept
};

// Largest Ethernet + VLAN + IP header a reply can have.
inline constexpr std::size_t kMaxReplyHeaders = 14 + 8 + 40;

// Writes Ethernet, tags and the IP header for a transport payload of `l4_length` bytes into `out`
// (at least kMaxReplyHeaders bytes). Returns the offset where the transport header starts.
std::size_t write_reply_headers(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                                ReplyDirection direction, std::size_t l4_length, std::uint8_t* out);

// Fills the UDP or TCP checksum of a reply written by write_reply_headers(). `l4` points at the
// transport header, which has `l4_length` bytes with the checksum field zero.
void finish_transport_checksum(std::uint8_t* out, const DecodedPacket& packet, std::uint8_t* l4,
                               std::size_t l4_length);

// The Internet checksum (RFC 1071) of `bytes`, folded and complemented.
std::uint16_t internet_checksum(const std::uint8_t* bytes, std::size_t length,
                                std::uint32_t initial = 0);

}  // namespace takedown::filters
