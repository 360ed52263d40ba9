#include "filters/match/matcher.hpp"

#include <hs/hs_runtime.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <tuple>

#include "filters/common/enum_text.hpp"
#include "filters/match/name_hash.hpp"

namespace takedown::filters {
namespace fmt = snapshot_format;

TAKEDOWN_ENUM_DEFINE(Decision, TAKEDOWN_DECISIONS)
TAKEDOWN_ENUM_DEFINE(MatchKind, TAKEDOWN_MATCH_KINDS)

// One best-so-far candidate. `key` orders by specificity (smaller is more specific): the suffix
// level for domain rules, the inverted prefix length for url rules, 0 for regex rules.
namespace detail {
struct Ranked {
  bool found = false;
  std::uint8_t scope_rank = 0;  // 0 for `match: exact` rules, 1 otherwise
  std::uint8_t label = 0;
  std::uint32_t key = 0;
  Rule rule{};

  void consider(std::uint32_t k, std::uint8_t scope, std::uint8_t at_label, const Rule& r) {
    if (found &&
        std::tie(key, scope_rank, rule.list, rule.line) <= std::tie(k, scope, r.list, r.line))
      return;
    found = true;
    key = k;
    scope_rank = scope;
    label = at_label;
    rule = r;
  }
};

// A rule's class: its action, and whether its policy is important (which a log rule never is, the
// snapshot's verifier sees to it). Candidates are kept per class.
enum RuleClass : unsigned {
  kBlock = 0,  // = Action::Block
  kAllow = 1,  // = Action::Allow
  kLog = 2,    // = Action::Log
  kImportantBlock = 3,
  kImportantAllow = 4,
  kClasses = 5
};

static_assert(static_cast<unsigned>(Action::Block) == kBlock &&
              static_cast<unsigned>(Action::Allow) == kAllow &&
              static_cast<unsigned>(Action::Log) == kLog);

inline unsigned class_of(const Policy& p) {
  return static_cast<unsigned>(p.action) + (p.important != 0 ? 3u : 0u);
}

struct MatchCandidates {
  // Indexed by RuleClass.
  Ranked domain[kClasses];
  Ranked regex[kClasses];
  Ranked url[kClasses];
  const fmt::PatternRecord* patterns = nullptr;
  unsigned pattern_count = 0;
  const Policy* policies = nullptr;

