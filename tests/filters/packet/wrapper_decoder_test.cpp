// Golden frames for every wrapper and link type decode_packet() opens, with DNS, HTTP and TLS
// inside, every malformed case by its reason, the depth limit and the options that close wrappers.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "filters/extract/name_extractor.hpp"
#include "filters/packet/packet_decoder.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/parse_expect.hpp"
#include "tests/support/wrapper_frames.hpp"

namespace takedown::filters {
namespace {

using takedown::testing::expect_parse;
using namespace takedown::testing::frames;

constexpr std::uint16_t kIpv4 = 0x0800;
constexpr std::uint16_t kIpv6 = 0x86DD;

Bytes http_get(const std::string& host) {
  const std::string request = "GET /login HTTP/1.1\r\nHost: " + host + "\r\nAccept: */*\r\n\r\n";
  return Bytes(request.begin(), request.end());
}

// The inner packets the wrappers carry: a DNS query over UDP, an HTTP request and a ClientHello.
Bytes inner_dns(bool v6 = false) {
  const Bytes l4 = udp(40000, 53, dns_query("dns.example"));
  return v6 ? ipv6(17, l4) : ipv4(17, l4);
}
Bytes inner_http() { return ipv4(6, tcp(40001, 80, http_get("http.example"))); }
Bytes inner_tls() { return ipv6(6, tcp(40002, 443, client_hello({sni("tls.example")}))); }

struct Expect {
  std::string name;
  Protocol protocol;
};

void expect_name(const Bytes& frame, const Expect& want, LinkType link = LinkType::Ethernet,
                 const ExtractPorts& ports = {}) {
  Extraction x;
  extract_name(frame, ports, x, link);
  ASSERT_EQ(x.status, DecodeStatus::Ok) << x.reason;
  ASSERT_NE(x.name(), nullptr);
  EXPECT_EQ(x.name()->view(), want.name);
  EXPECT_EQ(x.protocol, want.protocol);
}

std::vector<Wrapper> wrappers_of(const Bytes& frame, const DecodedPacket& p) {
  Wrapper w[DecodeOptions::kMaxLayersLimit];
  const std::size_t n = p.wrappers(frame, w, DecodeOptions::kMaxLayersLimit);
  return {w, w + n};
}

DecodedPacket decoded(const Bytes& frame, LinkType link = LinkType::Ethernet,
                      const DecodeOptions& options = {}) {
  DecodedPacket p;
  const DecodeResult r = decode_packet(frame, options, link, p);
  EXPECT_EQ(r.status, DecodeStatus::Ok) << to_string(r.reason);
  return p;
}

DecodeResult decode(const Bytes& frame, const DecodeOptions& options = {},
                    LinkType link = LinkType::Ethernet) {
  DecodedPacket p;
  return decode_packet(frame, options, link, p);
}

TEST(WrapperDecoder, PppoeInQinQCarriesDnsHttpAndTls) {
  const auto frame = [](const Bytes& ip, bool v6) {
    return ethernet(0x8864, {{0x88A8, 100}, {0x8100, 200}}) + pppoe(0x1234, ip, v6);
  };
  expect_name(frame(inner_dns(), false), {"dns.example", Protocol::Dns});
  expect_name(frame(inner_dns(true), true), {"dns.example", Protocol::Dns});
  expect_name(frame(inner_http(), false), {"http.example", Protocol::Http});
  expect_name(frame(inner_tls(), true), {"tls.example", Protocol::Tls});

  const Bytes f = frame(inner_dns(), false);
  const DecodedPacket p = decoded(f);
  EXPECT_EQ(p.layers, 1);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.l3_offset, 14 + 8 + 8);
  EXPECT_EQ(p.dst_port, 53);
  const auto w = wrappers_of(f, p);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, WrapperKind::Pppoe);
  EXPECT_EQ(w[0].id, 0x1234u);
}

