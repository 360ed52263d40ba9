#include "filters/dns/dns_query.hpp"

#include "filters/common/byte_order.hpp"
#include "filters/common/enum_text.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(DnsReason, TAKEDOWN_DNS_REASONS)

namespace {

constexpr std::size_t kHeader = 12;
constexpr int kMaxPointers = 16;
constexpr std::uint16_t kTypeOpt = 41;

constexpr auto fail = DnsResult::fail;

// Skips a wire name at `at` (labels, or labels ending in a pointer); returns the offset after it,
// or 0 when the name runs past the message.
std::size_t skip_name(const std::uint8_t* m, std::size_t size, std::size_t at) {
  while (at < size) {
    const std::uint8_t length = m[at];
    if (length == 0) return at + 1;
    if ((length & 0xC0) == 0xC0) return at + 2 <= size ? at + 2 : 0;
    if ((length & 0xC0) != 0) return 0;
    at += 1 + std::size_t{length};
  }
  return 0;
}

// The message a TCP segment's length prefix announces, as far as the segment holds it: the
// question is at its start.
std::span<const std::uint8_t> tcp_message(std::span<const std::uint8_t> segment) {
  const std::size_t length = load_be16(segment.data());
  const std::size_t available = segment.size() - 2;
  return segment.subspan(2, length < available ? length : available);
}

// The general QNAME reader: label by label, following compression pointers backwards. Sets
// `end` to where the question continues after the name.
DnsResult read_name_by_label(const std::uint8_t* m, std::size_t size, DnsQuery& out,
                             std::size_t& end) {
  std::size_t at = kHeader;
  int pointers = 0;
  for (;;) {
    if (at >= size) return fail(DecodeStatus::Truncated, DnsReason::NameShort);
    const std::uint8_t length = m[at];
    if (length == 0) {
      if (end == 0) end = at + 1;
      break;
    }
    if ((length & 0xC0) == 0xC0) {
      if (at + 1 >= size) return fail(DecodeStatus::Truncated, DnsReason::NameShort);
      const std::size_t target = static_cast<std::size_t>(length & 0x3F) << 8 | m[at + 1];
      if (target >= at) return fail(DecodeStatus::Malformed, DnsReason::ForwardPointer);
      if (++pointers > kMaxPointers)
        return fail(DecodeStatus::Malformed, DnsReason::TooManyPointers);
      if (end == 0) end = at + 2;
      at = target;
      continue;
    }
    if ((length & 0xC0) != 0) return fail(DecodeStatus::Malformed, DnsReason::BadLabelType);
    if (at + 1 + length > size) return fail(DecodeStatus::Truncated, DnsReason::NameShort);
    if (out.name.append_label(m + at + 1, length, size - at - 1) != NameStatus::Ok) {
      return fail(DecodeStatus::Malformed, DnsReason::BadName);
    }
    at += 1 + std::size_t{length};
  }
  if (out.name.finish() != NameStatus::Ok)
    return fail(DecodeStatus::NotApplicable, DnsReason::RootName);
  return {};
}

}  // namespace

DnsResult parse_dns_query(std::span<const std::uint8_t> message, DnsQuery& out) {
  const std::uint8_t* m = message.data();
  const std::size_t size = message.size() > 0xFFFF ? 0xFFFF : message.size();
  out.name.clear();
  if (size < kHeader) return fail(DecodeStatus::Truncated, DnsReason::HeaderShort);
  out.id = load_be16(m);
  out.flags = load_be16(m + 2);
  if ((out.flags & 0x8000) != 0 || ((out.flags >> 11) & 0x0F) != 0) {
    return fail(DecodeStatus::NotApplicable, DnsReason::NotAQuery);
  }
  if (load_be16(m + 4) == 0) return fail(DecodeStatus::NotApplicable, DnsReason::NoQuestion);

  std::size_t end = 0;  // where the question continues after the QNAME
  NameStatus name_status = NameStatus::Ok;
  // Almost every query spells its name out; a name with a pointer takes the loop below.
  if (const std::size_t used =
          out.name.assign_wire(m + kHeader, size - kHeader, name_status, kHeader)) {
    if (name_status == NameStatus::Empty)
      return fail(DecodeStatus::NotApplicable, DnsReason::RootName);
    if (name_status != NameStatus::Ok) return fail(DecodeStatus::Malformed, DnsReason::BadName);
    end = kHeader + used;
  } else {
    out.name.clear();
    if (auto r = read_name_by_label(m, size, out, end); r.status != DecodeStatus::Ok) return r;
  }
  if (end + 4 > size) return fail(DecodeStatus::Truncated, DnsReason::QuestionShort);
  out.qtype = load_be16(m + end);
  out.qclass = load_be16(m + end + 2);
  out.question_end = static_cast<std::uint16_t>(end + 4);
  return {};
}

DnsResult parse_dns_tcp_query(std::span<const std::uint8_t> segment, DnsQuery& out) {
  if (segment.size() < 2) return fail(DecodeStatus::Truncated, DnsReason::TcpLengthShort);
  // A message longer than this segment is parsed as far as it goes.
  return parse_dns_query(tcp_message(segment), out);
}

DnsEdns read_edns(std::span<const std::uint8_t> message, const DnsQuery& query) {
  DnsEdns edns;
  const std::uint8_t* m = message.data();
  const std::size_t size = message.size() > 0xFFFF ? 0xFFFF : message.size();
  std::size_t at = query.question_end;
  if (size < kHeader || at > size) return edns;
  const std::uint16_t qdcount = load_be16(m + 4);
  const std::uint32_t records =
      std::uint32_t{load_be16(m + 6)} + load_be16(m + 8) + load_be16(m + 10);
  if (records == 0) return edns;
  for (std::uint16_t q = 1; q < qdcount; ++q) {
    at = skip_name(m, size, at);
    if (at == 0 || at + 4 > size) return edns;
    at += 4;
  }
  const std::uint32_t first_additional = std::uint32_t{load_be16(m + 6)} + load_be16(m + 8);
  for (std::uint32_t r = 0; r < records; ++r) {
    at = skip_name(m, size, at);
    if (at == 0 || at + 10 > size) return edns;
    const std::uint16_t type = load_be16(m + at);
    const std::size_t rdlength = load_be16(m + at + 8);
    if (r >= first_additional && type == kTypeOpt) {
      edns.present = true;
      edns.udp_size = load_be16(m + at + 2);
      edns.dnssec_ok = (load_be16(m + at + 6) & 0x8000) != 0;
      return edns;
    }
    at += 10 + rdlength;
  }
  return edns;
}

DnsEdns read_tcp_edns(std::span<const std::uint8_t> segment, const DnsQuery& query) {
  if (segment.size() < 2) return {};
  return read_edns(tcp_message(segment), query);
}

}  // namespace takedown::filters
