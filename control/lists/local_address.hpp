// Local data addresses (RPZ A/AAAA records, unbound local-data) into a sinkhole answer.
//
// Both formats give an owner's answer as one address per record, up to Policy::kMaxAddresses of
// each family; these parse one and add it to the PolicyOverride that answers for the owner, with
// the same reasons in both formats when they cannot. Pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/lists/parsed_list.hpp"

namespace takedown::control {

struct LocalAddress {
  bool v4 = true;
  std::array<std::uint8_t, 16> bytes{};
};

inline constexpr std::string_view kTooManyAddresses =
    "more than 4 addresses of one type for one owner";

// Parses `text` as an IPv4 address (`v4`) or an IPv6 one; otherwise stores why and returns false.
bool parse_local_address(bool v4, std::string_view text, LocalAddress& out, std::string& why);
// Adds `address` to o.a or o.aaaa; false when o already holds kMaxAddresses of that family.
bool add_local_address(PolicyOverride& o, const LocalAddress& address);

}  // namespace takedown::control
