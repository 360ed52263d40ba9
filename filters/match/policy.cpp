#include "filters/match/policy.hpp"

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(Action, TAKEDOWN_ACTIONS)
TAKEDOWN_ENUM_DEFINE(DnsResponse, TAKEDOWN_DNS_RESPONSES)
TAKEDOWN_ENUM_DEFINE(TcpResponse, TAKEDOWN_TCP_RESPONSES)
TAKEDOWN_ENUM_DEFINE(EdeCode, TAKEDOWN_EDE_CODES)

}  // namespace takedown::filters
