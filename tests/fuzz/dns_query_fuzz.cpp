// libFuzzer target: any bytes as a DNS message over UDP, and as a TCP segment; for a parsed
// question, the OPT record behind it.
#include "filters/dns/dns_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  takedown::filters::DnsQuery query;
  const auto udp = takedown::filters::parse_dns_query({data, size}, query);
  if (udp.status == takedown::filters::DecodeStatus::Ok) {
    if (query.question_end > size) __builtin_trap();
    const auto edns = takedown::filters::read_edns({data, size}, query);
    if (!edns.present && (edns.udp_size != 0 || edns.dnssec_ok)) __builtin_trap();
  }
  const auto tcp = takedown::filters::parse_dns_tcp_query({data, size}, query);
  if (tcp.status == takedown::filters::DecodeStatus::Ok) {
    if (std::size_t{query.question_end} + 2 > size) __builtin_trap();
    takedown::filters::read_tcp_edns({data, size}, query);
  }
  return 0;
}
