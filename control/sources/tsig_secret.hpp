// read_tsig_secret(): the base64 secret of a TSIG key from the file a list's transfer.tsig names.
//
// The file may hold the secret alone (one line), a BIND key clause (`secret "...";`, as
// tsig-keygen writes it) or a Knot key entry (`secret: ...`, as keymgr -t writes it); comment
// lines (#, //, ;) and comments after the secret are ignored. Base64 holds '/', so "//" inside
// or at the start of a secret is part of it. The secret must be valid base64 of at least 16
// bytes. Cold path.
#pragma once

#include <string>
#include <string_view>

#include "filters/common/result.hpp"

namespace takedown::control {

Result<std::string> read_tsig_secret(const std::string& path);
// The secret in `text` (a file's contents); `path` names it in errors.
Result<std::string> tsig_secret_in(std::string_view text, const std::string& path);
// The algorithm's name as ldns signs with it ("hmac-sha256." ...; "hmac-md5.sig-alg.reg.int.").
std::string tsig_algorithm_name(const std::string& algorithm);

}  // namespace takedown::control