TEST(WrapperDecoder, MplsStacksCarryIpv4Ipv6AndAnEthernetPseudowire) {
  expect_name(ethernet(0x8847) + mpls({16, 17, 18}, inner_dns()), {"dns.example", Protocol::Dns});
  expect_name(ethernet(0x8847) + mpls({300}, inner_tls()), {"tls.example", Protocol::Tls});
  const Bytes pw = ethernet(0x8847) + mpls({1000, 2000}, control_word() + ethernet(kIpv4) +
                                                             inner_http());
  expect_name(pw, {"http.example", Protocol::Http});
  const DecodedPacket p = decoded(pw);
  const auto w = wrappers_of(pw, p);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, WrapperKind::Mpls);
  EXPECT_EQ(w[0].id, 1000u);  // the top label
  EXPECT_FALSE(p.can_reply_back());
  EXPECT_EQ(p.l3_offset, 14 + 8 + 4 + 14);
}

TEST(WrapperDecoder, GreWithEveryOptionalFieldCarriesIpMplsAndEthernet) {
  const GreFields all{.checksum = true, .has_key = true, .key = 0xCAFE, .has_sequence = true,
                      .sequence = 9};
  for (const GreFields& fields : {GreFields{}, all, GreFields{.has_key = true, .key = 7}}) {
    expect_name(ethernet(kIpv4) + outer_ipv4(47, gre(kIpv4, inner_dns(), fields), 0x0A000001,
                                             0x0A000002),
                {"dns.example", Protocol::Dns});
  }
  expect_name(ethernet(kIpv6) + outer_ipv6(47, gre(kIpv6, inner_tls(), all), 1, 2),
              {"tls.example", Protocol::Tls});
  const Bytes bridged = ethernet(kIpv4) + outer_ipv4(47, gre(0x6558, ethernet(kIpv4) +
                                                                    inner_http(), all),
                                                     0x0A000001, 0x0A000002);
  expect_name(bridged, {"http.example", Protocol::Http});
  const DecodedPacket p = decoded(bridged);
  const auto w = wrappers_of(bridged, p);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, WrapperKind::Gre);
  EXPECT_TRUE(w[0].has_id);
  EXPECT_EQ(w[0].id, 0xCAFEu);
  expect_name(ethernet(kIpv4) + outer_ipv4(47, gre(0x8847, mpls({5}, inner_dns())), 1, 2),
              {"dns.example", Protocol::Dns});
}

TEST(WrapperDecoder, VxlanCarriesATaggedInnerFrame) {
  const Bytes inner = ethernet(kIpv4, {{0x8100, 42}}) + inner_dns();
  const Bytes frame = ethernet(kIpv4) + outer_ipv4(17, udp(51000, 4789, vxlan(0xABCDE, inner)),
                                                   0x0A000001, 0x0A000002);
  expect_name(frame, {"dns.example", Protocol::Dns});
  const DecodedPacket p = decoded(frame);
  EXPECT_EQ(p.layers, 1);
  EXPECT_EQ(p.vlan_count, 0);  // the outermost Ethernet's tags only
  EXPECT_EQ(p.src_port, 40000);
  const auto w = wrappers_of(frame, p);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, WrapperKind::Vxlan);
  EXPECT_EQ(w[0].id, 0xABCDEu);
  EXPECT_NE(p.context(frame), 0u);
  // Another port is plain UDP unless configured.
  const Bytes other = ethernet(kIpv4) + outer_ipv4(17, udp(51000, 8472, vxlan(1, inner)), 1, 2);
  EXPECT_EQ(decoded(other).layers, 0);
  ExtractPorts ports;
  ports.decode.vxlan_ports = {4789, 8472};
  expect_name(other, {"dns.example", Protocol::Dns}, LinkType::Ethernet, ports);
}

