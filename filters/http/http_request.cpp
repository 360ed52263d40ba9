#include "filters/http/http_request.hpp"

#include <cstring>

#include "filters/common/enum_text.hpp"

namespace takedown::filters {

TAKEDOWN_ENUM_DEFINE(HttpReason, TAKEDOWN_HTTP_REASONS)

namespace {

constexpr auto fail = HttpResult::fail;

constexpr std::string_view kMethods[] = {"GET",     "POST",    "HEAD",  "PUT",  "DELETE",
                                         "OPTIONS", "CONNECT", "PATCH", "TRACE"};
constexpr bool every_method_starts_from_c_to_t() {
  for (std::string_view m : kMethods)
    if (m[0] < 'C' || m[0] > 'T') return false;
  return true;
}
static_assert(every_method_starts_from_c_to_t(), "parse_http_request's first-byte test");

// The line at `text` up to CRLF (or a bare LF); npos when the segment ends first.
std::size_t line_end(std::string_view text) { return text.find('\n'); }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool equals_nocase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

// Sets `out.host` from an authority ("host", "host:port", "[v6]:port").
HttpResult set_host(std::string_view authority, HttpRequest& out) {
  if (authority.starts_with('['))
    return fail(DecodeStatus::NotApplicable, HttpReason::IpLiteralHost);
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) authority = authority.substr(0, colon);
  if (out.host.assign(authority) != NameStatus::Ok)
    return fail(DecodeStatus::Malformed, HttpReason::BadHost);
  return {};
}

}  // namespace

HttpResult parse_http_request(std::span<const std::uint8_t> payload, HttpRequest& out) {
  const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  out.host.clear();
  out.path = {};
  out.absolute_form = false;
  out.method = {};
  // Every method starts with a letter from C to T: most segments (data, TLS) stop here.
  if (text.empty() || text[0] < 'C' || text[0] > 'T')
    return fail(DecodeStatus::NotApplicable, HttpReason::NotARequest);
  for (std::string_view method : kMethods) {
    if (text.size() > method.size() && text.starts_with(method) && text[method.size()] == ' ') {
      out.method = text.substr(0, method.size());
      break;
    }
  }
  if (out.method.empty()) return fail(DecodeStatus::NotApplicable, HttpReason::NotARequest);

  const std::size_t first_end = line_end(text);
  if (first_end == std::string_view::npos)
    return fail(DecodeStatus::Truncated, HttpReason::RequestLineShort);
  const std::string_view request_line = trim_ows(text.substr(0, first_end));
  const std::size_t target_start = out.method.size() + 1;
  const std::size_t target_end = request_line.find(' ', target_start);
  if (target_end == std::string_view::npos || target_end == target_start) {
    return fail(DecodeStatus::Malformed, HttpReason::BadRequestLine);
  }
  const std::string_view version = request_line.substr(target_end + 1);
  if (version == "HTTP/1.1") {
    out.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    out.minor_version = 0;
  } else {
    return fail(DecodeStatus::Malformed, HttpReason::BadVersion);
  }
  std::string_view target = request_line.substr(target_start, target_end - target_start);
  bool have_host = false;
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() > scheme.size() && equals_nocase(target.substr(0, scheme.size()), scheme)) {
      const std::string_view rest = target.substr(scheme.size());
      const std::size_t slash = rest.find('/');
      const HttpResult host = set_host(rest.substr(0, slash), out);
      if (host.status != DecodeStatus::Ok) return host;
      out.path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
      out.absolute_form = true;
      have_host = true;
    }
  }
  if (!out.absolute_form) out.path = target;

  std::size_t at = first_end + 1;
  bool seen_host_header = false;
  for (;;) {
    const std::size_t end = line_end(text.substr(at));
    if (end == std::string_view::npos) {
      // The headers go on in a later segment: only good enough when the host is known already.
      if (have_host) return {};
      return fail(DecodeStatus::Truncated, HttpReason::HeadersShort);
    }
    const std::string_view line = text.substr(at, end);
    at += end + 1;
    if (line.empty() || line == "\r") break;  // end of headers
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !equals_nocase(line.substr(0, colon), "host")) continue;
    if (seen_host_header) return fail(DecodeStatus::Malformed, HttpReason::DuplicateHost);
    seen_host_header = true;
    if (out.absolute_form) continue;  // the target's authority wins
    const HttpResult host = set_host(trim_ows(line.substr(colon + 1)), out);
    if (host.status != DecodeStatus::Ok) return host;
    have_host = true;
  }
  if (!have_host) return fail(DecodeStatus::NotApplicable, HttpReason::NoHost);
  return {};
}

}  // namespace takedown::filters
