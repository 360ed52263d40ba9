// write_dns_answer(): the answer frame decodes back as a DNS response to the query's source, with
// the question, RCODE, records, SOA and EDE the policy and the list ask for, always within the
// client's size, over UDP and inside the query's TCP stream, with checksums that verify.
#include "filters/respond/dns_answer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "filters/common/byte_order.hpp"
#include "filters/respond/reply_headers.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/in_place_answer.hpp"

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

// How many answers answer() also wrote over their query (and found the same).
int answered_in_place = 0;

Extraction extract(const Bytes& frame) {
  Extraction x;
  extract_name(frame, ExtractPorts{}, x);
  return x;
}

// A list's reply as the snapshot holds it: SOA names in wire form, RDATA with serial 7.
struct Reply {
  Bytes owner;
  Bytes rdata;
  std::string text;
  ListReply view;
  explicit Reply(std::string words = "blocked by takedown-66k", const std::string& soa_owner = "",
                 EdeCode ede = EdeCode::Blocked, std::uint32_t negative_ttl = 300)
      : text(std::move(words)) {
    if (!soa_owner.empty()) owner = soa_owner == "." ? Bytes{0} : wire_name(soa_owner);
    rdata = wire_name("takedown.invalid") + wire_name("hostmaster.takedown.invalid");
    for (std::uint32_t v : {7u, 3600u, 600u, 86400u, negative_ttl}) put32(rdata, v);
    view.soa_owner = owner;
    view.soa_rdata = rdata;
    view.negative_ttl = negative_ttl;
    view.ede = ede;
    view.ede_text = text;
  }
  Reply(const Reply&) = delete;
};

Answer answer(const Bytes& query, const Policy& policy, const ListReply& reply) {
  const Extraction x = extract(query);
  EXPECT_EQ(x.protocol, Protocol::Dns);
  EXPECT_EQ(x.status, DecodeStatus::Ok);
  Answer a;
  a.frame.resize(kMaxDnsAnswerFrame);
  const std::size_t length = write_dns_answer(query, x, policy, reply, a.frame.data());
  a.frame.resize(length);
  // Written over the query instead, where it can be, the answer is the same bytes.
  if (const auto in_place = testing::answer_in_place(query, x, policy, reply)) {
    EXPECT_EQ(*in_place, a.frame) << "the answer written over its query differs";
    ++answered_in_place;
  }
  if (length == 0) return a;
  EXPECT_EQ(decode_packet(a.frame, a.packet).status, DecodeStatus::Ok);
  a.dns = a.frame.data() + a.packet.payload_offset;
  if (a.packet.l4_protocol == DecodedPacket::kTcp) a.dns += 2;
  return a;
}

