// write_dns_answer(): turns a blocked DNS query over UDP into the answer the filter sends back.
//
// The answer goes back to the query's source inside the query's own encapsulation (see
// filters/respond/reply_headers.hpp): Ethernet, IP addresses and UDP ports swapped, VLAN tags and
// wrappers kept, a plain inner IP header, correct checksums inner and outer. The DNS message keeps the ID and
// the question as received (original case), sets QR and RA, copies OPCODE, RD and CD, and takes
// its RCODE from the policy: NXDOMAIN, NODATA (NOERROR, no answer), REFUSED, or a sinkhole (the
// policy's A records for an A query, AAAA for AAAA, both for ANY, NODATA for other types). Only
// the first question is kept; nothing of the query follows it. When the query carried an EDNS OPT
// record, the answer carries one too, with an Extended DNS Error (RFC 8914) option.
//
// Hot path: no allocation; `out` must not overlap `frame`. Safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "filters/extract/name_extractor.hpp"
#include "filters/match/policy.hpp"
#include "filters/respond/reply_headers.hpp"

namespace takedown::filters {

// RFC 8914 INFO-CODEs the filter uses: an operator's own policy, or a filter the client chose.
enum class ExtendedDnsError : std::uint16_t { Blocked = 15, Filtered = 17 };

// The UDP payload size the answer's OPT record advertises.
inline constexpr std::uint16_t kAnswerUdpSize = 1232;

// The largest answer frame: headers, a 255-byte name, four A and four AAAA records, the OPT.
inline constexpr std::size_t kMaxDnsAnswerFrame =
    kMaxReplyHeaders + 8 + 12 + 255 + 4 + Policy::kMaxAddresses * (16 + 28) + 17;

// Writes the answer frame for `query` (an Extraction with protocol Dns over UDP, status Ok, from
// `frame`) into `out`, which needs kMaxDnsAnswerFrame bytes. Returns its length, or 0 when there
// is nothing to send: the policy says drop, the extraction is not a UDP DNS query, or no reply can
// go back through its wrappers (MPLS, GTP-U: see can_reply()).
std::size_t write_dns_answer(std::span<const std::uint8_t> frame, const Extraction& query,
                             const Policy& policy, ExtendedDnsError ede, std::uint8_t* out);

}  // namespace takedown::filters
