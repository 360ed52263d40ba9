// The reference for DomainName::assign_wire(), for its unit test and its differential fuzz
// target: a walk over the labels for the names assign_wire() takes (no pointer, bad label type or
// overrun, at most 253 bytes), then append_label() label by label, the path the DNS parser falls
// back to. Slow on purpose: plain to read.
#pragma once

#include <cstddef>
#include <cstdint>

#include "filters/match/domain_name.hpp"

namespace takedown::testing {

// The bytes the name at `wire` takes (its zero byte included), or 0 where assign_wire() must
// return 0; `name` and `status` as assign_wire() sets them when it does not.
inline std::size_t wire_name_by_label(const std::uint8_t* wire, std::size_t readable,
                                      filters::DomainName& name, filters::NameStatus& status) {
  using filters::DomainName;
  std::size_t end = 0;
  for (std::size_t at = 0, length = 0;; at += 1 + wire[at]) {
    if (at >= readable || wire[at] > DomainName::kMaxLabel || at + 1 + wire[at] > readable) {
      return 0;
    }
    if (wire[at] == 0) {
      end = at + 1;
      break;
    }
    length += (length == 0 ? 0 : 1) + wire[at];
    if (length > DomainName::kMaxLength) return 0;
  }
  name.clear();
  for (std::size_t at = 0; wire[at] != 0; at += 1 + wire[at]) {
    status = name.append_label(wire + at + 1, wire[at], readable - at - 1);
    if (status != filters::NameStatus::Ok) return end;
  }
  status = name.finish();
  return end;
}

}  // namespace takedown::testing
