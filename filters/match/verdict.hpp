// Verdict: the matcher's answer for one name, with the rule that decided it.
//
// `rule` resolves through the snapshot to a list name and source file:line, so every decision can
// be explained. Trivially copyable, 12 bytes; the data plane keeps one per packet in a burst.
// `reserved` fills the padding byte so that a default Verdict is stored as whole words: with a
// hole there, gcc wrote the pass verdict byte by byte and the 8-byte reload of the returned
// value stalled on store forwarding (14% of cold-lookup samples in matcher_bench).
#pragma once

#include <cstdint>
#include <string_view>

#include "filters/common/enum_text.hpp"
#include "filters/match/policy.hpp"

namespace takedown::filters {

#define TAKEDOWN_DECISIONS(X) \
  X(Pass, "pass")             \
  X(Block, "block")           \
  X(Allow, "allow")           \
  X(Log, "log")               \
  X(Invalid, "invalid")

// How the deciding rule matched: the name itself, a parent domain, a regex, or a url rule.
#define TAKEDOWN_MATCH_KINDS(X) \
  X(None, "none")               \
  X(Exact, "exact")             \
  X(Suffix, "suffix")           \
  X(Regex, "regex")             \
  X(Url, "url")

TAKEDOWN_ENUM(Decision, TAKEDOWN_DECISIONS)
TAKEDOWN_ENUM(MatchKind, TAKEDOWN_MATCH_KINDS)

struct Verdict {
  Decision decision = Decision::Pass;
  MatchKind kind = MatchKind::None;
  std::uint8_t matched_label = 0;  // Exact/Suffix: index of the label where the listed name starts
  std::uint8_t reserved = 0;  // always 0; see above
  Rule rule{};
};
static_assert(sizeof(Verdict) == 12);

}  // namespace takedown::filters
