// What each format's authors mean, through compiled snapshots: the verdicts a list written for
// dnsmasq, Unbound, BIND, an adblocker or dnscrypt-proxy gets from Takedown, on excerpts of real
// lists (tests/data/SOURCES.md says where each comes from).
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "tests/support/compiled_snapshot.hpp"

namespace takedown::testing {
namespace {

std::string one_list(const std::string& format, const std::string& file,
                     const std::string& extra = "") {
  std::string yaml = "lists: [{name: l, format: ";
  yaml += format + ", path: " + source_path(file) + extra + "}]\n";
  return yaml;
}

// server=/d/# and local=/d/# resolve d normally: they exempt d and below from the list's blocks.
TEST(FormatSemantics, DnsmasqHashServerExemptsTheNameAndBelow) {
  TempDir dir;
  auto snapshot =
      compile_yaml(dir, one_list("dnsmasq", "tests/data/lists/dnsmasq-exemptions.conf"));
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("01edc.com"), "block l:5");
  EXPECT_EQ(judge.explain("mail.01edc.com"), "block l:5");
  EXPECT_EQ(judge.explain("www.01edc.com"), "allow l:9");
  EXPECT_EQ(judge.explain("img.www.01edc.com"), "allow l:9");
  EXPECT_EQ(judge.explain("shop.0onlyfans.com"), "allow l:10");
  EXPECT_EQ(judge.explain("0onlyfans.com"), "block l:6");
  EXPECT_EQ(judge.explain("a.0penai.website"), "allow l:11");
  EXPECT_EQ(judge.explain("x.b.0penai.website"), "allow l:11");
  EXPECT_EQ(judge.explain("c.0penai.website"), "block l:7");
  EXPECT_EQ(judge.explain("2022factorysale.ru"), "block l:12");   // address=/d/# is a null answer
  EXPECT_EQ(judge.explain("247vesselcapsulehomes.com"), "pass");  // forwarded, skipped
}

// $important: an important block beats the plain @@ exceptions above and below it, in its list
// and in others; an $important exception, or an allow list of the config, beats it.
TEST(FormatSemantics, AdblockImportantBlockBeatsPlainExceptions) {
  TempDir dir;
  dir.write("exceptions.txt", "@@||x.004240331.top^\n@@||other.zzzly0925.workers.dev^\n");
  dir.write("operator-allow.txt", "op.004240331.top\n");
  auto snapshot = compile_yaml(
      dir, "lists:\n  - {name: l, format: adblock, path: " +
               source_path("tests/data/lists/adblock-important-badfilter.txt") +
               "}\n  - {name: exc, format: adblock, path: exceptions.txt}\n"
               "  - {name: op, format: domains, path: operator-allow.txt, action: allow}\n");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("000414-coinbase.com"), "block l:4");
  EXPECT_EQ(judge.explain("www.000414-coinbase.com"), "allow l:5");  // plain beats plain
  EXPECT_EQ(judge.explain("004240331.top"), "block l:6");
  EXPECT_EQ(judge.explain("cdn.004240331.top"), "block l:6");  // an exception below it
  EXPECT_EQ(judge.explain("a.cdn.004240331.top"), "block l:6");
  EXPECT_EQ(judge.explain("x.004240331.top"), "block l:6");  // another list's exception
  EXPECT_EQ(judge.explain("safe.004240331.top"), "allow l:8");
  EXPECT_EQ(judge.explain("op.004240331.top"), "allow op:1");
  EXPECT_EQ(judge.explain("zzzly0925.workers.dev"), "allow l:9");
  EXPECT_EQ(judge.explain("00100.zzzly0925.workers.dev"), "block l:10");  // below the exception
  EXPECT_EQ(judge.explain("www.00100.zzzly0925.workers.dev"), "block l:10");
  EXPECT_EQ(judge.explain("other.zzzly0925.workers.dev"), "allow exc:2");
  burst_agrees_with_scalar(
      *snapshot, {"cdn.004240331.top", "x.004240331.top", "safe.004240331.top", "op.004240331.top",
                  "a.b.c.d.e.f.g.h.i.cdn.004240331.top", "00100.zzzly0925.workers.dev",
                  "other.zzzly0925.workers.dev", "www.000414-coinbase.com", "unlisted.example"});
}

