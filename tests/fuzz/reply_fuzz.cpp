// libFuzzer target: any frame, extracted as the data plane does (every wrapper open), turned into
// every reply the data plane could send for it: DNS answers for each response type over UDP and
// TCP (with the longest SOA names and EDE text a list can have), the HTTP block page, both TCP
// resets. A reply is refused only where can_reply() or can_stream_reply() says none can go (back
// through MPLS or GTP-U, a wrapper longer than a reply copies, a TCP segment without ACK). Each
// reply must stay within its buffer and decode back as a well-formed frame of the same protocol
// inside the same number of wrappers, with its IPv4 and inner UDP or TCP checksums right by a
// word-by-word sum of its own; each DNS answer must walk as a DNS message (question and
// records ending exactly at its end) within the client's size. A UDP answer that can be written
// over its query (answers_in_place) must then be the same bytes, and stay within the room given,
// both written in full and from the list's precomputed records (DnsAnswerTails).
#include <cstdlib>
#include <cstring>

#include "filters/common/byte_order.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/respond/dns_answer.hpp"
#include "filters/respond/tcp_reset.hpp"
#include "filters/respond/tcp_stream_reply.hpp"
#include "tests/support/in_place_answer.hpp"
#include "tests/support/reference_checksum.hpp"

namespace {

using namespace takedown::filters;

void check(bool ok) {
  if (!ok) std::abort();
}

// A reply's checksums hold: every IPv4 header's, outer ones included, and the inner UDP or TCP
// segment's over its pseudo-header, by a sum of their own (tests/support/reference_checksum.hpp).
// (Outer UDP and GRE checksums are left to the tests.)
void check_checksums(const std::uint8_t* reply, const DecodedPacket& d) {
  using takedown::testing::reference_sum;
  for (std::size_t i = 0; i < d.outer_count; ++i) {
    if (d.outer[i].kind != HeaderKind::Ipv4) continue;
    const std::uint8_t* ip = reply + d.outer[i].offset;
    check(reference_sum(0, ip, (ip[0] & 0x0Fu) * 4u) == 0xFFFF);
  }
  const std::uint8_t* ip = reply + d.l3_offset;
  if (d.ip_version == 4) check(reference_sum(0, ip, (ip[0] & 0x0Fu) * 4u) == 0xFFFF);
  const std::size_t l4_length = d.payload_offset + d.payload_length - d.l4_offset;
  std::uint32_t sum = d.l4_protocol + static_cast<std::uint32_t>(l4_length);
  sum = d.ip_version == 4 ? reference_sum(sum, ip + 12, 8) : reference_sum(sum, ip + 8, 32);
  check(reference_sum(sum, reply + d.l4_offset, l4_length) == 0xFFFF);
}

void check_reply(const std::uint8_t* reply, std::size_t length, const DecodedPacket& original) {
  DecodedPacket decoded;
  check(decode_packet({reply, length}, decoded).status == DecodeStatus::Ok);
  check(decoded.l4_protocol == original.l4_protocol);
  check(decoded.layers == original.layers);
  check_checksums(reply, decoded);
}

// A reply sent back to a port that is itself a VXLAN or GTP-U port reads as one more tunnel.
bool back_to_a_tunnel_port(const DecodedPacket& p, ReplyDirection direction) {
  const DecodeOptions options;
  const std::uint16_t port = direction == ReplyDirection::Back ? p.src_port : p.dst_port;
  return p.l4_protocol == DecodedPacket::kUdp &&
         (DecodeOptions::listed(options.vxlan_ports, port) ||
          DecodeOptions::listed(options.gtpu_ports, port));
}

// A name at `at`: labels, ending with the root or a pointer. The offset past it, or 0.
std::size_t skip_name(const std::uint8_t* m, std::size_t size, std::size_t at) {
  while (at < size) {
    const std::uint8_t label = m[at];
    if (label == 0) return at + 1;
    if ((label & 0xC0) == 0xC0) {
      if (at + 2 > size) return 0;
      check((load_be16(m + at) & 0x3FFF) < at);  // pointers only backwards
      return at + 2;
    }
    if (label > 63) return 0;
    at += 1 + label;
  }
  return 0;
}

void check_message(const std::uint8_t* m, std::size_t size, std::size_t limit) {
  check(size >= 12 && size <= limit);
  check((load_be16(m + 2) & 0x8200) == 0x8000);  // QR, never TC
  check(load_be16(m + 4) == 1);
  std::size_t at = skip_name(m, size, 12);
  check(at != 0 && at + 4 <= size);
  at += 4;
  const unsigned records = load_be16(m + 6) + load_be16(m + 8) + load_be16(m + 10);
  for (unsigned r = 0; r < records; ++r) {
    at = skip_name(m, size, at);
    check(at != 0 && at + 10 <= size);
    at += 10 + load_be16(m + at + 8);
    check(at <= size);
  }
  check(at == size);
}

// The longest reply a list can have: 66-byte SOA names, 255 bytes of text, a 1200-byte page.
struct LongestReply {
  std::uint8_t owner[ListReply::kMaxSoaName];
  std::uint8_t rdata[ListReply::kMaxSoaRdata];
  char text[ListReply::kMaxEdeText];
  char page[ListReply::kMaxHttpPage];
  ListReply view;
  LongestReply() {
    // A 66-byte wire name: 62 a's, then "b", then the root.
    auto name = [](std::uint8_t* at) {
      at[0] = 62;
      std::memset(at + 1, 'a', 62);
      at[63] = 1;
      at[64] = 'b';
      at[65] = 0;
    };
    name(owner);
    name(rdata);
    name(rdata + ListReply::kMaxSoaName);
    std::memset(rdata + 2 * ListReply::kMaxSoaName, 0x7F, 20);
    std::memset(text, 0xE2, sizeof text);  // not UTF-8 at all: cuts must still stay in bounds
    std::memset(page, 'P', sizeof page);
    view.soa_owner = {owner, sizeof owner};
    view.soa_rdata = {rdata, sizeof rdata};
    view.ede_text = {text, sizeof text};
    view.http_page = {page, sizeof page};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Extraction x;
  extract_name({data, size}, ExtractPorts{}, x);
  // Guard bytes after each buffer catch a write past its documented size.
  static std::uint8_t out[kMaxStreamReplyFrame + 64];
  static_assert(kMaxDnsAnswerFrame <= kMaxStreamReplyFrame);
  static const LongestReply longest;
  // No SOA (a reply without one is never in a snapshot, but must still be safe) and no text.
  const ListReply plain{};
  if (x.protocol == Protocol::Dns && x.status == DecodeStatus::Ok) {
    const bool udp = x.packet.l4_protocol == DecodedPacket::kUdp;
    for (auto response : {DnsResponse::Nxdomain, DnsResponse::Nodata, DnsResponse::Refused,
                          DnsResponse::Sinkhole}) {
      for (const ListReply* reply : {&longest.view, &plain}) {
        Policy policy;
        policy.dns = response;
        policy.a_count = policy.aaaa_count = Policy::kMaxAddresses;
        std::memset(out + kMaxDnsAnswerFrame, 0xA5, 64);
        const std::size_t length = write_dns_answer({data, size}, x, policy, *reply, out);
        for (std::size_t i = 0; i < 64; ++i) check(out[kMaxDnsAnswerFrame + i] == 0xA5);
        const bool possible =
            udp ? can_reply(x.packet, ReplyDirection::Back) : can_stream_reply(x.packet);
        check((length > 0) == possible && length <= kMaxDnsAnswerFrame);
        if (!possible) continue;
        if (!back_to_a_tunnel_port(x.packet, ReplyDirection::Back)) {
          DecodedPacket decoded;
          check(decode_packet({out, length}, decoded).status == DecodeStatus::Ok);
          check(decoded.l4_protocol == x.packet.l4_protocol && decoded.layers == x.packet.layers);
          check_checksums(out, decoded);
          const std::uint8_t* message = out + decoded.payload_offset;
          std::size_t message_size = decoded.payload_length;
          if (!udp) {
            check(message_size >= 2 && load_be16(message) == message_size - 2);
            message += 2;
            message_size -= 2;
          }
          check_message(message, message_size,
                        answer_size_limit(query_edns({data, size}, x), !udp));
        }
        if (udp) {
          // Written over a copy of the query instead (ASan guards the room), the same bytes.
          const auto in_place = takedown::testing::answer_in_place({data, size}, x, policy, *reply);
          check(!in_place || (in_place->size() == length &&
                              std::memcmp(in_place->data(), out, length) == 0));
        }
      }
    }
  }
  if (x.protocol == Protocol::Http && x.name() != nullptr) {
    std::memset(out + kMaxStreamReplyFrame, 0xA5, 64);
    const auto page =
        std::span(reinterpret_cast<const std::uint8_t*>(longest.page), sizeof longest.page);
    const std::size_t length = write_tcp_stream_reply({data, size}, x.packet, page, out);
    for (std::size_t i = 0; i < 64; ++i) check(out[kMaxStreamReplyFrame + i] == 0xA5);
    check((length > 0) == can_stream_reply(x.packet) && length <= kMaxStreamReplyFrame);
    if (length > 0) {
      DecodedPacket decoded;
      check(decode_packet({out, length}, decoded).status == DecodeStatus::Ok);
      check(decoded.payload_length == sizeof longest.page);
      check_checksums(out, decoded);
      check(std::memcmp(out + decoded.payload_offset, longest.page, sizeof longest.page) == 0);
    }
  }
  // The worker resets only segments that carried a name.
  if (x.name() != nullptr && x.packet.l4_protocol == DecodedPacket::kTcp) {
    for (auto direction : {ReplyDirection::Back, ReplyDirection::Onwards}) {
      std::memset(out + kMaxTcpResetFrame, 0xA5, 64);
      const std::size_t length = write_tcp_reset({data, size}, x.packet, direction, out);
      for (std::size_t i = 0; i < 64; ++i) check(out[kMaxTcpResetFrame + i] == 0xA5);
      check((length > 0) == can_reply(x.packet, direction) && length <= kMaxTcpResetFrame);
      if (length > 0) check_reply(out, length, x.packet);
    }
  }
  return 0;
}
