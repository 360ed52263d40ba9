// SnapshotBuilder: assembles the sections of a snapshot file from compiled rules.
//
// Call order: add policies and lists, begin_domains(n) with an upper bound on domain rules, then
// add_domain()/add_pattern() freely, then build(). Domain rules go straight into the
// open-addressing table; a name shared by several rules is stored once in the arena, and a repeat
// of the same name, scope and list is dropped as a duplicate (the first line wins). build() sizes
// the bloom filter on the distinct names and their below keys (BloomFilter::below_key(): one for
// each distinct proper suffix of two or more labels), compiles the Hyperscan databases and writes
// the file image with its checksum. Single-threaded; one builder per snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "control/compile/list_answer.hpp"
#include "control/compile/pattern_compiler.hpp"
#include "filters/common/result.hpp"
#include "filters/match/policy.hpp"
#include "filters/match/suffix_set.hpp"
#include "filters/snapshot/snapshot_format.hpp"

namespace takedown::control {

struct BuildStats {
  std::uint64_t domains = 0;     // distinct names
  std::uint64_t rules = 0;       // domain rules in the table
  std::uint64_t duplicates = 0;  // same name, scope and list seen again
  std::uint64_t regex_rules = 0;
  std::uint64_t url_rules = 0;
  std::uint64_t below_keys = 0;  // distinct parents of listed names, in the bloom filter too
  double bloom_expected_rate = 0;
  std::uint64_t bloom_bytes = 0;
};

// What add_domain() did: added the rule, dropped it as a duplicate, or found the 1 GiB name arena
// full (the rule is not added).
enum class DomainAdd : std::uint8_t { Added, Duplicate, Full };

class SnapshotBuilder {
 public:
  // Distinct policies a snapshot holds (a Rule names its policy in 16 bits).
  static constexpr std::size_t kMaxPolicies = 0xFFFF;

  explicit SnapshotBuilder(double bloom_false_positive_rate)
      : bloom_rate_(bloom_false_positive_rate) {}

  // Returns the policy's index, adding it once; nullopt when kMaxPolicies distinct ones are there.
  std::optional<std::uint16_t> add_policy(const filters::Policy& policy);
  // `answer` is how the list's blocks are answered (list_answer()).
  std::uint16_t add_list(std::string_view name, std::string_view source, std::string_view format,
                         std::uint16_t policy, bool exact, std::uint64_t entries,
                         std::uint64_t skipped, const ListAnswer& answer);

  void begin_domains(std::uint64_t max_rules);
  // `name` is normalised; `scope` is SuffixSlot::kApex, kBelow or both.
  DomainAdd add_domain(std::string_view name, std::uint32_t scope, filters::Rule rule);
  // Returns the pattern's index (its Hyperscan id within its kind).
  std::size_t add_regex(std::string expression, filters::Rule rule);
  std::size_t add_url(std::string_view host, std::string_view path_prefix, filters::Rule rule);

  // Compiles and serialises. Rules whose pattern did not compile are reported in `failures`
  // (index into the regex or url rules as added) and left out.
  Result<std::vector<std::uint8_t>> build(std::vector<PatternFailure>& regex_failures,
                                          std::vector<PatternFailure>& url_failures);

  const BuildStats& stats() const { return stats_; }
  const filters::Rule& regex_rule(std::size_t i) const { return regex_[i].rule; }
  const filters::Rule& url_rule(std::size_t i) const { return urls_[i].rule; }

 private:
  struct Pattern {
    std::string expression;
    filters::Rule rule;
    std::uint16_t prefix_length;
  };
  std::uint32_t add_string(std::string_view text);

  double bloom_rate_;
  std::vector<filters::Policy> policies_;
  std::unordered_map<std::string, std::uint16_t> policy_index_;  // a policy's bytes -> index
  std::vector<filters::snapshot_format::ListRecord> lists_;
  std::vector<filters::snapshot_format::AnswerRecord> answers_;
  std::string strings_;
  std::vector<filters::SuffixSlot> slots_;
  std::vector<std::uint8_t> arena_;
  std::vector<Pattern> regex_;
  std::vector<Pattern> urls_;
  BuildStats stats_;
};

}  // namespace takedown::control
