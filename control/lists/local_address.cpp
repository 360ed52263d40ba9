#include "control/lists/local_address.hpp"

#include <arpa/inet.h>

namespace takedown::control {

bool parse_local_address(bool v4, std::string_view text, LocalAddress& out, std::string& why) {
  const std::string address(text);
  out.v4 = v4;
  if (inet_pton(v4 ? AF_INET : AF_INET6, address.c_str(), out.bytes.data()) != 1) {
    why = v4 ? "not an IPv4 address" : "not an IPv6 address";
    return false;
  }
  return true;
}

bool add_local_address(PolicyOverride& o, const LocalAddress& address) {
  if ((address.v4 ? o.a.size() : o.aaaa.size()) >= filters::Policy::kMaxAddresses) return false;
  const auto& b = address.bytes;
  if (address.v4) {
    o.a.push_back({b[0], b[1], b[2], b[3]});
  } else {
    o.aaaa.push_back(b);
  }
  return true;
}

}  // namespace takedown::control
