// parse_dns_query(): the question of a DNS query message, straight into a normalised DomainName.
//
// Only queries: QR=0, OPCODE=QUERY and QDCOUNT >= 1; anything else is NotApplicable. The QNAME is
// read label by label into the DomainName (lowercased and validated as it goes); compression
// pointers are followed only backwards and at most 16 times. QTYPE and QCLASS are kept. Over TCP,
// parse_dns_tcp_query() takes the first message after the 2-byte length prefix. A query for the
// root name is NotApplicable: there is nothing to match.
//
// read_edns() finds the message's EDNS OPT record (RFC 6891), which only an answer needs (its
// size limit, its Extended DNS Error): it is read for a blocked query, not for every query.
//
// Hot path: no allocation, no exception, every read bounds-checked; safe on any thread.
#pragma once

#include <cstdint>
#include <span>

#include "filters/common/enum_text.hpp"
#include "filters/match/domain_name.hpp"
#include "filters/packet/packet_decoder.hpp"

namespace takedown::filters {

#define TAKEDOWN_DNS_REASONS(X)               \
  X(None, "none")                             \
  X(HeaderShort, "dns_header_short")          \
  X(NotAQuery, "dns_not_a_query")             \
  X(NoQuestion, "dns_no_question")            \
  X(NameShort, "dns_name_short")              \
  X(BadLabelType, "dns_bad_label_type")       \
  X(ForwardPointer, "dns_forward_pointer")    \
  X(TooManyPointers, "dns_too_many_pointers") \
  X(BadName, "dns_bad_name")                  \
  X(RootName, "dns_root_name")                \
  X(QuestionShort, "dns_question_short")      \
  X(TcpLengthShort, "dns_tcp_length_short")

TAKEDOWN_ENUM(DnsReason, TAKEDOWN_DNS_REASONS)

struct DnsQuery {
  DomainName name;
  std::uint16_t id = 0;
  std::uint16_t flags = 0;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::uint16_t question_end = 0;  // message offset just past QCLASS

  bool recursion_desired() const { return (flags & 0x0100) != 0; }
};

// Four bytes, the size first: returned in one register. With the flag first (6 bytes and a
// hole) read_edns() built it on the stack from byte stores and read it back as a word, a store
// forwarding stall that took half of the function's time.
struct DnsEdns {
  std::uint16_t udp_size = 0;
  bool present = false;    // the message has an OPT record in its additional section
  bool dnssec_ok = false;  // the OPT record's DO bit
};
static_assert(sizeof(DnsEdns) == 4);

using DnsResult = ParseResult<DnsReason>;

// `message` is a UDP payload (a whole DNS message).
DnsResult parse_dns_query(std::span<const std::uint8_t> message, DnsQuery& out);
// `segment` is a TCP payload starting with the 2-byte length prefix.
DnsResult parse_dns_tcp_query(std::span<const std::uint8_t> segment, DnsQuery& out);

// The OPT record of `message`, whose question `query` holds (parse_dns_query() of the same bytes
// returned Ok). A damaged record section only means "no EDNS": it never spoils the question.
DnsEdns read_edns(std::span<const std::uint8_t> message, const DnsQuery& query);
// The same for a TCP payload with its length prefix (parse_dns_tcp_query()'s `segment`).
DnsEdns read_tcp_edns(std::span<const std::uint8_t> segment, const DnsQuery& query);

}  // namespace takedown::filters
