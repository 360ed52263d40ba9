// HTTP requests as they arrive in a TCP segment: every status and reason of parse_http_request().
#include "filters/http/http_request.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/support/parse_expect.hpp"

namespace takedown::filters {
namespace {

using takedown::testing::expect_parse;

// The views in HttpRequest point into the payload, so the helper keeps the last one alive.
std::string& last_payload() {
  static std::string payload;
  return payload;
}

HttpResult parse(const std::string& text, HttpRequest& out) {
  std::string& held = last_payload();
  held = text;
  return parse_http_request({reinterpret_cast<const std::uint8_t*>(held.data()), held.size()}, out);
}

TEST(HttpRequest, HostIsCaseInsensitiveTrimmedAndLosesItsPort) {
  HttpRequest r;
  expect_parse(
      parse("GET /login.php?next=%2F HTTP/1.1\r\nUser-Agent: curl\r\nhOsT: \t Scam.Example:8080 "
            "\r\n\r\n",
            r),
      DecodeStatus::Ok, HttpReason::None);
  EXPECT_EQ(r.host.view(), "scam.example");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/login.php?next=%2F");
  EXPECT_EQ(r.minor_version, 1);
  EXPECT_FALSE(r.absolute_form);
  expect_parse(parse("HEAD / HTTP/1.0\nHost: a.example\n\n", r), DecodeStatus::Ok,
               HttpReason::None);  // bare LF
  EXPECT_EQ(r.minor_version, 0);
  EXPECT_EQ(r.host.view(), "a.example");
}

TEST(HttpRequest, AbsoluteFormTargetNamesTheHostAndWins) {
  HttpRequest r;
  expect_parse(
      parse("GET http://Proxy.Example:3128/a/b HTTP/1.1\r\nHost: other.example\r\n\r\n", r),
      DecodeStatus::Ok, HttpReason::None);
  EXPECT_EQ(r.host.view(), "proxy.example");
  EXPECT_EQ(r.path, "/a/b");
  EXPECT_TRUE(r.absolute_form);
  expect_parse(parse("GET http://bare.example HTTP/1.1\r\n\r\n", r), DecodeStatus::Ok,
               HttpReason::None);
  EXPECT_EQ(r.path, "/");
}

TEST(HttpRequest, WhatIsNotARequestOrIsBroken) {
  HttpRequest r;
  expect_parse(parse("HTTP/1.1 200 OK\r\n\r\n", r), DecodeStatus::NotApplicable,
               HttpReason::NotARequest);
  expect_parse(parse("\x16\x03\x01", r), DecodeStatus::NotApplicable, HttpReason::NotARequest);
  expect_parse(parse("get / HTTP/1.1\r\n", r), DecodeStatus::NotApplicable,
               HttpReason::NotARequest);
  expect_parse(parse("GET /incomplete", r), DecodeStatus::Truncated, HttpReason::RequestLineShort);
  expect_parse(parse("GET /\r\n\r\n", r), DecodeStatus::Malformed, HttpReason::BadRequestLine);
  expect_parse(parse("GET  HTTP/1.1\r\n\r\n", r), DecodeStatus::Malformed,
               HttpReason::BadRequestLine);
  expect_parse(parse("GET / HTTP/2.0\r\n\r\n", r), DecodeStatus::Malformed, HttpReason::BadVersion);
  expect_parse(parse("GET / HTTP/1.1\r\nAccept: */*\r\n", r), DecodeStatus::Truncated,
               HttpReason::HeadersShort);
  expect_parse(parse("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", r), DecodeStatus::NotApplicable,
               HttpReason::NoHost);
  expect_parse(parse("GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", r),
               DecodeStatus::Malformed, HttpReason::DuplicateHost);
  expect_parse(parse("GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", r),
               DecodeStatus::NotApplicable, HttpReason::IpLiteralHost);
  expect_parse(parse("GET / HTTP/1.1\r\nHost: bad host\r\n\r\n", r), DecodeStatus::Malformed,
               HttpReason::BadHost);
  expect_parse(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n", r), DecodeStatus::Malformed,
               HttpReason::BadHost);
}

TEST(HttpRequest, HostSeenBeforeTheSegmentEndsIsEnough) {
  HttpRequest r;
  expect_parse(
      parse("POST /pay HTTP/1.1\r\nHost: pay.example\r\nContent-Length: 100000\r\nCookie: aaaa", r),
      DecodeStatus::Ok, HttpReason::None);
  EXPECT_EQ(r.host.view(), "pay.example");
  EXPECT_EQ(r.method, "POST");
}

TEST(HttpRequest, MutatedRequestsNeverReadOutOfBounds) {
  std::mt19937_64 rng(5);
  const std::string seed =
      "GET http://a.example/x HTTP/1.1\r\nHost: www.scam.example:80\r\nAccept: */*\r\n\r\n";
  for (int round = 0; round < 100'000; ++round) {
    std::string m = seed;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
      m[rng() % m.size()] = "\r\n :/[]Hh\x00"[rng() % 10];
    }
    m.resize(rng() % (m.size() + 1));
    HttpRequest r;
    if (parse(m, r).status == DecodeStatus::Ok) {
      ASSERT_GT(r.host.length(), 0u);
      const std::string& held = last_payload();
      const bool in_payload = r.path.data() >= held.data() &&
                              r.path.data() + r.path.size() <= held.data() + held.size();
      // "/" is the default path of an absolute-form target without one.
      ASSERT_TRUE(in_payload || r.path == "/") << "path [" << r.path << "] of [" << held << "]";
    }
  }
}

}  // namespace
}  // namespace takedown::filters