TEST(WrapperDecoder, GtpuGpdusWithAndWithoutThePduSessionContainer) {
  const auto frame = [](const Bytes& gtp) {
    return ethernet(kIpv4) + outer_ipv4(17, udp(2152, 2152, gtp), 0x0A000001, 0x0A000002);
  };
  expect_name(frame(gtpu(0x01020304, inner_dns())), {"dns.example", Protocol::Dns});
  const Bytes with_container = frame(gtpu(0x01020304, inner_tls(), 0xFF, pdu_session_container(), 0x85));
  expect_name(with_container, {"tls.example", Protocol::Tls});
  const DecodedPacket p = decoded(with_container);
  const auto w = wrappers_of(with_container, p);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, WrapperKind::GtpU);
  EXPECT_EQ(w[0].id, 0x01020304u);
  EXPECT_FALSE(p.can_reply_back());
  EXPECT_EQ(p.context(with_container), 0u);  // TEIDs differ by direction
  // Two chained extensions: the container, then a zero-length-body one ending the chain.
  const Bytes chained = pdu_session_container();
  Bytes two = chained;
  two.back() = 0x40;  // next: UDP port extension type, whose header ends the chain
  two = two + Bytes{0x01, 0x08, 0x68, 0x00};
  expect_name(frame(gtpu(9, inner_http(), 0xFF, two, 0x85)), {"http.example", Protocol::Http});
}

TEST(WrapperDecoder, IpInIpAllFourWays) {
  expect_name(ethernet(kIpv4) + outer_ipv4(4, inner_dns(), 1, 2), {"dns.example", Protocol::Dns});
  expect_name(ethernet(kIpv4) + outer_ipv4(41, inner_tls(), 1, 2), {"tls.example", Protocol::Tls});
  expect_name(ethernet(kIpv6) + outer_ipv6(41, inner_dns(true), 1, 2),
              {"dns.example", Protocol::Dns});
  const Bytes four_in_six = ethernet(kIpv6) + outer_ipv6(4, inner_http(), 1, 2);
  expect_name(four_in_six, {"http.example", Protocol::Http});
  const DecodedPacket p = decoded(four_in_six);
  const auto w = wrappers_of(four_in_six, p);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, WrapperKind::IpInIp);
  EXPECT_FALSE(w[0].has_id);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.l3_offset, 14 + 40);
}

TEST(WrapperDecoder, NestedWrappersUpToTheDepthLimit) {
  // GTP-U in VXLAN in GRE: three layers, the default limit opens them.
  const Bytes gtp = outer_ipv4(17, udp(2152, 2152, gtpu(5, inner_dns())), 3, 4);
  const Bytes vx = outer_ipv4(17, udp(1234, 4789, vxlan(77, ethernet(kIpv4) + gtp)), 5, 6);
  const Bytes frame = ethernet(kIpv4) + outer_ipv4(47, gre(0x6558, ethernet(kIpv4) + vx), 7, 8);
  expect_name(frame, {"dns.example", Protocol::Dns});
  const DecodedPacket p = decoded(frame);
  EXPECT_EQ(p.layers, 3);
  const auto w = wrappers_of(frame, p);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].kind, WrapperKind::Gre);
  EXPECT_EQ(w[1].kind, WrapperKind::Vxlan);
  EXPECT_EQ(w[2].kind, WrapperKind::GtpU);

  DecodeOptions two;
  two.max_layers = 2;
  expect_parse(decode(frame, two), DecodeStatus::NotApplicable, DecodeReason::TooManyLayers);
  DecodeOptions none;
  none.max_layers = 0;
  expect_parse(decode(ethernet(kIpv4) + outer_ipv4(4, inner_dns(), 1, 2), none),
               DecodeStatus::NotApplicable, DecodeReason::TooManyLayers);

  // Seven IP-in-IP headers: past the largest limit there is, whatever the options say.
  Bytes deep = inner_dns();
  for (int i = 0; i < 7; ++i) deep = outer_ipv4(4, deep, 1, 2);
  DecodeOptions most;
  most.max_layers = DecodeOptions::kMaxLayersLimit;
  expect_parse(decode(ethernet(kIpv4) + deep, most), DecodeStatus::NotApplicable,
               DecodeReason::TooManyLayers);
  // Six are opened.
  Bytes six = inner_dns();
  for (int i = 0; i < 6; ++i) six = outer_ipv4(4, six, 1, 2);
  expect_parse(decode(ethernet(kIpv4) + six, most), DecodeStatus::Ok, DecodeReason::None);
}

