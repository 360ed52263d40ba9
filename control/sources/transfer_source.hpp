// update_transfer_source(): one zone transfer of an rpz list that has a `transfer:`.
//
// IXFR from the copy's serial when there is a copy, AXFR otherwise or when the IXFR cannot be
// applied (control/sources/zone_transfer.hpp). A new zone is parsed as a policy zone before it is
// written over the copy; the state keeps its SOA serial and timers. When transfers keep failing
// past the SOA expire time since the last success, the zone is expired: reported loudly (every
// attempt's message says so, status and /metrics show it) and, with `expired: drop`, the copy is
// cut to its SOA so the list loads nothing until a transfer succeeds again. Cold path.
#pragma once

#include "control/schema/config.hpp"
#include "control/sources/url_source.hpp"

namespace takedown::control {

SourceUpdate update_transfer_source(const schema::ListConfig& list);

}  // namespace takedown::control
