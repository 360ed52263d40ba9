// transfer_zone(): one zone transfer over TCP from a list's primary, applied to a ZoneRecords.
//
// With a copy held, it asks IXFR from the copy's serial (RFC 1995) and applies the diffs as they
// stream in; a single SOA at the copy's serial means up to date. A primary that answers the IXFR
// with a full zone, or with NOTIMP/FORMERR, or a diff out of step with the copy, gets an AXFR
// instead (RFC 5936). With transfer.tsig every message must carry a TSIG that verifies against
// the key (RFC 8945), the query is signed, and a primary's TSIG error is named. DNS messages and
// TSIG come from ldns (NLnet Labs; Debian's libldns): its message codec and HMACs, used as a
// library, so that no DNS wire parsing of ours is on this path. The transport (connect, 2-byte
// framing, deadlines) is ours. `zone` is changed only when the whole transfer succeeded.
// Cold path; blocks for at most the transfer's timeout.
#pragma once

#include <cstdint>
#include <string>

#include "control/schema/config.hpp"
#include "control/sources/zone_records.hpp"

namespace takedown::control {

struct TransferOutcome {
  enum class Kind { UpToDate, Full, Incremental, Failed };
  Kind kind = Kind::Failed;
  std::string error;             // Failed: why, naming the primary
  std::string asked;             // "IXFR", "AXFR", or "IXFR, then AXFR"
  std::uint64_t wire_bytes = 0;  // DNS message bytes received (framing included)
  std::uint64_t messages = 0;
  std::uint64_t added = 0;    // records (Incremental: added by the diffs; Full: in the zone)
  std::uint64_t removed = 0;  // records the diffs removed
  double seconds = 0;
};

// `secret`: the TSIG key's base64 secret when transfer.signed_with_tsig, else ignored.
TransferOutcome transfer_zone(const schema::TransferSource& source, const std::string& secret,
                              ZoneRecords& zone);

}  // namespace takedown::control
