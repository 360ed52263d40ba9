// explain_verdict(): `takedownctl check --explain`, a verdict taken apart for an operator.
//
// Prints the name as given and normalised, then each suffix the matcher can try, most specific
// first: whether the bloom filter passes it, the rules listed for exactly that name (list,
// file:line, action, whether the entry covers the name itself, names below it, or both) and
// whether each applies at this level; then the regex and url rule counts, and the verdict with
// the reason it won (an important allow beats all; an $important block beats the other allows;
// an allow beats any other block; the most specific block wins; log only decides when nothing
// blocks). Cold path; text for people, not for parsers (use --json for those).
#pragma once

#include <string>
#include <string_view>

#include "filters/match/matcher.hpp"

namespace takedown::control {

std::string explain_verdict(std::string_view input, const filters::Snapshot& snapshot,
                            const filters::Matcher& matcher, filters::MatchScratch& scratch);

}  // namespace takedown::control
