// Every list format on real files, plus the inputs that must never crash or hang the loader.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "control/lists/list_loader.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::control {
namespace {

using testing::source_path;

ParsedList load(ListFormat format, const std::string& relative) {
  auto parsed = load_list(format, source_path(relative), "test");
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error());
  return parsed ? std::move(parsed).value() : ParsedList{};
}

ParsedList parse_text(ListFormat format, std::string_view bytes) {
  ParsedList out;
  out.report.name = "inline";
  out.report.path = "inline.txt";
  parse_list_bytes(format, bytes, out);
  return out;
}

bool has_entry(const ParsedList& list, std::string_view name) {
  for (const auto& e : list.entries) {
    if (e.text == name) return true;
  }
  return false;
}

TEST(DomainsFormat, LoadsTheFullTakedownList) {
  const ParsedList list = load(ListFormat::Domains, "conf/lists/takedown-66k.txt");
  EXPECT_EQ(list.report.loaded, 66000u);
  EXPECT_EQ(list.report.skipped, 0u);
  EXPECT_EQ(list.entries.front().text, "0-bitcoin.com");
  EXPECT_EQ(list.entries.front().line, 1u);
  EXPECT_EQ(list.entries.back().line, 66000u);
}

TEST(DomainsFormat, CommentsWildcardsAndBadLinesWithFileAndLine) {
  const ParsedList list =
      parse_text(ListFormat::Domains,
                 "# header\n\nExample.COM.  # trailing comment\n*.wild.org\ntwo names.com\n"
                 "bad..name\n" +
                     std::string(70, 'x') + ".com\n");
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[0].text, "example.com");
  EXPECT_EQ(list.entries[0].scope, Scope::Both);
  EXPECT_EQ(list.entries[1].text, "wild.org");
  EXPECT_EQ(list.entries[1].scope, Scope::Below);
  EXPECT_EQ(list.report.skipped, 3u);
  ASSERT_EQ(list.report.first_skips.size(), 3u);
  EXPECT_EQ(list.report.first_skips[0],
            "inline.txt:5: expected one domain per line (two names.com)");
  EXPECT_EQ(list.report.first_skips[1],
            "inline.txt:6: not a valid domain name: empty label (bad..name)");
  EXPECT_NE(list.report.first_skips[2].find(
                "inline.txt:7: not a valid domain name: label longer than 63"),
            std::string::npos);
}

TEST(DomainsFormat, InternationalisedNamesBecomeALabelsOrAreRejected) {
  const ParsedList list = parse_text(ListFormat::Domains, "Bücher.example\nfaß.de\n\xff\xfe.com\n");
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[0].text, "xn--bcher-kva.example");
  EXPECT_EQ(list.entries[1].text, "xn--fa-hia.de");
  ASSERT_EQ(list.report.skipped, 1u);
  EXPECT_NE(list.report.first_skips[0].find("inline.txt:3: not a valid internationalised name"),
            std::string::npos);
}

TEST(HostsFormat, RealHostsFileSkipsBoilerplateAndLoadsEveryBlockingName) {
  const ParsedList list = load(ListFormat::Hosts, "tests/data/lists/stevenblack-hosts-head.txt");
  EXPECT_EQ(list.report.loaded, 39u);  // every 0.0.0.0 line of the file
  EXPECT_TRUE(has_entry(list, "lb.usemaxserver.de"));
  EXPECT_TRUE(has_entry(list, "aarp.122.2o7.net"));
  EXPECT_FALSE(has_entry(list, "localhost"));
  EXPECT_FALSE(has_entry(list, "tracking.applift.com"));  // commented out in the file
  EXPECT_EQ(list.report.skipped_by_reason.at(
                "hosts-file boilerplate (localhost, broadcasthost, ip6-*)"),
            6u);
}