TEST(WrapperDecoder, ClosedWrappersAreNotOpened) {
  DecodeOptions closed;
  closed.pppoe = closed.mpls = closed.gre = closed.vxlan = closed.gtpu = closed.ip_in_ip = false;
  expect_parse(decode(ethernet(0x8864) + pppoe(1, inner_dns()), closed), DecodeStatus::NotApplicable,
               DecodeReason::NotIp);
  expect_parse(decode(ethernet(0x8847) + mpls({16}, inner_dns()), closed),
               DecodeStatus::NotApplicable, DecodeReason::NotIp);
  expect_parse(decode(ethernet(kIpv4) + outer_ipv4(47, gre(kIpv4, inner_dns()), 1, 2), closed),
               DecodeStatus::NotApplicable, DecodeReason::NotUdpOrTcp);
  expect_parse(decode(ethernet(kIpv4) + outer_ipv4(4, inner_dns(), 1, 2), closed),
               DecodeStatus::NotApplicable, DecodeReason::NotUdpOrTcp);
  expect_parse(decode(ethernet(kIpv6) + outer_ipv6(41, inner_dns(true), 1, 2), closed),
               DecodeStatus::NotApplicable, DecodeReason::NotUdpOrTcp);
  // VXLAN and GTP-U closed: the outer UDP datagram is the packet.
  DecodedPacket p;
  const Bytes vx = ethernet(kIpv4) + outer_ipv4(17, udp(1, 4789, vxlan(1, ethernet(kIpv4) +
                                                                            inner_dns())), 1, 2);
  expect_parse(decode_packet(vx, closed, LinkType::Ethernet, p), DecodeStatus::Ok,
               DecodeReason::None);
  EXPECT_EQ(p.dst_port, 4789);
  EXPECT_EQ(p.layers, 0);
  DecodeOptions no_mpls_in_gre;
  no_mpls_in_gre.mpls = false;
  expect_parse(
      decode(ethernet(kIpv4) + outer_ipv4(47, gre(0x8847, mpls({5}, inner_dns())), 1, 2),
             no_mpls_in_gre),
      DecodeStatus::NotApplicable, DecodeReason::GreNotIp);
}

// The frame without its last `drop` bytes. An erase, not a resize: gcc 12 under ASan took the
// resize for a growth past the maximum object size and warned.
Bytes cut(Bytes b, std::size_t drop) {
  b.erase(b.end() - static_cast<std::ptrdiff_t>(std::min(drop, b.size())), b.end());
  return b;
}

