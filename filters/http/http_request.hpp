// parse_http_request(): the Host (and path) of an HTTP/1.0 or 1.1 request in one TCP segment.
//
// The request line must start with a known method; anything else is NotApplicable (not HTTP, or
// a continuation segment). The Host header name is case-insensitive, its value may carry optional
// whitespace and a port, and an IPv6 literal is NotApplicable (no name to match). An absolute-form
// target ("GET http://host/path HTTP/1.1") names the host itself, and wins over the Host header
// as RFC 9112 says. Two Host headers are Malformed. Only this segment is examined: a request whose
// headers continue in the next segment is Truncated unless the Host was already seen.
// The path is a view into the payload, for url rules.
//
// Hot path: no allocation, no exception, every read bounds-checked; safe on any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "filters/common/enum_text.hpp"
#include "filters/match/domain_name.hpp"
#include "filters/packet/packet_decoder.hpp"

namespace takedown::filters {

#define TAKEDOWN_HTTP_REASONS(X)                 \
  X(None, "none")                                \
  X(NotARequest, "http_not_a_request")           \
  X(RequestLineShort, "http_request_line_short") \
  X(BadRequestLine, "http_bad_request_line")     \
  X(BadVersion, "http_bad_version")              \
  X(HeadersShort, "http_headers_short")          \
  X(NoHost, "http_no_host")                      \
  X(DuplicateHost, "http_duplicate_host")        \
  X(IpLiteralHost, "http_ip_literal_host")       \
  X(BadHost, "http_bad_host")

TAKEDOWN_ENUM(HttpReason, TAKEDOWN_HTTP_REASONS)

struct HttpRequest {
  DomainName host;
  std::string_view method;
  std::string_view path;  // "/a/b?c"; "/" for an absolute-form target without one
  std::uint8_t minor_version = 1;
  bool absolute_form = false;
};

using HttpResult = ParseResult<HttpReason>;

HttpResult parse_http_request(std::span<const std::uint8_t> payload, HttpRequest& out);

}  // namespace takedown::filters
