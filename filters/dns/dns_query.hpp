// parse_dns_query(): the question of a DNS query message, straight into a normalised DomainName.
//
// Only queries: QR=0, OPCODE=QUERY and QDCOUNT >= 1; anything else is NotApplicable. The QNAME is
// read label by label into the DomainName (lowercased and validated as it goes); compression
// pointers are followed only backwards and at most 16 times. QTYPE and QCLASS are kept, and so is
// whether the message carries an EDNS OPT record (RFC 6891), which the reply needs for its
// Extended DNS Error. Over TCP, parse_dns_tcp_query() takes the first message after the 2-byte
// length prefix. A query for the root name is NotApplicable: there is nothing to match.
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
  bool has_edns = false;
  std::uint16_t edns_udp_size = 0;
  bool edns_dnssec_ok = false;  // the OPT record's DO bit

  bool recursion_desired() const { return (flags & 0x0100) != 0; }
};

using DnsResult = ParseResult<DnsReason>;

// `message` is a UDP payload (a whole DNS message).
DnsResult parse_dns_query(std::span<const std::uint8_t> message, DnsQuery& out);
// `segment` is a TCP payload starting with the 2-byte length prefix.
DnsResult parse_dns_tcp_query(std::span<const std::uint8_t> segment, DnsQuery& out);

}  // namespace takedown::filters
