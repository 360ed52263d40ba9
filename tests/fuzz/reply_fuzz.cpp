// libFuzzer target: any frame, extracted as the data plane does, turned into every reply the data
// plane could send for it (DNS answers for each response type, both TCP resets). Each reply must
// stay within its buffer, decode back as a well-formed frame of the same protocol, and point back
// at (or on to) the frame's endpoints.
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

void check_reply(const std::uint8_t* reply, std::size_t length, std::uint8_t protocol) {
  DecodedPacket decoded;
  check(decode_packet({reply, length}, decoded).status == DecodeStatus::Ok);
  check(decoded.l4_protocol == protocol);
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
      check(length > 0 && length <= kMaxDnsAnswerFrame);
      for (std::size_t i = 0; i < 64; ++i) check(out[kMaxDnsAnswerFrame + i] == 0xA5);
      check_reply(out, length, DecodedPacket::kUdp);
    }
  }
  // The worker resets only segments that carried a name.
  if (x.name() != nullptr && x.packet.l4_protocol == DecodedPacket::kTcp) {
    for (auto direction : {ReplyDirection::Back, ReplyDirection::Onwards}) {
      std::memset(out + kMaxTcpResetFrame, 0xA5, 64);
      const std::size_t length = write_tcp_reset({data, size}, x.packet, direction, out);
      check(length > 0 && length <= kMaxTcpResetFrame);
      for (std::size_t i = 0; i < 64; ++i) check(out[kMaxTcpResetFrame + i] == 0xA5);
      check_reply(out, length, DecodedPacket::kTcp);
    }
  }
  return 0;
}
