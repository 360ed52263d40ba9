// write_dns_answer(): the answer frame decodes back as a DNS response to the query's source, with
// the question, RCODE, records and EDE the policy asks for, and checksums that verify.
#include "filters/respond/dns_answer.hpp"

#include <gtest/gtest.h>

#include "filters/common/byte_order.hpp"
#include "filters/respond/reply_headers.hpp"
#include "tests/support/frames.hpp"

namespace takedown::filters {
namespace {

using namespace takedown::testing::frames;

struct Answer {
  Bytes frame;
  DecodedPacket packet;
  const std::uint8_t* dns = nullptr;
  std::uint16_t flags() const { return load_be16(dns + 2); }
  std::uint16_t count(int section) const { return load_be16(dns + 4 + 2 * section); }
};

Extraction extract(const Bytes& frame) {
  Extraction x;
  extract_name(frame, ExtractPorts{}, x);
  return x;
}

Answer answer(const Bytes& query, const Policy& policy,
              ExtendedDnsError ede = ExtendedDnsError::Blocked) {
  const Extraction x = extract(query);
  EXPECT_EQ(x.protocol, Protocol::Dns);
  EXPECT_EQ(x.status, DecodeStatus::Ok);
  Answer a;
  a.frame.resize(kMaxDnsAnswerFrame);
  const std::size_t length = write_dns_answer(query, x, policy, ede, a.frame.data());
  a.frame.resize(length);
  if (length == 0) return a;
  EXPECT_EQ(decode_packet(a.frame, a.packet).status, DecodeStatus::Ok);
  a.dns = a.frame.data() + a.packet.payload_offset;
  return a;
}

// The one's-complement sum over the pseudo-header and the segment is zero when the checksum is
// right; the IPv4 header likewise.
void expect_checksums(const Answer& a) {
  const std::uint8_t* ip = a.frame.data() + a.packet.l3_offset;
  const std::uint8_t* l4 = a.frame.data() + a.packet.l4_offset;
  const std::size_t l4_length = a.frame.size() - a.packet.l4_offset;
  std::uint32_t pseudo = a.packet.l4_protocol + static_cast<std::uint32_t>(l4_length);
  Bytes addresses = a.packet.ip_version == 4 ? Bytes(ip + 12, ip + 20) : Bytes(ip + 8, ip + 40);
  for (std::size_t i = 0; i < addresses.size(); i += 2) pseudo += load_be16(&addresses[i]);
  EXPECT_EQ(internet_checksum(l4, l4_length, pseudo), 0);
  if (a.packet.ip_version == 4) {
    EXPECT_EQ(internet_checksum(ip, 20), 0);
  }
}

Policy policy(DnsResponse response) {
  Policy p;
  p.dns = response;
  return p;
}

TEST(DnsAnswer, NxdomainOverIpv4GoesBackWithTheQuestion) {
  const Bytes query = ethernet(0x0800) + ipv4(17, udp(40000, 53, dns_query("Scam.Example.", 1)));
  const Answer a = answer(query, policy(DnsResponse::Nxdomain));
  ASSERT_FALSE(a.frame.empty());
  // Ethernet and IP addresses swapped, ports swapped.
  EXPECT_EQ(Bytes(a.frame.begin(), a.frame.begin() + 6),
            Bytes(query.begin() + 6, query.begin() + 12));
  EXPECT_EQ(Bytes(a.frame.begin() + 6, a.frame.begin() + 12),
            Bytes(query.begin(), query.begin() + 6));
  EXPECT_EQ(load_be32(&a.frame[26]), 0xC0000202u);
  EXPECT_EQ(load_be32(&a.frame[30]), 0xC0000201u);
  EXPECT_EQ(a.packet.src_port, 53);
  EXPECT_EQ(a.packet.dst_port, 40000);
  EXPECT_EQ(load_be16(a.dns), 0xBEEF);
  EXPECT_EQ(a.flags(), 0x8000 | 0x0100 | 0x0080 | 3);  // QR, RD copied, RA, NXDOMAIN
  EXPECT_EQ(a.count(0), 1);
  EXPECT_EQ(a.count(1), 0);
  EXPECT_EQ(a.count(3), 0);
  // The question as sent, case included, and nothing after it.
  const Bytes question = wire_name("Scam.Example") + Bytes{0, 1, 0, 1};
  EXPECT_EQ(Bytes(a.dns + 12, a.frame.data() + a.frame.size()), question);
  expect_checksums(a);
}

TEST(DnsAnswer, EdnsQueryGetsAnOptWithExtendedError) {
  const Bytes query =
      ethernet(0x86DD) + ipv6(17, udp(5353, 53, dns_query("scam.example", 28, true)));
  for (auto ede : {ExtendedDnsError::Blocked, ExtendedDnsError::Filtered}) {
    const Answer a = answer(query, policy(DnsResponse::Nodata), ede);
    ASSERT_FALSE(a.frame.empty());
    EXPECT_EQ(a.flags() & 0x000F, 0);  // NOERROR
    EXPECT_EQ(a.count(1), 0);
    EXPECT_EQ(a.count(3), 1);
    const std::uint8_t* opt = a.frame.data() + a.frame.size() - 17;
    EXPECT_EQ(opt[0], 0);
    EXPECT_EQ(load_be16(opt + 1), 41);
    EXPECT_EQ(load_be16(opt + 3), kAnswerUdpSize);
    EXPECT_EQ(load_be32(opt + 5), 0x8000u);  // DO copied from the query
    EXPECT_EQ(load_be16(opt + 9), 6);
    EXPECT_EQ(load_be16(opt + 11), 15);  // EDE
    EXPECT_EQ(load_be16(opt + 13), 2);
    EXPECT_EQ(load_be16(opt + 15), static_cast<std::uint16_t>(ede));
    // IPv6 addresses swapped, hop limit 64, UDP checksum mandatory and right.
    EXPECT_EQ(a.frame[14 + 8], 0x10);
    EXPECT_EQ(a.frame[14 + 24], 0x00);
    EXPECT_EQ(a.frame[14 + 7], 64);
    expect_checksums(a);
  }
}

TEST(DnsAnswer, RefusedKeepsVlanTagsAndDropsIpv4Options) {
  const Bytes query = ethernet(0x0800, {{0x88A8, 7}, {0x8100, 42}}) +
                      ipv4(17, udp(1111, 53, dns_query("a.scam.example")), 0, Bytes(4, 1));
  const Answer a = answer(query, policy(DnsResponse::Refused));
  ASSERT_FALSE(a.frame.empty());
  EXPECT_EQ(a.packet.vlan_count, 2);
  EXPECT_EQ(a.packet.vlan_tci[0], 7);
  EXPECT_EQ(a.packet.vlan_tci[1], 42);
  EXPECT_EQ(a.frame[a.packet.l3_offset], 0x45);
  EXPECT_EQ(a.flags() & 0x000F, 5);
  expect_checksums(a);
}

TEST(DnsAnswer, SinkholeAnswersTheQueriedTypeOnly) {
  Policy p = policy(DnsResponse::Sinkhole);
  p.ttl = 300;
  p.a_count = 2;
  p.a[0] = {192, 0, 2, 1};
  p.a[1] = {192, 0, 2, 2};
  p.aaaa_count = 1;
  p.aaaa[0] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  struct Case {
    std::uint16_t qtype;
    std::uint16_t answers;
  };
  for (Case c : {Case{1, 2}, Case{28, 1}, Case{255, 3}, Case{15, 0}}) {
    const Bytes query =
        ethernet(0x0800) + ipv4(17, udp(999, 53, dns_query("scam.example", c.qtype)));
    const Answer a = answer(query, p);
    ASSERT_FALSE(a.frame.empty());
    EXPECT_EQ(a.flags() & 0x000F, 0) << c.qtype;
    ASSERT_EQ(a.count(1), c.answers) << c.qtype;
    const std::uint8_t* record = a.dns + 12 + wire_name("scam.example").size() + 4;
    for (std::uint16_t i = 0; i < c.answers; ++i) {
      EXPECT_EQ(load_be16(record), 0xC00C);
      const std::uint16_t type = load_be16(record + 2);
      EXPECT_TRUE(type == 1 || type == 28);
      EXPECT_EQ(load_be32(record + 6), 300u);
      const std::uint16_t length = load_be16(record + 10);
      EXPECT_EQ(length, type == 1 ? 4 : 16);
      if (type == 1) {
        EXPECT_EQ(record[15], i + 1);
      }
      record += 12 + length;
    }
    EXPECT_EQ(record, a.frame.data() + a.frame.size());
    expect_checksums(a);
  }
}

TEST(DnsAnswer, CompressedQuestionIsSpelledOut) {
  // The first question can only point backwards into the header. ID 0x0161 and flags 0 read as
  // the name "a" at offset 0, so "scam" + pointer(0) is "scam.a". Copying those bytes would keep
  // a pointer into the answer's header; the answer spells the name out instead.
  Bytes message = dns_header(0x0161, 0x0000, 1);
  message = message + Bytes{4, 's', 'c', 'a', 'm', 0xC0, 0x00} + Bytes{0, 28, 0, 1};
  const Bytes query = ethernet(0x0800) + ipv4(17, udp(999, 53, message));
  const Extraction x = extract(query);
  ASSERT_EQ(x.status, DecodeStatus::Ok);
  ASSERT_EQ(x.dns.name.view(), "scam.a");
  const Answer a = answer(query, policy(DnsResponse::Nxdomain));
  ASSERT_FALSE(a.frame.empty());
  const Bytes expected = wire_name("scam.a") + Bytes{0, 28, 0, 1};
  EXPECT_EQ(Bytes(a.dns + 12, a.frame.data() + a.frame.size()), expected);
  EXPECT_EQ(a.flags(), 0x8000 | 0x0080 | 3);  // RD was clear, and stays clear
  expect_checksums(a);
}

TEST(DnsAnswer, DropAndNonQueriesWriteNothing) {
  const Bytes query = ethernet(0x0800) + ipv4(17, udp(999, 53, dns_query("scam.example")));
  EXPECT_TRUE(answer(query, policy(DnsResponse::Drop)).frame.empty());
  const Bytes over_tcp =
      ethernet(0x0800) + ipv4(6, tcp(999, 53, Bytes{0, 30} + dns_query("scam.example")));
  const Extraction x = extract(over_tcp);
  Bytes out(kMaxDnsAnswerFrame);
  EXPECT_EQ(write_dns_answer(over_tcp, x, policy(DnsResponse::Nxdomain), ExtendedDnsError::Blocked,
                             out.data()),
            0u);
}

}  // namespace
}  // namespace takedown::filters
