// control_request(): one request line to takedownd's control socket, one reply line back.
//
// Errors say what to check: no socket at the path (is takedownd running with this config?),
// nobody answering, or no reply within the timeout. Cold path; one connection per request.
#pragma once

#include <string>

#include "filters/common/result.hpp"

namespace takedown::control {

Result<std::string> control_request(const std::string& socket_path, const std::string& request,
                                    int timeout_ms = 30000);

// The "error" of a reply with "ok": false (or a reply that is not a JSON object), else "".
std::string reply_error(const std::string& reply);

}  // namespace takedown::control
