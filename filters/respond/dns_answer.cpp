#include "filters/respond/dns_answer.hpp"

#include <algorithm>
#include <cstring>

#include "filters/common/byte_order.hpp"
#include "filters/common/utf8.hpp"

namespace takedown::filters {

namespace {

constexpr std::size_t kUdpHeader = 8;
constexpr std::uint8_t kUdp = DecodedPacket::kUdp;
constexpr std::size_t kDnsHeader = 12;
constexpr std::size_t kRecordFixed = 10;    // TYPE, CLASS, TTL, RDLENGTH
constexpr std::size_t kOptRecord = 11;      // root owner, the fixed fields, no options
constexpr std::size_t kEdeOptionFixed = 6;  // OPTION-CODE, OPTION-LENGTH, INFO-CODE
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kTypeOpt = 41;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kOptionEde = 15;
constexpr std::uint16_t kPointer = 0xC000;

enum class Rcode : std::uint16_t { NoError = 0, NxDomain = 3, Refused = 5 };

Rcode rcode_for(DnsResponse response) {
  switch (response) {
    case DnsResponse::Nxdomain:
      return Rcode::NxDomain;
    case DnsResponse::Refused:
      return Rcode::Refused;
    default:
      return Rcode::NoError;
  }
}

// The question as the answer carries it: the query's own bytes when its name is plain labels,
// otherwise (a compression pointer inside the question) the normalised name in wire form.
std::uint8_t* write_question(const std::uint8_t* message, const DnsQuery& query, std::uint8_t* at) {
  const std::string_view name = query.name.view();
  const std::size_t wire_name = name.size() + 2;
  if (query.question_end == kDnsHeader + wire_name + 4) {
    // Written over its query, the answer finds its question already in place.
    if (at != message + kDnsHeader) std::memcpy(at, message + kDnsHeader, wire_name + 4);
    return at + wire_name + 4;
  }
  std::uint8_t* length = at++;
  *length = 0;
  for (char c : name) {
    if (c == '.') {
      length = at++;
      *length = 0;
    } else {
      *at++ = static_cast<std::uint8_t>(c);
      ++*length;
    }
  }
  *at++ = 0;
  store_be16(at, query.qtype);
  store_be16(at + 2, query.qclass);
  return at + 4;
}

std::uint8_t* write_fixed(std::uint8_t* at, std::uint16_t type, std::uint32_t ttl,
                          std::size_t rdlength) {
  store_be16(at, type);
  store_be16(at + 2, kClassIn);
  store_be32(at + 4, ttl);
  store_be16(at + 8, static_cast<std::uint16_t>(rdlength));
  return at + kRecordFixed;
}

std::uint8_t* write_address(std::uint8_t* at, std::uint16_t type, std::uint32_t ttl,
                            const std::uint8_t* address, std::uint16_t length) {
  store_be16(at, kPointer | kDnsHeader);  // the question's name
  at = write_fixed(at + 2, type, ttl, length);
  std::memcpy(at, address, length);
  return at + length;
}

std::size_t soa_size(const ListReply& reply) {
  return (reply.soa_owner.empty() ? 2 : reply.soa_owner.size()) + kRecordFixed +
         reply.soa_rdata.size();
}

std::uint8_t* write_soa(std::uint8_t* at, const ListReply& reply) {
  if (reply.soa_owner.empty()) {
    // The question's name itself (see the header: no other name's SOA in a resolver's cache).
    store_be16(at, static_cast<std::uint16_t>(kPointer | kDnsHeader));
    at += 2;
  } else {
    std::memcpy(at, reply.soa_owner.data(), reply.soa_owner.size());
    at += reply.soa_owner.size();
  }
  at = write_fixed(at, kTypeSoa, reply.negative_ttl, reply.soa_rdata.size());
  std::memcpy(at, reply.soa_rdata.data(), reply.soa_rdata.size());
  return at + reply.soa_rdata.size();
}

// The OPT record with the EDE option, its text shortened to `room` bytes of record in all.
std::uint8_t* write_opt(std::uint8_t* at, bool dnssec_ok, const ListReply& reply,
                        std::size_t room) {
  const bool ede = room >= kOptRecord + kEdeOptionFixed;
  const std::size_t text = ede ? utf8_fit(reply.ede_text, room - kOptRecord - kEdeOptionFixed) : 0;
  *at++ = 0;  // the root name
  store_be16(at, kTypeOpt);
  store_be16(at + 2, kAnswerUdpSize);
  store_be32(at + 4, dnssec_ok ? 0x8000u : 0u);  // extended RCODE 0, version 0, DO
  if (!ede) {
    store_be16(at + 8, 0);
    return at + 10;
  }
  store_be16(at + 8, static_cast<std::uint16_t>(kEdeOptionFixed + text));
  store_be16(at + 10, kOptionEde);
  store_be16(at + 12, static_cast<std::uint16_t>(2 + text));
  store_be16(at + 14, ede_info_code(reply.ede));
  if (text != 0) std::memcpy(at + 16, reply.ede_text.data(), text);
  return at + 16 + text;
}

// The inner IP header an answer has: 20 bytes of IPv4 without options, or 40 of IPv6.
std::size_t plain_ip_header(const DecodedPacket& packet) { return packet.ip_version == 4 ? 20 : 40; }

// QR and RA set; OPCODE, RD and CD copied; the RCODE.
std::uint16_t answer_flags(const DnsQuery& dns, Rcode rcode) {
  return static_cast<std::uint16_t>(0x8000 | (dns.flags & 0x7800) | (dns.flags & 0x0100) | 0x0080 |
                                    (dns.flags & 0x0010) | static_cast<std::uint16_t>(rcode));
}

// Whether `policy` answers `dns` with no answer records: NXDOMAIN, NODATA, or a sinkhole without
// addresses of the query's type. (REFUSED has no SOA, and drop no answer.)
bool negative(const Policy& policy, const DnsQuery& dns) {
  switch (policy.dns) {
    case DnsResponse::Nxdomain:
    case DnsResponse::Nodata:
      return true;
    case DnsResponse::Sinkhole:
      return !(dns.qtype == kTypeA && policy.a_count != 0) &&
             !(dns.qtype == kTypeAaaa && policy.aaaa_count != 0);
    default:
      return false;
  }
}

}  // namespace

std::size_t answer_size_limit(const DnsEdns& edns, bool over_tcp) {
  if (over_tcp) return kAnswerUdpSize;
  if (!edns.present) return kMinUdpSize;
  return std::clamp<std::size_t>(edns.udp_size, kMinUdpSize, kAnswerUdpSize);
}

DnsEdns query_edns(std::span<const std::uint8_t> frame, const Extraction& query) {
  const DecodedPacket& packet = query.packet;
  if (query.protocol != Protocol::Dns || query.status != DecodeStatus::Ok) return {};
  const auto payload = frame.subspan(packet.payload_offset, packet.payload_length);
  return packet.l4_protocol == DecodedPacket::kUdp ? read_edns(payload, query.dns)
                                                   : read_tcp_edns(payload, query.dns);
}

std::size_t write_dns_message(const std::uint8_t* message, const DnsQuery& dns, const DnsEdns& edns,
                              const Policy& policy, const ListReply& reply, std::size_t limit,
                              std::uint8_t* out) {
  if (policy.dns == DnsResponse::Drop) return 0;
  std::uint8_t* at = write_question(message, dns, out + kDnsHeader);

  std::uint16_t answers = 0;
  if (policy.dns == DnsResponse::Sinkhole) {
    if (dns.qtype == kTypeA) {
      for (std::size_t i = 0; i < policy.a_count; ++i, ++answers) {
        at = write_address(at, kTypeA, policy.ttl, policy.a[i].data(), 4);
      }
    }
    if (dns.qtype == kTypeAaaa) {
      for (std::size_t i = 0; i < policy.aaaa_count; ++i, ++answers) {
        at = write_address(at, kTypeAaaa, policy.ttl, policy.aaaa[i].data(), 16);
      }
    }
  }
  const Rcode rcode = rcode_for(policy.dns);
  const std::size_t opt = edns.present ? kOptRecord : 0;
  std::uint16_t authority = 0;
  if (answers == 0 && rcode != Rcode::Refused && !reply.soa_rdata.empty() &&
      static_cast<std::size_t>(at - out) + soa_size(reply) + opt <= limit) {
    at = write_soa(at, reply);
    authority = 1;
  }
  if (edns.present) {
    const std::size_t used = static_cast<std::size_t>(at - out);
    at = write_opt(at, edns.dnssec_ok, reply, limit > used ? limit - used : 0);
  }

  store_be16(out, dns.id);
  store_be16(out + 2, answer_flags(dns, rcode));
  store_be16(out + 4, 1);
  store_be16(out + 6, answers);
  store_be16(out + 8, authority);
  store_be16(out + 10, edns.present ? 1 : 0);
  return static_cast<std::size_t>(at - out);
}

namespace {

// The UDP answer to `query` (from `frame`, its OPT record `edns`) written into `out`: another
// buffer, or `frame` itself when answers_in_place() holds. The OPT record is read before the
// message is written, which may overwrite it; the message goes at the offset a plain IPv4 or
// IPv6 header puts it.
std::size_t write_udp_answer(std::span<const std::uint8_t> frame, const Extraction& query,
                             const DnsEdns& edns, const Policy& policy, const ListReply& reply,
                             std::uint8_t* out) {
  const DecodedPacket& packet = query.packet;
  const std::uint8_t* message = frame.data() + packet.payload_offset;
  std::uint8_t* udp = out + packet.l3_offset + plain_ip_header(packet);
  const std::size_t length = write_dns_message(message, query.dns, edns, policy, reply,
                                               answer_size_limit(edns, false), udp + kUdpHeader);
  const std::size_t l4_length = kUdpHeader + length;
  write_reply_headers(frame, packet, ReplyDirection::Back, l4_length, out);
  store_be16(udp, packet.dst_port);
  store_be16(udp + 2, packet.src_port);
  store_be16(udp + 4, static_cast<std::uint16_t>(l4_length));
  store_be16(udp + 6, 0);
  finish_reply(out, packet, udp, l4_length);
  return (udp - out) + l4_length;
}

}  // namespace

std::size_t write_dns_answer(std::span<const std::uint8_t> frame, const Extraction& query,
                             const Policy& policy, const ListReply& reply, std::uint8_t* out) {
  const DecodedPacket& packet = query.packet;
  if (policy.dns == DnsResponse::Drop || query.protocol != Protocol::Dns ||
      query.status != DecodeStatus::Ok) {
    return 0;
  }
  const std::uint8_t* message = frame.data() + packet.payload_offset;
  if (packet.l4_protocol == DecodedPacket::kTcp) {
    if (!can_stream_reply(packet)) return 0;
    std::uint8_t* prefix = out + stream_reply_payload_offset(packet);
    const std::size_t length =
        write_dns_message(message + 2, query.dns, query_edns(frame, query), policy, reply,
                          answer_size_limit({}, true), prefix + 2);
    store_be16(prefix, static_cast<std::uint16_t>(length));
    return finish_tcp_stream_reply(frame, packet, length + 2, out);
  }
  if (packet.l4_protocol != DecodedPacket::kUdp || !can_reply(packet, ReplyDirection::Back))
    return 0;
  return write_udp_answer(frame, query, query_edns(frame, query), policy, reply, out);
}

bool answers_in_place(const Extraction& query, std::size_t room) {
  const DecodedPacket& packet = query.packet;
  return query.protocol == Protocol::Dns && query.status == DecodeStatus::Ok &&
         packet.l4_protocol == DecodedPacket::kUdp && can_reply(packet, ReplyDirection::Back) &&
         packet.l4_offset == packet.l3_offset + plain_ip_header(packet) &&
         query.dns.question_end == kDnsHeader + query.dns.name.length() + 2 + 4 &&
         room >= std::size_t{packet.payload_offset} + kAnswerUdpSize;
}

DnsAnswerTails::DnsAnswerTails(const ListReply& reply) {
  for (unsigned form = 0; form < forms_.size(); ++form) {
    DnsAnswerTail& tail = forms_[form];
    std::uint8_t* at = tail.bytes.data();
    if (!reply.soa_rdata.empty()) {
      at = write_soa(at, reply);
      tail.authority = 1;
    }
    if (form != 0) {
      at = write_opt(at, form == 2, reply, tail.bytes.data() + tail.bytes.size() - at);
      tail.additional = 1;
    }
    tail.size = static_cast<std::uint16_t>(at - tail.bytes.data());
    tail.sum = static_cast<std::uint16_t>(ones_complement_sum(tail.bytes.data(), tail.size));
  }
}

namespace {

// write_dns_answer_in_place() for a negative answer with RCODE `rcode` whose records `tail`
// holds, `length` bytes of message in all. Everything summed is read before the first store: the
// question where it lies, the addresses from the query's own IP header (the pseudo-header's sum
// does not depend on their order), the rest from the values stored.
std::size_t write_negative_in_place(std::span<std::uint8_t> frame, const Extraction& query,
                                    Rcode rcode, const DnsAnswerTail& tail, std::size_t length) {
  const DecodedPacket& packet = query.packet;
  const DnsQuery& dns = query.dns;
  std::uint8_t* out = frame.data();
  std::uint8_t* udp = out + packet.l4_offset;
  std::uint8_t* message = udp + kUdpHeader;
  const std::size_t l4_length = kUdpHeader + length;
  const std::uint16_t flags = answer_flags(dns, rcode);

  // The records start at an odd offset of the datagram when the question's length is odd: their
  // words then straddle, and their sum is byte-swapped (RFC 1071, 2.(B)).
  const std::uint32_t records =
      (dns.question_end & 1u) != 0 ? __builtin_bswap16(tail.sum) : tail.sum;
  const std::uint32_t fields = pseudo_header_sum(out + packet.l3_offset, kUdp, l4_length) +
                               records + packet.src_port + packet.dst_port +
                               static_cast<std::uint32_t>(l4_length) + dns.id + flags + 1u +
                               tail.authority + tail.additional;
  std::uint16_t checksum =
      internet_checksum(message + kDnsHeader, dns.question_end - kDnsHeader, fields);
  if (checksum == 0) checksum = 0xFFFF;  // zero would mean none (RFC 768)

  std::memcpy(message + dns.question_end, tail.bytes.data(), tail.size);
  store_be16(message, dns.id);
  store_be16(message + 2, flags);
  store_be16(message + 4, 1);
  store_be16(message + 6, 0);
  store_be16(message + 8, tail.authority);
  store_be16(message + 10, tail.additional);
  write_reply_headers(frame, packet, ReplyDirection::Back, l4_length, out);
  store_be16(udp, packet.dst_port);
  store_be16(udp + 2, packet.src_port);
  store_be16(udp + 4, static_cast<std::uint16_t>(l4_length));
  store_be16(udp + 6, checksum);
  const std::size_t end = static_cast<std::size_t>(udp - out) + l4_length;
  finish_wrappers(out, packet, end);
  return end;
}

}  // namespace

std::size_t write_dns_answer_in_place(std::span<std::uint8_t> frame, const Extraction& query,
                                      const Policy& policy, const ListReply& reply,
                                      const DnsAnswerTails* tails) {
  if (policy.dns == DnsResponse::Drop) return 0;
  const DnsEdns edns = query_edns(frame, query);
  if (tails != nullptr && negative(policy, query.dns)) {
    const DnsAnswerTail& tail = tails->for_query(edns);
    const std::size_t length = std::size_t{query.dns.question_end} + tail.size;
    // Past the limit the general path cuts the text or leaves records out.
    if (length <= answer_size_limit(edns, false)) {
      return write_negative_in_place(frame, query, rcode_for(policy.dns), tail, length);
    }
  }
  return write_udp_answer(frame, query, edns, policy, reply, frame.data());
}

}  // namespace takedown::filters
