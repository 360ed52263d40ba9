// Precedence as the README's "Matching semantics" states it, through real compiled snapshots.
#include <gtest/gtest.h>

#include "filters/match/matcher.hpp"
#include "tests/support/compiled_snapshot.hpp"

namespace takedown::testing {
namespace {

using filters::DnsResponse;
using filters::MatchKind;

TEST(Matcher, DomainEntryMatchesItselfAndEverythingBelowButNothingElse) {
  TempDir dir;
  dir.write("block.txt", "# comment\nexample.com\nbad.org\n");
  auto snapshot = compile_yaml(dir, "lists: [{name: block, format: domains, path: block.txt}]");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("example.com"), "block block:2");
  EXPECT_EQ(judge.explain("WWW.Example.com."), "block block:2");
  EXPECT_EQ(judge.explain("a.b.c.example.com"), "block block:2");
  EXPECT_EQ(judge.explain("notexample.com"), "pass");
  EXPECT_EQ(judge.explain("example.com.evil.net"), "pass");
  EXPECT_EQ(judge.explain("com"), "pass");
  EXPECT_EQ(judge("example.com").kind, MatchKind::Exact);
  EXPECT_EQ(judge("www.example.com").kind, MatchKind::Suffix);
  EXPECT_EQ(judge.explain("bad..org"), "invalid");
}

TEST(Matcher, ExactListMatchesTheNameAlone) {
  TempDir dir;
  dir.write("exact.txt", "example.com\n");
  auto snapshot =
      compile_yaml(dir, "lists: [{name: exact, format: domains, path: exact.txt, match: exact}]");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("example.com"), "block exact:1");
  EXPECT_EQ(judge.explain("www.example.com"), "pass");
}

TEST(Matcher, AnyAllowWinsEvenAgainstAMoreSpecificBlock) {
  TempDir dir;
  dir.write("block.txt", "example.com\nbad.good.org\n");
  dir.write("allow.txt", "safe.example.com\ngood.org\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: block, format: domains, path: block.txt}
  - {name: allow, format: domains, path: allow.txt, action: allow}
)");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("www.example.com"), "block block:1");
  EXPECT_EQ(judge.explain("safe.example.com"), "allow allow:1");
  EXPECT_EQ(judge.explain("x.safe.example.com"), "allow allow:1");
  EXPECT_EQ(judge.explain("bad.good.org"),
            "allow allow:2");  // allow on a shorter suffix still wins
  EXPECT_EQ(judge.explain("unlisted.net"), "pass");
}

TEST(Matcher, MostSpecificBlockWinsThenListOrderThenExactBeforeSubdomains) {
  TempDir dir;
  dir.write("wide.txt", "example.com\ntie.net\nexact.org\n");
  dir.write("narrow.txt", "bad.example.com\ntie.net\n");
  dir.write("exact.txt", "exact.org\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: wide, format: domains, path: wide.txt, response: {dns: sinkhole, a: [192.0.2.1]}}
  - {name: narrow, format: domains, path: narrow.txt, response: {dns: refused}}
  - {name: exact, format: domains, path: exact.txt, match: exact}
)");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("www.bad.example.com"), "block narrow:1");
  EXPECT_EQ(judge.policy("www.bad.example.com").dns, DnsResponse::Refused);
  EXPECT_EQ(judge.explain("www.example.com"), "block wide:1");
  EXPECT_EQ(judge.policy("www.example.com").dns, DnsResponse::Sinkhole);
  EXPECT_EQ(judge.policy("www.example.com").a_count, 1);
  EXPECT_EQ(judge.policy("www.example.com").a[0][0], 192);
  EXPECT_EQ(judge.explain("tie.net"), "block wide:2");     // same specificity: first list wins
  EXPECT_EQ(judge.explain("exact.org"), "block exact:1");  // exact rule before a subdomains rule
  EXPECT_EQ(judge.explain("www.exact.org"), "block wide:3");
}