  bool any_block_or_log() const {
    return domain[kBlock].found || domain[kImportantBlock].found || domain[kLog].found ||
           url[kBlock].found || url[kImportantBlock].found || url[kLog].found;
  }
  bool any_domain_allow() const { return domain[kAllow].found || domain[kImportantAllow].found; }
};
}  // namespace detail
using detail::class_of;
using detail::kAllow;
using detail::kBlock;
using detail::kImportantAllow;
using detail::kImportantBlock;
using detail::kLog;
using detail::Ranked;

namespace {
constexpr std::size_t kMaxUrlInput = 2048;

// The start of the label after the one at `offset`: from the label-start mask while it lasts
// (the first 64 bytes), then by scanning.
inline std::size_t next_offset(const DomainName& name, std::size_t offset, std::uint64_t& starts) {
  starts &= starts - 1;
  return starts != 0 ? static_cast<std::size_t>(__builtin_ctzll(starts)) : name.next_label(offset);
}

int on_pattern_match(unsigned int id, unsigned long long, unsigned long long, unsigned int,
                     void* context) {
  auto* found = static_cast<detail::MatchCandidates*>(context);
  if (id >= found->pattern_count) return 0;  // cannot happen with a verified snapshot
  const fmt::PatternRecord& p = found->patterns[id];
  const unsigned cls = class_of(found->policies[p.rule.policy]);
  if (p.kind == fmt::PatternKind::Url) {
    found->url[cls].consider(0xFFFFu - p.prefix_length, 0, 0, p.rule);
  } else {
    found->regex[cls].consider(0, 0, 0, p.rule);
  }
  return 0;
}
}  // namespace

Matcher::Matcher(const Snapshot& snapshot, std::size_t bloom_in_cache_bytes)
    : snapshot_(snapshot),
      bloom_(snapshot.bloom()),
      set_(snapshot.suffix_set()),
      policies_(snapshot.policies().data()) {
  const fmt::Meta& m = snapshot.meta();
  std::copy(std::begin(m.label_count_mask), std::end(m.label_count_mask), label_mask_);
  std::copy(std::begin(m.length_mask), std::end(m.length_mask), length_mask_);
  walk_all_levels_ = (m.flags & fmt::kHasDomainAllow) != 0;
  has_important_block_ = (m.flags & fmt::kHasImportantBlock) != 0;
  scan_regex_always_ = snapshot.regex_db() != nullptr && (m.flags & fmt::kHasPatternBlock) != 0;
  scan_regex_for_allow_ = snapshot.regex_db() != nullptr && (m.flags & fmt::kHasPatternAllow) != 0;
  has_urls_ = snapshot.url_db() != nullptr;
  bloom_in_cache_ =
      std::size_t{bloom_.params().blocks} * (BloomFilter::kBlockBits / 8) <= bloom_in_cache_bytes;
}

bool Matcher::eligible(std::size_t labels, std::size_t length) const {
  return (label_mask_[labels >> 6] >> (labels & 63) & 1) != 0 &&
         (length_mask_[length >> 6] >> (length & 63) & 1) != 0;
}

void Matcher::visit_level(std::uint64_t hash, std::string_view suffix, std::size_t level,
                          Candidates& found) const {
  const std::uint32_t wanted = level == 0 ? SuffixSlot::kApex : SuffixSlot::kBelow;
  set_.for_each_rule(hash, suffix, [&](const SuffixSlot& slot) {
    if ((slot.scope() & wanted) == 0) return;
    const std::uint8_t scope_rank = slot.scope() == SuffixSlot::kApex ? 0 : 1;
    found.domain[class_of(policies_[slot.rule.policy])].consider(
        static_cast<std::uint32_t>(level), scope_rank, static_cast<std::uint8_t>(level), slot.rule);
  });
}

// After a level of the staged walk (most specific first): an important allow wins outright. Without
// important blocks in the snapshot, so does a plain allow, and a block ends the walk unless some
// allow further up could still override it. With them, only an important block ends it (when no
// allow could override it): an important block further up outranks the plain allows and blocks
// found so far.
bool Matcher::walk_done(const Candidates& found) const {
  const Ranked* d = found.domain;
  if (d[kImportantAllow].found) return true;
  if (has_important_block_) return d[kImportantBlock].found && !walk_all_levels_;
  return d[kAllow].found || (d[kBlock].found && !walk_all_levels_);
}

template <typename Visit>
void Matcher::for_each_candidate_suffix(const DomainName& name, Visit&& visit) const {
  const std::size_t labels = name.label_count();
  const std::size_t length = name.length();
  std::uint64_t starts = name.label_start_mask();
  for (std::size_t level = 0, offset = 0; level < labels;
       ++level, offset = next_offset(name, offset, starts)) {
    if (!eligible(labels - level, length - offset)) continue;
    if (!visit(level, std::string_view(name.data() + offset, length - offset))) return;
  }
}

template <typename Visit>
void Matcher::for_each_bloom_hit(const DomainName& name, Visit&& visit) const {
  const std::size_t labels = name.label_count();
  const std::size_t length = name.length();
  // Label starts, last label first: from the mask while the name fits in it, else by a scan.
  // (Filling the offsets first to last with next_offset() for every name, as the staged walk
  // steps, and reading them backwards was measured x1.28 slower on the cold lookup.)
  std::uint8_t offsets[DomainName::kMaxLabels];
  std::uint64_t starts = 0;
  if (length <= 64) {
    starts = name.label_start_mask();
  } else {
    for (std::size_t level = 0, offset = 0; level < labels; ++level) {
      offsets[level] = static_cast<std::uint8_t>(offset);
      offset = name.next_label(offset);
    }
  }
  for (std::size_t level = labels; level-- > 0;) {
    std::size_t offset;
    if (length <= 64) {
      offset = static_cast<std::size_t>(63 - __builtin_clzll(starts));
      starts ^= std::uint64_t{1} << offset;
    } else {
      offset = offsets[level];
    }
    const std::size_t suffix_labels = labels - level;
    const std::string_view suffix(name.data() + offset, length - offset);
    const bool listed = eligible(suffix_labels, suffix.size());
    if (suffix_labels == 1 && !listed) continue;  // a top-level label: taken to have names below
    const std::uint64_t hash = name_hash(suffix);
    if (listed && bloom_.maybe_contains(hash) && !visit(level, suffix, hash)) return;
    if (suffix_labels >= 2 && !bloom_.maybe_contains(BloomFilter::below_key(hash))) return;
  }
}

void Matcher::walk_suffixes(const DomainName& name, Candidates& found) const {
  for_each_bloom_hit(name, [&](std::size_t level, std::string_view suffix, std::uint64_t hash) {
    visit_level(hash, suffix, level, found);
    return true;
  });
}

void Matcher::match_burst(std::span<const DomainName* const> names, std::span<Verdict> out,
                          MatchScratch& scratch) const {
  for (std::size_t start = 0; start < names.size(); start += kBurst) {
    match_small_burst(names.data() + start, out.data() + start,
                      std::min(kBurst, names.size() - start), scratch);
  }
}

void Matcher::match_small_burst(const DomainName* const* names, Verdict* out, std::size_t count,
                                MatchScratch& scratch) const {
  struct Probe {
    std::uint64_t hash;
    std::uint8_t name;
    std::uint8_t level;
    std::uint8_t offset;
  };
  Probe probes[kBurst * kMaxBurstLevels];
  bool scalar[kBurst] = {};
  std::size_t probe_count = 0;
  // Stage 1: a bloom filter small enough to stay in cache (66k names take ~110 KB with their
  // below keys, 1M ~1.6 MB) is tested as each name is walked, and only the hits are kept, with
  // their home slots prefetched: prefetching its blocks first only added a pass. For a larger one
  // every eligible suffix is hashed and its block prefetched here, and it is tested in stage 2,
  // once the burst's hashing has hidden the loads.
  const bool bloom_in_cache = bloom_in_cache_;
  const auto add_probe = [&](std::size_t i, std::size_t first, std::size_t level,
                             std::string_view suffix, std::uint64_t hash) {
    if (probe_count - first == kMaxBurstLevels) {
      scalar[i] = true;
      probe_count = first;
      return false;
    }
    probes[probe_count++] = {hash, static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(level),
                             static_cast<std::uint8_t>(suffix.data() - names[i]->data())};
    return true;
  };
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t first = probe_count;
    if (bloom_in_cache) {
      for_each_bloom_hit(*names[i],
                         [&](std::size_t level, std::string_view suffix, std::uint64_t hash) {
                           set_.prefetch(hash);
                           return add_probe(i, first, level, suffix, hash);
                         });
      continue;
    }
    for_each_candidate_suffix(*names[i], [&](std::size_t level, std::string_view suffix) {
      const std::uint64_t hash = name_hash(suffix);
      bloom_.prefetch(hash);
      return add_probe(i, first, level, suffix, hash);
    });
  }
  // Stage 2 (large filters): test the bloom filter; keep the hits and prefetch their home slots.
  std::size_t hits = probe_count;
  if (!bloom_in_cache) {
    hits = 0;
    for (std::size_t p = 0; p < probe_count; ++p) {
      if (!bloom_.maybe_contains(probes[p].hash)) continue;
      set_.prefetch(probes[p].hash);
      probes[hits++] = probes[p];
    }
  }
  // Stage 3: find each hit's name in the arena and prefetch it for the verifying compare.
  for (std::size_t p = 0; p < hits; ++p) set_.prefetch_name(probes[p].hash);
  // Stage 4: resolve the hits per name (the staged walk's most specific first, so it can stop
  // early; the in-cache walk's in the order it found them, every one resolved).
  // Candidates are built only for names that reach this stage: most names have no bloom hit,
  // and for them finish() has nothing to decide unless a regex scan runs on every name.
  union Slot {
    Slot() {}
    Candidates candidates;
  };
  Slot found[kBurst];
  bool live[kBurst] = {};
  bool done[kBurst] = {};
  const auto candidates = [&](std::size_t i) -> Candidates& {
    if (!live[i]) {
      new (&found[i].candidates) Candidates();
      live[i] = true;
    }
    return found[i].candidates;
  };
  for (std::size_t p = 0; p < hits; ++p) {
    const Probe& probe = probes[p];
    if (done[probe.name] || scalar[probe.name]) continue;
    const DomainName& name = *names[probe.name];
    Candidates& c = candidates(probe.name);
    visit_level(probe.hash, {name.data() + probe.offset, name.length() - probe.offset}, probe.level,
                c);
    // Only the staged walk gives the hits most specific first, which walk_done() assumes.
    if (!bloom_in_cache) done[probe.name] = walk_done(c);
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (scalar[i]) walk_suffixes(*names[i], candidates(i));
    if (live[i] || scan_regex_always_) {
      out[i] = finish(*names[i], nullptr, scratch, candidates(i));
    } else {
      out[i] = Verdict{};
    }
  }
}

