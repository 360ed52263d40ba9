// QUIC long headers and Initial frames (RFC 9000 sections 17.2 and 19, RFC 9369 section 3.2).
//
// parse_long_header() reads one long-header packet at the start of `bytes` (what is left of a
// datagram): version, packet type (v2's type bits mapped to v1's meaning), the connection IDs,
// the Initial token, and where the protected packet number starts and the packet ends, so
// coalesced packets can be walked. A short header or an unknown version is NotApplicable.
//
// read_initial_frames() walks the plaintext of an Initial: PADDING, PING and ACK are skipped,
// each CRYPTO frame is handed to `on_crypto(offset, bytes)`, CONNECTION_CLOSE ends the walk;
// any other frame is not allowed in an Initial and makes it Malformed.
//
// Hot path: no allocation, no exception, every read bounds-checked.
#pragma once

#include <cstdint>
#include <span>

#include "filters/common/enum_text.hpp"
#include "filters/common/parse_result.hpp"

namespace takedown::filters {

#define TAKEDOWN_QUIC_REASONS(X)                   \
  X(None, "none")                                  \
  X(ShortHeader, "quic_short_header")              \
  X(UnknownVersion, "quic_unknown_version")        \
  X(HeaderShort, "quic_header_short")              \
  X(BadConnectionId, "quic_bad_connection_id")     \
  X(BadLength, "quic_bad_length")                  \
  X(NotInitial, "quic_not_initial")                \
  X(TooSmall, "quic_datagram_too_small")           \
  X(DecryptFailed, "quic_decrypt_failed")          \
  X(BadFrame, "quic_bad_frame")                    \
  X(NotClientHello, "quic_not_client_hello")       \
  X(OverBudget, "quic_over_budget")

TAKEDOWN_ENUM(QuicReason, TAKEDOWN_QUIC_REASONS)

using QuicResult = ParseResult<QuicReason>;

enum class QuicPacketType : std::uint8_t { Initial, ZeroRtt, Handshake, Retry };

struct QuicLongHeader {
  static constexpr std::size_t kMaxConnectionId = 20;

  std::uint32_t version = 0;
  QuicPacketType type = QuicPacketType::Initial;
  std::span<const std::uint8_t> dcid;
  std::span<const std::uint8_t> scid;
  std::span<const std::uint8_t> token;  // Initial only
  std::size_t pn_offset = 0;            // Initial, 0-RTT, Handshake: the protected packet number
  std::size_t size = 0;                 // bytes of this packet; for Retry, the rest of `bytes`
};

// A QUIC variable-length integer at bytes[at]; advances `at`. False when cut short.
bool read_quic_varint(std::span<const std::uint8_t> bytes, std::size_t& at, std::uint64_t& value);

QuicResult parse_long_header(std::span<const std::uint8_t> bytes, QuicLongHeader& out);

template <typename OnCrypto>
QuicResult read_initial_frames(std::span<const std::uint8_t> payload, OnCrypto&& on_crypto);

}  // namespace takedown::filters

#include "filters/quic/quic_frames.inl"
