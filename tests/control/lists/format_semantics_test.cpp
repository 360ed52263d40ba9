// What each format's authors mean, through compiled snapshots: the verdicts a list written for
// dnsmasq, Unbound, BIND, an adblocker or dnscrypt-proxy gets from Takedown, on excerpts of real
// lists (tests/data/SOURCES.md says where each comes from).
#include <gtest/gtest.h>

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
  auto snapshot = compile_yaml(dir, one_list("dnsmasq", "tests/data/lists/dnsmasq-exemptions.conf"));
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
  EXPECT_EQ(judge.explain("2022factorysale.ru"), "block l:12");  // address=/d/# is a null answer
  EXPECT_EQ(judge.explain("247vesselcapsulehomes.com"), "pass");  // forwarded, skipped
}

}  // namespace
}  // namespace takedown::testing
