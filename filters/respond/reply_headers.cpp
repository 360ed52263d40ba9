#include "filters/respond/reply_headers.hpp"

#include <cstring>

#include "filters/common/byte_order.hpp"

namespace takedown::filters {

namespace {

constexpr std::size_t kEthernetAddresses = 12;
constexpr std::size_t kIpv4Header = 20;
constexpr std::size_t kIpv6Header = 40;

std::uint32_t sum_words(const std::uint8_t* bytes, std::size_t length, std::uint32_t sum) {
  std::uint64_t wide = sum;
  std::size_t i = 0;
  for (; i + 1 < length; i += 2) wide += load_be16(bytes + i);
  if (i < length) wide += std::uint32_t{bytes[i]} << 8;
  while (wide >> 16) wide = (wide & 0xFFFF) + (wide >> 16);
  return static_cast<std::uint32_t>(wide);
}

}  // namespace

std::uint16_t internet_checksum(const std::uint8_t* bytes, std::size_t length,
                                std::uint32_t initial) {
  return static_cast<std::uint16_t>(~sum_words(bytes, length, initial) & 0xFFFF);
}

std::size_t write_reply_headers(std::span<const std::uint8_t> frame, const DecodedPacket& packet,
                                ReplyDirection direction, std::size_t l4_length,
                                std::uint8_t* out) {
  const std::uint8_t* in = frame.data();
  const bool back = direction == ReplyDirection::Back;
  const std::size_t l3 = packet.l3_offset;
  // Ethernet addresses, then the tags and the EtherType exactly as received.
  std::memcpy(out, in + (back ? 6 : 0), 6);
  std::memcpy(out + 6, in + (back ? 0 : 6), 6);
  std::memcpy(out + kEthernetAddresses, in + kEthernetAddresses, l3 - kEthernetAddresses);

  const std::uint8_t* ip = in + l3;
  std::uint8_t* reply = out + l3;
  if (packet.ip_version == 4) {
    reply[0] = 0x45;
    reply[1] = ip[1];  // DSCP and ECN
    store_be16(reply + 2, static_cast<std::uint16_t>(kIpv4Header + l4_length));
    std::memcpy(reply + 4, ip + 4, 2);  // identification
    store_be16(reply + 6, 0);           // no fragmentation
    reply[8] = 64;
    reply[9] = packet.l4_protocol;
    store_be16(reply + 10, 0);
    std::memcpy(reply + 12, ip + (back ? 16 : 12), 4);
    std::memcpy(reply + 16, ip + (back ? 12 : 16), 4);
    store_be16(reply + 10, internet_checksum(reply, kIpv4Header));
    return l3 + kIpv4Header;
  }
  store_be32(reply, 0x60000000u | (load_be32(ip) & 0x0FF00000u));  // keep the traffic class
  store_be16(reply + 4, static_cast<std::uint16_t>(l4_length));
  reply[6] = packet.l4_protocol;
  reply[7] = 64;
  std::memcpy(reply + 8, ip + (back ? 24 : 8), 16);
  std::memcpy(reply + 24, ip + (back ? 8 : 24), 16);
  return l3 + kIpv6Header;
}

void finish_transport_checksum(std::uint8_t* out, const DecodedPacket& packet, std::uint8_t* l4,
                               std::size_t l4_length) {
  const std::uint8_t* ip = out + packet.l3_offset;
  std::uint32_t sum = packet.l4_protocol + static_cast<std::uint32_t>(l4_length);
  sum = packet.ip_version == 4 ? sum_words(ip + 12, 8, sum) : sum_words(ip + 8, 32, sum);
  const std::size_t field = packet.l4_protocol == DecodedPacket::kUdp ? 6 : 16;
  std::uint16_t checksum = internet_checksum(l4, l4_length, sum);
  // UDP sends a computed zero as all ones (RFC 768); zero would mean "no checksum".
  if (checksum == 0 && packet.l4_protocol == DecodedPacket::kUdp) checksum = 0xFFFF;
  store_be16(l4 + field, checksum);
}

}  // namespace takedown::filters