// The IPv6 header lines of StevenBlack-style hosts files and their "0.0.0.0 0.0.0.0" line are
// boilerplate, not foreign addresses or a name; a line of more than 64 names loads them all.
TEST(HostsFormat, Ipv6HeaderLinesAreBoilerplateAndLongLinesLoadWhole) {
  const ParsedList header = parse_text(ListFormat::Hosts,
                                       "::1 ip6-localhost\n::1 ip6-loopback\nfe80::1%lo0 localhost\n"
                                       "ff00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\n"
                                       "ff02::2 ip6-allrouters\nff02::3 ip6-allhosts\n0.0.0.0 0.0.0.0\n"
                                       "0.0.0.0 real.example\n");
  ASSERT_EQ(header.entries.size(), 1u);
  EXPECT_EQ(header.entries[0].text, "real.example");
  EXPECT_EQ(header.report.skipped_by_reason.at(
                "hosts-file boilerplate (localhost, broadcasthost, ip6-*)"),
            9u);
  EXPECT_EQ(header.report.skipped, 9u);
  std::string line = "0.0.0.0";
  for (int i = 0; i < 200; ++i) line += " n" + std::to_string(i) + ".example";
  const ParsedList wide = parse_text(ListFormat::Hosts, line + "\n");
  EXPECT_EQ(wide.entries.size(), 200u);
  EXPECT_TRUE(has_entry(wide, "n199.example"));
}

TEST(HostsFormat, SeveralNamesPerLineAndForeignAddresses) {
  const ParsedList list = parse_text(ListFormat::Hosts,
                                     "0.0.0.0 a.com b.com\t c.com\n:: d.com\n"
                                     "10.0.0.1 intranet.example\n0.0.0.0\n");
  EXPECT_EQ(list.entries.size(), 4u);
  EXPECT_EQ(list.report.skipped, 2u);
  EXPECT_NE(list.report.first_skips[0].find("inline.txt:3: not a blocking address"),
            std::string::npos);
  EXPECT_NE(list.report.first_skips[1].find("inline.txt:4: expected an address followed by names"),
            std::string::npos);
}

TEST(AdblockFormat, RealListLoadsDomainRulesAndCountsTheRest) {
  const ParsedList list =
      load(ListFormat::Adblock, "tests/data/lists/scams-light-adblock-head.txt");
  EXPECT_EQ(list.report.loaded,
            389u);  // 400 lines minus the [Adblock Plus] header and 10 '!' lines
  EXPECT_EQ(list.report.skipped, 0u);
  EXPECT_TRUE(has_entry(list, "000414-coinbase.com"));
}

TEST(AdblockFormat, ExceptionsAllowAndNonDomainRulesAreSkippedAndCounted) {
  const ParsedList list =
      parse_text(ListFormat::Adblock,
                 "[Adblock Plus 2.0]\n! comment\n||bad.com^\n@@||good.bad.com^\n"
                 "||imp.com^$important\n||third.com^$third-party\nexample.com##.ad\n"
                 "/banner/*\n||wild*.com^\n||pipe.com^|\n");
  ASSERT_EQ(list.entries.size(), 4u);
  EXPECT_EQ(list.entries[1].text, "good.bad.com");
  ASSERT_NE(list.entries[1].override_index, 0);
  EXPECT_EQ(list.overrides[list.entries[1].override_index - 1].action, filters::Action::Allow);
  EXPECT_EQ(list.entries[0].override_index, 0);
  EXPECT_TRUE(has_entry(list, "pipe.com"));
  EXPECT_EQ(list.report.skipped, 4u);
  EXPECT_EQ(list.report.skipped_by_reason.at("not a domain rule (cosmetic filter)"), 1u);
}

// $badfilter cancels the rule it names (same domain, exception or not, $important or not), before
// or after it: the cancelled rule is skipped at its own line, a $badfilter naming nothing is a
// warning, one naming a rule with an unsupported modifier is skipped like that rule.
TEST(AdblockFormat, BadfilterCancelsTheRuleItNames) {
  const std::string path = source_path("tests/data/lists/adblock-important-badfilter.txt");
  const ParsedList list =
      load(ListFormat::Adblock, "tests/data/lists/adblock-important-badfilter.txt");
  EXPECT_EQ(list.report.loaded, 8u);
  EXPECT_FALSE(has_entry(list, "028426.com"));
  EXPECT_FALSE(has_entry(list, "04b5.com"));
  EXPECT_FALSE(has_entry(list, "mail.060d.com"));
  EXPECT_TRUE(has_entry(list, "060d.com"));
  EXPECT_TRUE(has_entry(list, "004240331.top"));  // its $badfilter names the plain rule
  EXPECT_EQ(list.report.all_notes(),
            (std::vector<std::string>{
                path + ":11: cancelled by the $badfilter at line 12 (028426.com)",
                path + ":14: cancelled by the $badfilter at line 13 (04b5.com)",
                path + ":15: cancelled by the $badfilter at line 17 (mail.060d.com)",
                path + ":18: warning: $badfilter names no rule of this list (it cancels rules of "
                       "its own list only) (004240331.top)",
                path + ":19: not a domain rule (a modifier other than $important and $badfilter) "
                       "($third-party,badfilter)"}));
}