void Matcher::scan_regex(const DomainName& name, MatchScratch& scratch, Candidates& found) const {
  const std::string_view text = name.view();
  hs_scan(snapshot_.regex_db(), text.data(), static_cast<unsigned>(text.size()), 0, scratch.get(),
          on_pattern_match, &found);
}

void Matcher::scan_urls(const DomainName& host, std::string_view path, MatchScratch& scratch,
                        Candidates& found) const {
  char input[kMaxUrlInput];
  const std::string_view name = host.view();
  std::memcpy(input, name.data(), name.size());
  const std::size_t path_bytes = std::min(path.size(), kMaxUrlInput - name.size());
  std::memcpy(input + name.size(), path.data(), path_bytes);
  hs_scan(snapshot_.url_db(), input, static_cast<unsigned>(name.size() + path_bytes), 0,
          scratch.get(), on_pattern_match, &found);
}

Verdict Matcher::decide(const DomainName& name, std::string_view* path,
                        MatchScratch& scratch) const {
  // Candidates are built at the first bloom hit, as in match_small_burst: most names have none,
  // and then only a pattern scan can still decide anything.
  union Lazy {
    Lazy() {}
    Candidates candidates;
  } lazy;
  bool live = false;
  for_each_bloom_hit(name, [&](std::size_t level, std::string_view suffix, std::uint64_t hash) {
    if (!live) {
      new (&lazy.candidates) Candidates();
      live = true;
    }
    visit_level(hash, suffix, level, lazy.candidates);
    return true;
  });
  if (!live) {
    if (!scan_regex_always_ && (path == nullptr || !has_urls_)) return Verdict{};
    new (&lazy.candidates) Candidates();
  }
  return finish(name, path, scratch, lazy.candidates);
}