Answer answer(const Bytes& query, const Policy& policy) {
  const Reply reply;
  return answer(query, policy, reply.view);
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

TEST(DnsAnswer, TheIpv4HeaderKeepsDscpAndIdentificationAndItsChecksumVerifies) {
  // The header checksum is summed from the values written, not read back: every field counts.
  for (const std::uint8_t dscp : {0x00, 0xB9, 0xFF}) {
    for (const bool options : {false, true}) {
      Bytes query = ethernet(0x0800) + ipv4(17, udp(40000, 53, dns_query("scam.example", 1)), 0,
                                            options ? Bytes{1, 1, 1, 0} : Bytes{});
      query[14 + 1] = dscp;
      query[14 + 4] = 0xBE;  // identification 0xBEEF
      query[14 + 5] = 0xEF;
      const Answer a = answer(query, policy(DnsResponse::Nxdomain));
      ASSERT_FALSE(a.frame.empty());
      const std::uint8_t* ip = a.frame.data() + a.packet.l3_offset;
      EXPECT_EQ(ip[0], 0x45) << "options are not copied";
      EXPECT_EQ(ip[1], dscp);
      EXPECT_EQ(load_be16(ip + 4), 0xBEEF);
      expect_checksums(a);
    }
  }
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
  EXPECT_EQ(a.count(2), 1);
  EXPECT_EQ(a.count(3), 0);
  // The question as sent, case included, then the SOA owned by the question's name (a pointer to
  // it), byte for byte; nothing after it.
  const Bytes question = wire_name("Scam.Example") + Bytes{0, 1, 0, 1};
  Bytes soa{0xC0, 12, 0, 6, 0, 1, 0, 0, 0x01, 0x2C};  // owner, SOA, IN, TTL 300
  const Bytes rdata = wire_name("takedown.invalid") + wire_name("hostmaster.takedown.invalid") +
                      Bytes{0, 0, 0, 7, 0, 0, 0x0E, 0x10, 0, 0, 0x02, 0x58, 0, 1, 0x51, 0x80,
                            0, 0, 0x01, 0x2C};  // serial 7, 3600, 600, 86400, minimum 300
  put16(soa, rdata.size());
  EXPECT_EQ(Bytes(a.dns + 12, a.frame.data() + a.frame.size()), question + soa + rdata);
  expect_checksums(a);
}

TEST(DnsAnswer, EdnsQueryGetsAnOptWithTheListsExtendedErrorAndText) {
  const Bytes query =
      ethernet(0x86DD) + ipv6(17, udp(5353, 53, dns_query("scam.example", 28, true)));
  for (auto [ede, code] : {std::pair{EdeCode::Blocked, 15}, std::pair{EdeCode::Censored, 16},
                           std::pair{EdeCode::Filtered, 17}, std::pair{EdeCode::Prohibited, 18}}) {
    const Reply reply("see https://takedown.example/why", "", ede);
    const Answer a = answer(query, policy(DnsResponse::Nodata), reply.view);
    ASSERT_FALSE(a.frame.empty());
    EXPECT_EQ(a.flags() & 0x000F, 0);  // NOERROR
    EXPECT_EQ(a.count(1), 0);
    EXPECT_EQ(a.count(2), 1);  // the SOA
    EXPECT_EQ(a.count(3), 1);
    const std::size_t text = reply.text.size();
    const std::uint8_t* opt = a.frame.data() + a.frame.size() - 17 - text;
    EXPECT_EQ(opt[0], 0);
    EXPECT_EQ(load_be16(opt + 1), 41);
    EXPECT_EQ(load_be16(opt + 3), kAnswerUdpSize);
    EXPECT_EQ(load_be32(opt + 5), 0x8000u);  // DO copied from the query
    EXPECT_EQ(load_be16(opt + 9), 6 + text);
    EXPECT_EQ(load_be16(opt + 11), 15);  // EDE
    EXPECT_EQ(load_be16(opt + 13), 2 + text);
    EXPECT_EQ(load_be16(opt + 15), code);
    EXPECT_EQ(std::string(opt + 17, opt + 17 + text), reply.text);
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
  for (Case c : {Case{1, 2}, Case{28, 1}, Case{255, 0}, Case{15, 0}, Case{65, 0}, Case{64, 0}}) {
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
    // Addresses, or NODATA with the SOA for every other type.
    EXPECT_EQ(a.count(2), c.answers == 0 ? 1 : 0) << c.qtype;
    if (c.answers == 0) {
      EXPECT_EQ(load_be16(record + 2), 6);
    } else {
      EXPECT_EQ(record, a.frame.data() + a.frame.size());
    }
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
  EXPECT_EQ(Bytes(a.dns + 12, a.dns + 12 + expected.size()), expected);
  EXPECT_EQ(load_be16(a.dns + 12 + expected.size()), 0xC00C);  // SOA owner: the spelled-out name
  EXPECT_EQ(a.flags(), 0x8000 | 0x0080 | 3);  // RD was clear, and stays clear
  expect_checksums(a);
}

TEST(DnsAnswer, DropWritesNothingAndATcpQueryWithoutAckHasNoStreamToAnswerIn) {
  const Bytes query = ethernet(0x0800) + ipv4(17, udp(999, 53, dns_query("scam.example")));
  EXPECT_TRUE(answer(query, policy(DnsResponse::Drop)).frame.empty());
  const Bytes message = dns_query("scam.example");
  Bytes prefixed;
  put16(prefixed, message.size());
  const Bytes syn_data = ethernet(0x0800) + ipv4(6, tcp(999, 53, prefixed + message, 0, 0x02));
  EXPECT_TRUE(answer(syn_data, policy(DnsResponse::Nxdomain)).frame.empty());
}

TEST(DnsAnswer, TheSameOutcomeForEveryQueryType) {
  // A, AAAA, MX, TXT, SVCB, HTTPS, ANY: NXDOMAIN and NODATA carry the SOA whatever was asked.
  for (DnsResponse response : {DnsResponse::Nxdomain, DnsResponse::Nodata}) {
    for (std::uint16_t qtype : {1, 28, 15, 16, 64, 65, 255}) {
      const Bytes query =
          ethernet(0x0800) + ipv4(17, udp(999, 53, dns_query("www.scam.example", qtype, true)));
      const Answer a = answer(query, policy(response));
      ASSERT_FALSE(a.frame.empty());
      EXPECT_EQ(a.flags() & 0x000F, response == DnsResponse::Nxdomain ? 3 : 0) << qtype;
      EXPECT_EQ(a.count(1), 0) << qtype;
      EXPECT_EQ(a.count(2), 1) << qtype;
      EXPECT_EQ(a.count(3), 1) << qtype;
      const std::uint8_t* soa = a.dns + 12 + wire_name("www.scam.example").size() + 4;
      EXPECT_EQ(load_be16(soa), 0xC00C) << qtype;  // the query name
      EXPECT_EQ(load_be16(soa + 2), 6) << qtype;
    }
  }
}

TEST(DnsAnswer, RefusedCarriesNoSoaAndAListOwnerIsSpelledOut) {
  const Bytes query = ethernet(0x0800) + ipv4(17, udp(999, 53, dns_query("scam.example")));
  EXPECT_EQ(answer(query, policy(DnsResponse::Refused)).count(2), 0);
  const Reply rpz("blocked", "rpz.takedown.example", EdeCode::Blocked, 60);
  const Answer a = answer(query, policy(DnsResponse::Nxdomain), rpz.view);
  ASSERT_EQ(a.count(2), 1);
  const std::size_t at = 12 + wire_name("scam.example").size() + 4;
  const Bytes owner = wire_name("rpz.takedown.example");
  EXPECT_EQ(Bytes(a.dns + at, a.dns + at + owner.size()), owner);
  EXPECT_EQ(load_be32(a.dns + at + owner.size() + 4), 60u);  // TTL: the negative TTL
  // The root as owner.
  const Reply root("x", ".");
  EXPECT_EQ(answer(query, policy(DnsResponse::Nxdomain), root.view).dns[at], 0);
}

// A query with EDNS and the given UDP payload size.
Bytes edns_query(const std::string& name, std::uint16_t udp_size) {
  Bytes message = dns_query(name, 1, true);
  message[message.size() - 11 + 3] = static_cast<std::uint8_t>(udp_size >> 8);
  message[message.size() - 11 + 4] = static_cast<std::uint8_t>(udp_size);
  return ethernet(0x0800) + ipv4(17, udp(999, 53, message));
}

std::string long_name() {
  std::string name;
  for (int i = 0; i < 3; ++i) name += std::string(63, 'a' + i) + ".";
  return name + std::string(61, 'd');  // 253 characters: 255 bytes in wire form
}

TEST(DnsAnswer, TheTextIsShortenedToTheClientsSizeAtACharacterBoundary) {
  // 2-byte and 3-byte UTF-8 characters, so that most cuts fall inside one.
  std::string text;
  while (text.size() < 240) text += "\xC3\xA9t\xE2\x82\xAC ";
  const Reply reply(text);
  for (std::uint16_t size : {0, 100, 512, 560, 600, 700, 1232, 4096}) {
    const Bytes query = edns_query(long_name(), size);
    const Answer a = answer(query, policy(DnsResponse::Nxdomain), reply.view);
    ASSERT_FALSE(a.frame.empty()) << size;
    const std::size_t message = a.frame.size() - a.packet.payload_offset;
    EXPECT_LE(message, std::max<std::size_t>(size, 512)) << size;
    EXPECT_EQ(a.flags() & 0x0200, 0) << size;  // never TC
    EXPECT_EQ(a.count(2), 1) << size;          // the SOA always fits
    EXPECT_EQ(a.count(3), 1) << size;          // and so does the OPT
    const std::uint8_t* end = a.frame.data() + a.frame.size();
    // The OPT is last: find its RDLENGTH from the end of the SOA.
    const std::uint8_t* opt = a.dns + 12 + 259 + 2 + 10 + reply.rdata.size();
    ASSERT_EQ(opt[0], 0);
    const std::uint16_t rdlength = load_be16(opt + 9);
    ASSERT_EQ(opt + 11 + rdlength, end);
    if (rdlength == 0) continue;  // not even the code fitted
    const std::string sent(opt + 17, end);
    EXPECT_EQ(sent, text.substr(0, sent.size())) << size;
    // Cut before a character, never inside one.
    if (sent.size() < text.size()) {
      EXPECT_NE(static_cast<std::uint8_t>(text[sent.size()]) & 0xC0, 0x80) << size;
    }
    if (size >= 1232) {
      EXPECT_EQ(sent, text);
    }
  }
}

TEST(DnsAnswer, WithoutEdnsTheAnswerFits512BytesAndHasNoOpt) {
  const std::string words(255, 'x');
  const Reply reply(words);
  const Bytes query = ethernet(0x0800) + ipv4(17, udp(999, 53, dns_query(long_name(), 65)));
  const Answer a = answer(query, policy(DnsResponse::Nxdomain), reply.view);
  ASSERT_FALSE(a.frame.empty());
  EXPECT_LE(a.frame.size() - a.packet.payload_offset, 512u);
  EXPECT_EQ(a.count(2), 1);
  EXPECT_EQ(a.count(3), 0);
}

TEST(DnsAnswer, OverTcpTheSameAnswerGoesBackInTheStreamWithFin) {
  const Bytes message = dns_query("scam.example", 1, true);
  Bytes prefixed;
  put16(prefixed, message.size());
  prefixed = prefixed + message;
  const Bytes segment = ethernet(0x0800, {{0x8100, 30}}) + ipv4(6, tcp(45000, 53, prefixed));
  const Reply reply;
  const Answer a = answer(segment, policy(DnsResponse::Nxdomain), reply.view);
  ASSERT_FALSE(a.frame.empty());
  EXPECT_EQ(a.packet.vlan_tci[0], 30);
  EXPECT_EQ(a.packet.src_port, 53);
  EXPECT_EQ(a.packet.dst_port, 45000);
  EXPECT_EQ(a.packet.tcp_seq, 2000u);  // the client's ack: what it expects from the server
  EXPECT_EQ(a.packet.tcp_ack, 1000u + prefixed.size());
  EXPECT_EQ(a.packet.tcp_flags, 0x19);  // FIN|PSH|ACK
  // The length prefix, then the message a UDP query gets.
  const Bytes datagram = ethernet(0x0800) + ipv4(17, udp(45000, 53, message));
  const Answer u = answer(datagram, policy(DnsResponse::Nxdomain), reply.view);
  const Bytes over_udp(u.dns, u.frame.data() + u.frame.size());
  EXPECT_EQ(load_be16(a.dns - 2), over_udp.size());
  EXPECT_EQ(Bytes(a.dns, a.frame.data() + a.frame.size()), over_udp);
  expect_checksums(a);
}

TEST(DnsAnswer, WrittenOverItsQueryOnlyWhereTheQuestionAndTheHeadersStayWhereTheyAre) {
  // answer() compares every answer written over its query with the one written elsewhere; here,
  // which queries can be answered in place at all.
  Bytes compressed = dns_header(0x0161, 0x0000, 1);
  compressed = compressed + Bytes{4, 's', 'c', 'a', 'm', 0xC0, 0x00} + Bytes{0, 1, 0, 1};
  Bytes prefixed;
  put16(prefixed, dns_query("scam.example").size());
  prefixed = prefixed + dns_query("scam.example");
  const struct {
    const char* what;
    Bytes frame;
    bool in_place;
  } cases[] = {
      {"ipv4", ethernet(0x0800) + ipv4(17, udp(4000, 53, dns_query("scam.example", 1, true))),
       true},
      {"ipv6", ethernet(0x86DD) + ipv6(17, udp(4000, 53, dns_query("scam.example", 28))), true},
      {"qinq", ethernet(0x0800, {{0x88A8, 7}, {0x8100, 42}}) +
                   ipv4(17, udp(4000, 53, dns_query("a.scam.example", 16, true))),
       true},
      {"ipv4 options: the header shrinks",
       ethernet(0x0800) + ipv4(17, udp(4000, 53, dns_query("scam.example")), 0, Bytes(4, 1)),
       false},
      {"ipv6 extension: the header shrinks",
       ethernet(0x86DD) + ipv6(17, udp(4000, 53, dns_query("scam.example")), {{0, option_body()}}),
       false},
      {"compressed question: spelled out longer", ethernet(0x0800) + ipv4(17, udp(4000, 53, compressed)),
       false},
      {"tcp", ethernet(0x0800) + ipv4(6, tcp(45000, 53, prefixed)), false},
  };
  const Reply reply;
  const int before = answered_in_place;
  int expected = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const Extraction x = extract(c.frame);
    ASSERT_EQ(x.status, DecodeStatus::Ok);
    EXPECT_EQ(answers_in_place(x, 4096), c.in_place);
    EXPECT_FALSE(answers_in_place(x, x.packet.payload_offset + kAnswerUdpSize - 1))
        << "no room for the largest answer";
    for (const DnsResponse response : {DnsResponse::Nxdomain, DnsResponse::Nodata,
                                       DnsResponse::Refused, DnsResponse::Sinkhole}) {
      Policy p = policy(response);
      p.a_count = 1;
      p.a[0] = {10, 0, 0, 1};
      p.aaaa_count = 1;
      p.aaaa[0][15] = 1;
      const Answer a = answer(c.frame, p, reply.view);
      ASSERT_FALSE(a.frame.empty());
      expect_checksums(a);
      expected += c.in_place ? 1 : 0;
    }
  }
  EXPECT_EQ(answered_in_place - before, expected);
}

// The records a negative answer copies from DnsAnswerTails, for each of its three forms, with
// an even and an odd question length (the records' sum then goes in byte-swapped). The tails
// are built from one list's reply and the answer is asked for with another's: where the records
// fit whole the answer carries the first list's, which shows that they were copied; where they
// do not (a long name and text past 512 bytes), the general path cuts the second's text.
TEST(DnsAnswer, ANegativeAnswerCopiesTheListsPrecomputedRecordsWhereTheyFitWhole) {
  const Reply copied("precomputed records", "owner.example", EdeCode::Censored, 90);
  const Reply asked("written here", "", EdeCode::Filtered, 30);
  const DnsAnswerTails tails(copied.view);
  for (const std::string& name : {std::string("scam.example"), std::string("scams.example")}) {
    for (int form = 0; form < 3; ++form) {
      for (const bool v6 : {false, true}) {
        SCOPED_TRACE(name + " form " + std::to_string(form) + (v6 ? " ipv6" : " ipv4"));
        Bytes message = dns_query(name, 1, form != 0);
        if (form == 1) message[message.size() - 4] = 0;  // DO clear
        const Bytes query = v6 ? ethernet(0x86DD, {{0x8100, 5}}) + ipv6(17, udp(4000, 53, message))
                               : ethernet(0x0800) + ipv4(17, udp(4000, 53, message));
        const Extraction x = extract(query);
        Bytes expected(kMaxDnsAnswerFrame);
        expected.resize(write_dns_answer(query, x, policy(DnsResponse::Nxdomain), copied.view,
                                         expected.data()));
        Bytes frame = query;
        frame.resize(x.packet.payload_offset + kAnswerUdpSize, 0xEE);
        ASSERT_TRUE(answers_in_place(x, frame.size()));
        frame.resize(write_dns_answer_in_place({frame.data(), query.size()}, x,
                                               policy(DnsResponse::Nxdomain), asked.view, &tails));
        EXPECT_EQ(frame, expected);
        Answer a;
        a.frame = frame;
        ASSERT_EQ(decode_packet(a.frame, a.packet).status, DecodeStatus::Ok);
        a.dns = a.frame.data() + a.packet.payload_offset;
        EXPECT_EQ(a.count(2), 1);
        EXPECT_EQ(a.count(3), form != 0 ? 1 : 0);
        expect_checksums(a);
      }
    }
  }
  // 512 bytes without EDNS or with a small payload size: a long name and a long text do not fit
  // whole, and the general path writes the list it was given.
  const Reply long_text(std::string(255, 'x'));
  const DnsAnswerTails long_tails(long_text.view);
  const Bytes query = edns_query(long_name(), 512);
  const Extraction x = extract(query);
  Bytes frame = query;
  frame.resize(x.packet.payload_offset + kAnswerUdpSize, 0xEE);
  frame.resize(write_dns_answer_in_place({frame.data(), query.size()}, x,
                                         policy(DnsResponse::Nxdomain), asked.view, &long_tails));
  Bytes expected(kMaxDnsAnswerFrame);
  expected.resize(write_dns_answer(query, x, policy(DnsResponse::Nxdomain), asked.view,
                                   expected.data()));
  EXPECT_EQ(frame, expected);
  // Only negative answers: a sinkhole with an address, and REFUSED, are written in full.
  Policy sinkhole = policy(DnsResponse::Sinkhole);
  sinkhole.a_count = 1;
  sinkhole.a[0] = {10, 0, 0, 1};
  for (const Policy& p : {sinkhole, policy(DnsResponse::Refused)}) {
    const Bytes q = ethernet(0x0800) + ipv4(17, udp(4000, 53, dns_query("scam.example", 1, true)));
    const Extraction qx = extract(q);
    Bytes in_place = q;
    in_place.resize(qx.packet.payload_offset + kAnswerUdpSize, 0xEE);
    in_place.resize(
        write_dns_answer_in_place({in_place.data(), q.size()}, qx, p, asked.view, &tails));
    Bytes written(kMaxDnsAnswerFrame);
    written.resize(write_dns_answer(q, qx, p, asked.view, written.data()));
    EXPECT_EQ(in_place, written);
  }
}

}  // namespace
}  // namespace takedown::filters