TEST(WrapperDecoder, EveryMalformedWrapperHasItsReason) {
  const Bytes eth_pppoe = ethernet(0x8864);
  expect_parse(decode(eth_pppoe + Bytes{0x11, 0, 0, 1, 0}), DecodeStatus::Truncated,
               DecodeReason::PppoeShort);
  Bytes bad = pppoe(1, inner_dns());
  bad[0] = 0x12;
  expect_parse(decode(eth_pppoe + bad), DecodeStatus::Malformed, DecodeReason::PppoeBadHeader);
  bad = pppoe(1, inner_dns());
  bad[1] = 0x09;  // a discovery code in a session frame
  expect_parse(decode(eth_pppoe + bad), DecodeStatus::Malformed, DecodeReason::PppoeBadHeader);
  bad = pppoe(1, inner_dns());
  bad[4] = 0xFF;
  expect_parse(decode(eth_pppoe + bad), DecodeStatus::Truncated, DecodeReason::PppoeBadLength);
  bad = pppoe(1, inner_dns());
  bad[4] = 0;
  bad[5] = 1;
  expect_parse(decode(eth_pppoe + bad), DecodeStatus::Malformed, DecodeReason::PppoeBadLength);
  bad = pppoe(1, inner_dns());
  bad[6] = 0xC0;  // LCP
  bad[7] = 0x21;
  expect_parse(decode(eth_pppoe + bad), DecodeStatus::NotApplicable, DecodeReason::PppNotIp);

  const Bytes eth_mpls = ethernet(0x8847);
  expect_parse(decode(eth_mpls + Bytes{0, 1, 0}), DecodeStatus::Truncated, DecodeReason::MplsShort);
  expect_parse(decode(eth_mpls + mpls({16}, {})), DecodeStatus::Truncated, DecodeReason::MplsShort);
  expect_parse(decode(eth_mpls + mpls({1, 2, 3, 4, 5, 6, 7, 8, 9}, inner_dns())),
               DecodeStatus::NotApplicable, DecodeReason::MplsTooManyLabels);
  expect_parse(decode(eth_mpls + mpls({16}, Bytes{0x90, 0, 0, 0})), DecodeStatus::NotApplicable,
               DecodeReason::MplsUnknownPayload);
  expect_parse(decode(eth_mpls + mpls({16}, Bytes{0x00, 0})), DecodeStatus::Truncated,
               DecodeReason::MplsShort);

  const auto in_ip = [](const Bytes& gre_bytes) {
    return ethernet(kIpv4) + outer_ipv4(47, gre_bytes, 1, 2);
  };
  expect_parse(decode(in_ip(Bytes{0, 0, 8})), DecodeStatus::Truncated, DecodeReason::GreShort);
  expect_parse(decode(in_ip(cut(gre(kIpv4, {}, {.has_key = true, .key = 1}), 2))),
               DecodeStatus::Truncated, DecodeReason::GreShort);
  Bytes g = gre(kIpv4, inner_dns());
  g[0] = 0x40;  // routing present
  expect_parse(decode(in_ip(g)), DecodeStatus::Malformed, DecodeReason::GreBadHeader);
  g = gre(kIpv4, inner_dns());
  g[1] = 0x01;  // version 1: PPTP
  expect_parse(decode(in_ip(g)), DecodeStatus::NotApplicable, DecodeReason::GreNotIp);
  expect_parse(decode(in_ip(gre(0x88BE, inner_dns()))), DecodeStatus::NotApplicable,
               DecodeReason::GreNotIp);

  const auto in_udp = [](std::uint16_t port, const Bytes& payload) {
    return ethernet(kIpv4) + outer_ipv4(17, udp(1000, port, payload), 1, 2);
  };
  expect_parse(decode(in_udp(4789, Bytes{8, 0, 0})), DecodeStatus::Truncated,
               DecodeReason::VxlanShort);
  expect_parse(decode(in_udp(4789, vxlan(1, ethernet(kIpv4) + inner_dns(), 0x00))),
               DecodeStatus::Malformed, DecodeReason::VxlanBadFlags);
  expect_parse(decode(in_udp(4789, vxlan(1, Bytes(10, 0)))), DecodeStatus::Truncated,
               DecodeReason::EthernetShort);

  expect_parse(decode(in_udp(2152, Bytes{0x30, 0xFF, 0})), DecodeStatus::Truncated,
               DecodeReason::GtpuShort);
  Bytes t = gtpu(1, inner_dns());
  t[0] = 0x50;  // version 2
  expect_parse(decode(in_udp(2152, t)), DecodeStatus::Malformed, DecodeReason::GtpuBadHeader);
  t = gtpu(1, inner_dns());
  t[0] = 0x20;  // GTP'
  expect_parse(decode(in_udp(2152, t)), DecodeStatus::Malformed, DecodeReason::GtpuBadHeader);
  expect_parse(decode(in_udp(2152, gtpu(1, Bytes{}, 0x01))), DecodeStatus::NotApplicable,
               DecodeReason::GtpuNotGpdu);
  t = gtpu(1, inner_dns());
  t[2] = 0x7F;
  expect_parse(decode(in_udp(2152, t)), DecodeStatus::Malformed, DecodeReason::GtpuBadLength);
  Bytes ext = pdu_session_container();
  ext[0] = 0;  // zero length
  expect_parse(decode(in_udp(2152, gtpu(1, inner_dns(), 0xFF, ext, 0x85))), DecodeStatus::Malformed,
               DecodeReason::GtpuBadExtension);
  ext = pdu_session_container();
  ext[0] = 40;  // longer than the packet
  expect_parse(decode(in_udp(2152, gtpu(1, inner_dns(), 0xFF, ext, 0x85))), DecodeStatus::Malformed,
               DecodeReason::GtpuBadExtension);
  expect_parse(decode(in_udp(2152, gtpu(1, Bytes{0x00, 1, 2}))), DecodeStatus::NotApplicable,
               DecodeReason::GtpuNotIp);
  expect_parse(decode(in_udp(2152, gtpu(1, Bytes{}))), DecodeStatus::NotApplicable,
               DecodeReason::GtpuNotIp);

  // A fragmented tunnel packet cannot be opened without reassembly.
  Bytes fragment = outer_ipv4(4, inner_dns(), 1, 2);
  fragment[6] = 0x20;  // MF
  expect_parse(decode(ethernet(kIpv4) + fragment), DecodeStatus::NotApplicable,
               DecodeReason::TunnelFragment);
  expect_parse(decode(ethernet(kIpv6) + ipv6(4, inner_dns(), {{44, fragment_body(0, true)}})),
               DecodeStatus::NotApplicable, DecodeReason::TunnelFragment);
  // The inner packet is bounded by its wrapper: a claimed inner length past it is truncated.
  Bytes inner = inner_dns();
  const Bytes outer = outer_ipv4(4, cut(inner, 4), 1, 2);
  expect_parse(decode(ethernet(kIpv4) + outer), DecodeStatus::Truncated,
               DecodeReason::Ipv4BadLength);
}

