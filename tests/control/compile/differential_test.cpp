// Differential test: the compiled matcher against an independent naive reference on 500,000+
// realistic names (the 66k takedown list, the real regex allowlist, benign top-50k names with
// subdomain prefixes, blocked names with prefixes). The reference is a std::set suffix walk plus
// POSIX regexec, written from the README's precedence rules alone. They must agree 100%.
#include <gtest/gtest.h>
#include <regex.h>

#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/support/compiled_snapshot.hpp"

namespace takedown::testing {
namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class NaiveReference {
 public:
  NaiveReference(const std::vector<std::string>& blocked,
                 const std::vector<std::string>& allow_regex) {
    for (std::size_t i = 0; i < blocked.size(); ++i) blocked_.emplace(blocked[i], i + 1);
    for (std::size_t i = 0; i < allow_regex.size(); ++i) {
      regex_t re;
      EXPECT_EQ(regcomp(&re, allow_regex[i].c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB), 0)
          << allow_regex[i];
      allow_.push_back(re);
    }
  }
  ~NaiveReference() {
    for (auto& re : allow_) regfree(&re);
  }

  // "block takedown:LINE", "allow allow:LINE" or "pass", for a lowercase name.
  std::string judge(const std::string& name) const {
    // Most specific block: the longest listed suffix of the name (the name itself first).
    std::string suffix = name;
    std::size_t block_line = 0;
    for (;;) {
      auto it = blocked_.find(suffix);
      if (it != blocked_.end()) {
        block_line = it->second;
        break;
      }
      const std::size_t dot = suffix.find('.');
      if (dot == std::string::npos) break;
      suffix = suffix.substr(dot + 1);
    }
    if (block_line == 0) return "pass";
    for (std::size_t i = 0; i < allow_.size(); ++i) {
      if (regexec(&allow_[i], name.c_str(), 0, nullptr, 0) == 0)
        return "allow allow:" + std::to_string(i + 1);
    }
    return "block takedown:" + std::to_string(block_line);
  }

 private:
  std::map<std::string, std::size_t> blocked_;
  std::vector<regex_t> allow_;
};

TEST(Differential, CompiledMatcherAgreesWithNaiveReferenceOnHalfAMillionNames) {
  const auto blocked = read_lines(source_path("conf/lists/takedown-66k.txt"));
  const auto allow = read_lines(source_path("conf/lists/allowlist-regex.txt"));
  const auto benign = read_lines(source_path("tests/data/top-50k.txt"));
  ASSERT_EQ(blocked.size(), 66000u);
  ASSERT_EQ(allow.size(), 1195u);
  ASSERT_GT(benign.size(), 50000u);

  TempDir dir;
  auto snapshot = compile_yaml(dir,
                               "lists:\n"
                               "  - {name: takedown, format: domains, path: " +
                                   source_path("conf/lists/takedown-66k.txt") +
                                   "}\n"
                                   "  - {name: allow, format: regex, action: allow, path: " +
                                   source_path("conf/lists/allowlist-regex.txt") + "}\n");
  ASSERT_TRUE(snapshot);
  Judge judge(*snapshot);
  const NaiveReference reference(blocked, allow);

  static const char* kPrefixes[] = {
      "www.",    "api.",  "cdn-12.", "mail.",           "m.",      "login.secure.",
      "static.", "img3.", "a.b.c.",  "xn--80ak6aa92e.", "_dmarc.", "portal-7."};
  std::mt19937_64 rng(20251125);
  auto prefixed = [&](const std::string& base) {
    const auto pick = rng() % 4;
    if (pick == 0) return base;
    std::string out = kPrefixes[rng() % std::size(kPrefixes)];
    if (pick == 3)
      out +=
          std::string(1, static_cast<char>('a' + rng() % 26)) + std::to_string(rng() % 1000) + ".";
    return out + base;
  };

  std::vector<std::string> names;
  names.reserve(blocked.size() + 150'000 + benign.size() + 250'000 + 60'000);
  for (const auto& b : blocked) names.push_back(b);  // every listed name itself
  for (int i = 0; i < 150'000; ++i) names.push_back(prefixed(blocked[rng() % blocked.size()]));
  for (const auto& b : benign) names.push_back(b);
  for (int i = 0; i < 250'000; ++i) names.push_back(prefixed(benign[rng() % benign.size()]));
  // Near misses: a listed name as a label inside another domain, and its parent domain.
  for (int i = 0; i < 20'000; ++i) {
    const std::string& b = blocked[rng() % blocked.size()];
    names.push_back(b + ".example.net");
    names.push_back("x" + b);
    names.push_back(b.substr(b.find('.') + 1));
  }
  ASSERT_GE(names.size(), 500'000u);

  std::size_t agree = 0, blocks = 0, allows = 0;
  std::vector<std::string> first_disagreements;
  for (const auto& name : names) {
    const std::string expected = reference.judge(name);
    const std::string actual = judge.explain(name);
    if (expected == actual) {
      ++agree;
      blocks += expected.starts_with("block");
      allows += expected.starts_with("allow");
    } else if (first_disagreements.size() < 10) {
      first_disagreements.push_back(std::string(name)
                                        .append(": reference '")
                                        .append(expected)
                                        .append("', matcher '")
                                        .append(actual)
                                        .append("'"));
    }
  }
  // The burst path (the data plane's) gives the very same verdicts as the scalar walk.
  burst_agrees_with_scalar(*snapshot, names);

  RecordProperty("names", static_cast<int>(names.size()));
  RecordProperty("blocked", static_cast<int>(blocks));
  RecordProperty("allowed", static_cast<int>(allows));
  std::printf("differential: %zu names, %zu agree (%zu block, %zu allow)\n", names.size(), agree,
              blocks, allows);
  EXPECT_EQ(agree, names.size());
  for (const auto& d : first_disagreements) ADD_FAILURE() << d;
  EXPECT_GT(blocks, 200'000u);  // the mix really exercises both sides
  EXPECT_GT(allows, 0u);
}

}  // namespace
}  // namespace takedown::testing
