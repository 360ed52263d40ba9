// TSIG checks around ldns, shared by zone transfers and NOTIFY.
//
// ldns parses every TSIG it meets in the additional section into the packet's one TSIG slot and
// never frees the one it replaces, and its verifier drops the record from the packet (without
// freeing it) when it cannot compute a MAC; it also takes the algorithm from the record, not
// from our key. So before parsing, a message may have at most two additional records (an OPT
// and a TSIG); before verifying, the record must name our key and our algorithm; and whatever
// ldns does, the record is put back in the packet, which frees it. Cold path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "control/schema/config.hpp"

typedef struct ldns_struct_pkt ldns_pkt;
typedef struct ldns_struct_rdf ldns_rdf;

namespace takedown::control {

// False when the header's ARCOUNT is over 2, or the message is shorter than a header.
bool additional_records_fit(const std::uint8_t* wire, std::size_t size);

enum class TsigCheck { Verified, Unsigned, OtherKey, BadMac, OutOfTime };

// Verifies `pkt`'s TSIG with `key`. `mac`: the request's MAC (a reply; nullptr for a request).
// `next`: a later message of a transfer (RFC 8945 §5.3.1, timers only). `check_time`: the time
// signed must be within the record's fudge of now (a request, which could be replayed).
TsigCheck verify_tsig(ldns_pkt* pkt, const std::uint8_t* wire, std::size_t size,
                      const schema::TsigKey& key, const std::string& secret, const ldns_rdf* mac,
                      bool next, bool check_time);

std::string describe(TsigCheck check, const schema::TsigKey& key);

}  // namespace takedown::control
