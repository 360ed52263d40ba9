#include "filters/match/policy.hpp"

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

TAKEDOWN_DEFINE_TO_STRING(Action, TAKEDOWN_ACTIONS)
TAKEDOWN_DEFINE_PARSE(Action, TAKEDOWN_ACTIONS)
TAKEDOWN_DEFINE_TO_STRING(DnsResponse, TAKEDOWN_DNS_RESPONSES)
TAKEDOWN_DEFINE_PARSE(DnsResponse, TAKEDOWN_DNS_RESPONSES)
TAKEDOWN_DEFINE_TO_STRING(TcpResponse, TAKEDOWN_TCP_RESPONSES)
TAKEDOWN_DEFINE_PARSE(TcpResponse, TAKEDOWN_TCP_RESPONSES)

}  // namespace takedown::filters
