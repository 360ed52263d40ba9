// write_tcp_reset(): the RST back to the client and the RST on to the server carry the sequence
// numbers that each end accepts, the right addresses and valid checksums.
#include "filters/respond/tcp_reset.hpp"

#include <gtest/gtest.h>

#include "filters/common/byte_order.hpp"
#include "tests/support/frames.hpp"

namespace takedown::filters {
namespace {

using namespace takedown::testing::frames;

struct Reset {
  Bytes frame;
  DecodedPacket packet;
};

Reset reset(const Bytes& segment, ReplyDirection direction) {
  DecodedPacket in;
  EXPECT_EQ(decode_packet(segment, in).status, DecodeStatus::Ok);
  Reset r;
  r.frame.resize(kMaxTcpResetFrame);
  r.frame.resize(write_tcp_reset(segment, in, direction, r.frame.data()));
  if (!r.frame.empty()) {
    EXPECT_EQ(decode_packet(r.frame, r.packet).status, DecodeStatus::Ok);
  }
  return r;
}

std::uint16_t transport_sum(const Reset& r) {
  const std::uint8_t* ip = r.frame.data() + r.packet.l3_offset;
  const std::size_t l4_length = r.frame.size() - r.packet.l4_offset;
  std::uint32_t pseudo = r.packet.l4_protocol + static_cast<std::uint32_t>(l4_length);
  const std::size_t from = r.packet.ip_version == 4 ? 12 : 8;
  const std::size_t to = r.packet.ip_version == 4 ? 20 : 40;
  for (std::size_t i = from; i < to; i += 2) pseudo += load_be16(ip + i);
  return internet_checksum(r.frame.data() + r.packet.l4_offset, l4_length, pseudo);
}

TEST(TcpReset, BackToTheClientAcknowledgesTheBlockedPayload) {
  const Bytes payload(517, 0x16);
  const Bytes segment = ethernet(0x0800, {{0x8100, 100}}) + ipv4(6, tcp(51000, 443, payload));
  const Reset r = reset(segment, ReplyDirection::Back);
  ASSERT_FALSE(r.frame.empty());
  EXPECT_EQ(r.packet.vlan_count, 1);
  EXPECT_EQ(r.packet.vlan_tci[0], 100);
  EXPECT_EQ(r.packet.src_port, 443);
  EXPECT_EQ(r.packet.dst_port, 51000);
  EXPECT_EQ(load_be32(&r.frame[18 + 12]), 0xC0000202u);  // from the server
  EXPECT_EQ(load_be32(&r.frame[18 + 16]), 0xC0000201u);
  EXPECT_EQ(r.packet.tcp_seq, 2000u);        // what the client expects from the server
  EXPECT_EQ(r.packet.tcp_ack, 1000u + 517);  // all of the client's segment
  EXPECT_EQ(r.packet.tcp_flags, 0x14);       // RST|ACK
  EXPECT_EQ(r.packet.payload_length, 0);
  EXPECT_EQ(transport_sum(r), 0);
  EXPECT_EQ(internet_checksum(r.frame.data() + 18, 20), 0);
}

TEST(TcpReset, OnwardsToTheServerTakesTheSegmentsPlace) {
  const Bytes segment = ethernet(0x86DD) + ipv6(6, tcp(51000, 80, Bytes(60, 'G')));
  const Reset r = reset(segment, ReplyDirection::Onwards);
  ASSERT_FALSE(r.frame.empty());
  EXPECT_EQ(Bytes(r.frame.begin(), r.frame.begin() + 12),
            Bytes(segment.begin(), segment.begin() + 12));
  EXPECT_EQ(Bytes(r.frame.begin() + 22, r.frame.begin() + 54),
            Bytes(segment.begin() + 22, segment.begin() + 54));
  EXPECT_EQ(r.packet.src_port, 51000);
  EXPECT_EQ(r.packet.dst_port, 80);
  EXPECT_EQ(r.packet.tcp_seq, 1000u);
  EXPECT_EQ(r.packet.tcp_ack, 2000u);
  EXPECT_EQ(r.packet.tcp_flags, 0x14);
  EXPECT_EQ(r.frame[14 + 7], 64);
  EXPECT_EQ(transport_sum(r), 0);
}

TEST(TcpReset, SegmentWithoutAckGetsSequenceZeroBack) {
  // A SYN carrying data (TCP Fast Open): no ACK to answer with, and the SYN takes a number.
  const Bytes segment = ethernet(0x0800) + ipv4(6, tcp(51000, 80, Bytes(10, 'x'), 0, 0x02));
  const Reset r = reset(segment, ReplyDirection::Back);
  ASSERT_FALSE(r.frame.empty());
  EXPECT_EQ(r.packet.tcp_seq, 0u);
  EXPECT_EQ(r.packet.tcp_ack, 1000u + 10 + 1);
  EXPECT_EQ(r.packet.tcp_flags, 0x14);
  const Reset onwards = reset(segment, ReplyDirection::Onwards);
  EXPECT_EQ(onwards.packet.tcp_flags, 0x04);  // a bare RST: there is nothing to acknowledge
  EXPECT_EQ(onwards.packet.tcp_ack, 0u);
}

TEST(TcpReset, ExtensionHeadersAreNotCarriedOver) {
  const Bytes segment = ethernet(0x86DD) + ipv6(6, tcp(1, 53, Bytes(30, 0)), {{0, option_body()}});
  const Reset r = reset(segment, ReplyDirection::Back);
  ASSERT_FALSE(r.frame.empty());
  EXPECT_EQ(r.frame[14 + 6], 6);  // next header: TCP directly
  EXPECT_EQ(r.packet.l4_offset, 14 + 40);
  EXPECT_EQ(transport_sum(r), 0);
}

TEST(TcpReset, UdpGetsNoReset) {
  const Bytes datagram = ethernet(0x0800) + ipv4(17, udp(1, 53, Bytes(20, 0)));
  DecodedPacket in;
  ASSERT_EQ(decode_packet(datagram, in).status, DecodeStatus::Ok);
  Bytes out(kMaxTcpResetFrame);
  EXPECT_EQ(write_tcp_reset(datagram, in, ReplyDirection::Back, out.data()), 0u);
}

}  // namespace
}  // namespace takedown::filters
