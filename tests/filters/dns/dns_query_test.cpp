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
  EXPECT_FALSE(q.has_edns);
}

TEST(DnsQuery, EdnsOptRecordIsNoticed) {
  DnsQuery q;
  expect_parse(parse_dns_query(dns_query("scam.example", 1, true), q), DecodeStatus::Ok,
               DnsReason::None);
  EXPECT_TRUE(q.has_edns);
  EXPECT_EQ(q.edns_udp_size, 1232);
  Bytes damaged = dns_query("scam.example", 1, true);
  damaged.resize(damaged.size() - 3);  // OPT cut short: the question still stands, EDNS does not
  expect_parse(parse_dns_query(damaged, q), DecodeStatus::Ok, DnsReason::None);
  EXPECT_FALSE(q.has_edns);
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
    }
  }
}

}  // namespace
}  // namespace takedown::filters
