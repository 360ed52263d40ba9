// ParseStatus and ParseResult<Reason>: what every hot-path parser returns.
//
// The status says what the data plane does with the packet (Ok: decide on it; NotApplicable:
// nothing to inspect, forward; Truncated and Malformed: count it, and forward or drop as
// configured). The reason is the parser's own enum, whose text is a counter and metric label.
// Trivially copyable; safe anywhere.
#pragma once

#include <cstdint>
#include <string_view>

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

#define TAKEDOWN_PARSE_STATUSES(X) \
  X(Ok, "ok")                      \
  X(Truncated, "truncated")        \
  X(Malformed, "malformed")        \
  X(NotApplicable, "not_applicable")

TAKEDOWN_ENUM(DecodeStatus, TAKEDOWN_PARSE_STATUSES)

template <typename Reason>
struct ParseResult {
  DecodeStatus status = DecodeStatus::Ok;
  Reason reason = Reason::None;

  static constexpr ParseResult fail(DecodeStatus s, Reason r) { return {s, r}; }
};

}  // namespace takedown::filters
