// libFuzzer target: any bytes as a DNS message over UDP, and as a TCP segment.
#include "filters/dns/dns_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  takedown::filters::DnsQuery query;
  const auto udp = takedown::filters::parse_dns_query({data, size}, query);
  if (udp.status == takedown::filters::DecodeStatus::Ok && query.question_end > size) __builtin_trap();
  takedown::filters::parse_dns_tcp_query({data, size}, query);
  return 0;
}