TEST(WrapperDecoder, EveryLinkType) {
  const Expect dns{"dns.example", Protocol::Dns};
  expect_name(inner_dns(), dns, LinkType::RawIp);
  expect_name(inner_dns(true), dns, LinkType::RawIp);
  expect_name(inner_dns(), dns, LinkType::RawIpv4);
  expect_name(inner_dns(true), dns, LinkType::RawIpv6);
  expect_name(linux_sll(kIpv4) + inner_dns(), dns, LinkType::LinuxSll);
  expect_name(linux_sll2(kIpv6) + inner_dns(true), dns, LinkType::LinuxSll2);
  expect_name(linux_sll(0x8864) + pppoe(3, inner_dns()), dns, LinkType::LinuxSll);
  expect_name(cisco_hdlc(kIpv4) + inner_dns(), dns, LinkType::CiscoHdlc);
  expect_name(cisco_hdlc(0x8847) + mpls({16}, inner_dns()), dns, LinkType::CiscoHdlc);
  expect_name(bsd_null(2) + inner_dns(), dns, LinkType::BsdNull);
  for (std::uint32_t inet6 : {10u, 24u, 28u, 30u}) {
    expect_name(bsd_null(inet6) + inner_dns(true), dns, LinkType::BsdNull);
    expect_name(bsd_loop(inet6) + inner_dns(true), dns, LinkType::BsdLoop);
  }
  Bytes big_endian_null = bsd_loop(2);  // a null capture from a big-endian host
  expect_name(big_endian_null + inner_dns(), dns, LinkType::BsdNull);
  expect_name(bsd_loop(2) + inner_dns(), dns, LinkType::BsdLoop);

  for (LinkType link : {LinkType::LinuxSll, LinkType::LinuxSll2, LinkType::CiscoHdlc,
                        LinkType::BsdNull, LinkType::BsdLoop}) {
    expect_parse(decode(Bytes{0, 0, 0}, {}, link), DecodeStatus::Truncated, DecodeReason::LinkShort);
  }
  expect_parse(decode(bsd_loop(7) + inner_dns(), {}, LinkType::BsdLoop), DecodeStatus::NotApplicable,
               DecodeReason::NotIp);
  expect_parse(decode(Bytes{0x50, 0, 0, 0}, {}, LinkType::RawIp), DecodeStatus::NotApplicable,
               DecodeReason::NotIp);
  expect_parse(decode(inner_dns(true), {}, LinkType::RawIpv4), DecodeStatus::Malformed,
               DecodeReason::Ipv4BadHeader);
  expect_parse(decode(linux_sll(0x0806) + Bytes(28, 0), {}, LinkType::LinuxSll),
               DecodeStatus::NotApplicable, DecodeReason::NotIp);
  EXPECT_EQ(link_type_of_pcap(276), LinkType::LinuxSll2);
  EXPECT_EQ(link_type_of_pcap(147), std::nullopt);
  EXPECT_EQ(pcap_linktype_of(LinkType::RawIpv6), 229u);
}