TEST(DnsmasqFormat, RealListAndEveryDirective) {
  const ParsedList real =
      load(ListFormat::Dnsmasq, "tests/data/lists/scams-light-dnsmasq-head.txt");
  EXPECT_EQ(real.report.loaded, 95u);
  EXPECT_EQ(real.report.skipped, 0u);
  EXPECT_TRUE(has_entry(real, "01edc.com"));

  const ParsedList list =
      parse_text(ListFormat::Dnsmasq,
                 "address=/a.com/0.0.0.0\naddress=/b.com/c.com/\nserver=/d.com/\nlocal=/.e.com/\n"
                 "address=/f.com/#\nserver=/g.com/1.1.1.1\naddress=/h.com/203.0.113.9\n"
                 "cache-size=1000\n");
  EXPECT_EQ(list.entries.size(), 6u);
  EXPECT_TRUE(has_entry(list, "e.com"));
  EXPECT_EQ(list.report.skipped, 3u);
  EXPECT_NE(list.report.first_skips[0].find(":6: forwards to an upstream server"),
            std::string::npos);
}

// server=/d/# and local=/d/# are exemptions (allow entries, d and below); address=/d/# is a null
// answer (a block); a forwarding server= is skipped with its reason at its line.
TEST(DnsmasqFormat, HashServerLinesAreExemptions) {
  const ParsedList list = load(ListFormat::Dnsmasq, "tests/data/lists/dnsmasq-exemptions.conf");
  ASSERT_EQ(list.entries.size(), 9u);
  const auto action_of = [&](std::size_t i) -> std::optional<filters::Action> {
    const ListEntry& e = list.entries[i];
    if (e.override_index == 0) return std::nullopt;
    return list.overrides[e.override_index - 1].action;
  };
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(action_of(i), std::nullopt) << i;
  for (std::size_t i = 4; i < 8; ++i) {
    EXPECT_EQ(action_of(i), filters::Action::Allow) << i;
    EXPECT_EQ(list.entries[i].scope, Scope::Both);
  }
  EXPECT_EQ(list.entries[4].text, "www.01edc.com");
  EXPECT_EQ(list.entries[7].text, "b.0penai.website");
  EXPECT_EQ(list.entries[8].text, "2022factorysale.ru");
  EXPECT_EQ(action_of(8), std::nullopt);
  EXPECT_EQ(list.overrides.size(), 1u);  // one exemption override, shared
  ASSERT_EQ(list.report.skipped, 1u);
  EXPECT_NE(list.report.first_skips[0].find(
                "dnsmasq-exemptions.conf:13: forwards to an upstream server, does not block "
                "(10.0.0.53)"),
            std::string::npos)
      << list.report.first_skips[0];
}

TEST(UnboundFormat, RealListAndTypesMapToAnswers) {
  const ParsedList real =
      load(ListFormat::Unbound, "tests/data/lists/scams-light-unbound-head.txt");
  EXPECT_EQ(real.report.loaded, 95u);
  EXPECT_EQ(real.report.skipped, 0u);

  const ParsedList list =
      parse_text(ListFormat::Unbound,
                 "server:\n  local-zone: \"a.com.\" always_refuse\nlocal-zone: b.com static\n"
                 "local-zone: \"c.com\" always_null\nlocal-zone: \"d.com.\" transparent\n"
                 "local-data: \"x.com A 1.2.3.4\"\n");
  ASSERT_EQ(list.entries.size(), 3u);
  auto dns_of = [&](std::size_t i) {
    return *list.overrides[list.entries[i].override_index - 1].dns;
  };
  EXPECT_EQ(dns_of(0), filters::DnsResponse::Refused);
  EXPECT_EQ(dns_of(1), filters::DnsResponse::Nxdomain);
  EXPECT_EQ(dns_of(2), filters::DnsResponse::Sinkhole);
  EXPECT_EQ(list.report.skipped, 2u);
}

