// write_tcp_stream_reply(): the block page (or a DNS answer) goes back inside the client's TCP
// connection with the sequence numbers the client accepts, FIN, the payload whole, inside the
// same wrappers, with checksums that verify; and nowhere a stream reply cannot go.
#include "filters/respond/tcp_stream_reply.hpp"

#include <gtest/gtest.h>

#include <string>

#include "filters/common/byte_order.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/wrapper_frames.hpp"

namespace takedown::filters {
namespace {

using namespace takedown::testing::frames;

const std::string kPage = "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno";

struct Reply {
  Bytes frame;
  DecodedPacket packet;
};

Reply reply_to(const Bytes& segment) {
  DecodedPacket in;
  EXPECT_EQ(decode_packet(segment, in).status, DecodeStatus::Ok);
  Reply r;
  r.frame.resize(kMaxStreamReplyFrame);
  const auto page = std::span(reinterpret_cast<const std::uint8_t*>(kPage.data()), kPage.size());
  r.frame.resize(write_tcp_stream_reply(segment, in, page, r.frame.data()));
  if (!r.frame.empty()) {
    EXPECT_EQ(decode_packet(r.frame, r.packet).status, DecodeStatus::Ok);
  }
  return r;
}

// Zero when the inner TCP checksum is right.
std::uint16_t tcp_sum(const Reply& r) {
  const std::uint8_t* ip = r.frame.data() + r.packet.l3_offset;
  const std::size_t l4_length = 20 + r.packet.payload_length;  // no options
  std::uint32_t pseudo = 6 + static_cast<std::uint32_t>(l4_length);
  const std::size_t from = r.packet.ip_version == 4 ? 12 : 8;
  const std::size_t to = r.packet.ip_version == 4 ? 20 : 40;
  for (std::size_t i = from; i < to; i += 2) pseudo += load_be16(ip + i);
  return internet_checksum(r.frame.data() + r.packet.l4_offset, l4_length, pseudo);
}

Bytes request(const std::string& host) {
  const std::string text = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  return Bytes(text.begin(), text.end());
}

TEST(TcpStreamReply, ThePageGoesBackWithTheClientsNextSequenceNumbersAndFin) {
  const Bytes head = request("scam.example");
  const Bytes segment = ethernet(0x86DD, {{0x8100, 12}}) + ipv6(6, tcp(50000, 80, head));
  const Reply r = reply_to(segment);
  ASSERT_FALSE(r.frame.empty());
  EXPECT_EQ(r.packet.vlan_tci[0], 12);
  EXPECT_EQ(r.packet.src_port, 80);
  EXPECT_EQ(r.packet.dst_port, 50000);
  EXPECT_EQ(r.packet.tcp_seq, 2000u);               // the client's ack
  EXPECT_EQ(r.packet.tcp_ack, 1000u + head.size());  // past the request
  EXPECT_EQ(r.packet.tcp_flags, 0x19);               // FIN|PSH|ACK
  EXPECT_EQ(load_be16(&r.frame[r.packet.l4_offset + 14]), 8192);  // the window
  EXPECT_EQ(std::string(r.frame.begin() + r.packet.payload_offset, r.frame.end()), kPage);
  EXPECT_EQ(tcp_sum(r), 0);
}

TEST(TcpStreamReply, InsideAWrapperTheReplyKeepsIt) {
  const Bytes inner = ipv4(6, tcp(50001, 80, request("scam.example")));
  const Bytes in_pppoe = ethernet(0x8864, {{0x8100, 7}}) + pppoe(0x1234, inner);
  const Reply p = reply_to(in_pppoe);
  ASSERT_FALSE(p.frame.empty());
  EXPECT_EQ(p.packet.layers, 1);
  EXPECT_EQ(std::string(p.frame.begin() + p.packet.payload_offset, p.frame.end()), kPage);
  EXPECT_EQ(tcp_sum(p), 0);
  const Bytes in_vxlan = ethernet(0x0800) + outer_ipv4(17, udp(40000, 4789, vxlan(77, ethernet(0x0800) + inner)),
                                                       0x0A000001, 0x0A000002);
  const Reply v = reply_to(in_vxlan);
  ASSERT_FALSE(v.frame.empty());
  EXPECT_EQ(v.packet.layers, 1);
  EXPECT_EQ(v.packet.tcp_flags, 0x19);
  EXPECT_EQ(tcp_sum(v), 0);
}

TEST(TcpStreamReply, NoReplyWithoutAStreamOrAWayBack) {
  // Data on a SYN (TCP Fast Open): the server's sequence numbers are not known yet.
  EXPECT_TRUE(reply_to(ethernet(0x0800) + ipv4(6, tcp(50002, 80, request("a.example"), 0, 0x02))).frame.empty());
  // Through MPLS no reply can go back.
  EXPECT_TRUE(reply_to(ethernet(0x8847) + mpls({100}, ipv4(6, tcp(50003, 80, request("a.example"))))).frame.empty());
  // A payload longer than one segment takes.
  DecodedPacket in;
  const Bytes segment = ethernet(0x0800) + ipv4(6, tcp(50004, 80, request("a.example")));
  ASSERT_EQ(decode_packet(segment, in).status, DecodeStatus::Ok);
  Bytes out(kMaxStreamReplyFrame);
  const Bytes big(kMaxStreamReplyPayload + 1, 'x');
  EXPECT_EQ(write_tcp_stream_reply(segment, in, big, out.data()), 0u);
}

}  // namespace
}  // namespace takedown::filters
