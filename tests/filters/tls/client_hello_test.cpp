// TLS ClientHellos built byte by byte: every status and reason of parse_client_hello().
#include "filters/tls/client_hello.hpp"

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

TEST(ClientHello, ServerNameOfATls12Hello) {
  ClientHello h;
  expect_parse(parse_client_hello(client_hello({sni("Login.Scam.Example")}), h), DecodeStatus::Ok,
               TlsReason::None);
  EXPECT_TRUE(h.has_name);
  EXPECT_EQ(h.server_name.view(), "login.scam.example");
  EXPECT_EQ(h.record_version, 0x0301);
  EXPECT_EQ(h.client_version, 0x0303);
}

TEST(ClientHello, Tls13WithGreaseAlpnAndEchUsesTheOuterName) {
  ClientHello h;
  const Bytes hello = client_hello(
      {grease(0x1A1A), sni("cover.example"), alpn(), ech(), grease(0xFAFA)}, 32, 0x0303);
  expect_parse(parse_client_hello(hello, h), DecodeStatus::Ok, TlsReason::None);
  EXPECT_EQ(h.server_name.view(), "cover.example");
}

TEST(ClientHello, WhatIsNotAClientHello) {
  ClientHello h;
  Bytes app_data = client_hello({sni("a.example")});
  app_data[0] = 23;
  expect_parse(parse_client_hello(app_data, h), DecodeStatus::NotApplicable,
               TlsReason::NotHandshake);
  Bytes server_hello = client_hello({sni("a.example")});
  server_hello[5] = 2;
  expect_parse(parse_client_hello(server_hello, h), DecodeStatus::NotApplicable,
               TlsReason::NotClientHello);
  expect_parse(parse_client_hello(client_hello({sni("a.example")}, 32, 0x0200), h),
               DecodeStatus::NotApplicable, TlsReason::NotHandshake);
  expect_parse(parse_client_hello(Bytes{}, h), DecodeStatus::Truncated,
               TlsReason::ClientHelloShort);
  expect_parse(parse_client_hello(client_hello({alpn()}), h), DecodeStatus::NotApplicable,
               TlsReason::NoServerName);
  expect_parse(parse_client_hello(client_hello({}), h), DecodeStatus::NotApplicable,
               TlsReason::NoServerName);
}

TEST(ClientHello, CutOffBeforeOrAfterTheServerName) {
  ClientHello h;
  const Bytes before = client_hello({alpn(), sni("late.example")});
  expect_parse(parse_client_hello(Bytes(before.begin(), before.end() - 5), h),
               DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  EXPECT_FALSE(h.has_name);
  const Bytes after = client_hello({sni("early.example"), alpn(), ech()});
  expect_parse(parse_client_hello(Bytes(after.begin(), after.end() - 20), h),
               DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  EXPECT_TRUE(h.has_name);
  EXPECT_EQ(h.server_name.view(), "early.example");
  expect_parse(parse_client_hello(Bytes(after.begin(), after.begin() + 30), h),
               DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  EXPECT_FALSE(h.has_name);
}

TEST(ClientHello, BadLengthsAndNames) {
  ClientHello h;
  expect_parse(parse_client_hello(client_hello({sni("a.example")}, 33), h), DecodeStatus::Malformed,
               TlsReason::BadLength);
  Bytes bad_list = client_hello({sni("a.example")});
  const std::size_t list_at = bad_list.size() - 9 - 2 - 3;  // the server_name list length field
  bad_list[list_at] = 0x7F;
  expect_parse(parse_client_hello(bad_list, h), DecodeStatus::Malformed, TlsReason::BadLength);
  expect_parse(parse_client_hello(client_hello({sni("bad name.example")}), h),
               DecodeStatus::Malformed, TlsReason::BadServerName);
}

TEST(ClientHello, MutatedHellosNeverReadOutOfBounds) {
  std::mt19937_64 rng(9);
  const Bytes seed = client_hello({grease(0x2A2A), sni("www.scam.example"), alpn(), ech()});
  for (int round = 0; round < 200'000; ++round) {
    Bytes m = seed;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
      m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
    }
    m.resize(rng() % (m.size() + 1));
    ClientHello h;
    const TlsResult r = parse_client_hello(m, h);
    if (r.status == DecodeStatus::Ok) {
      ASSERT_TRUE(h.has_name);
    }
    if (h.has_name) {
      ASSERT_GT(h.server_name.length(), 0u);
    }
  }
}

}  // namespace
}  // namespace takedown::filters
