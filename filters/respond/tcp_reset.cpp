#include "filters/respond/tcp_reset.hpp"

#include "filters/common/byte_order.hpp"

namespace takedown::filters {

namespace {

constexpr std::size_t kTcpHeader = 20;
constexpr std::uint8_t kFin = DecodedPacket::kFin;
constexpr std::uint8_t kSyn = DecodedPacket::kSyn;
constexpr std::uint8_t kRst = DecodedPacket::kRst;
constexpr std::uint8_t kAck = DecodedPacket::kAck;

}  // namespace

std::size_t write_tcp_reset(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                            ReplyDirection direction, std::uint8_t* out) {
  if (packet.l4_protocol != DecodedPacket::kTcp || !can_reply(packet, direction)) return 0;
  const bool back = direction == ReplyDirection::Back;
  // SYN and FIN each take one sequence number.
  const std::uint32_t consumed = packet.payload_length +
                                 ((packet.tcp_flags & kSyn) != 0 ? 1u : 0u) +
                                 ((packet.tcp_flags & kFin) != 0 ? 1u : 0u);
  const bool acked = (packet.tcp_flags & kAck) != 0;

  const std::size_t l4 = write_reply_headers(frame, packet, direction, kTcpHeader, out);
  std::uint8_t* tcp = out + l4;
  store_be16(tcp, back ? packet.dst_port : packet.src_port);
  store_be16(tcp + 2, back ? packet.src_port : packet.dst_port);
  if (back) {
    store_be32(tcp + 4, acked ? packet.tcp_ack : 0);
    store_be32(tcp + 8, packet.tcp_seq + consumed);
  } else {
    store_be32(tcp + 4, packet.tcp_seq);
    store_be32(tcp + 8, acked ? packet.tcp_ack : 0);
  }
  tcp[12] = (kTcpHeader / 4) << 4;
  tcp[13] = kRst | ((back || acked) ? kAck : 0);
  store_be16(tcp + 14, 0);  // window
  store_be16(tcp + 16, 0);  // checksum
  store_be16(tcp + 18, 0);  // urgent pointer
  finish_reply(out, packet, tcp, kTcpHeader);
  return l4 + kTcpHeader;
}

}  // namespace takedown::filters
