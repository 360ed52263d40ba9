// list_answer() and the snapshot's answers section: a list's `response` becomes the SOA, EDE text
// and block page its blocks are answered with, byte for byte, and a compiled snapshot hands them
// back per list through Snapshot::reply().
#include "control/compile/list_answer.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "tests/support/compiled_snapshot.hpp"

namespace takedown::control {
namespace {

std::string bytes_of(std::span<const std::uint8_t> b) { return {b.begin(), b.end()}; }

TEST(ListAnswer, WireNamesAreLabelsEndingWithTheRoot) {
  EXPECT_EQ(wire_name("scam.example"), std::string("\x04scam\x07" "example\0", 14));
  EXPECT_EQ(wire_name("."), std::string(1, '\0'));
  EXPECT_EQ(wire_name(""), std::string(1, '\0'));
}

TEST(ListAnswer, TheDefaultsNameTheList) {
  auto a = list_answer("takedown-66k", schema::ResponseConfig{}, 0x01020304);
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->soa_owner, "");
  EXPECT_EQ(a->negative_ttl, 300u);
  EXPECT_EQ(a->ede, filters::EdeCode::Blocked);
  EXPECT_EQ(a->ede_text, "blocked by takedown-66k");
  const std::string rdata = wire_name("takedown.invalid") + wire_name("hostmaster.takedown.invalid") +
                            std::string("\x01\x02\x03\x04" "\x00\x00\x0e\x10" "\x00\x00\x02\x58"
                                        "\x00\x01\x51\x80" "\x00\x00\x01\x2c", 20);
  EXPECT_EQ(a->soa_rdata, rdata);
  EXPECT_EQ(a->http_page.rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0u);
}

TEST(ListAnswer, ThePageIsAClosingResponseWithAnExactLengthAndEscapedWords) {
  const std::string page = block_page("a<b>&c", "see \"why\" <here>", "");
  const std::size_t end = page.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string head = page.substr(0, end + 4);
  const std::string body = page.substr(end + 4);
  EXPECT_NE(head.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(head.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(body.find("<b>a&lt;b&gt;&amp;c</b>"), std::string::npos);
  EXPECT_NE(body.find("see &quot;why&quot; &lt;here&gt;"), std::string::npos);
  EXPECT_EQ(body.find("<here>"), std::string::npos);

  const std::string moved = block_page("l", "t", "https://block.example/why?l=1&x=2");
  EXPECT_EQ(moved.rfind("HTTP/1.1 302 Found\r\nLocation: https://block.example/why?l=1&x=2\r\n", 0),
            0u);
  EXPECT_NE(moved.find("href=\"https://block.example/why?l=1&amp;x=2\""), std::string::npos);
}

TEST(ListAnswer, APageTooLongForOneSegmentIsRefusedNamingTheList) {
  schema::ResponseConfig r;
  r.text = std::string(255, 'x');
  r.redirect = "https://block.example/" + std::string(480, 'p');
  auto a = list_answer("long", r, 0);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().find("list 'long': its block page would be"), std::string::npos) << a.error();
  // A long list name still gets a text of at most 255 bytes.
  auto b = list_answer(std::string(250, 'n'), schema::ResponseConfig{}, 0);
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->ede_text.size(), filters::ListReply::kMaxEdeText);
}

TEST(ListAnswer, TheSnapshotHandsEachListItsOwnReply) {
  testing::TempDir dir;
  dir.write("a.txt", "scam.example\n");
  const std::time_t before = std::time(nullptr);
  auto snapshot = testing::compile_yaml(dir, R"(
lists:
  - {name: first, format: domains, path: a.txt}
  - name: second
    format: domains
    path: a.txt
    response:
      http: page
      redirect: https://isp.example/blocked
      text: "Bloqué — voir https://isp.example"
      ede: prohibited
      negative_ttl: 30
      soa: {owner: ".", mname: ns.isp.example, rname: noc.isp.example}
)");
  ASSERT_NE(snapshot, nullptr);
  const filters::ListReply first = snapshot->reply(0);
  EXPECT_TRUE(first.soa_owner.empty());
  EXPECT_EQ(first.ede_text, "blocked by first");
  EXPECT_EQ(first.ede, filters::EdeCode::Blocked);
  EXPECT_EQ(first.negative_ttl, 300u);
  const std::string rdata = bytes_of(first.soa_rdata);
  const std::string names = wire_name("takedown.invalid") + wire_name("hostmaster.takedown.invalid");
  ASSERT_EQ(rdata.size(), names.size() + 20);
  const auto* serial = reinterpret_cast<const std::uint8_t*>(rdata.data() + names.size());
  const std::uint32_t s = serial[0] << 24 | serial[1] << 16 | serial[2] << 8 | serial[3];
  EXPECT_GE(s, static_cast<std::uint32_t>(before));  // when it was compiled
  EXPECT_LE(s, static_cast<std::uint32_t>(std::time(nullptr)));

  const filters::ListReply second = snapshot->reply(1);
  EXPECT_EQ(bytes_of(second.soa_owner), std::string(1, '\0'));
  EXPECT_EQ(bytes_of(second.soa_rdata).substr(0, 33),
            wire_name("ns.isp.example") + wire_name("noc.isp.example"));
  EXPECT_EQ(second.ede, filters::EdeCode::Prohibited);
  EXPECT_EQ(second.ede_text, "Bloqué — voir https://isp.example");
  EXPECT_EQ(second.negative_ttl, 30u);
  EXPECT_EQ(second.http_page.substr(0, 22), "HTTP/1.1 302 Found\r\nLo");
  EXPECT_NE(second.http_page.find("Bloqué — voir https://isp.example"), std::string_view::npos);
  EXPECT_EQ(snapshot->policies()[snapshot->lists()[1].policy].http, filters::TcpResponse::Page);
}

}  // namespace
}  // namespace takedown::control
