// Owning handles for ldns objects, so that no path through the transfer and NOTIFY code leaks a
// message, a name or a record. Include after the standard headers (ldns defines true and false as
// macros when it thinks C has none).
#pragma once

#include <ldns/ldns.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

namespace takedown::control {

struct LdnsFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
  void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
using LdnsPkt = std::unique_ptr<ldns_pkt, LdnsFree>;
using LdnsRdf = std::unique_ptr<ldns_rdf, LdnsFree>;
using LdnsRr = std::unique_ptr<ldns_rr, LdnsFree>;

// The wire form of `p`; empty when ldns cannot encode it.
inline std::vector<std::uint8_t> wire_of(const ldns_pkt* p) {
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  std::vector<std::uint8_t> out;
  if (ldns_pkt2wire(&wire, p, &size) == LDNS_STATUS_OK) out.assign(wire, wire + size);
  std::free(wire);
  return out;
}

}  // namespace takedown::control
