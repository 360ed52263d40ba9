// write_dns_answer(): turns a blocked DNS query into the answer the filter sends back, over UDP
// or inside the query's TCP connection.
//
// The message keeps the ID and the question as received (original case), sets QR and RA, copies
// OPCODE, RD and CD, and takes its RCODE from the policy: NXDOMAIN, NODATA (NOERROR, no answer),
// REFUSED, or a sinkhole (the policy's A records for an A query, AAAA for AAAA, and NODATA for
// every other type, ANY included). Only the first question is kept.
//
// Negative answers (NXDOMAIN, NODATA) carry the list's SOA in the authority section, with TTL
// and MINIMUM the list's negative TTL, so that resolvers cache them (RFC 2308 section 5). Its
// owner is the list's, or by default the query name itself (a pointer to the question): a
// resolver keeps an SOA as an RRset of its owner, so an owner shared by other names (their
// parent) would overwrite that zone's real SOA in its cache, and one list's negative TTL would
// cut short another's (Unbound re-asks for a cached NXDOMAIN once its SOA RRset expires).
// When the query carried an EDNS OPT record, the answer carries one too, with the list's Extended
// DNS Error (RFC 8914): its INFO-CODE and EXTRA-TEXT.
//
// The answer always fits what the client can take: the query's EDNS UDP payload size (at least
// 512, at most kAnswerUdpSize), 512 bytes without EDNS, kAnswerUdpSize over TCP. The text is
// shortened to fit, never in the middle of a UTF-8 character, and left out (the code kept) when
// no byte of it fits; the answer never needs TC. ListReply's bounds make the SOA always fit.
//
// Over UDP the answer goes back to the query's source inside the query's own encapsulation (see
// filters/respond/reply_headers.hpp). Over TCP it is the 2-byte length and the message in one
// segment with FIN, as write_tcp_stream_reply() builds it; the caller resets the server side.
//
// A UDP answer can also be written over its query, in the frame that holds it: the question is
// already where the answer needs it, and only the headers are turned around and the records
// after the question written (answers_in_place(), write_dns_answer_in_place()).
//
// What a negative answer carries after its question depends only on the list and the query's
// EDNS: the list's SOA, then with EDNS the OPT record (DO echoed) and the EDE. DnsAnswerTails
// writes those records once per list, in their three forms, with their ones' complement sum.
// Given them, write_dns_answer_in_place() copies the records and sums only the header and the
// question, which it reads before it writes anything: no sum over bytes just stored.
//
// Hot path: no allocation; `out` of write_dns_answer() must not overlap `frame`. Safe on any
// thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "filters/extract/name_extractor.hpp"
#include "filters/match/policy.hpp"
#include "filters/respond/reply_headers.hpp"
#include "filters/respond/tcp_stream_reply.hpp"

namespace takedown::filters {

// The largest answer message, and the UDP payload size the answer's OPT record advertises.
inline constexpr std::uint16_t kAnswerUdpSize = 1232;
// The size every client takes (RFC 1035 section 4.2.1).
inline constexpr std::uint16_t kMinUdpSize = 512;
static_assert(kAnswerUdpSize + 2 <= kMaxStreamReplyPayload);

// The largest answer frame, over UDP or TCP.
inline constexpr std::size_t kMaxDnsAnswerFrame = kMaxStreamReplyFrame;

// The most bytes an answer to a query with `edns` may take (see above).
std::size_t answer_size_limit(const DnsEdns& edns, bool over_tcp);

// The EDNS OPT record of `query` (an Extraction with protocol Dns, status Ok, from `frame`), over
// UDP or TCP: read here, for an answer or an event, not by every query's extraction.
DnsEdns query_edns(std::span<const std::uint8_t> frame, const Extraction& query);

// Writes the answer message for `query` (parsed from `message`, the query's DNS message, whose
// OPT record is `edns`) into `out` (kAnswerUdpSize bytes), at most `limit` bytes. Returns its
// length, 0 when the policy is drop.
std::size_t write_dns_message(const std::uint8_t* message, const DnsQuery& query,
                              const DnsEdns& edns, const Policy& policy, const ListReply& reply,
                              std::size_t limit, std::uint8_t* out);

// Writes the answer frame for `query` (an Extraction with protocol Dns, status Ok, from `frame`)
// into `out`, which needs kMaxDnsAnswerFrame bytes. Returns its length, or 0 when there is
// nothing to send: the policy says drop, no reply can go back through the query's wrappers (MPLS,
// GTP-U: see can_reply()), or a TCP query came without ACK (can_stream_reply()).
std::size_t write_dns_answer(std::span<const std::uint8_t> frame, const Extraction& query,
                             const Policy& policy, const ListReply& reply, std::uint8_t* out);

// Whether write_dns_answer_in_place() can answer `query` in its own frame, which has `room` bytes
// from its start (its length and tailroom): a UDP query with a return path, a 20-byte IPv4 or
// 40-byte IPv6 header, a question without compression, and room for the largest answer.
bool answers_in_place(const Extraction& query, std::size_t room);

// The records after the question of one list's negative answers (see above).
struct DnsAnswerTail {
  // The list's longest SOA record, and the OPT record with the longest EDE.
  static constexpr std::size_t kMaxSize =
      ListReply::kMaxSoaName + 10 + ListReply::kMaxSoaRdata + 11 + 6 + ListReply::kMaxEdeText;
  std::uint16_t size = 0;
  std::uint16_t sum = 0;         // ones_complement_sum() of the bytes, from the first
  std::uint16_t authority = 0;   // NSCOUNT: 1 with the SOA
  std::uint16_t additional = 0;  // ARCOUNT: 1 with the OPT record
  std::array<std::uint8_t, kMaxSize> bytes{};
};

class DnsAnswerTails {
 public:
  // Cold path: writes the three forms of the records of `reply`.
  explicit DnsAnswerTails(const ListReply& reply);
  // The form for a query whose OPT record is `edns`: none, with EDNS, with EDNS and DO.
  const DnsAnswerTail& for_query(const DnsEdns& edns) const {
    return forms_[edns.present ? 1u + (edns.dnssec_ok ? 1u : 0u) : 0u];
  }

 private:
  std::array<DnsAnswerTail, 3> forms_;
};

// Writes over `frame` the answer write_dns_answer() would write elsewhere, byte for byte, and
// returns its length (0 when the policy says drop). Call only when answers_in_place() holds;
// `frame` must have that room. The query is gone afterwards: read what else it is needed for
// (an event) first. With `tails` (the DnsAnswerTails of the same `reply`), a negative answer
// whose records fit whole in what the client takes copies them from there.
std::size_t write_dns_answer_in_place(std::span<std::uint8_t> frame, const Extraction& query,
                                      const Policy& policy, const ListReply& reply,
                                      const DnsAnswerTails* tails = nullptr);

}  // namespace takedown::filters