// redirect + local-data loads as a block of the zone answering its data; transparent and
// typetransparent zones under a blocking zone are exemptions; the rest is skipped at its line.
TEST(UnboundFormat, RedirectZonesAnswerTheirDataAndTransparentZonesExempt) {
  const std::string path = source_path("tests/data/lists/unbound-redirect-transparent.conf");
  const ParsedList list =
      load(ListFormat::Unbound, "tests/data/lists/unbound-redirect-transparent.conf");
  ASSERT_EQ(list.report.loaded, 6u);
  const auto entry = [&](std::string_view name) -> const ListEntry& {
    for (const ListEntry& e : list.entries) {
      if (e.text == name) return e;
    }
    ADD_FAILURE() << name;
    return list.entries.front();
  };
  const auto override_of = [&](std::string_view name) -> const PolicyOverride& {
    return list.overrides.at(entry(name).override_index - 1);
  };
  EXPECT_EQ(entry("0onlyfans.com").line, 6u);
  EXPECT_EQ(entry("0onlyfans.com").scope, Scope::Both);
  EXPECT_EQ(override_of("0onlyfans.com").dns, filters::DnsResponse::Sinkhole);
  EXPECT_EQ(override_of("0onlyfans.com").a.size(), 1u);
  EXPECT_TRUE(override_of("0onlyfans.com").aaaa.empty());
  EXPECT_EQ(override_of("0onlyfans.com").ttl, std::nullopt);  // the list's TTL
  EXPECT_EQ(override_of("0penai.website").aaaa.size(), 1u);
  EXPECT_EQ(override_of("0penai.website").ttl, 3600u);
  EXPECT_EQ(entry("1sttheworld.com").line, 12u);  // its data came first, at line 11
  EXPECT_EQ(override_of("1sttheworld.com").a[0][3], 10);
  EXPECT_EQ(override_of("www.01edc.com").action, filters::Action::Allow);
  EXPECT_EQ(override_of("cdn.0onlyfans.com").action, filters::Action::Allow);
  const std::string outside =
      "local-data outside a redirect zone's own name is not supported (use an rpz list for local "
      "answers)";
  EXPECT_EQ(list.report.all_notes(),
            (std::vector<std::string>{
                path + ":16: redirect zone without A or AAAA local-data for its own name "
                       "(2022factorysale.ru)",
                path + ":17: " + outside,  // the sixth skip made: no excerpt kept
                path + ":18: " + outside + " (3rdhillcu.com)",
                path + ":19: zone resolves normally and is below no blocking zone of this list "
                       "(transparent)",
                path + ":20: local-data-ptr (a reverse answer) is not supported (local-data-ptr: "
                       "\"192.0.2.10 1sttheworld.com\")",
                path + ":21: local-data of a type other than A or AAAA is not supported "
                       "(1sttheworld.com TXT \"scam\")"}));
}

// "*.d" and "d" both mean d and below in a wildcard list; name patterns are skipped.
TEST(WildcardFormat, StarDotMeansTheNameAndBelowAndPatternsAreSkipped) {
  const ParsedList real =
      load(ListFormat::Wildcard, "tests/data/lists/scams-light-wildcard-head.txt");
  EXPECT_EQ(real.report.loaded, 40u);
  EXPECT_EQ(real.report.skipped, 0u);
  EXPECT_EQ(real.report.warned, 0u);
  EXPECT_EQ(real.entries.front().text, "000414-coinbase.com");
  EXPECT_EQ(real.entries.front().line, 5u);
  for (const ListEntry& e : real.entries) EXPECT_EQ(e.scope, Scope::Both) << e.text;

  const ParsedList list = parse_text(ListFormat::Wildcard,
                                     "plain.example\n*.star.example  # comment\nads.*\n*sex*\n"
                                     "*.a?.example\ntwo names.example\n");
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[0].scope, Scope::Both);
  EXPECT_EQ(list.entries[1].text, "star.example");
  EXPECT_EQ(list.entries[1].scope, Scope::Both);
  EXPECT_EQ(list.report.skipped_by_reason.at(
                "a name pattern, not a domain wildcard (only a leading \"*.\"; use a regex list)"),
            3u);
  EXPECT_EQ(list.report.first_skips[3],
            "inline.txt:6: expected one name per line (two names.example)");
}

