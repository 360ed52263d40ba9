// libFuzzer target: any bytes as the first segment of a TLS connection.
#include "filters/tls/client_hello.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  takedown::filters::ClientHello hello;
  const auto result = takedown::filters::parse_client_hello({data, size}, hello);
  if (result.status == takedown::filters::DecodeStatus::Ok && !hello.has_name) __builtin_trap();
  return 0;
}
