// Frames and messages built byte by byte, for the decoder, parser, extractor and inspect tests.
// Plain helpers over std::vector<std::uint8_t>; checksums are left zero (no parser reads them).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace takedown::testing::frames {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, (v >> 16) & 0xFFFF);
  put16(b, v & 0xFFFF);
}
inline void append(Bytes& a, const Bytes& b);
inline Bytes operator+(Bytes a, const Bytes& b) {
  append(a, b);
  return a;
}

// Ethernet II; each tag is {TPID, TCI}.
inline Bytes ethernet(std::uint16_t type,
                      std::vector<std::pair<std::uint16_t, std::uint16_t>> tags = {}) {
  Bytes b = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
  for (auto [tpid, tci] : tags) {
    put16(b, tpid);
    put16(b, tci);
  }
  put16(b, type);
  return b;
}

inline Bytes ipv4(std::uint8_t protocol, const Bytes& l4, std::uint16_t fragment = 0,
                  Bytes options = {}) {
  Bytes b;
  b.push_back(static_cast<std::uint8_t>(0x40 | (5 + options.size() / 4)));
  b.push_back(0);
  put16(b, static_cast<std::uint16_t>(20 + options.size() + l4.size()));
  put16(b, 0x1234);
  put16(b, fragment);
  b.push_back(64);
  b.push_back(protocol);
  put16(b, 0);  // checksum: not the decoder's business
  put32(b, 0xC0000201);
  put32(b, 0xC0000202);
  return b + options + l4;
}

// IPv6 with a chain of {next_header, body} extension headers before the transport.
inline Bytes ipv6(std::uint8_t protocol, const Bytes& l4,
                  std::vector<std::pair<std::uint8_t, Bytes>> ext = {}) {
  Bytes chain;
  for (std::size_t i = 0; i < ext.size(); ++i) {
    const std::uint8_t next = i + 1 < ext.size() ? ext[i + 1].first : protocol;
    Bytes h = {next};
    h.insert(h.end(), ext[i].second.begin(), ext[i].second.end());
    chain = chain + h;
  }
  Bytes b = {0x60, 0, 0, 0};
  put16(b, static_cast<std::uint16_t>(chain.size() + l4.size()));
  b.push_back(ext.empty() ? protocol : ext[0].first);
  b.push_back(64);
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b + chain + l4;
}

// An 8-byte options header (hop-by-hop, destination, routing): length 0, 6 bytes of padding.
inline Bytes option_body() { return {0, 1, 4, 0, 0, 0, 0}; }
// A fragment header body: reserved, offset (in 8-byte units) and the M flag.
inline Bytes fragment_body(std::uint16_t offset, bool more) {
  Bytes b = {0};
  put16(b, static_cast<std::uint16_t>(offset << 3 | (more ? 1 : 0)));
  put32(b, 0xABCD);
  return b;
}

inline Bytes udp(std::uint16_t src, std::uint16_t dst, const Bytes& payload) {
  Bytes b;
  put16(b, src);
  put16(b, dst);
  put16(b, static_cast<std::uint16_t>(8 + payload.size()));
  put16(b, 0);
  return b + payload;
}

inline Bytes tcp(std::uint16_t src, std::uint16_t dst, const Bytes& payload,
                 std::size_t option_bytes = 0, std::uint8_t flags = 0x18) {
  Bytes b;
  put16(b, src);
  put16(b, dst);
  put32(b, 1000);
  put32(b, 2000);
  b.push_back(static_cast<std::uint8_t>((5 + option_bytes / 4) << 4));
  b.push_back(flags);
  put16(b, 65535);
  put16(b, 0);
  put16(b, 0);
  for (std::size_t i = 0; i < option_bytes; ++i) b.push_back(1);  // NOPs
  return b + payload;
}

// A TCP segment with its own sequence number and flags (0x02 SYN, 0x10 ACK, 0x18 PSH+ACK ...).
inline Bytes tcp_segment(std::uint16_t src, std::uint16_t dst, std::uint32_t seq,
                         std::uint8_t flags, const Bytes& payload, std::uint32_t ack = 2000) {
  Bytes b;
  put16(b, src);
  put16(b, dst);
  put32(b, seq);
  put32(b, ack);
  b.push_back(0x50);
  b.push_back(flags);
  put16(b, 65535);
  put16(b, 0);
  put16(b, 0);
  return b + payload;
}

// DNS
// Whole IPv4 frames over Ethernet: a TCP segment, a UDP datagram.
inline Bytes tcp_frame(std::uint16_t src, std::uint16_t dst, std::uint32_t seq, std::uint8_t flags,
                       const Bytes& payload) {
  return ethernet(0x0800) + ipv4(6, tcp_segment(src, dst, seq, flags, payload));
}
inline Bytes udp_frame(std::uint16_t src, std::uint16_t dst, const Bytes& payload) {
  return ethernet(0x0800) + ipv4(17, udp(src, dst, payload));
}

