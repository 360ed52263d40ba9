// warn_over_broad(): a warning for every block-list entry that covers a whole public suffix.
//
// "com" or "co.uk" on a block list blocks every domain registered under it: a list's mistake far
// more often than its intent (a list of spam TLDs means it, and still gets told). The entry still
// loads; the warning names its file:line. Only entries that block names below them count: an
// exact entry, an exemption, or an entry of an allow or log list blocks nothing below it.
#pragma once

#include "control/lists/parsed_list.hpp"
#include "control/lists/public_suffixes.hpp"

namespace takedown::control {

// `blocks`: the list's action is block; `exact`: the list is `match: exact`.
void warn_over_broad(ParsedList& list, bool blocks, bool exact,
                     const PublicSuffixes& suffixes = PublicSuffixes::system());

}  // namespace takedown::control
