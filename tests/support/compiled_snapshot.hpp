// Compiling a YAML config (with its list files) straight into a loaded Snapshot through the one
// compile path takedownctl uses, and judging names against it. For the tests of the build side
// and of the matching contract; tests/filters cannot use it (filters/ is tested without control/).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "control/compile/snapshot_compiler.hpp"
#include "control/schema/config.hpp"
#include "filters/match/matcher.hpp"
#include "filters/snapshot/snapshot.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::testing {

// Compiles `yaml` (written as config.yaml in `dir`) into a verified snapshot; fails the test on
// error.
inline std::unique_ptr<filters::Snapshot> compile_yaml(const TempDir& dir,
                                                       const std::string& yaml) {
  auto config = schema::parse_config(yaml, dir.file("config.yaml"));
  if (!config) {
    ADD_FAILURE() << config.error();
    return nullptr;
  }
  auto compiled = control::compile_snapshot(*config);
  if (!compiled) {
    ADD_FAILURE() << compiled.error();
    return nullptr;
  }
  auto snapshot = filters::Snapshot::load_bytes(compiled->snapshot, "test");
  if (!snapshot) {
    ADD_FAILURE() << snapshot.error();
    return nullptr;
  }
  return std::move(snapshot).value();
}

// Matches names against one snapshot, with its own scratch.
class Judge {
 public:
  explicit Judge(const filters::Snapshot& snapshot) : snapshot_(snapshot), matcher_(snapshot) {
    auto ok = scratch_.prepare(snapshot);
    EXPECT_TRUE(ok) << (ok ? "" : ok.error());
  }
  filters::Verdict operator()(std::string_view text, std::string_view path = {}) {
    filters::DomainName name;
    if (name.assign(text) != filters::NameStatus::Ok) {
      filters::Verdict v;
      v.decision = filters::Decision::Invalid;
      return v;
    }
    return path.empty() ? matcher_.match(name, scratch_)
                        : matcher_.match_http(name, path, scratch_);
  }
  // "block takedown:12", "pass", "allow allow:3": compact for assertions.
  std::string explain(std::string_view text, std::string_view path = {}) {
    const filters::Verdict v = (*this)(text, path);
    std::string out(to_string(v.decision));
    if (v.decision == filters::Decision::Pass || v.decision == filters::Decision::Invalid)
      return out;
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on " " + std::string.
    out += ' ';
    out += snapshot_.list_name(v.rule.list);
    out += ':';
    out += std::to_string(v.rule.line);
    return out;
  }
  const filters::Policy& policy(std::string_view text, std::string_view path = {}) {
    return snapshot_.policies()[(*this)(text, path).rule.policy];
  }

 private:
  const filters::Snapshot& snapshot_;
  filters::Matcher matcher_;
  filters::MatchScratch scratch_;
};

// The burst path (the data plane's) must give the scalar verdicts. Judges `texts` in one
// match_burst() call and one by one with match(); fails the test on the first 10 names that
// differ (decision, rule or matched label) and says how many did. Returns the burst's verdicts.
// `bloom_in_cache_bytes` below the filter's size takes the burst down the staged path.
inline std::vector<filters::Verdict> burst_agrees_with_scalar(
    const filters::Snapshot& snapshot, const std::vector<std::string>& texts,
    std::size_t bloom_in_cache_bytes = filters::Matcher::kBloomInCacheBytes) {
  const filters::Matcher matcher(snapshot, bloom_in_cache_bytes);
  filters::MatchScratch scratch;
  if (auto ok = scratch.prepare(snapshot); !ok) {
    ADD_FAILURE() << ok.error();
    return {};
  }
  std::vector<filters::DomainName> names(texts.size());
  std::vector<const filters::DomainName*> pointers;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(names[i].assign(texts[i]), filters::NameStatus::Ok) << texts[i];
    pointers.push_back(&names[i]);
  }
  std::vector<filters::Verdict> burst(names.size());
  matcher.match_burst(pointers, burst, scratch);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const filters::Verdict one = matcher.match(names[i], scratch);
    const bool same = one.decision == burst[i].decision && one.kind == burst[i].kind &&
                      one.rule.list == burst[i].rule.list && one.rule.line == burst[i].rule.line &&
                      one.matched_label == burst[i].matched_label;
    if (!same && ++differ <= 10) ADD_FAILURE() << texts[i] << ": the burst's verdict differs";
  }
  EXPECT_EQ(differ, 0u) << "of " << texts.size() << " names";
  return burst;
}

}  // namespace takedown::testing
