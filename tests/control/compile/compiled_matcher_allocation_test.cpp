// The hot path allocates nothing: global operator new is replaced by a counting one, and the
// lookups (scalar, burst, HTTP with url rules, with regex rules present) run under it.
#include <gtest/gtest.h>

#include "tests/support/compiled_snapshot.hpp"
#include "tests/support/counting_new.hpp"

namespace takedown::testing {
namespace {

TEST(MatcherAllocation, LookupsAllocateNothing) {
  TempDir dir;
  dir.write("block.txt", "example.com\nbad.org\n");
  dir.write("allow.txt", "ok.example.com\n");
  dir.write("block.re", "^ads[0-9]+\\.\n");
  dir.write("allow.re", "^good\\.bad\\.org$\n");
  dir.write("urls.txt", "http://evil.com/phish\n");
  auto snapshot = compile_yaml(dir, R"(lists:
  - {name: block, format: domains, path: block.txt}
  - {name: allow, format: domains, path: allow.txt, action: allow}
  - {name: regex, format: regex, path: block.re}
  - {name: allow-re, format: regex, path: allow.re, action: allow}
  - {name: urls, format: urls, path: urls.txt}
)");
  ASSERT_TRUE(snapshot);
  const filters::Matcher matcher(*snapshot);
  filters::MatchScratch scratch;
  ASSERT_TRUE(scratch.prepare(*snapshot));
  const char* texts[] = {"www.example.com",
                         "ok.example.com",
                         "ads7.x.net",
                         "good.bad.org",
                         "evil.com",
                         "plain.net",
                         "a.b.c.d.e.f.g.h.i.j.k.example.com"};
  std::vector<filters::DomainName> names(std::size(texts));
  std::vector<const filters::DomainName*> pointers;
  for (std::size_t i = 0; i < names.size(); ++i) {
    ASSERT_EQ(names[i].assign(texts[i]), filters::NameStatus::Ok);
    pointers.push_back(&names[i]);
  }
  std::vector<filters::Verdict> verdicts(names.size());
  std::size_t blocked = 0;

  g_allocations = 0;
  g_counting = true;
  for (int round = 0; round < 10'000; ++round) {
    for (const auto& name : names)
      blocked += matcher.match(name, scratch).decision == filters::Decision::Block;
    matcher.match_burst(pointers, verdicts, scratch);
    blocked +=
        matcher.match_http(names[4], "/phish/x", scratch).decision == filters::Decision::Block;
  }
  g_counting = false;

  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_EQ(blocked, 10'000u * 4);  // www.example.com, ads7, the deep name, and the url
}

}  // namespace
}  // namespace takedown::testing
