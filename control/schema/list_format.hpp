// ListFormat: the list formats a config may name. Only the names live here, where the config
// schema needs them; the parsers behind them are the build side's (control/lists). Plain values.
#pragma once

#include "filters/common/enum_text.hpp"

namespace takedown::schema {

#define TAKEDOWN_LIST_FORMATS(X) \
  X(Domains, "domains")          \
  X(Hosts, "hosts")              \
  X(Adblock, "adblock")          \
  X(Dnsmasq, "dnsmasq")          \
  X(Unbound, "unbound")          \
  X(Rpz, "rpz")                  \
  X(Regex, "regex")              \
  X(Urls, "urls")                \
  X(Wildcard, "wildcard")

TAKEDOWN_ENUM(ListFormat, TAKEDOWN_LIST_FORMATS)

}  // namespace takedown::schema