TEST(WrapperDecoder, TunnelPortsAreFoundInEveryLaneAndNothingElseIs) {
  DecodeOptions o;
  EXPECT_TRUE(o.tunnel_port(4789));
  EXPECT_TRUE(o.tunnel_port(2152));
  for (std::uint16_t p : {0, 53, 443, 4788, 4790, 2153, 4789 ^ 0x8000, 0xFFFF}) EXPECT_FALSE(o.tunnel_port(p)) << p;
  o.vxlan_ports = {1, 0x8000, 0x7FFF, 0xFFFF};
  o.gtpu_ports = {0, 0, 0, 2};
  for (std::uint16_t p : {1, 0x8000, 0x7FFF, 0xFFFF, 2}) EXPECT_TRUE(o.tunnel_port(p)) << p;
  for (std::uint16_t p : {0, 3, 4789, 2152, 0x7FFE, 0xFFFE, 0x0100}) EXPECT_FALSE(o.tunnel_port(p)) << p;
  // Every one of the 65,536 ports against a brute-force answer, on a few lists.
  for (const auto& [v, g] : {std::pair{std::array<std::uint16_t, 4>{4789}, std::array<std::uint16_t, 4>{2152}},
                             std::pair{std::array<std::uint16_t, 4>{1, 2, 3, 4}, std::array<std::uint16_t, 4>{
                                                                                     0x8001, 0xFFFF, 0, 7}}}) {
    o.vxlan_ports = v;
    o.gtpu_ports = g;
    for (std::uint32_t p = 0; p <= 0xFFFF; ++p) {
      const auto port = static_cast<std::uint16_t>(p);
      ASSERT_EQ(o.tunnel_port(port), DecodeOptions::listed(v, port) || DecodeOptions::listed(g, port)) << p;
    }
  }
}

TEST(WrapperDecoder, FlowContextSeparatesTenantsAndMatchesBothDirections) {
  const auto vx = [](std::uint32_t vni, std::uint32_t src, std::uint32_t dst) {
    return ethernet(kIpv4) +
           outer_ipv4(17, udp(1000, 4789, vxlan(vni, ethernet(kIpv4) + inner_dns())), src, dst);
  };
  const Bytes a = vx(10, 1, 2), b = vx(11, 1, 2), a_back = vx(10, 2, 1);
  EXPECT_NE(decoded(a).context(a), decoded(b).context(b));
  EXPECT_EQ(decoded(a).context(a), decoded(a_back).context(a_back));
  const Bytes plain = ethernet(kIpv4) + inner_dns();
  EXPECT_EQ(decoded(plain).context(plain), 0u);
  const Bytes s1 = ethernet(0x8864) + pppoe(1, inner_dns()), s2 = ethernet(0x8864) + pppoe(2, inner_dns());
  EXPECT_NE(decoded(s1).context(s1), decoded(s2).context(s2));
}

}  // namespace
}  // namespace takedown::filters
