// libFuzzer target: any bytes as the first segment of an HTTP request.
#include "filters/http/http_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  takedown::filters::HttpRequest request;
  if (takedown::filters::parse_http_request({data, size}, request).status == takedown::filters::DecodeStatus::Ok &&
      request.host.length() == 0) {
    __builtin_trap();  // Ok always comes with a host
  }
  return 0;
}
