// libFuzzer target: any frame, extracted as the data plane does (every wrapper open), turned into
// every reply the data plane could send for it (DNS answers for each response type, both TCP
// resets). A reply is refused only where can_reply() says none can go (back through MPLS or
// GTP-U, or a wrapper longer than a reply copies). Each reply must stay within its buffer and
// decode back as a well-formed frame of the same protocol inside the same number of wrappers.
#include <cstdlib>
#include <cstring>

#include "filters/extract/name_extractor.hpp"
#include "filters/respond/dns_answer.hpp"
#include "filters/respond/tcp_reset.hpp"

namespace {

using namespace takedown::filters;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_reply(const std::uint8_t* reply, std::size_t length, const DecodedPacket& original) {
  DecodedPacket decoded;
  check(decode_packet({reply, length}, decoded).status == DecodeStatus::Ok);
  check(decoded.l4_protocol == original.l4_protocol);
  check(decoded.layers == original.layers);
}

// A reply sent back to a port that is itself a VXLAN or GTP-U port reads as one more tunnel.
bool back_to_a_tunnel_port(const DecodedPacket& p, ReplyDirection direction) {
  const DecodeOptions options;
  const std::uint16_t port = direction == ReplyDirection::Back ? p.src_port : p.dst_port;
  return p.l4_protocol == DecodedPacket::kUdp &&
         (DecodeOptions::listed(options.vxlan_ports, port) ||
          DecodeOptions::listed(options.gtpu_ports, port));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Extraction x;
  extract_name({data, size}, ExtractPorts{}, x);
  // Guard bytes after each buffer catch a write past its documented size.
  static std::uint8_t out[kMaxDnsAnswerFrame + 64];
  if (x.protocol == Protocol::Dns && x.status == DecodeStatus::Ok &&
      x.packet.l4_protocol == DecodedPacket::kUdp) {
    for (auto response : {DnsResponse::Nxdomain, DnsResponse::Nodata, DnsResponse::Refused,
                          DnsResponse::Sinkhole}) {
      Policy policy;
      policy.dns = response;
      policy.a_count = policy.aaaa_count = Policy::kMaxAddresses;
      std::memset(out + kMaxDnsAnswerFrame, 0xA5, 64);
      const std::size_t length =
          write_dns_answer({data, size}, x, policy, ExtendedDnsError::Blocked, out);
      for (std::size_t i = 0; i < 64; ++i) check(out[kMaxDnsAnswerFrame + i] == 0xA5);
      const bool possible = can_reply(x.packet, ReplyDirection::Back);
      check((length > 0) == possible && length <= kMaxDnsAnswerFrame);
      if (possible && !back_to_a_tunnel_port(x.packet, ReplyDirection::Back))
        check_reply(out, length, x.packet);
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