// The same wildcard list read as `domains` keeps the domains meaning (strictly below d) and warns
// at every "*.d" whose d the list does not name too, suggesting format: wildcard.
TEST(DomainsFormat, StarDotWithoutItsApexIsAWarningSuggestingWildcard) {
  const std::string path = source_path("tests/data/lists/scams-light-wildcard-head.txt");
  const ParsedList list =
      load(ListFormat::Domains, "tests/data/lists/scams-light-wildcard-head.txt");
  EXPECT_EQ(list.report.loaded, 40u);
  EXPECT_EQ(list.report.skipped, 0u);
  EXPECT_EQ(list.report.warned, 40u);
  for (const ListEntry& e : list.entries) EXPECT_EQ(e.scope, Scope::Below) << e.text;
  ASSERT_EQ(list.report.first_warnings.size(), ListReport::kMaxDetailed);
  EXPECT_EQ(list.report.first_warnings[0],
            path +
                ":5: warning: \"*.d\" covers the names below d, not d itself, in a domains "
                "list; for d and below (as dnscrypt-proxy and hagezi wildcard lists mean it) use "
                "format: wildcard (000414-coinbase.com)");
  // Listed with its apex: nothing passes silently, no warning.
  const ParsedList both = parse_text(ListFormat::Domains, "*.a.example\na.example\n*.b.example\n");
  EXPECT_EQ(both.report.warned, 1u);
  EXPECT_NE(both.report.first_warnings[0].find("inline.txt:3: warning:"), std::string::npos);
}

TEST(RegexFormat, LoadsTheRealAllowlist) {
  const ParsedList list = load(ListFormat::Regex, "conf/lists/allowlist-regex.txt");
  EXPECT_EQ(list.report.loaded, 1195u);
  EXPECT_EQ(list.entries[0].kind, EntryKind::Regex);
}

TEST(UrlsFormat, HostIsNormalisedAndPathKept) {
  const ParsedList list = load(ListFormat::Urls, "tests/data/lists/urls-sample.txt");
  ASSERT_EQ(list.entries.size(), 4u);
  EXPECT_EQ(list.entries[0].text, "0-bitcoin.com");
  EXPECT_EQ(list.entries[0].path, "/wallet/verify");
  EXPECT_EQ(list.entries[2].path, "/");
  EXPECT_EQ(list.entries[3].path, "/support/ticket?id=");
  EXPECT_EQ(list.report.skipped, 2u);
}

TEST(AnyFormat, CrlfMissingFinalNewlineNulAndHugeLines) {
  const std::string bytes =
      std::string("crlf.com\r\nnul\0byte.com\n", 23) + std::string(1 << 20, 'a') + "\nlast.com";
  for (ListFormat format : {ListFormat::Domains, ListFormat::Hosts, ListFormat::Adblock}) {
    const ParsedList list = parse_text(format, bytes);
    EXPECT_EQ(list.report.lines, 4u);
    if (format == ListFormat::Domains) {
      ASSERT_EQ(list.entries.size(), 2u);
      EXPECT_EQ(list.entries[0].text, "crlf.com");
      EXPECT_EQ(list.entries[1].text, "last.com");
      EXPECT_EQ(list.report.skipped_by_reason.at("line holds a NUL byte (binary data?)"), 1u);
      EXPECT_EQ(list.report.skipped_by_reason.at("line longer than 4096 bytes"), 1u);
    }
  }
}

