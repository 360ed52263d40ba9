// RPZ zone files: origins, owners, multi-line records and what is skipped with its reason.
#include <gtest/gtest.h>

#include "control/lists/list_loader.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::control {
namespace {

ParsedList parse_rpz(std::string_view bytes) {
  ParsedList out;
  out.report.name = "rpz";
  out.report.path = "zone.rpz";
  parse_list_bytes(ListFormat::Rpz, bytes, out);
  return out;
}

const ListEntry* find(const ParsedList& list, std::string_view name, Scope scope) {
  for (const auto& e : list.entries) {
    if (e.text == name && e.scope == scope) return &e;
  }
  return nullptr;
}

const PolicyOverride& override_of(const ParsedList& list, const ListEntry* e) {
  return list.overrides.at(e->override_index - 1);
}

TEST(RpzFormat, RealDomainZoneWithEveryRecordShape) {
  auto parsed = load_list(ListFormat::Rpz,
                          testing::source_path("tests/data/lists/takedown-sample.rpz"), "rpz");
  ASSERT_TRUE(parsed) << parsed.error();
  const ParsedList& list = *parsed;
  EXPECT_EQ(list.report.loaded, 40u);
  EXPECT_EQ(list.report.skipped, 8u);
  EXPECT_EQ(list.report.skipped_by_reason.at("CNAME to another name (a redirect) is not supported"),
            5u);
  EXPECT_EQ(list.report.skipped_by_reason.at("only QNAME triggers are supported (rpz-ip)"), 1u);
  EXPECT_EQ(list.report.skipped_by_reason.at("only QNAME triggers are supported (rpz-nsdname)"),
            1u);
  EXPECT_EQ(list.report.skipped_by_reason.at("owner is outside the policy zone takedown.rpz"), 1u);
  // The absolute owner "<d>.takedown.rpz." lost the zone suffix and kept its NODATA action.
  for (const auto& e : list.entries) {
    EXPECT_EQ(e.text.find("takedown.rpz"), std::string::npos) << e.text;
    EXPECT_GE(e.line, 13u);
  }
}

TEST(RpzFormat, OriginsOwnersAndBlankOwnerContinuation) {
  const ParsedList list = parse_rpz(R"($TTL 1h
$ORIGIN rpz.example.
@ 3600 IN SOA ns.rpz.example. admin.rpz.example. ( 1 ; serial
   3600 600
   86400 60 )
@ NS ns.rpz.example.
Bad.COM CNAME .
absolute.net.rpz.example. CNAME .
*.wild.org CNAME *.
sink.example A 192.0.2.1
   A 192.0.2.2
   AAAA 2001:db8::1
$ORIGIN sub.rpz.example.
relative CNAME .
@ CNAME rpz-drop.
)");
  EXPECT_EQ(list.report.skipped, 0u)
      << (list.report.first_skips.empty() ? "" : list.report.first_skips[0]);
  const ListEntry* bad = find(list, "bad.com", Scope::Apex);
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->line, 7u);
  EXPECT_EQ(override_of(list, bad).dns, filters::DnsResponse::Nxdomain);
  EXPECT_NE(find(list, "absolute.net", Scope::Apex), nullptr);
  const ListEntry* wild = find(list, "wild.org", Scope::Below);
  ASSERT_NE(wild, nullptr);
  EXPECT_EQ(override_of(list, wild).dns, filters::DnsResponse::Nodata);
  const ListEntry* sink = find(list, "sink.example", Scope::Apex);
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(override_of(list, sink).a.size(), 2u);
  EXPECT_EQ(override_of(list, sink).aaaa.size(), 1u);
  EXPECT_EQ(*override_of(list, sink).ttl, 3600u);
  EXPECT_NE(find(list, "relative.sub", Scope::Apex), nullptr);
  const ListEntry* drop = find(list, "sub", Scope::Apex);
  ASSERT_NE(drop, nullptr);
  EXPECT_EQ(override_of(list, drop).dns, filters::DnsResponse::Drop);
}

TEST(RpzFormat, ZoneWithoutOriginUsesOwnersAsTriggers) {
  const ParsedList list = parse_rpz("evil.com CNAME .\nok.evil.com CNAME rpz-passthru.\n");
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(override_of(list, find(list, "ok.evil.com", Scope::Apex)).action,
            filters::Action::Allow);
}

// No $ORIGIN, SOA owned by the absolute zone name: the zone's name is the origin, as in BIND, so
// relative owners are triggers; absolute owners outside the zone are still refused.
TEST(RpzFormat, ZoneWithoutOriginTakesTheSoaOwnerAsOrigin) {
  const std::string path = testing::source_path("tests/data/lists/takedown-no-origin.rpz");
  auto parsed = load_list(ListFormat::Rpz, path, "rpz");
  ASSERT_TRUE(parsed) << parsed.error();
  const ParsedList& list = *parsed;
  EXPECT_EQ(list.report.loaded, 6u);
  const ListEntry* exact = find(list, "010visa.net", Scope::Apex);
  ASSERT_NE(exact, nullptr);
  EXPECT_EQ(exact->line, 8u);
  EXPECT_NE(find(list, "010visa.net", Scope::Below), nullptr);
  EXPECT_EQ(override_of(list, find(list, "01101mszgz.autos", Scope::Apex)).dns,
            filters::DnsResponse::Nodata);
  EXPECT_EQ(override_of(list, find(list, "01102fwccv.quest", Scope::Apex)).dns,
            filters::DnsResponse::Drop);
  EXPECT_EQ(override_of(list, find(list, "01105.co", Scope::Apex)).a.size(), 1u);
  EXPECT_EQ(override_of(list, find(list, "ok.01105.co", Scope::Apex)).action,
            filters::Action::Allow);
  EXPECT_EQ(list.report.skipped, 3u);
  EXPECT_EQ(list.report.first_skips[0],
            path +
                ":14: the policy zone's apex is not a trigger (@ TXT \"the apex: not a "
                "trigger\")");
  EXPECT_EQ(list.report.first_skips[1],
            path +
                ":15: owner is outside the policy zone rpz.takedown.example "
                "(01107906-coinbase.com.)");
  EXPECT_EQ(list.report.first_skips[2],
            path +
                ":16: owner is outside the policy zone rpz.takedown.example "
                "(01111wzbiy.autos.rpz.other.example.)");
}

TEST(RpzFormat, BrokenRecordsAreSkippedWithTheirReason) {
  const ParsedList list = parse_rpz(
      "$ORIGIN rpz.\n$INCLUDE other.zone\n$TTL forever\na.com CNAME\nb.com A not-an-ip\nc.com AAAA "
      "192.0.2.1\n"
      "d.com TXT \"hello\"\ne.com CNAME rpz-tcp-only.\n@ CNAME .\nf.com 300 IN\n  CNAME .\n"
      "g.com SOA x. y. ( 1 2 3\n");
  EXPECT_TRUE(list.entries.size() == 1u &&
              list.entries[0].text == "f.com");  // the blank-owner line
  EXPECT_EQ(list.report.skipped, 10u);
  EXPECT_EQ(list.report.first_skips[0],
            "zone.rpz:2: unsupported directive $include ($INCLUDE other.zone)");
  EXPECT_EQ(list.report.skipped_by_reason.at("unbalanced '(' in a record that never closes"), 1u);
}

}  // namespace
}  // namespace takedown::control