// A rule a $badfilter cancels does not load: its name passes, or falls to the next rule.
TEST(FormatSemantics, AdblockBadfilterCancelledRulesDoNotMatch) {
  TempDir dir;
  auto snapshot =
      compile_yaml(dir, one_list("adblock", "tests/data/lists/adblock-important-badfilter.txt"));
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("028426.com"), "pass");
  EXPECT_EQ(judge.explain("www.04b5.com"), "pass");
  EXPECT_EQ(judge.explain("mail.060d.com"), "block l:16");  // the exception is cancelled
  EXPECT_EQ(judge.explain("004240331.top"), "block l:6");
}

// A redirect zone blocks itself and every name below with its local-data; a transparent zone
// under a blocking one resolves normally, and so does every name below it.
TEST(FormatSemantics, UnboundRedirectAnswersItsDataAndTransparentZonesExempt) {
  TempDir dir;
  auto snapshot =
      compile_yaml(dir, one_list("unbound", "tests/data/lists/unbound-redirect-transparent.conf"));
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("0onlyfans.com"), "block l:6");
  EXPECT_EQ(judge.explain("login.0onlyfans.com"), "block l:6");
  const filters::Policy& sink = judge.policy("login.0onlyfans.com");
  EXPECT_EQ(sink.dns, filters::DnsResponse::Sinkhole);
  ASSERT_EQ(sink.a_count, 1);
  EXPECT_EQ(sink.a[0], (std::array<std::uint8_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ(sink.aaaa_count, 0);
  EXPECT_EQ(sink.ttl, 60u);
  EXPECT_EQ(judge.policy("www.0penai.website").aaaa_count, 1);
  EXPECT_EQ(judge.policy("www.0penai.website").ttl, 3600u);
  EXPECT_EQ(judge.policy("www.1sttheworld.com").a[0][3], 10);  // the apex's data, not line 17's
  EXPECT_EQ(judge.explain("cdn.0onlyfans.com"), "allow l:15");
  EXPECT_EQ(judge.explain("img.cdn.0onlyfans.com"), "allow l:15");
  EXPECT_EQ(judge.explain("01edc.com"), "block l:13");
  EXPECT_EQ(judge.explain("www.01edc.com"), "allow l:14");
  EXPECT_EQ(judge.explain("a.www.01edc.com"), "allow l:14");
  EXPECT_EQ(judge.explain("2022factorysale.ru"), "pass");
  EXPECT_EQ(judge.explain("420budstorenearme.com"), "pass");
}

// dnscrypt-proxy's "*.d" is d and below; in a domains list it stays strictly below d.
TEST(FormatSemantics, WildcardStarDotCoversTheApexAndDomainsStarDotDoesNot) {
  TempDir dir;
  auto wildcard =
      compile_yaml(dir, one_list("wildcard", "tests/data/lists/scams-light-wildcard-head.txt"));
  auto domains =
      compile_yaml(dir, one_list("domains", "tests/data/lists/scams-light-wildcard-head.txt"));
  ASSERT_TRUE(wildcard && domains);
  Judge w(*wildcard), d(*domains);
  EXPECT_EQ(w.explain("000414-coinbase.com"), "block l:5");
  EXPECT_EQ(w.explain("www.000414-coinbase.com"), "block l:5");
  EXPECT_EQ(d.explain("000414-coinbase.com"), "pass");
  EXPECT_EQ(d.explain("www.000414-coinbase.com"), "block l:5");
}

// A hosts file maps exactly the names it lists: without `match` a hosts list blocks them alone,
// as Pi-hole, AdGuard Home and Blocky read hosts-format lists; `match: subdomains` widens it.
TEST(FormatSemantics, HostsListsMatchExactlyTheirNamesUnlessToldSubdomains) {
  TempDir dir;
  const std::string file = "tests/data/lists/stevenblack-hosts-head.txt";
  auto exact = compile_yaml(dir, one_list("hosts", file));
  auto below = compile_yaml(dir, one_list("hosts", file, ", match: subdomains"));
  ASSERT_TRUE(exact && below);
  Judge e(*exact), b(*below);
  EXPECT_EQ(e.explain("lb.usemaxserver.de"), "block l:28");
  EXPECT_EQ(e.explain("www.lb.usemaxserver.de"), "pass");
  EXPECT_EQ(e("lb.usemaxserver.de").kind, filters::MatchKind::Exact);
  EXPECT_EQ(b.explain("lb.usemaxserver.de"), "block l:28");
  EXPECT_EQ(b.explain("www.lb.usemaxserver.de"), "block l:28");
  EXPECT_EQ(exact->lists()[0].exact, 1);
  EXPECT_EQ(below->lists()[0].exact, 0);
}

}  // namespace
}  // namespace takedown::testing
