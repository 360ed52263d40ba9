#include "filters/respond/tcp_stream_reply.hpp"

#include <cstring>

#include "filters/common/byte_order.hpp"

namespace takedown::filters {

namespace {

constexpr std::size_t kTcpHeader = 20;
// The window the reply offers: room for the client's last ACK and FIN, nothing more expected.
constexpr std::uint16_t kWindow = 8192;

}  // namespace

bool can_stream_reply(const DecodedPacket& packet) {
  return packet.l4_protocol == DecodedPacket::kTcp && (packet.tcp_flags & DecodedPacket::kAck) != 0 &&
         (packet.tcp_flags & DecodedPacket::kRst) == 0 && can_reply(packet, ReplyDirection::Back);
}

std::size_t stream_reply_payload_offset(const DecodedPacket& packet) {
  return packet.l3_offset + (packet.ip_version == 4 ? 20 : 40) + kTcpHeader;
}

std::size_t finish_tcp_stream_reply(std::span<const std::uint8_t> frame,
                                    const DecodedPacket& packet, std::size_t payload_length,
                                    std::uint8_t* out) {
  if (!can_stream_reply(packet) || payload_length > kMaxStreamReplyPayload) return 0;
  // SYN and FIN each take one sequence number.
  const std::uint32_t consumed = packet.payload_length +
                                 ((packet.tcp_flags & DecodedPacket::kSyn) != 0 ? 1u : 0u) +
                                 ((packet.tcp_flags & DecodedPacket::kFin) != 0 ? 1u : 0u);
  const std::size_t l4_length = kTcpHeader + payload_length;
  const std::size_t l4 =
      write_reply_headers(frame, packet, ReplyDirection::Back, l4_length, out);
  std::uint8_t* tcp = out + l4;
  store_be16(tcp, packet.dst_port);
  store_be16(tcp + 2, packet.src_port);
  store_be32(tcp + 4, packet.tcp_ack);
  store_be32(tcp + 8, packet.tcp_seq + consumed);
  tcp[12] = (kTcpHeader / 4) << 4;
  tcp[13] = DecodedPacket::kAck | DecodedPacket::kPsh | DecodedPacket::kFin;
  store_be16(tcp + 14, kWindow);
  store_be16(tcp + 16, 0);  // checksum
  store_be16(tcp + 18, 0);  // urgent pointer
  finish_reply(out, packet, tcp, l4_length);
  return l4 + l4_length;
}

std::size_t write_tcp_stream_reply(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                                   std::span<const std::uint8_t> payload, std::uint8_t* out) {
  if (!can_stream_reply(packet) || payload.size() > kMaxStreamReplyPayload) return 0;
  std::memcpy(out + stream_reply_payload_offset(packet), payload.data(), payload.size());
  return finish_tcp_stream_reply(frame, packet, payload.size(), out);
}

}  // namespace takedown::filters
