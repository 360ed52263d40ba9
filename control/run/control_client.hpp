// control_request(): one request to takedownd's control socket, one reply line back.
//
// Errors say what to check: no socket at the path (is takedownd running with this config?),
// nobody answering, or no reply within the timeout. The reply line is for the decoder of the
// request's reply (control/schema/control_messages.hpp). Cold path; one connection per request.
#pragma once

#include <string>

#include "control/schema/control_messages.hpp"
#include "filters/common/result.hpp"

namespace takedown::control {

Result<std::string> control_request(const std::string& socket_path, const schema::Request& request,
                                    int timeout_ms = 30000);

}  // namespace takedown::control
