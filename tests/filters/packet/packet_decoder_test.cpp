// Golden frames built byte by byte, for every layer and every status of decode_packet().
#include "filters/packet/packet_decoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "tests/support/frames.hpp"
#include "tests/support/parse_expect.hpp"

namespace takedown::filters {
namespace {

using takedown::testing::expect_parse;

using namespace takedown::testing::frames;

const Bytes kDnsPayload = {0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};

DecodeResult decode(const Bytes& frame, DecodedPacket& out) { return decode_packet(frame, out); }

TEST(PacketDecoder, Ipv4UdpAndEthernetPaddingIsExcluded) {
  Bytes frame = ethernet(0x0800) + ipv4(17, udp(40000, 53, kDnsPayload));
  frame.resize(frame.size() + 10, 0);  // padding after the IP packet
  DecodedPacket p;
  expect_parse(decode(frame, p), DecodeStatus::Ok, DecodeReason::None);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.l4_protocol, DecodedPacket::kUdp);
  EXPECT_EQ(p.l3_offset, 14);
  EXPECT_EQ(p.l4_offset, 34);
  EXPECT_EQ(p.payload_offset, 42);
  EXPECT_EQ(p.payload_length, kDnsPayload.size());
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 53);
}

TEST(PacketDecoder, VlanAndQinQTagsAreKeptAndAThirdIsRefused) {
  DecodedPacket p;
  expect_parse(decode(ethernet(0x0800, {{0x8100, 0x0064}}) + ipv4(17, udp(1, 53, kDnsPayload)), p),
               DecodeStatus::Ok, DecodeReason::None);
  EXPECT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.vlan_tci[0], 0x0064);
  EXPECT_EQ(p.l3_offset, 18);
  expect_parse(decode(ethernet(0x86DD, {{0x88A8, 0x0010}, {0x8100, 0x0020}}) +
                          ipv6(17, udp(1, 53, kDnsPayload)),
                      p),
               DecodeStatus::Ok, DecodeReason::None);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.vlan_tci[0], 0x0010);
  EXPECT_EQ(p.vlan_tci[1], 0x0020);
  EXPECT_EQ(p.l3_offset, 22);
  expect_parse(
      decode(ethernet(0x0800, {{0x88A8, 1}, {0x8100, 2}, {0x8100, 3}}) + ipv4(17, udp(1, 53, {})),
             p),
      DecodeStatus::NotApplicable, DecodeReason::TooManyVlanTags);
  expect_parse(decode(Bytes(12, 0) + Bytes{0x81, 0x00, 0x00}, p), DecodeStatus::Truncated,
               DecodeReason::VlanShort);
}

TEST(PacketDecoder, ShortAndNonIpFrames) {
  DecodedPacket p;
  expect_parse(decode(Bytes(13, 0), p), DecodeStatus::Truncated, DecodeReason::EthernetShort);
  expect_parse(decode(Bytes{}, p), DecodeStatus::Truncated, DecodeReason::EthernetShort);
  expect_parse(decode(ethernet(0x0806) + Bytes(28, 0), p), DecodeStatus::NotApplicable,
               DecodeReason::NotIp);
  expect_parse(decode(ethernet(0x0800) + ipv4(1, Bytes(8, 0)), p), DecodeStatus::NotApplicable,
               DecodeReason::NotUdpOrTcp);
}

TEST(PacketDecoder, Ipv4HeaderChecks) {
  DecodedPacket p;
  const Bytes good =
      ethernet(0x0800) + ipv4(17, udp(1, 53, kDnsPayload), 0, {1, 1, 1, 0});  // 4 option bytes
  expect_parse(decode(good, p), DecodeStatus::Ok, DecodeReason::None);
  EXPECT_EQ(p.l4_offset, 14 + 24);
  expect_parse(decode(Bytes(good.begin(), good.begin() + 30), p), DecodeStatus::Truncated,
               DecodeReason::Ipv4Short);
  expect_parse(decode(Bytes(good.begin(), good.end() - 1), p), DecodeStatus::Truncated,
               DecodeReason::Ipv4BadLength);
  Bytes bad = good;
  bad[14] = 0x44;  // IHL 4
  expect_parse(decode(bad, p), DecodeStatus::Malformed, DecodeReason::Ipv4BadHeader);
  bad = good;
  bad[14] = 0x56;  // version 5
  expect_parse(decode(bad, p), DecodeStatus::Malformed, DecodeReason::Ipv4BadHeader);
  bad = good;
  bad[16] = 0;
  bad[17] = 20;  // total length shorter than the 24-byte header
  expect_parse(decode(bad, p), DecodeStatus::Malformed, DecodeReason::Ipv4BadLength);
}

TEST(PacketDecoder, Ipv4FragmentsOnlyAWholeFirstFragmentIsExamined) {
  DecodedPacket p;
  expect_parse(decode(ethernet(0x0800) + ipv4(17, udp(1, 53, kDnsPayload), 0x2000), p),
               DecodeStatus::Ok,
               DecodeReason::None);  // MF set, offset 0, whole UDP header
  expect_parse(decode(ethernet(0x0800) + ipv4(17, Bytes(16, 0), 0x0003), p),
               DecodeStatus::NotApplicable,
               DecodeReason::Fragment);      // a later fragment
  const Bytes tcp_head = tcp(1, 80, {}, 8);  // 28-byte header
  expect_parse(
      decode(ethernet(0x0800) + ipv4(6, Bytes(tcp_head.begin(), tcp_head.begin() + 24), 0x2000), p),
      DecodeStatus::NotApplicable, DecodeReason::Fragment);  // options cut by the fragment
  expect_parse(decode(ethernet(0x0800) + ipv4(17, Bytes(4, 0), 0x2000), p),
               DecodeStatus::NotApplicable, DecodeReason::Fragment);
}