TEST(Matcher, RegexRulesRankBelowDomainRulesAndRegexAllowsWin) {
  TempDir dir;
  dir.write("block.txt", "tracker.com\nads1.shop.com\n");
  dir.write("block.re", "^ads[0-9]+\\.\n\\.evil$\n");
  dir.write("allow.re", "^good\\.tracker\\.com$\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: regex, format: regex, path: block.re}
  - {name: block, format: domains, path: block.txt}
  - {name: allow, format: regex, path: allow.re, action: allow}
)");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("ads12.example.com"), "block regex:1");
  EXPECT_EQ(judge("ADS12.example.com").kind, MatchKind::Regex);
  EXPECT_EQ(judge.explain("x.evil"), "block regex:2");
  EXPECT_EQ(judge.explain("ads1.shop.com"),
            "block block:2");  // a domain rule outranks an earlier regex list
  EXPECT_EQ(judge.explain("good.tracker.com"), "allow allow:1");
  EXPECT_EQ(judge.explain("bad.tracker.com"), "block block:1");
  EXPECT_EQ(judge.explain("ads.example.com"), "pass");
}

TEST(Matcher, AllowOnlyRegexIsConsultedWhenSomethingWouldBlock) {
  TempDir dir;
  dir.write("block.txt", "google.com.evil.net\n");
  dir.write("allow.re", "\\.google\\.com$\n^google\\.\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: block, format: domains, path: block.txt}
  - {name: allow, format: regex, path: allow.re, action: allow}
)");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("google.com.evil.net"), "allow allow:2");
  EXPECT_EQ(judge.explain("mail.google.com"), "pass");  // allowed and unblocked alike pass
}

TEST(Matcher, LogListsNeverOverrideEnforcement) {
  TempDir dir;
  dir.write("block.txt", "example.com\n");
  dir.write("shadow.txt", "www.example.com\nnew.org\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: shadow, format: domains, path: shadow.txt, action: log}
  - {name: block, format: domains, path: block.txt}
)");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("www.example.com"), "block block:1");
  EXPECT_EQ(judge.explain("a.new.org"), "log shadow:2");
}

TEST(Matcher, UrlRulesApplyToHttpOnlyWithHostEqualAndPathPrefix) {
  TempDir dir;
  dir.write("urls.txt",
            "http://evil.com/phish\nhttps://Shop.Example:8443/pay?x=1#frag\nhttp://all.net\n");
  dir.write("block.txt", "evil.com\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: urls, format: urls, path: urls.txt}
  - {name: allow-evil, format: domains, path: block.txt, action: log}
)");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("evil.com", "/phish/login.php"), "block urls:1");
  EXPECT_EQ(judge("evil.com", "/phish").kind, MatchKind::Url);
  EXPECT_EQ(judge.explain("evil.com", "/Phish"), "log allow-evil:1");  // paths are case-sensitive
  EXPECT_EQ(judge.explain("evil.com"), "log allow-evil:1");  // DNS/TLS: url rules do not apply
  EXPECT_EQ(judge.explain("www.evil.com", "/phish"), "log allow-evil:1");  // host must be equal
  EXPECT_EQ(judge.explain("shop.example", "/pay?x=1&y=2"), "block urls:2");
  EXPECT_EQ(judge.explain("all.net", "/anything"), "block urls:3");
  EXPECT_EQ(judge.explain("all.network", "/anything"), "pass");
}

TEST(Matcher, RpzOwnersFollowBindSemantics) {
  TempDir dir;
  dir.write("policy.rpz", R"($TTL 300
@ SOA localhost. root.localhost. 1 3600 600 86400 300
  NS localhost.
exact.com CNAME .
*.wild.com CNAME .
both.com CNAME *.
*.both.com CNAME *.
drop.net CNAME rpz-drop.
ok.exact.com CNAME rpz-passthru.
sink.org A 192.0.2.7
sink.org AAAA 2001:db8::7
)");
  auto snapshot = compile_yaml(dir, "lists: [{name: rpz, format: rpz, path: policy.rpz}]");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("exact.com"), "block rpz:4");
  EXPECT_EQ(judge.explain("www.exact.com"), "pass");
  EXPECT_EQ(judge.explain("wild.com"), "pass");
  EXPECT_EQ(judge.explain("a.wild.com"), "block rpz:5");
  EXPECT_EQ(judge.policy("both.com").dns, DnsResponse::Nodata);
  EXPECT_EQ(judge.explain("x.both.com"), "block rpz:7");
  EXPECT_EQ(judge.policy("drop.net").dns, DnsResponse::Drop);
  EXPECT_EQ(judge.explain("ok.exact.com"), "allow rpz:9");
  const filters::Policy& sink = judge.policy("sink.org");
  EXPECT_EQ(sink.dns, DnsResponse::Sinkhole);
  ASSERT_EQ(sink.a_count, 1);
  ASSERT_EQ(sink.aaaa_count, 1);
  EXPECT_EQ(sink.a[0][3], 7);
  EXPECT_EQ(sink.aaaa[0][15], 7);
  EXPECT_EQ(sink.ttl, 300u);
}

}  // namespace
}  // namespace takedown::testing

