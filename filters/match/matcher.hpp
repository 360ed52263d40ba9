// Matcher: decides one name against a Snapshot, following DESIGN.md's precedence.
//
//   1. An important allow rule wins (a rule of an allow list of the config, an adblock
//      "@@...$important" exception), then an important block rule (adblock "$important"), which
//      outranks every other allow (adblock @@ and the other formats' exemptions) and block.
//   2. Otherwise any matching allow rule wins (domain, regex or url).
//   3. Otherwise the most specific block rule: a url rule (host equal, longest path prefix) before
//      the name itself, the name itself before a parent domain, a longer parent before a shorter
//      one, any domain rule before a regex. At equal specificity a `match: exact` rule comes first,
//      then the list that comes first in the config, then the lower line.
//   4. Otherwise a log rule, ranked the same way: shadow-mode lists never override enforcement.
// Within the important allows and the important blocks, rules rank as in 3.
//
// The suffix walk goes from the last label to the whole name, in place over the DomainName buffer.
// Each suffix is hashed once (XXH3); the bloom filter is tested for the suffix itself (skipped when
// no listed name has its length or label count) and for its below key, which the snapshot sets
// for every parent of a listed name. The walk stops at the first suffix of two or more labels with
// no below key: for most traffic that is the registrable domain, so "www.example.com" costs one
// hash, not two. Only bloom hits reach the exact set, and every hit is resolved (precedence does
// not depend on the order). Hyperscan runs only when the snapshot has regex or url rules, and an
// allow-only regex set is scanned only when some rule would otherwise block or log.
//
// Hot path: match() does not allocate, lock or throw; it is const and safe on any thread as long
// as each thread passes its own MatchScratch prepared for this snapshot.
#pragma once

#include <span>
#include <string_view>

#include "filters/match/domain_name.hpp"
#include "filters/match/match_scratch.hpp"
#include "filters/match/verdict.hpp"
#include "filters/snapshot/snapshot.hpp"

namespace takedown::filters {

namespace detail {
struct MatchCandidates;
}

class Matcher {
 public:
  // `bloom_in_cache_bytes`: the bound below, which tests lower to reach the other path.
  explicit Matcher(const Snapshot& snapshot,
                   std::size_t bloom_in_cache_bytes = kBloomInCacheBytes);

  // DNS query names and TLS SNI.
  Verdict match(const DomainName& name, MatchScratch& scratch) const;
  // HTTP requests: url rules apply too. `path` is the request path ("/a/b?c").
  Verdict match_http(const DomainName& host, std::string_view path, MatchScratch& scratch) const;
  // A burst of DNS/TLS names, with the same verdicts as match() one by one. Stages the work as
  // l3fwd does: walk every name, keeping its bloom hits (a bloom filter larger than
  // kBloomInCacheBytes instead has every eligible suffix hashed and its block prefetched, then
  // the filter tested for all, as the walk's stop would wait on each load), prefetch the table
  // slots of the hits, then resolve. The memory latency of one name hides behind the work on the
  // others. No allocation; any burst size.
  void match_burst(std::span<const DomainName* const> names, std::span<Verdict> out,
                   MatchScratch& scratch) const;

  static constexpr std::size_t kBurst = 32;
  static constexpr std::size_t kMaxBurstLevels =
      8;  // names with more bloom hits (eligible suffixes, for a large filter) take the scalar walk
  // A bloom filter up to this size is tested as each suffix is hashed, without a prefetch pass:
  // out-of-order execution overlaps its loads from L2 or L3. Measured in bursts of synthetic
  // names (matcher_bench, the walk that stops early against the staged one, 6 alternating
  // rounds): x0.967 at 1.5M names (a 2.4 MB filter), x0.962 at 2M (3.2 MB), then x1.186 at 2.5M
  // (4.0 MB), x1.146 at 3M, x1.088 at 5M and x1.253 at 10M (16 MB). On this machine (1 MB of L2,
  // 32 MB of L3) the crossover lies between 3.2 and 4.0 MB.
  static constexpr std::size_t kBloomInCacheBytes = 7 * 512 * 1024;

  const Snapshot& snapshot() const { return snapshot_; }
  // Whether match_burst() tests the bloom filter as it hashes (a filter of at most
  // kBloomInCacheBytes) or prefetches it first.
  bool bloom_in_cache() const { return bloom_in_cache_; }

 private:
  using Candidates = detail::MatchCandidates;
  void walk_suffixes(const DomainName& name, Candidates& found) const;
  bool eligible(std::size_t suffix_labels, std::size_t suffix_length) const;
  // Calls visit(level, suffix) for each suffix of `name` that some listed name could equal (by
  // label count and length), most specific first, until visit returns false. The staged walk
  // of a large bloom filter, which cannot stop early without waiting on its loads.
  template <typename Visit>
  void for_each_candidate_suffix(const DomainName& name, Visit&& visit) const;
  // Calls visit(level, suffix, hash) for each suffix of `name` that some listed name could equal
  // (by label count and length) and the bloom filter does not rule out, from the last label to
  // the whole name, until visit returns false. It stops at the first suffix of two or more labels
  // whose below key is not in the filter: no listed name is longer than it and ends with it. A
  // one-label suffix is taken to have names below it (nearly every top-level domain does).
  template <typename Visit>
  void for_each_bloom_hit(const DomainName& name, Visit&& visit) const;
  void visit_level(std::uint64_t hash, std::string_view suffix, std::size_t level,
                   Candidates& found) const;
  bool walk_done(const Candidates& found) const;
  void match_small_burst(const DomainName* const* names, Verdict* out, std::size_t count,
                         MatchScratch& scratch) const;
  Verdict finish(const DomainName& name, std::string_view* path, MatchScratch& scratch,
                 Candidates& found) const;
  void scan_regex(const DomainName& name, MatchScratch& scratch, Candidates& found) const;
  void scan_urls(const DomainName& host, std::string_view path, MatchScratch& scratch,
                 Candidates& found) const;
  Verdict decide(const DomainName& name, std::string_view* path, MatchScratch& scratch) const;

  const Snapshot& snapshot_;
  BloomFilter bloom_;
  SuffixSet set_;
  const Policy* policies_;
  std::uint64_t label_mask_[2];
  std::uint64_t length_mask_[4];
  bool walk_all_levels_;
  bool has_important_block_;
  bool scan_regex_always_;
  bool scan_regex_for_allow_;
  bool has_urls_;
  bool bloom_in_cache_;
};

}  // namespace takedown::filters