// A UTF-8 byte-order mark before the first line of a real list (as Windows editors save them) is
// not part of that line: the first entry loads in every format, and a BOM later in a file is not
// stripped.
TEST(AnyFormat, AByteOrderMarkIsNotPartOfTheFirstLine) {
  const std::string bom = "\xEF\xBB\xBF";
  struct Case {
    ListFormat format;
    const char* file;
  };
  for (const Case& c : {Case{ListFormat::Hosts, "tests/data/lists/stevenblack-hosts-head.txt"},
                        Case{ListFormat::Adblock, "tests/data/lists/scams-light-adblock-head.txt"},
                        Case{ListFormat::Dnsmasq, "tests/data/lists/scams-light-dnsmasq-head.txt"},
                        Case{ListFormat::Unbound, "tests/data/lists/scams-light-unbound-head.txt"},
                        Case{ListFormat::Domains, "conf/lists/takedown-66k.txt"}}) {
    SCOPED_TRACE(c.file);
    const ParsedList plain = load(c.format, c.file);
    std::ifstream in(source_path(c.file), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const ParsedList marked = parse_text(c.format, bom + bytes);
    EXPECT_EQ(marked.report.loaded, plain.report.loaded);
    EXPECT_EQ(marked.report.skipped, plain.report.skipped);
    ASSERT_FALSE(marked.entries.empty());
    EXPECT_EQ(marked.entries.front().text, plain.entries.front().text);
    EXPECT_EQ(marked.entries.front().line, plain.entries.front().line);
  }
  // Only at the very start: a first line that is an entry loads, a later BOM stays in its line.
  const ParsedList first = parse_text(ListFormat::Hosts, bom + "0.0.0.0 first.example\n" + bom +
                                                             "0.0.0.0 second.example\n");
  ASSERT_EQ(first.entries.size(), 1u);
  EXPECT_EQ(first.entries[0].text, "first.example");
  EXPECT_EQ(first.report.skipped, 1u);
}

TEST(AnyFormat, RandomBinaryGarbageNeverCrashesAnyParser) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 200; ++round) {
    std::string bytes(static_cast<std::size_t>(rng() % 4096), '\0');
    for (char& c : bytes)
      c = static_cast<char>(rng() % 4 == 0 ? "\n.*|/^$@( );\"#"[rng() % 15] : rng());
#define TAKEDOWN_X(name, text) parse_text(ListFormat::name, bytes);
    TAKEDOWN_LIST_FORMATS(TAKEDOWN_X)
#undef TAKEDOWN_X
  }
}

// Every skip and warning is noted as (line, reason id) for --all-skips, in line order with the
// excerpts of the first few; past kMaxNoted notes only the counts go on, so memory stays bounded.
TEST(ListReport, NotesEverySkipAndWarningInLineOrderUpToABound) {
  ListReport report;
  report.path = "l.txt";
  report.skip(7, "late", "excerpt");
  report.warn(3, "odd");
  report.skip(5, "late");
  EXPECT_EQ(report.all_notes(), (std::vector<std::string>{"l.txt:3: warning: odd", "l.txt:5: late",
                                                          "l.txt:7: late (excerpt)"}));
  EXPECT_EQ(report.reasons.size(), 2u);  // "late" is stored once
  for (std::size_t i = report.notes.size(); i < ListReport::kMaxNoted + 3; ++i)
    report.skip(static_cast<std::uint32_t>(i + 10), "many");
  EXPECT_EQ(report.notes.size(), ListReport::kMaxNoted);
  EXPECT_EQ(report.unnoted, 3u);
  EXPECT_EQ(report.skipped_by_reason.at("many"), ListReport::kMaxNoted);
  EXPECT_EQ(report.skipped + report.warned, ListReport::kMaxNoted + 3);
  EXPECT_EQ(report.first_skips.size(), ListReport::kMaxDetailed);
}

TEST(AnyFormat, MissingFileIsAnErrorNamingIt) {
  auto parsed = load_list(ListFormat::Domains, "/nonexistent/list.txt", "gone");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(),
            "/nonexistent/list.txt: cannot open list 'gone': No such file or directory");
}

}  // namespace
}  // namespace takedown::control