namespace takedown::testing {
namespace {

// Bursts give the scalar verdicts, including names with more eligible suffixes than a burst
// stages (they fall back to the scalar walk) and bursts longer than kBurst.
TEST(Matcher, BurstAgreesWithScalarForDeepNamesAndLongBursts) {
  TempDir dir;
  std::string list;
  std::string deep = "com";
  for (int i = 0; i < 14; ++i) {
    deep.insert(0, std::string("l").append(std::to_string(i)).append("."));
    list += deep + "\n";  // a listed name at every depth, so every suffix is eligible
  }
  dir.write("deep.txt", list);
  dir.write("allow.txt", "l9.l8.l7.l6.l5.l4.l3.l2.l1.l0.com\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: deep, format: domains, path: deep.txt, match: exact}
  - {name: allow, format: domains, path: allow.txt, action: allow}
)");
  ASSERT_TRUE(snapshot);
  EXPECT_TRUE(filters::Matcher(*snapshot).bloom_in_cache());
  std::vector<std::string> texts = {"x." + deep,
                                    deep,
                                    "l3.l2.l1.l0.com",
                                    "x.l3.l2.l1.l0.com",
                                    "a.l9.l8.l7.l6.l5.l4.l3.l2.l1.l0.com",
                                    "nothing.org"};
  while (texts.size() < 77) texts.push_back(texts[texts.size() % 6]);
  burst_agrees_with_scalar(*snapshot, texts);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain(deep), "allow allow:1");  // below the allowed l9...l0.com
  EXPECT_EQ(judge.explain("l8.l7.l6.l5.l4.l3.l2.l1.l0.com"), "block deep:9");
  EXPECT_EQ(judge.explain("x.l8.l7.l6.l5.l4.l3.l2.l1.l0.com"), "pass");  // exact entries only
  EXPECT_EQ(judge.explain("l3.l2.l1.l0.com"), "block deep:4");
  EXPECT_EQ(judge.explain("a.l9.l8.l7.l6.l5.l4.l3.l2.l1.l0.com"), "allow allow:1");
}

// The walk goes from the last label down and stops at the first parent with nothing listed below
// it (its below key is not in the bloom filter), so a name listed only deep down must still be
// reached through parents that are not listed themselves, in names of over 64 bytes too (whose
// labels are found by a scan rather than the label-start mask).
TEST(Matcher, NamesListedOnlyDeepAreReachedThroughTheirUnlistedParents) {
  TempDir dir;
  const std::string long_name =
      "a-label-of-thirty-one-bytes-xxx.another-label-of-thirty-two-bytes.sub.example.info";
  ASSERT_GT(long_name.size(), 64u);
  dir.write("block.txt", "deep.sub.example.com\na.b.c.d.example.org\n" + long_name + "\n");
  dir.write("exact.txt", "x.y.example.net\n");
  dir.write("allow.txt", "ok.deep.sub.example.com\n");
  const std::string yaml = R"(lists:
  - {name: block, format: domains, path: block.txt}
  - {name: exact, format: domains, path: exact.txt, match: exact}
  - {name: allow, format: domains, path: allow.txt, action: allow}
)";
  auto config = schema::parse_config(yaml, dir.file("config.yaml"));
  ASSERT_TRUE(config) << config.error();
  auto compiled = control::compile_snapshot(*config);
  ASSERT_TRUE(compiled) << compiled.error();
  // sub.example.com, example.com; b.c.d.example.org, c.d.example.org, d.example.org,
  // example.org; the long name's 3 parents; y.example.net, example.net; deep.sub.example.com.
  EXPECT_EQ(compiled->stats.below_keys, 12u);
  auto snapshot = compile_yaml(dir, yaml);
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  EXPECT_EQ(judge.explain("deep.sub.example.com"), "block block:1");
  EXPECT_EQ(judge.explain("www.deep.sub.example.com"), "block block:1");
  EXPECT_EQ(judge.explain("sub.example.com"), "pass");
  EXPECT_EQ(judge.explain("other.sub.example.com"), "pass");
  EXPECT_EQ(judge.explain("example.com"), "pass");
  EXPECT_EQ(judge.explain("z.y.a.b.c.d.example.org"), "block block:2");
  EXPECT_EQ(judge.explain("b.c.d.example.org"), "pass");
  EXPECT_EQ(judge.explain(long_name), "block block:3");
  EXPECT_EQ(judge.explain("www." + long_name), "block block:3");
  EXPECT_EQ(judge.explain("another-label-of-thirty-two-bytes.sub.example.info"), "pass");
  EXPECT_EQ(judge.explain("x.y.example.net"), "block exact:1");
  EXPECT_EQ(judge.explain("w.x.y.example.net"), "pass");  // exact: the name alone
  EXPECT_EQ(judge.explain("ok.deep.sub.example.com"), "allow allow:1");
  EXPECT_EQ(judge.explain("www.ok.deep.sub.example.com"), "allow allow:1");
  std::vector<std::string> texts = {"deep.sub.example.com",
                                    "www.deep.sub.example.com",
                                    "sub.example.com",
                                    "z.y.a.b.c.d.example.org",
                                    long_name,
                                    "www." + long_name,
                                    "x.y.example.net",
                                    "w.x.y.example.net",
                                    "www.ok.deep.sub.example.com",
                                    "example.org"};
  while (texts.size() < 45) texts.push_back(texts[texts.size() % 10]);
  burst_agrees_with_scalar(*snapshot, texts);
}

