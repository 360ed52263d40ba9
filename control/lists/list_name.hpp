// list_name(): turns a name as written in a list into the matcher's normalised form.
//
// ASCII names go straight through filters::DomainName. A name with non-ASCII bytes must be valid
// UTF-8; libidn2 converts it to its A-label (xn--) form (IDNA 2008, non-transitional, with the
// transitional rules as a fallback as browsers do), or the reason it cannot is returned.
// Cold path (list loading); thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "filters/match/domain_name.hpp"

namespace takedown::control {

// On success stores the normalised name in `out` and returns true; otherwise stores the reason.
bool list_name(std::string_view raw, std::string& out, std::string& why);

// A name an operator typed (takedownctl check): ASCII goes straight to DomainName::assign();
// anything else (a U-label) through list_name() first. `scratch` holds the converted text.
filters::NameStatus normalise_typed_name(std::string_view input, filters::DomainName& out,
                                         std::string& scratch);

}  // namespace takedown::control
