#include "filters/quic/quic_packet.hpp"

#include "filters/common/byte_order.hpp"
#include "filters/quic/quic_crypto.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(QuicReason, TAKEDOWN_QUIC_REASONS)

bool read_quic_varint(std::span<const std::uint8_t> bytes, std::size_t& at, std::uint64_t& value) {
  if (at >= bytes.size()) return false;
  const std::size_t length = std::size_t{1} << (bytes[at] >> 6);
  if (length > bytes.size() - at) return false;
  value = bytes[at] & 0x3f;
  for (std::size_t i = 1; i < length; ++i) value = (value << 8) | bytes[at + i];
  at += length;
  return true;
}

QuicResult parse_long_header(std::span<const std::uint8_t> bytes, QuicLongHeader& out) {
  constexpr auto fail = QuicResult::fail;
  const auto short_header = fail(DecodeStatus::Malformed, QuicReason::HeaderShort);
  if (bytes.empty() || (bytes[0] & 0x80) == 0)
    return fail(DecodeStatus::NotApplicable, QuicReason::ShortHeader);
  if (bytes.size() < 7) return short_header;
  out.version = load_be32(bytes.data() + 1);
  const std::uint8_t bits = (bytes[0] >> 4) & 0x03;
  if (out.version == QuicCrypto::kVersion1) {
    constexpr QuicPacketType v1[4] = {QuicPacketType::Initial, QuicPacketType::ZeroRtt,
                                      QuicPacketType::Handshake, QuicPacketType::Retry};
    out.type = v1[bits];
  } else if (out.version == QuicCrypto::kVersion2) {
    constexpr QuicPacketType v2[4] = {QuicPacketType::Retry, QuicPacketType::Initial,
                                      QuicPacketType::ZeroRtt, QuicPacketType::Handshake};
    out.type = v2[bits];
  } else {
    return fail(DecodeStatus::NotApplicable, QuicReason::UnknownVersion);
  }
  std::size_t at = 5;
  const std::uint8_t dcid_length = bytes[at++];
  if (dcid_length > QuicLongHeader::kMaxConnectionId)
    return fail(DecodeStatus::Malformed, QuicReason::BadConnectionId);
  if (bytes.size() - at < dcid_length + 1u) return short_header;
  out.dcid = bytes.subspan(at, dcid_length);
  at += dcid_length;
  const std::uint8_t scid_length = bytes[at++];
  if (scid_length > QuicLongHeader::kMaxConnectionId)
    return fail(DecodeStatus::Malformed, QuicReason::BadConnectionId);
  if (bytes.size() - at < scid_length) return short_header;
  out.scid = bytes.subspan(at, scid_length);
  at += scid_length;
  out.token = {};
  if (out.type == QuicPacketType::Retry) {
    out.pn_offset = 0;
    out.size = bytes.size();
    return {};
  }
  std::uint64_t value = 0;
  if (out.type == QuicPacketType::Initial) {
    if (!read_quic_varint(bytes, at, value)) return short_header;
    if (value > bytes.size() - at) return fail(DecodeStatus::Malformed, QuicReason::BadLength);
    out.token = bytes.subspan(at, static_cast<std::size_t>(value));
    at += static_cast<std::size_t>(value);
  }
  if (!read_quic_varint(bytes, at, value)) return short_header;
  if (value > bytes.size() - at || value < 20)
    return fail(DecodeStatus::Malformed, QuicReason::BadLength);
  out.pn_offset = at;
  out.size = at + static_cast<std::size_t>(value);
  return {};
}

}  // namespace takedown::filters
