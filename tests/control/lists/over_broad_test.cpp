// Over-broad block entries: the Public Suffix List as Debian installs it, the warning an entry
// for a public suffix gets, and the fallback (single labels only) when the list is missing.
#include "control/lists/over_broad.hpp"

#include <gtest/gtest.h>

#include "control/lists/list_loader.hpp"
#include "tests/support/compiled_snapshot.hpp"

namespace takedown::control {
namespace {

using Kind = PublicSuffixes::Kind;
using testing::source_path;

constexpr const char* kExcerpt = "tests/data/lists/over-broad-adblock.txt";
const std::string kTopLevel = "over-broad: a top-level domain, every name under it is blocked";
const std::string kSuffix =
    "over-broad: a public suffix, every domain registered under it is blocked";

TEST(PublicSuffixes, DebiansListWithWildcardsExceptionsAndIdnRules) {
  const PublicSuffixes& psl = PublicSuffixes::system();
  ASSERT_TRUE(psl.loaded()) << "the publicsuffix package is a build dependency";
  EXPECT_EQ(&psl, &PublicSuffixes::system());  // read once
  EXPECT_EQ(psl.classify("com"), Kind::TopLevel);
  EXPECT_EQ(psl.classify("unlistedtld"), Kind::TopLevel);  // the implicit "*" rule
  EXPECT_EQ(psl.classify("co.uk"), Kind::Suffix);
  EXPECT_EQ(psl.classify("github.io"), Kind::Suffix);             // private section
  EXPECT_EQ(psl.classify("xn--55qx5d.cn"), Kind::Suffix);         // 公司.cn
  EXPECT_EQ(psl.classify("foo.kawasaki.jp"), Kind::Suffix);       // *.kawasaki.jp
  EXPECT_EQ(psl.classify("city.kawasaki.jp"), Kind::NotASuffix);  // !city.kawasaki.jp
  EXPECT_EQ(psl.classify("kawasaki.jp"), Kind::NotASuffix);
  EXPECT_EQ(psl.classify("example.co.uk"), Kind::NotASuffix);
  EXPECT_EQ(psl.classify("000414-coinbase.com"), Kind::NotASuffix);
}

TEST(OverBroad, BlockEntriesForPublicSuffixesWarnAndStillLoad) {
  const std::string path = source_path(kExcerpt);
  auto parsed = load_list(ListFormat::Adblock, path, "tlds");
  ASSERT_TRUE(parsed) << parsed.error();
  warn_over_broad(*parsed, true, false);
  EXPECT_EQ(parsed->report.loaded, 11u);
  EXPECT_EQ(parsed->entries.size(), 11u);
  EXPECT_EQ(parsed->report.all_notes(),
            (std::vector<std::string>{path + ":5: warning: " + kTopLevel + " (bid)",
                                      path + ":6: warning: " + kTopLevel + " (cfd)",
                                      path + ":7: warning: " + kTopLevel + " (click)",
                                      path + ":9: warning: " + kSuffix + " (co.uk)",
                                      path + ":10: warning: " + kSuffix + " (github.io)",
                                      path + ":11: warning: " + kSuffix,
                                      path + ":13: warning: " + kSuffix}));
  EXPECT_EQ(parsed->report.warned_by_reason.at(kSuffix), 4u);
}

TEST(OverBroad, ExactEntriesAndAllowOrLogListsBlockNothingBelow) {
  auto parsed = load_list(ListFormat::Adblock, source_path(kExcerpt), "tlds");
  ASSERT_TRUE(parsed);
  ParsedList exact = *parsed, allow = *parsed;
  warn_over_broad(exact, true, true);
  warn_over_broad(allow, false, false);
  EXPECT_EQ(exact.report.warned, 0u);
  EXPECT_EQ(allow.report.warned, 0u);
  ParsedList rpz;
  parse_list_bytes(ListFormat::Rpz, "com CNAME .\n*.org CNAME .\n*.net CNAME rpz-passthru.\n", rpz);
  warn_over_broad(rpz, true, false);
  EXPECT_EQ(rpz.report.warned, 1u);  // *.org; "com" is exact, *.net an exemption
}

TEST(OverBroad, WithoutTheListOnlySingleLabelsWarnAndTheReasonSaysSo) {
  const PublicSuffixes missing = PublicSuffixes::load("/nonexistent/public_suffix_list.dat");
  EXPECT_FALSE(missing.loaded());
  EXPECT_EQ(missing.classify("co.uk"), Kind::NotASuffix);
  auto parsed = load_list(ListFormat::Adblock, source_path(kExcerpt), "tlds");
  ASSERT_TRUE(parsed);
  warn_over_broad(*parsed, true, false, missing);
  EXPECT_EQ(parsed->report.warned, 3u);
  EXPECT_EQ(
      parsed->report.warned_by_reason.at(
          kTopLevel + " (no public suffix list at /nonexistent/public_suffix_list.dat: only single "
                      "labels are checked)"),
      3u);
}

// Through the compiler: the warnings are in the list's report and the entries block.
TEST(OverBroad, CompileReportsTheWarningsAndTheEntriesBlock) {
  testing::TempDir dir;
  auto config = schema::parse_config(
      "lists: [{name: tlds, format: adblock, path: " + source_path(kExcerpt) + "}]\n",
      dir.file("c.yaml"));
  ASSERT_TRUE(config) << config.error();
  auto compiled = compile_snapshot(*config);
  ASSERT_TRUE(compiled) << compiled.error();
  EXPECT_EQ(compiled->reports[0].warned, 7u);
  const auto summary = skip_summary(*compiled);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0], "list 'tlds': 7 warnings (the entries loaded), first: " +
                            source_path(kExcerpt) + ":5: warning: " + kTopLevel + " (bid)");
  auto snapshot = filters::Snapshot::load_bytes(compiled->snapshot, "t");
  ASSERT_TRUE(snapshot);
  testing::Judge judge(**snapshot);
  EXPECT_EQ(judge.explain("anything.bid"), "block tlds:5");
  EXPECT_EQ(judge.explain("nic.click"), "allow tlds:8");
}

}  // namespace
}  // namespace takedown::control