Verdict Matcher::finish(const DomainName& name, std::string_view* path, MatchScratch& scratch,
                        Candidates& found) const {
  // The common case: no domain rule matched and no pattern database needs a scan.
  if (!found.any_block_or_log() && !found.any_domain_allow() && !scan_regex_always_ &&
      (path == nullptr || !has_urls_)) {
    return Verdict{};
  }
  found.patterns = snapshot_.patterns().data();
  found.pattern_count = static_cast<unsigned>(snapshot_.patterns().size());
  found.policies = policies_;
  // A domain allow settles it unless an important block outranks it (then only an important allow,
  // which a url or regex allow may be, still can). Important blocks are domain rules only: they
  // come from per-entry overrides, which url and regex lists do not have.
  const bool domain_allowed = found.domain[kImportantAllow].found ||
                              (found.domain[kAllow].found && !found.domain[kImportantBlock].found);
  if (!domain_allowed) {
    if (path != nullptr && has_urls_) scan_urls(name, *path, scratch, found);
    if (scan_regex_always_ || (scan_regex_for_allow_ && found.any_block_or_log())) {
      scan_regex(name, scratch, found);
    }
  }

  auto verdict_of = [](Decision d, const Ranked& r, MatchKind kind) {
    Verdict v;
    v.decision = d;
    v.kind = kind == MatchKind::Exact && r.label > 0 ? MatchKind::Suffix : kind;
    v.matched_label = r.label;
    v.rule = r.rule;
    return v;
  };
  // Precedence: important allow, important block, allow, block, log; within each, url before
  // domain before regex.
  const struct {
    Decision decision;
    unsigned cls;
  } order[] = {{Decision::Allow, kImportantAllow},
               {Decision::Block, kImportantBlock},
               {Decision::Allow, kAllow},
               {Decision::Block, kBlock},
               {Decision::Log, kLog}};
  for (const auto& step : order) {
    const unsigned c = step.cls;
    if (found.url[c].found) return verdict_of(step.decision, found.url[c], MatchKind::Url);
    if (found.domain[c].found) return verdict_of(step.decision, found.domain[c], MatchKind::Exact);
    if (found.regex[c].found) return verdict_of(step.decision, found.regex[c], MatchKind::Regex);
  }
  return Verdict{};
}

Verdict Matcher::match(const DomainName& name, MatchScratch& scratch) const {
  return decide(name, nullptr, scratch);
}

Verdict Matcher::match_http(const DomainName& host, std::string_view path,
                            MatchScratch& scratch) const {
  return decide(host, &path, scratch);
}

}  // namespace takedown::filters
