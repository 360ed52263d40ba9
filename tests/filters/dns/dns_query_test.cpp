// DNS queries built byte by byte: every status and reason of parse_dns_query().
#include "filters/dns/dns_query.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/support/frames.hpp"
#include "tests/support/parse_expect.hpp"

namespace takedown::filters {
namespace {

using takedown::testing::expect_parse;

using namespace takedown::testing::frames;
using Bytes = std::vector<std::uint8_t>;

TEST(DnsQuery, QuestionIsNormalisedAndKept) {
  DnsQuery q;
  const Bytes m = dns_query("WWW.Example.COM", 28);
  expect_parse(parse_dns_query(m, q), DecodeStatus::Ok, DnsReason::None);
  EXPECT_EQ(q.name.view(), "www.example.com");
  EXPECT_EQ(q.name.label_count(), 3u);
  EXPECT_EQ(q.id, 0xBEEF);
  EXPECT_TRUE(q.recursion_desired());
  EXPECT_EQ(q.qtype, 28);
  EXPECT_EQ(q.qclass, 1);
  EXPECT_EQ(q.question_end, m.size());
  EXPECT_FALSE(read_edns(m, q).present);
}

TEST(DnsQuery, EdnsOptRecordIsNoticed) {
  DnsQuery q;
  const Bytes m = dns_query("scam.example", 1, true);
  expect_parse(parse_dns_query(m, q), DecodeStatus::Ok, DnsReason::None);
  EXPECT_TRUE(read_edns(m, q).present);
  EXPECT_EQ(read_edns(m, q).udp_size, 1232);
  Bytes damaged = m;
  damaged.resize(damaged.size() - 3);  // OPT cut short: the question still stands, EDNS does not
  expect_parse(parse_dns_query(damaged, q), DecodeStatus::Ok, DnsReason::None);
  EXPECT_FALSE(read_edns(damaged, q).present);
}

// read_edns() walks past a second question and records before the additional section; an OPT
// outside the additional section is not EDNS. Over TCP it reads behind the length prefix.
TEST(DnsQuery, EdnsIsReadOnlyFromTheAdditionalSection) {
  DnsQuery q;
  const Bytes opt = [] {
    Bytes b{0};  // root owner
    put16(b, 41);
    put16(b, 4096);
    put16(b, 0);
    put16(b, 0);  // DO clear
    put16(b, 0);
    return b;
  }();
  // Two questions, one authority record (an OPT-typed one, not EDNS there), then the real OPT.
  Bytes m = dns_header(7, 0x0100, 2, 1);
  m[9] = 1;  // NSCOUNT 1
  for (const char* name : {"first.example", "second.example"}) {
    const Bytes n = wire_name(name);
    m.insert(m.end(), n.begin(), n.end());
    put16(m, 1);
    put16(m, 1);
  }
  Bytes authority = opt;
  authority[3] = 0x02;  // a UDP size of 512 there: it would show if it were taken
  m.insert(m.end(), authority.begin(), authority.end());
  m.insert(m.end(), opt.begin(), opt.end());
  expect_parse(parse_dns_query(m, q), DecodeStatus::Ok, DnsReason::None);
  EXPECT_EQ(q.name.view(), "first.example");
  DnsEdns edns = read_edns(m, q);
  EXPECT_TRUE(edns.present);
  EXPECT_EQ(edns.udp_size, 4096);
  EXPECT_FALSE(edns.dnssec_ok);
  m[11] = 0;  // ARCOUNT 0: the OPT is only trailing bytes now
  EXPECT_FALSE(read_edns(m, q).present);

  const Bytes signed_query = dns_query("tcp.example", 1, true);
  Bytes segment;
  put16(segment, static_cast<std::uint16_t>(signed_query.size()));
  segment.insert(segment.end(), signed_query.begin(), signed_query.end());
  expect_parse(parse_dns_tcp_query(segment, q), DecodeStatus::Ok, DnsReason::None);
  edns = read_tcp_edns(segment, q);
  EXPECT_TRUE(edns.present);
  EXPECT_TRUE(edns.dnssec_ok);
  EXPECT_EQ(edns.udp_size, 1232);
  segment[1] -= 4;  // the prefix ends the message inside the OPT record: no EDNS
  EXPECT_FALSE(read_tcp_edns(segment, q).present);
  EXPECT_FALSE(read_tcp_edns(Bytes{0}, q).present);
}

TEST(DnsQuery, OnlyQueriesWithAQuestion) {
  DnsQuery q;
  Bytes m = dns_query("a.example");
  m[2] |= 0x80;  // QR: a response
  expect_parse(parse_dns_query(m, q), DecodeStatus::NotApplicable, DnsReason::NotAQuery);
  m = dns_query("a.example");
  m[2] = 0x20;  // OPCODE 4, NOTIFY
  expect_parse(parse_dns_query(m, q), DecodeStatus::NotApplicable, DnsReason::NotAQuery);
  m = dns_header(1, 0, 0);
  expect_parse(parse_dns_query(m, q), DecodeStatus::NotApplicable, DnsReason::NoQuestion);
  expect_parse(parse_dns_query(Bytes(11, 0), q), DecodeStatus::Truncated, DnsReason::HeaderShort);
  expect_parse(parse_dns_query(dns_query(""), q), DecodeStatus::NotApplicable, DnsReason::RootName);
}

TEST(DnsQuery, TruncationAndLabelTypes) {
  DnsQuery q;
  const Bytes m = dns_query("www.example.com");
  expect_parse(parse_dns_query(Bytes(m.begin(), m.begin() + 20), q), DecodeStatus::Truncated,
               DnsReason::NameShort);
  expect_parse(parse_dns_query(Bytes(m.begin(), m.end() - 2), q), DecodeStatus::Truncated,
               DnsReason::QuestionShort);
  Bytes bad = m;
  bad[12] = 0x43;  // extended label type
  expect_parse(parse_dns_query(bad, q), DecodeStatus::Malformed, DnsReason::BadLabelType);
  bad = m;
  bad[13] = ' ';
  expect_parse(parse_dns_query(bad, q), DecodeStatus::Malformed, DnsReason::BadName);
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a' + i) + ".";
  expect_parse(parse_dns_query(dns_query(long_name + "com"), q), DecodeStatus::Malformed,
               DnsReason::BadName);
}

TEST(DnsQuery, CompressionPointersOnlyBackwardsAndAtMostSixteen) {
  DnsQuery q;
  Bytes loop = dns_header(1, 0, 1);
  loop.insert(loop.end(), {1, 'a', 0xC0, 12});  // "a" then a pointer back to itself
  put16(loop, 1);
  put16(loop, 1);
  expect_parse(parse_dns_query(loop, q), DecodeStatus::Malformed, DnsReason::TooManyPointers);
  Bytes forward = dns_header(1, 0, 1);
  forward.insert(forward.end(), {1, 'a', 0xC0, 20, 0, 0, 0, 0, 1, 'b', 0});
  expect_parse(parse_dns_query(forward, q), DecodeStatus::Malformed, DnsReason::ForwardPointer);
  Bytes cut = dns_header(1, 0, 1);
  cut.insert(cut.end(), {1, 'a', 0xC0});
  expect_parse(parse_dns_query(cut, q), DecodeStatus::Truncated, DnsReason::NameShort);
  // In a query's first question there is no earlier name, so a backward pointer can only reach
  // the header; its bytes then must still parse as labels, and here they do not ('\0' is no name
  // character).
  Bytes into_header = dns_header(1, 0, 1);
  into_header.insert(into_header.end(), {1, 'a', 0xC0, 5});
  put16(into_header, 1);
  put16(into_header, 1);
  expect_parse(parse_dns_query(into_header, q), DecodeStatus::Malformed, DnsReason::BadName);
}

TEST(DnsQuery, TcpLengthPrefix) {
  DnsQuery q;
  const Bytes m = dns_query("tcp.example", 16);
  Bytes segment;
  put16(segment, static_cast<std::uint16_t>(m.size()));
  segment.insert(segment.end(), m.begin(), m.end());
  expect_parse(parse_dns_tcp_query(segment, q), DecodeStatus::Ok, DnsReason::None);
  EXPECT_EQ(q.name.view(), "tcp.example");
  EXPECT_EQ(q.qtype, 16);
  expect_parse(parse_dns_tcp_query(Bytes{0}, q), DecodeStatus::Truncated,
               DnsReason::TcpLengthShort);
  segment[0] = 0x10;  // claims 4 KiB: the question is still in this segment
  expect_parse(parse_dns_tcp_query(segment, q), DecodeStatus::Ok, DnsReason::None);
}

TEST(DnsQuery, MutatedMessagesNeverReadOutOfBounds) {
  std::mt19937_64 rng(11);
  const Bytes seed = dns_query("www.scam-site.example", 1, true);
  for (int round = 0; round < 200'000; ++round) {
    Bytes m = seed;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
      m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
    }
    m.resize(rng() % (m.size() + 1));
    DnsQuery q;
    if (parse_dns_query(m, q).status == DecodeStatus::Ok) {
      ASSERT_LE(q.question_end, m.size());
      ASSERT_GT(q.name.length(), 0u);
      const DnsEdns edns = read_edns(m, q);
      ASSERT_TRUE(!edns.present || q.question_end + std::size_t{11} <= m.size());
    }
  }
}

}  // namespace
}  // namespace takedown::filters