inline Bytes dns_header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd,
                        std::uint16_t ar = 0) {
  Bytes b;
  put16(b, id);
  put16(b, flags);
  put16(b, qd);
  put16(b, 0);
  put16(b, 0);
  put16(b, ar);
  return b;
}

inline Bytes wire_name(const std::string& dotted) {
  Bytes b;
  std::size_t start = 0;
  while (start < dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    b.push_back(static_cast<std::uint8_t>(dot - start));
    b.insert(b.end(), dotted.begin() + static_cast<std::ptrdiff_t>(start),
             dotted.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  b.push_back(0);
  return b;
}

inline Bytes dns_query(const std::string& name, std::uint16_t qtype = 1, bool edns = false) {
  Bytes b = dns_header(0xBEEF, 0x0100, 1, edns ? 1 : 0);
  const Bytes n = wire_name(name);
  b.insert(b.end(), n.begin(), n.end());
  put16(b, qtype);
  put16(b, 1);
  if (edns) {
    b.push_back(0);  // root owner
    put16(b, 41);
    put16(b, 1232);  // UDP payload size
    put16(b, 0);
    put16(b, 0x8000);  // DO
    put16(b, 0);
  }
  return b;
}

// TLS
inline void put24(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 16));
  put16(b, v & 0xFFFF);
}
// Through back_inserter: gcc 12 raises a false -Wstringop-overread in vector's range insert.
inline void append(Bytes& a, const Bytes& b) { std::copy(b.begin(), b.end(), std::back_inserter(a)); }

inline Bytes extension(std::uint16_t type, const Bytes& body) {
  Bytes b;
  put16(b, type);
  put16(b, body.size());
  append(b, body);
  return b;
}

inline Bytes sni(const std::string& name) {
  Bytes entry = {0};  // host_name
  put16(entry, name.size());
  entry.insert(entry.end(), name.begin(), name.end());
  Bytes body;
  put16(body, entry.size());
  append(body, entry);
  return extension(0, body);
}

inline Bytes grease(std::uint16_t value) { return extension(value, {}); }
inline Bytes alpn() { return extension(16, {0, 3, 2, 'h', '2'}); }
inline Bytes ech() { return extension(0xFE0D, Bytes(40, 0xEE)); }  // the encrypted inner hello

inline Bytes client_hello(const std::vector<Bytes>& extensions, std::uint8_t session_id = 32,
                          std::uint16_t record_version = 0x0301) {
  Bytes hello;
  put16(hello, 0x0303);
  // resize(), not insert(): GCC 12 takes insert's move of the first two bytes for an overflow
  // (a -Warray-bounds false positive).
  hello.resize(hello.size() + 32, 0x11);  // random
  hello.push_back(session_id);
  hello.resize(hello.size() + session_id, 0x22);
  put16(hello, 4);
  hello.insert(hello.end(), {0x13, 0x01, 0x0A, 0x0A});  // a suite and a GREASE suite
  hello.insert(hello.end(), {1, 0});                    // null compression
  Bytes all;
  for (const auto& e : extensions) append(all, e);
  if (!extensions.empty()) {
    put16(hello, all.size());
    append(hello, all);
  }
  Bytes handshake = {1};
  put24(handshake, hello.size());
  append(handshake, hello);
  Bytes record = {22};
  put16(record, record_version);
  put16(record, handshake.size());
  append(record, handshake);
  return record;
}

// An extension of `size` bytes of body, standing in for a post-quantum key share
// (X25519MLKEM768: 1,216 bytes), so a ClientHello spans two segments as browsers' do.
inline Bytes key_share(std::size_t size = 1216) {
  Bytes body;
  put16(body, size + 4);
  put16(body, 0x11EC);  // X25519MLKEM768
  put16(body, size);
  for (std::size_t i = 0; i < size; ++i) body.push_back(static_cast<std::uint8_t>(i * 7));
  return extension(51, body);
}

// The bare handshake message of a record made by client_hello() (QUIC's CRYPTO stream has no
// records).
inline Bytes handshake_of(const Bytes& record) { return Bytes(record.begin() + 5, record.end()); }

// The handshake message of `record` re-cut into records of at most `fragment` bytes each.
inline Bytes split_records(const Bytes& record, std::size_t fragment) {
  const Bytes message = handshake_of(record);
  Bytes out;
  for (std::size_t at = 0; at < message.size(); at += fragment) {
    const std::size_t n = std::min(fragment, message.size() - at);
    out.push_back(22);
    put16(out, 0x0301);
    put16(out, n);
    out.insert(out.end(), message.begin() + static_cast<std::ptrdiff_t>(at),
               message.begin() + static_cast<std::ptrdiff_t>(at + n));
  }
  return out;
}

inline Bytes slice(const Bytes& b, std::size_t from, std::size_t to) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(std::min(from, b.size())),
               b.begin() + static_cast<std::ptrdiff_t>(std::min(to, b.size())));
}

inline Bytes from_hex(const std::string& hex) {
  Bytes b;
  auto nibble = [](char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    b.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return b;
}

}  // namespace takedown::testing::frames