// Above kBloomInCacheBytes the burst prefetches the bloom blocks and tests them in a pass of
// their own: the same verdicts again, with blocks, allows, subdomains and misses mixed. The
// matcher's bound is set just under this filter's size (a list over the real bound would take
// millions of names), and the default false positive rate gives that path false hits to resolve.
TEST(Matcher, BurstAgreesWithScalarWithABloomFilterOutOfCache) {
  TempDir dir;
  // Appends only: gcc 12 warns falsely (-Wrestrict) on "literal" + std::string temporaries.
  const auto domain = [](const char* label, int i) {
    return std::string(label)
        .append(std::to_string(i))
        .append(".zone")
        .append(std::to_string(i % 977))
        .append(".test");
  };
  std::string list, allow;
  std::vector<std::string> texts;
  for (int i = 0; i < 300'000; ++i) {
    const std::string name = domain("n", i);
    list.append(name).append("\n");
    if (i % 5000 == 0) {
      allow.append("ok.").append(name).append("\n");
      texts.push_back(std::string("www.ok.").append(name));
    }
    if (i % 37 == 0) texts.push_back(i % 2 ? name : std::string("sub.").append(name));
    if (i % 41 == 0) texts.push_back(domain("m", i));  // not listed
  }
  dir.write("big.txt", list);
  dir.write("allow.txt", allow);
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: big, format: domains, path: big.txt}
  - {name: allow, format: domains, path: allow.txt, action: allow}
)");
  ASSERT_TRUE(snapshot);
  const std::size_t bloom_bytes =
      std::size_t{snapshot->bloom().params().blocks} * (filters::BloomFilter::kBlockBits / 8);
  EXPECT_TRUE(filters::Matcher(*snapshot).bloom_in_cache());  // 300k names: under the bound
  EXPECT_TRUE(filters::Matcher(*snapshot, bloom_bytes).bloom_in_cache());
  ASSERT_FALSE(filters::Matcher(*snapshot, bloom_bytes - 1).bloom_in_cache());
  std::size_t blocked = 0, allowed = 0;
  for (const filters::Verdict& v : burst_agrees_with_scalar(*snapshot, texts, bloom_bytes - 1)) {
    blocked += v.decision == filters::Decision::Block;
    allowed += v.decision == filters::Decision::Allow;
  }
  EXPECT_GT(blocked, 1000u);  // the mix has all three outcomes
  EXPECT_GT(allowed, 10u);
  EXPECT_LT(blocked + allowed, texts.size());
}

}  // namespace
}  // namespace takedown::testing
