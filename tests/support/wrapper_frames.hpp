// Wrappers and link headers built byte by byte, for the decoder, reply and extractor tests: PPPoE,
// MPLS, GRE, VXLAN, GTP-U, outer IP headers with their own addresses, and the link headers of
// captures (SLL, SLL2, Cisco HDLC, BSD null and loop). Over frames.hpp's Bytes; the outer IPv4
// header carries a correct checksum, so replies built from these frames can be checked whole.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/support/frames.hpp"

namespace takedown::testing::frames {

// PPPoE session header and PPP protocol field around an inner IP packet.
inline Bytes pppoe(std::uint16_t session, const Bytes& inner_ip, bool v6 = false) {
  Bytes b = {0x11, 0x00};
  put16(b, session);
  put16(b, inner_ip.size() + 2);
  put16(b, v6 ? 0x0057 : 0x0021);
  return b + inner_ip;
}

// An MPLS label stack (outermost first) with the bottom-of-stack bit on the last entry.
inline Bytes mpls(const std::vector<std::uint32_t>& labels, const Bytes& payload) {
  Bytes b;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::uint32_t entry = labels[i] << 12 | (i + 1 == labels.size() ? 0x100u : 0u) | 64u;
    put32(b, entry);
  }
  return b + payload;
}

// The Ethernet pseudowire control word (RFC 4385): first nibble 0, sequence number.
inline Bytes control_word(std::uint16_t sequence = 7) {
  Bytes b = {0, 0};
  put16(b, sequence);
  return b;
}

struct GreFields {
  bool checksum = false;
  bool has_key = false;
  std::uint32_t key = 0;
  bool has_sequence = false;
  std::uint32_t sequence = 0;
};

// GRE version 0 with the chosen optional fields; the checksum field (when present) is computed.
inline Bytes gre(std::uint16_t protocol, const Bytes& payload, GreFields f = {}) {
  Bytes b;
  put16(b, (f.checksum ? 0x8000 : 0) | (f.has_key ? 0x2000 : 0) | (f.has_sequence ? 0x1000 : 0));
  put16(b, protocol);
  if (f.checksum) put32(b, 0);
  if (f.has_key) put32(b, f.key);
  if (f.has_sequence) put32(b, f.sequence);
  b = b + payload;
  if (f.checksum) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < b.size(); i += 2)
      sum += (std::uint32_t{b[i]} << 8) | (i + 1 < b.size() ? b[i + 1] : 0);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    const std::uint16_t c = static_cast<std::uint16_t>(~sum);
    b[4] = static_cast<std::uint8_t>(c >> 8);
    b[5] = static_cast<std::uint8_t>(c);
  }
  return b;
}

inline Bytes vxlan(std::uint32_t vni, const Bytes& inner_frame, std::uint8_t flags = 0x08) {
  Bytes b = {flags, 0, 0, 0};
  put32(b, vni << 8);
  return b + inner_frame;
}

// A GTP-U G-PDU; `extensions` are whole extension headers (length byte first, next type last),
// chained by the caller; `first_extension` is the type of the first.
inline Bytes gtpu(std::uint32_t teid, const Bytes& inner_ip, std::uint8_t message = 0xFF,
                  const Bytes& extensions = {}, std::uint8_t first_extension = 0) {
  const bool optional = !extensions.empty();
  Bytes b = {static_cast<std::uint8_t>(0x30 | (optional ? 0x04 : 0)), message};
  put16(b, inner_ip.size() + extensions.size() + (optional ? 4 : 0));
  put32(b, teid);
  if (optional) b = b + Bytes{0, 0, 0, first_extension} + extensions;
  return b + inner_ip;
}

// The 5G PDU session container (type 0x85): an uplink PDU session information with QFI 9.
inline Bytes pdu_session_container() { return {0x01, 0x10, 0x09, 0x00}; }

// An IPv4 header with its own addresses and a correct header checksum.
inline Bytes outer_ipv4(std::uint8_t protocol, const Bytes& payload, std::uint32_t src,
                        std::uint32_t dst) {
  Bytes b = {0x45, 0};
  put16(b, 20 + payload.size());
  put16(b, 0x4321);
  put16(b, 0x4000);
  b.push_back(63);
  b.push_back(protocol);
  put16(b, 0);
  put32(b, src);
  put32(b, dst);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += (std::uint32_t{b[i]} << 8) | b[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  b[10] = static_cast<std::uint8_t>(~sum >> 8);
  b[11] = static_cast<std::uint8_t>(~sum);
  return b + payload;
}

// An IPv6 header with addresses 2001:db8::`src` and 2001:db8::`dst`.
inline Bytes outer_ipv6(std::uint8_t next, const Bytes& payload, std::uint8_t src,
                        std::uint8_t dst) {
  Bytes b = {0x60, 0, 0, 0};
  put16(b, payload.size());
  b.push_back(next);
  b.push_back(63);
  for (std::uint8_t a : {src, dst}) {
    Bytes addr = {0x20, 0x01, 0x0d, 0xb8};
    addr.resize(15, 0);
    addr.push_back(a);
    b = b + addr;
  }
  return b + payload;
}

// Ethernet with its own addresses (…:01 → …:02 by default).
inline Bytes ethernet_between(std::uint8_t src, std::uint8_t dst, std::uint16_t type) {
  Bytes b = {0x02, 0, 0, 0, 0, dst, 0x02, 0, 0, 0, 0, src};
  put16(b, type);
  return b;
}

// Link headers of captures.
inline Bytes linux_sll(std::uint16_t protocol) {
  Bytes b = {0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 9, 0, 0};
  put16(b, protocol);
  return b;
}
inline Bytes linux_sll2(std::uint16_t protocol) {
  Bytes b;
  put16(b, protocol);
  put16(b, 0);
  put32(b, 3);  // ifindex
  put16(b, 1);  // ARPHRD_ETHER
  b.push_back(0);
  b.push_back(6);
  for (std::uint8_t a : {2, 0, 0, 0, 0, 9, 0, 0}) b.push_back(a);
  return b;
}
inline Bytes cisco_hdlc(std::uint16_t protocol) {
  Bytes b = {0x0F, 0x00};
  put16(b, protocol);
  return b;
}
// The null family word in little-endian host order; loop's in network order.
inline Bytes bsd_null(std::uint32_t family) {
  return {static_cast<std::uint8_t>(family), static_cast<std::uint8_t>(family >> 8), 0, 0};
}
inline Bytes bsd_loop(std::uint32_t family) {
  Bytes b;
  put32(b, family);
  return b;
}

}  // namespace takedown::testing::frames
