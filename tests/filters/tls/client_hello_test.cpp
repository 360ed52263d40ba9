// TLS ClientHellos built byte by byte: every status and reason of parse_client_hello().
#include "filters/tls/client_hello.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace takedown::filters {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put24(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 16));
  put16(b, v & 0xFFFF);
}
void append(Bytes& a, const Bytes& b) { a.insert(a.end(), b.begin(), b.end()); }

Bytes extension(std::uint16_t type, const Bytes& body) {
  Bytes b;
  put16(b, type);
  put16(b, body.size());
  append(b, body);
  return b;
}

Bytes sni(const std::string& name) {
  Bytes entry = {0};  // host_name
  put16(entry, name.size());
  entry.insert(entry.end(), name.begin(), name.end());
  Bytes body;
  put16(body, entry.size());
  append(body, entry);
  return extension(0, body);
}

Bytes grease(std::uint16_t value) { return extension(value, {}); }
Bytes alpn() { return extension(16, {0, 3, 2, 'h', '2'}); }
Bytes ech() { return extension(0xFE0D, Bytes(40, 0xEE)); }  // the encrypted inner hello

Bytes client_hello(const std::vector<Bytes>& extensions, std::uint8_t session_id = 32,
                   std::uint16_t record_version = 0x0301) {
  Bytes hello;
  put16(hello, 0x0303);
  hello.insert(hello.end(), 32, 0x11);  // random
  hello.push_back(session_id);
  hello.insert(hello.end(), session_id, 0x22);
  put16(hello, 4);
  hello.insert(hello.end(), {0x13, 0x01, 0x0A, 0x0A});  // a suite and a GREASE suite
  hello.insert(hello.end(), {1, 0});                    // null compression
  Bytes all;
  for (const auto& e : extensions) append(all, e);
  if (!extensions.empty()) {
    put16(hello, all.size());
    append(hello, all);
  }
  Bytes handshake = {1};
  put24(handshake, hello.size());
  append(handshake, hello);
  Bytes record = {22};
  put16(record, record_version);
  put16(record, handshake.size());
  append(record, handshake);
  return record;
}

void expect(TlsResult r, DecodeStatus status, TlsReason reason) {
  EXPECT_EQ(r.status, status) << to_string(r.status) << " / " << to_string(r.reason);
  EXPECT_EQ(r.reason, reason) << to_string(r.reason);
}

TEST(ClientHello, ServerNameOfATls12Hello) {
  ClientHello h;
  expect(parse_client_hello(client_hello({sni("Login.Scam.Example")}), h), DecodeStatus::Ok,
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
  expect(parse_client_hello(hello, h), DecodeStatus::Ok, TlsReason::None);
  EXPECT_EQ(h.server_name.view(), "cover.example");
}

TEST(ClientHello, WhatIsNotAClientHello) {
  ClientHello h;
  Bytes app_data = client_hello({sni("a.example")});
  app_data[0] = 23;
  expect(parse_client_hello(app_data, h), DecodeStatus::NotApplicable, TlsReason::NotHandshake);
  Bytes server_hello = client_hello({sni("a.example")});
  server_hello[5] = 2;
  expect(parse_client_hello(server_hello, h), DecodeStatus::NotApplicable,
         TlsReason::NotClientHello);
  expect(parse_client_hello(client_hello({sni("a.example")}, 32, 0x0200), h),
         DecodeStatus::NotApplicable, TlsReason::NotHandshake);
  expect(parse_client_hello(Bytes{}, h), DecodeStatus::Truncated, TlsReason::ClientHelloShort);
  expect(parse_client_hello(client_hello({alpn()}), h), DecodeStatus::NotApplicable,
         TlsReason::NoServerName);
  expect(parse_client_hello(client_hello({}), h), DecodeStatus::NotApplicable,
         TlsReason::NoServerName);
}

TEST(ClientHello, CutOffBeforeOrAfterTheServerName) {
  ClientHello h;
  const Bytes before = client_hello({alpn(), sni("late.example")});
  expect(parse_client_hello(Bytes(before.begin(), before.end() - 5), h), DecodeStatus::Truncated,
         TlsReason::ClientHelloShort);
  EXPECT_FALSE(h.has_name);
  const Bytes after = client_hello({sni("early.example"), alpn(), ech()});
  expect(parse_client_hello(Bytes(after.begin(), after.end() - 20), h), DecodeStatus::Truncated,
         TlsReason::ClientHelloShort);
  EXPECT_TRUE(h.has_name);
  EXPECT_EQ(h.server_name.view(), "early.example");
  expect(parse_client_hello(Bytes(after.begin(), after.begin() + 30), h), DecodeStatus::Truncated,
         TlsReason::ClientHelloShort);
  EXPECT_FALSE(h.has_name);
}

TEST(ClientHello, BadLengthsAndNames) {
  ClientHello h;
  expect(parse_client_hello(client_hello({sni("a.example")}, 33), h), DecodeStatus::Malformed,
         TlsReason::BadLength);
  Bytes bad_list = client_hello({sni("a.example")});
  const std::size_t list_at = bad_list.size() - 9 - 2 - 3;  // the server_name list length field
  bad_list[list_at] = 0x7F;
  expect(parse_client_hello(bad_list, h), DecodeStatus::Malformed, TlsReason::BadLength);
  expect(parse_client_hello(client_hello({sni("bad name.example")}), h), DecodeStatus::Malformed,
         TlsReason::BadServerName);
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
