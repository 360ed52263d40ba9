#include "filters/match/policy.hpp"

namespace takedown::filters {

#define TAKEDOWN_DEFINE_ENUM_TEXT(Enum, LIST)    \
  std::string_view to_string(Enum value) {       \
    switch (value) { LIST(TAKEDOWN_CASE) }       \
    return "unknown";                            \
  }                                              \
  bool parse(std::string_view text, Enum& out) { \
    LIST(TAKEDOWN_PARSE)                         \
    return false;                                \
  }

#define TAKEDOWN_CASE(name, text) \
  case decltype(value)::name:     \
    return text;
#define TAKEDOWN_PARSE(name, str)                       \
  if (text == str) {                                    \
    out = std::remove_reference_t<decltype(out)>::name; \
    return true;                                        \
  }

TAKEDOWN_DEFINE_ENUM_TEXT(Action, TAKEDOWN_ACTIONS)
TAKEDOWN_DEFINE_ENUM_TEXT(DnsResponse, TAKEDOWN_DNS_RESPONSES)
TAKEDOWN_DEFINE_ENUM_TEXT(TcpResponse, TAKEDOWN_TCP_RESPONSES)

#undef TAKEDOWN_CASE
#undef TAKEDOWN_PARSE
#undef TAKEDOWN_DEFINE_ENUM_TEXT

}  // namespace takedown::filters
