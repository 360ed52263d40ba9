// Replies through wrappers: a DNS answer and the two resets are built inside the query's own
// encapsulation, with the fields that must change mirrored (addresses, inner ports), the ones that
// must not kept (VLAN tags, PPPoE session, VNI, GRE key, a tunnel's UDP ports), every length set
// for the reply and every checksum, inner and outer, verified. Through MPLS and GTP-U nothing can
// go back, and the reset onwards takes the packet's own labels or TEID.
#include <gtest/gtest.h>

#include <vector>

#include "filters/common/byte_order.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/respond/dns_answer.hpp"
#include "filters/respond/reply_headers.hpp"
#include "filters/respond/tcp_reset.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/in_place_answer.hpp"
#include "tests/support/wrapper_frames.hpp"

namespace takedown::filters {
namespace {

using namespace takedown::testing::frames;

constexpr std::uint16_t kIpv4 = 0x0800;
constexpr std::uint16_t kIpv6 = 0x86DD;

std::uint32_t pseudo_sum(const std::uint8_t* ip, std::uint8_t protocol, std::size_t length) {
  std::uint32_t sum = protocol + static_cast<std::uint32_t>(length);
  const bool v4 = (ip[0] >> 4) == 4;
  const std::uint8_t* a = ip + (v4 ? 12 : 8);
  for (std::size_t i = 0; i < (v4 ? 8u : 32u); i += 2) sum += load_be16(a + i);
  return sum;
}

// Every length and checksum of `frame` as decoded into `p`: the inner IP and transport, then each
// outer header. Each wrapper must end where the frame ends (a reply has no padding).
void expect_whole(const Bytes& frame, const DecodedPacket& p) {
  const std::uint8_t* f = frame.data();
  const std::size_t end = frame.size();
  const std::uint8_t* ip = f + p.l3_offset;
  const std::size_t l4_length = end - p.l4_offset;
  if (p.ip_version == 4) {
    EXPECT_EQ(internet_checksum(ip, 20), 0) << "inner IPv4 header checksum";
    EXPECT_EQ(load_be16(ip + 2), end - p.l3_offset);
  } else {
    EXPECT_EQ(load_be16(ip + 4), end - p.l3_offset - 40);
  }
  EXPECT_EQ(internet_checksum(f + p.l4_offset, l4_length, pseudo_sum(ip, p.l4_protocol, l4_length)),
            0)
      << "inner transport checksum";
  for (std::uint8_t i = 0; i < p.outer_count; ++i) {
    const std::size_t at = p.outer[i].offset;
    const std::uint8_t* h = f + at;
    switch (p.outer[i].kind) {
      case HeaderKind::Ipv4:
        EXPECT_EQ(internet_checksum(h, (h[0] & 0x0F) * 4u), 0) << "outer IPv4 checksum";
        EXPECT_EQ(load_be16(h + 2), end - at);
        break;
      case HeaderKind::Ipv6:
        EXPECT_EQ(load_be16(h + 4), end - at - 40);
        break;
      case HeaderKind::Udp: {
        EXPECT_EQ(load_be16(h + 4), end - at);
        const std::uint8_t* outer_ip = f + p.outer[i - 1].offset;
        if (load_be16(h + 6) != 0 || (outer_ip[0] >> 4) == 6) {
          EXPECT_EQ(internet_checksum(h, end - at, pseudo_sum(outer_ip, 17, end - at)), 0)
              << "outer UDP checksum";
        }
        break;
      }
      case HeaderKind::Gre:
        if ((h[0] & 0x80) != 0) {
          EXPECT_EQ(internet_checksum(h, end - at), 0) << "GRE checksum";
        }
        break;
      case HeaderKind::Pppoe:
        EXPECT_EQ(load_be16(h + 4), end - at - 6);
        break;
      case HeaderKind::GtpU:
        EXPECT_EQ(load_be16(h + 2), end - at - 8);
        break;
      default:
        break;
    }
  }
}

struct Case {
  const char* what;
  Bytes frame;
};

// A blocked query and its answer, both decoded with every wrapper open.
struct Exchange {
  Bytes query;
  Extraction x;
  Bytes reply;
  DecodedPacket packet;
  bool in_place = false;  // a DNS answer was also written over the query, the same bytes
};

Exchange answer(const Bytes& query) {
  Exchange e;
  e.query = query;
  extract_name(query, ExtractPorts{}, e.x);
  EXPECT_EQ(e.x.status, DecodeStatus::Ok);
  Policy policy;
  policy.dns = DnsResponse::Nxdomain;
  e.reply.resize(kMaxDnsAnswerFrame);
  const ListReply reply{};
  e.reply.resize(write_dns_answer(query, e.x, policy, reply, e.reply.data()));
  // Inside wrappers too, the answer written over its query is the same bytes.
  if (const auto in_place = testing::answer_in_place(query, e.x, policy, reply)) {
    EXPECT_EQ(*in_place, e.reply) << "the answer written over its query differs";
    e.in_place = true;
  }
  if (!e.reply.empty()) {
    EXPECT_EQ(decode_packet(e.reply, e.packet).status, DecodeStatus::Ok);
  }
  return e;
}

std::vector<Wrapper> wrappers_of(const Bytes& frame, const DecodedPacket& p) {
  Wrapper w[DecodeOptions::kMaxLayersLimit];
  return {w, w + p.wrappers(frame, w, DecodeOptions::kMaxLayersLimit)};
}

Bytes dns_in(bool v6 = false) {
  const Bytes l4 = udp(40000, 53, dns_query("blocked.example", 1, true));
  return v6 ? ipv6(17, l4) : ipv4(17, l4);
}

Bytes tls_in(bool v6 = false) {
  const Bytes l4 = tcp(40002, 443, client_hello({sni("blocked.example")}));
  return v6 ? ipv6(6, l4) : ipv4(6, l4);
}

// Every wrapper a reply can go back through, around the inner packet `inner(v6)`.
template <typename Inner>
std::vector<Case> answerable(Inner inner) {
  const GreFields all{.checksum = true, .has_key = true, .key = 0xBEEF, .has_sequence = true,
                      .sequence = 3};
  const GreFields key{.has_key = true, .key = 77};
  return {
      {"plain", ethernet(kIpv4) + inner(false)},
      {"qinq", ethernet(kIpv4, {{0x88A8, 100}, {0x8100, 200}}) + inner(false)},
      {"pppoe in qinq",
       ethernet(0x8864, {{0x88A8, 10}, {0x8100, 20}}) + pppoe(0x4242, inner(false))},
      {"pppoe ipv6", ethernet(0x8864) + pppoe(7, inner(true), true)},
      {"vxlan",
       ethernet(kIpv4) +
           outer_ipv4(17, udp(51515, 4789, vxlan(0x123456, ethernet_between(3, 4, kIpv4) + inner(false))),
                      0x0A000001, 0x0A000002)},
      {"vxlan over ipv6",
       ethernet(kIpv6) + outer_ipv6(17, udp(51515, 4789, vxlan(9, ethernet(kIpv6) + inner(true))), 1, 2)},
      {"gre with checksum, key, sequence",
       ethernet(kIpv4) + outer_ipv4(47, gre(kIpv4, inner(false), all), 0x0A000001, 0x0A000002)},
      {"gre bridging",
       ethernet(kIpv4) + outer_ipv4(47, gre(0x6558, ethernet_between(5, 6, kIpv4) + inner(false), key),
                                    0x0A000001, 0x0A000002)},
      {"gre over ipv6", ethernet(kIpv6) + outer_ipv6(47, gre(kIpv6, inner(true), all), 1, 2)},
      {"ipip", ethernet(kIpv4) + outer_ipv4(4, inner(false), 0x0A000001, 0x0A000002)},
      {"6in4", ethernet(kIpv4) + outer_ipv4(41, inner(true), 0x0A000001, 0x0A000002)},
      {"6in6", ethernet(kIpv6) + outer_ipv6(41, inner(true), 1, 2)},
  };
}

TEST(WrapperReply, DnsAnswersGoBackInsideTheSameWrappers) {
  for (const Case& c : answerable(dns_in)) {
    SCOPED_TRACE(c.what);
    const Exchange e = answer(c.frame);
    ASSERT_FALSE(e.reply.empty());
    EXPECT_TRUE(e.in_place) << "a plain query inside wrappers is answered in place";
    const DecodedPacket& in = e.x.packet;
    const DecodedPacket& out = e.packet;
    expect_whole(e.reply, out);
    // The same headers at the same places, the same wrappers with the same identifiers.
    ASSERT_EQ(out.outer_count, in.outer_count);
    for (std::uint8_t i = 0; i < in.outer_count; ++i) {
      EXPECT_EQ(out.outer[i].kind, in.outer[i].kind);
      EXPECT_EQ(out.outer[i].offset, in.outer[i].offset);
    }
    const auto wi = wrappers_of(c.frame, in), wo = wrappers_of(e.reply, out);
    ASSERT_EQ(wo.size(), wi.size());
    for (std::size_t i = 0; i < wi.size(); ++i) {
      EXPECT_EQ(wo[i].kind, wi[i].kind);
      EXPECT_EQ(wo[i].id, wi[i].id);
    }
    EXPECT_EQ(out.vlan_count, in.vlan_count);
    for (std::uint8_t i = 0; i < in.vlan_count; ++i) EXPECT_EQ(out.vlan_tci[i], in.vlan_tci[i]);
    // Mirrored: every Ethernet and every outer IP header's addresses, the inner addresses and ports.
    for (std::uint8_t i = 0; i < in.outer_count; ++i) {
      const std::size_t at = in.outer[i].offset;
      const auto bytes = [](const Bytes& b, std::size_t from, std::size_t n) {
        return Bytes(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(from + n));
      };
      switch (in.outer[i].kind) {
        case HeaderKind::Ethernet:
          EXPECT_EQ(bytes(e.reply, at, 6), bytes(c.frame, at + 6, 6));
          EXPECT_EQ(bytes(e.reply, at + 6, 6), bytes(c.frame, at, 6));
          break;
        case HeaderKind::Ipv4:
          EXPECT_EQ(bytes(e.reply, at + 12, 4), bytes(c.frame, at + 16, 4));
          EXPECT_EQ(bytes(e.reply, at + 16, 4), bytes(c.frame, at + 12, 4));
          break;
        case HeaderKind::Ipv6:
          EXPECT_EQ(bytes(e.reply, at + 8, 16), bytes(c.frame, at + 24, 16));
          break;
        case HeaderKind::Udp:  // VXLAN is addressed to its port both ways
          EXPECT_EQ(bytes(e.reply, at, 4), bytes(c.frame, at, 4));
          break;
        default:
          break;
      }
    }
    EXPECT_EQ(out.src_port, 53);
    EXPECT_EQ(out.dst_port, 40000);
    EXPECT_EQ(Bytes(out.src_address(e.reply).begin(), out.src_address(e.reply).end()),
              Bytes(in.dst_address(c.frame).begin(), in.dst_address(c.frame).end()));
    // The answer itself: the query's ID, QR and NXDOMAIN.
    const std::uint8_t* dns = e.reply.data() + out.payload_offset;
    EXPECT_EQ(load_be16(dns), 0xBEEF);
    EXPECT_EQ(load_be16(dns + 2) & 0x800F, 0x8003);
  }
}

TEST(WrapperReply, ResetsBothWaysThroughEveryAnswerableWrapper) {
  for (const Case& c : answerable(tls_in)) {
    SCOPED_TRACE(c.what);
    DecodedPacket seen;
    ASSERT_EQ(decode_packet(c.frame, seen).status, DecodeStatus::Ok);
    for (ReplyDirection d : {ReplyDirection::Back, ReplyDirection::Onwards}) {
      Bytes rst(kMaxTcpResetFrame);
      rst.resize(write_tcp_reset(c.frame, seen, d, rst.data()));
      ASSERT_FALSE(rst.empty());
      DecodedPacket p;
      ASSERT_EQ(decode_packet(rst, p).status, DecodeStatus::Ok);
      expect_whole(rst, p);
      EXPECT_EQ(p.tcp_flags & DecodedPacket::kRst, DecodedPacket::kRst);
      EXPECT_EQ(p.src_port, d == ReplyDirection::Back ? 443 : 40002);
      EXPECT_EQ(p.outer_count, seen.outer_count);
      const auto wi = wrappers_of(c.frame, seen), wo = wrappers_of(rst, p);
      ASSERT_EQ(wo.size(), wi.size());
      for (std::size_t i = 0; i < wi.size(); ++i) EXPECT_EQ(wo[i].id, wi[i].id);
      // Onwards, every byte before the inner IP header is the segment's, lengths and checksums
      // aside: for a plain or tagged frame, all of them.
      if (d == ReplyDirection::Onwards && seen.layers == 0) {
        EXPECT_EQ(Bytes(rst.begin(), rst.begin() + p.l3_offset),
                  Bytes(c.frame.begin(), c.frame.begin() + p.l3_offset));
      }
    }
  }
}

TEST(WrapperReply, NothingGoesBackThroughMplsOrGtpuAndTheResetOnwardsKeepsTheirPath) {
  const Bytes mpls_query = ethernet(0x8847) + mpls({100, 200}, dns_in());
  const Bytes gtp_query = ethernet(kIpv4) + outer_ipv4(17, udp(2152, 2152, gtpu(0xA1B2C3D4, dns_in(),
                                                                                 0xFF,
                                                                                 pdu_session_container(),
                                                                                 0x85)),
                                                       0x0A000001, 0x0A000002);
  for (const Bytes& query : {mpls_query, gtp_query}) {
    const Exchange e = answer(query);
    EXPECT_TRUE(e.reply.empty());
    EXPECT_FALSE(can_reply(e.x.packet, ReplyDirection::Back));
    EXPECT_TRUE(can_reply(e.x.packet, ReplyDirection::Onwards));
  }
  const Bytes mpls_tls = ethernet(0x8847) +
                         mpls({100, 200}, ipv4(6, tcp(40002, 443, client_hello({sni("b.example")}))));
  const Bytes gtp_tls =
      ethernet(kIpv4) +
      outer_ipv4(17, udp(2152, 2152, gtpu(0xA1B2C3D4,
                                          ipv4(6, tcp(40002, 443, client_hello({sni("b.example")}))),
                                          0xFF, pdu_session_container(), 0x85)),
                 0x0A000001, 0x0A000002);
  for (const Bytes& segment : {mpls_tls, gtp_tls}) {
    DecodedPacket in;
    ASSERT_EQ(decode_packet(segment, in).status, DecodeStatus::Ok);
    Bytes back(kMaxTcpResetFrame), onwards(kMaxTcpResetFrame);
    EXPECT_EQ(write_tcp_reset(segment, in, ReplyDirection::Back, back.data()), 0u);
    onwards.resize(write_tcp_reset(segment, in, ReplyDirection::Onwards, onwards.data()));
    ASSERT_FALSE(onwards.empty());
    DecodedPacket out;
    ASSERT_EQ(decode_packet(onwards, out).status, DecodeStatus::Ok);
    expect_whole(onwards, out);
    const auto wi = wrappers_of(segment, in), wo = wrappers_of(onwards, out);
    ASSERT_EQ(wo.size(), 1u);
    EXPECT_EQ(wo[0].kind, wi[0].kind);
    EXPECT_EQ(wo[0].id, wi[0].id);  // the top label, the TEID
    if (wo[0].kind == WrapperKind::Mpls) {  // the label stack as it came
      EXPECT_EQ(Bytes(onwards.begin(), onwards.begin() + out.l3_offset),
                Bytes(segment.begin(), segment.begin() + out.l3_offset));
    }
  }
}

TEST(WrapperReply, AWrapperTooLongToCopyGetsNoReply) {
  // A 256-byte destination-options header puts the inner IP past what a reply copies.
  Bytes options(255, 0);  // after the next-header byte: the length byte, then padding
  options[0] = 31;        // (31 + 1) * 8 = 256 bytes
  const Bytes chain = ethernet(kIpv6) + ipv6(4, dns_in(), {{60, options}});
  DecodedPacket p;
  ASSERT_EQ(decode_packet(chain, p).status, DecodeStatus::Ok);
  EXPECT_GT(p.l3_offset, kMaxReplyWrapper);
  EXPECT_FALSE(can_reply(p, ReplyDirection::Onwards));
  EXPECT_TRUE(answer(chain).reply.empty());
}

}  // namespace
}  // namespace takedown::filters
