// fetch_url(): one conditional GET of a list's URL with libcurl.
//
// Sends If-None-Match / If-Modified-Since when the last good copy has an ETag or Last-Modified,
// so an unchanged list costs a 304 and no body. Only http and https, also across redirects (at
// most 5; an https list only to https). TLS is verified against the system CAs or the list's `ca:`
// file. The connect and total timeouts and the maximum size are the list's; a body over the size is
// cut off and refused, not truncated. Anything but a 200 or a 304 is a failure with the reason an
// operator can act on. Cold path; blocks for at most the list's total timeout. Thread-safe (one
// easy handle per call).
#pragma once

#include <cstdint>
#include <string>

#include "control/schema/config.hpp"

namespace takedown::control {

struct UrlFetch {
  enum class Outcome { Fresh, NotModified, Failed };
  Outcome outcome = Outcome::Failed;
  std::string body;  // Fresh: the list's bytes
  std::string etag;
  std::string last_modified;
  std::string error;  // Failed: why, naming the URL
  long http_status = 0;
  std::uint64_t wire_bytes = 0;  // bytes received, headers included
  double seconds = 0;
};

UrlFetch fetch_url(const schema::UrlSource& source, const std::string& etag,
                   const std::string& last_modified);

}  // namespace takedown::control
