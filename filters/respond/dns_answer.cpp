#include "filters/respond/dns_answer.hpp"

#include <cstring>

#include "filters/common/byte_order.hpp"
#include "filters/respond/reply_headers.hpp"

namespace takedown::filters {

namespace {

constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kDnsHeader = 12;
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kTypeAny = 255;
constexpr std::uint16_t kTypeOpt = 41;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kOptionEde = 15;
constexpr std::uint16_t kPointerToQuestion = 0xC000 | kDnsHeader;

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
    std::memcpy(at, message + kDnsHeader, wire_name + 4);
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

std::uint8_t* write_record(std::uint8_t* at, std::uint16_t type, std::uint32_t ttl,
                           const std::uint8_t* address, std::uint16_t length) {
  store_be16(at, kPointerToQuestion);
  store_be16(at + 2, type);
  store_be16(at + 4, kClassIn);
  store_be32(at + 6, ttl);
  store_be16(at + 10, length);
  std::memcpy(at + 12, address, length);
  return at + 12 + length;
}

std::uint8_t* write_opt(std::uint8_t* at, bool dnssec_ok, ExtendedDnsError ede) {
  *at++ = 0;  // the root name
  store_be16(at, kTypeOpt);
  store_be16(at + 2, kAnswerUdpSize);
  store_be32(at + 4, dnssec_ok ? 0x8000u : 0u);  // extended RCODE 0, version 0, DO
  store_be16(at + 8, 6);                         // RDLENGTH: one option of 2 bytes
  store_be16(at + 10, kOptionEde);
  store_be16(at + 12, 2);
  store_be16(at + 14, static_cast<std::uint16_t>(ede));
  return at + 16;
}

}  // namespace

std::size_t write_dns_answer(std::span<const std::uint8_t> frame, const Extraction& query,
                             const Policy& policy, ExtendedDnsError ede, std::uint8_t* out) {
  const DecodedPacket& packet = query.packet;
  if (policy.dns == DnsResponse::Drop || query.protocol != Protocol::Dns ||
      query.status != DecodeStatus::Ok || packet.l4_protocol != DecodedPacket::kUdp ||
      !can_reply(packet, ReplyDirection::Back)) {
    return 0;
  }
  const DnsQuery& dns = query.dns;
  const std::uint8_t* message = frame.data() + packet.payload_offset;

  // The DNS message first, at the offset a plain IPv4 or IPv6 header puts it.
  const std::size_t ip_header = packet.ip_version == 4 ? 20 : 40;
  std::uint8_t* udp = out + packet.l3_offset + ip_header;
  std::uint8_t* dns_start = udp + kUdpHeader;
  std::uint8_t* at = write_question(message, dns, dns_start + kDnsHeader);

  std::uint16_t answers = 0;
  if (policy.dns == DnsResponse::Sinkhole) {
    if (dns.qtype == kTypeA || dns.qtype == kTypeAny) {
      for (std::size_t i = 0; i < policy.a_count; ++i, ++answers) {
        at = write_record(at, kTypeA, policy.ttl, policy.a[i].data(), 4);
      }
    }
    if (dns.qtype == kTypeAaaa || dns.qtype == kTypeAny) {
      for (std::size_t i = 0; i < policy.aaaa_count; ++i, ++answers) {
        at = write_record(at, kTypeAaaa, policy.ttl, policy.aaaa[i].data(), 16);
      }
    }
  }
  if (dns.has_edns) at = write_opt(at, dns.edns_dnssec_ok, ede);

  const std::uint16_t flags = static_cast<std::uint16_t>(
      0x8000 | (dns.flags & 0x7800) | (dns.flags & 0x0100) | 0x0080 | (dns.flags & 0x0010) |
      static_cast<std::uint16_t>(rcode_for(policy.dns)));
  store_be16(dns_start, dns.id);
  store_be16(dns_start + 2, flags);
  store_be16(dns_start + 4, 1);
  store_be16(dns_start + 6, answers);
  store_be16(dns_start + 8, 0);
  store_be16(dns_start + 10, dns.has_edns ? 1 : 0);

  const std::size_t l4_length = static_cast<std::size_t>(at - udp);
  write_reply_headers(frame, packet, ReplyDirection::Back, l4_length, out);
  store_be16(udp, packet.dst_port);
  store_be16(udp + 2, packet.src_port);
  store_be16(udp + 4, static_cast<std::uint16_t>(l4_length));
  store_be16(udp + 6, 0);
  finish_reply(out, packet, udp, l4_length);
  return static_cast<std::size_t>(at - out);
}

}  // namespace takedown::filters