TEST(PacketDecoder, UdpLengthChecks) {
  DecodedPacket p;
  Bytes u = udp(1, 53, kDnsPayload);
  expect_parse(decode(ethernet(0x0800) + ipv4(17, Bytes(u.begin(), u.begin() + 6)), p),
               DecodeStatus::Truncated, DecodeReason::UdpShort);
  u[4] = 0;
  u[5] = 7;
  expect_parse(decode(ethernet(0x0800) + ipv4(17, u), p), DecodeStatus::Malformed,
               DecodeReason::UdpBadLength);
  u[5] = 200;
  expect_parse(decode(ethernet(0x0800) + ipv4(17, u), p), DecodeStatus::Malformed,
               DecodeReason::UdpBadLength);
}

TEST(PacketDecoder, TcpWithOptionsAndItsChecks) {
  DecodedPacket p;
  const Bytes payload = {'G', 'E', 'T', ' ', '/'};
  expect_parse(decode(ethernet(0x0800) + ipv4(6, tcp(5555, 80, payload, 12, 0x18)), p),
               DecodeStatus::Ok, DecodeReason::None);
  EXPECT_EQ(p.l4_protocol, DecodedPacket::kTcp);
  EXPECT_EQ(p.payload_offset, 14 + 20 + 32);
  EXPECT_EQ(p.payload_length, payload.size());
  EXPECT_EQ(p.tcp_seq, 1000u);
  EXPECT_EQ(p.tcp_ack, 2000u);
  EXPECT_EQ(p.tcp_flags, 0x18);
  Bytes t = tcp(1, 80, {});
  t[12] = 0x40;  // data offset 4
  expect_parse(decode(ethernet(0x0800) + ipv4(6, t), p), DecodeStatus::Malformed,
               DecodeReason::TcpBadOffset);
  t[12] = 0x60;  // data offset 6 with a 20-byte segment
  expect_parse(decode(ethernet(0x0800) + ipv4(6, t), p), DecodeStatus::Truncated,
               DecodeReason::TcpShort);
  expect_parse(decode(ethernet(0x0800) + ipv4(6, Bytes(19, 0)), p), DecodeStatus::Truncated,
               DecodeReason::TcpShort);
}

TEST(PacketDecoder, Ipv6WithExtensionHeaders) {
  DecodedPacket p;
  expect_parse(decode(ethernet(0x86DD) + ipv6(17, udp(1, 53, kDnsPayload)), p), DecodeStatus::Ok,
               DecodeReason::None);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.l4_offset, 54);
  expect_parse(decode(ethernet(0x86DD) + ipv6(6, tcp(1, 443, {0x16}),
                                              {{0, option_body()},
                                               {43, option_body()},
                                               {60, option_body()},
                                               {44, fragment_body(0, true)}}),
                      p),
               DecodeStatus::Ok, DecodeReason::None);
  EXPECT_EQ(p.l4_offset, 54 + 32);
  EXPECT_EQ(p.payload_length, 1);
  expect_parse(
      decode(ethernet(0x86DD) + ipv6(17, Bytes(16, 0), {{44, fragment_body(5, false)}}), p),
      DecodeStatus::NotApplicable, DecodeReason::Fragment);
  std::vector<std::pair<std::uint8_t, Bytes>> nine(9, {60, option_body()});
  expect_parse(decode(ethernet(0x86DD) + ipv6(17, udp(1, 53, {}), nine), p),
               DecodeStatus::NotApplicable, DecodeReason::Ipv6TooManyExtensions);
  expect_parse(decode(ethernet(0x86DD) + ipv6(50, Bytes(16, 0)), p), DecodeStatus::NotApplicable,
               DecodeReason::NotUdpOrTcp);  // ESP
  Bytes cut = ethernet(0x86DD) + ipv6(17, Bytes{}, {{0, option_body()}});
  cut[14 + 4] = 0;
  cut[14 + 5] = 4;  // payload length 4: the 8-byte extension does not fit
  cut.resize(14 + 44);
  expect_parse(decode(cut, p), DecodeStatus::Truncated, DecodeReason::Ipv6ExtensionShort);
  Bytes good = ethernet(0x86DD) + ipv6(17, udp(1, 53, kDnsPayload));
  expect_parse(decode(Bytes(good.begin(), good.begin() + 50), p), DecodeStatus::Truncated,
               DecodeReason::Ipv6Short);
  expect_parse(decode(Bytes(good.begin(), good.end() - 1), p), DecodeStatus::Truncated,
               DecodeReason::Ipv6BadHeader);
  good[14] = 0x40;
  expect_parse(decode(good, p), DecodeStatus::Malformed, DecodeReason::Ipv6BadHeader);
}

TEST(PacketDecoder, RandomFramesNeverReadOutOfBounds) {
  std::mt19937_64 rng(3);
  const Bytes seeds[] = {
      ethernet(0x0800) + ipv4(17, udp(1, 53, kDnsPayload)),
      ethernet(0x86DD, {{0x8100, 5}}) + ipv6(6, tcp(1, 443, {1, 2, 3}), {{0, option_body()}})};
  for (int round = 0; round < 200'000; ++round) {
    Bytes frame = seeds[round % 2];
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
      frame[rng() % frame.size()] = static_cast<std::uint8_t>(rng());
    frame.resize(rng() % (frame.size() + 1));
    DecodedPacket p;
    if (decode(frame, p).status == DecodeStatus::Ok) {
      ASSERT_LE(std::size_t{p.payload_offset} + p.payload_length, frame.size());
      ASSERT_LE(p.l4_offset, p.payload_offset);
    }
  }
}

}  // namespace
}  // namespace takedown::filters
