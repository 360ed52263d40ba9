// expect_parse(): checks a parser's ParseResult, printing status and reason by name on failure.
#pragma once

#include <gtest/gtest.h>

#include "filters/common/parse_result.hpp"

namespace takedown::testing {

template <typename Reason>
void expect_parse(filters::ParseResult<Reason> r, filters::DecodeStatus status, Reason reason) {
  EXPECT_EQ(r.status, status) << to_string(r.status) << " / " << to_string(r.reason);
  EXPECT_EQ(r.reason, reason) << to_string(r.reason);
}

}  // namespace takedown::testing
