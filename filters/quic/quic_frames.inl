// read_initial_frames(), declared in quic_packet.hpp: a template, so the CRYPTO callback inlines.
#pragma once

#include <cstring>

namespace takedown::filters {

template <typename OnCrypto>
QuicResult read_initial_frames(std::span<const std::uint8_t> payload, OnCrypto&& on_crypto) {
  constexpr auto bad = QuicResult::fail(DecodeStatus::Malformed, QuicReason::BadFrame);
  std::size_t at = 0;
  while (at < payload.size()) {
    const std::uint8_t type = payload[at];
    if (type == 0x00) {  // PADDING: a client pads its Initial to 1,200 bytes, so skip 8 at a time
      ++at;
      std::uint64_t word = 0;
      while (payload.size() - at >= 8 && (std::memcpy(&word, payload.data() + at, 8), word == 0))
        at += 8;
      while (at < payload.size() && payload[at] == 0x00) ++at;
      continue;
    }
    if (type == 0x01) {  // PING
      ++at;
      continue;
    }
    ++at;
    std::uint64_t v = 0;
    if (type == 0x02 || type == 0x03) {  // ACK, ACK with ECN counts
      std::uint64_t ranges = 0;
      if (!read_quic_varint(payload, at, v) || !read_quic_varint(payload, at, v) ||
          !read_quic_varint(payload, at, ranges) || !read_quic_varint(payload, at, v)) {
        return bad;
      }
      if (ranges > payload.size()) return bad;  // each range takes two bytes at least
      for (std::uint64_t r = 0; r < 2 * ranges; ++r) {
        if (!read_quic_varint(payload, at, v)) return bad;
      }
      if (type == 0x03) {
        for (int e = 0; e < 3; ++e) {
          if (!read_quic_varint(payload, at, v)) return bad;
        }
      }
      continue;
    }
    if (type == 0x06) {  // CRYPTO
      std::uint64_t offset = 0;
      std::uint64_t length = 0;
      if (!read_quic_varint(payload, at, offset) || !read_quic_varint(payload, at, length) ||
          length > payload.size() - at) {
        return bad;
      }
      on_crypto(offset, payload.subspan(at, static_cast<std::size_t>(length)));
      at += static_cast<std::size_t>(length);
      continue;
    }
    if (type == 0x1c) return {};  // CONNECTION_CLOSE: nothing after it matters
    return bad;
  }
  return {};
}

}  // namespace takedown::filters
