#include "control/sources/tsig_secret.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace takedown::control {
namespace {

bool is_base64(std::string_view s, std::size_t& bytes) {
  if (s.empty() || s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (c == '=') {
      if (i + 2 < s.size()) return false;
      ++pad;
    } else if (!letter || pad != 0) {
      return false;
    }
  }
  bytes = s.size() / 4 * 3 - pad;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The line without its comment.
std::string_view uncommented(std::string_view line) {
  for (std::string_view mark : {"#", "//", ";"}) {
    // A ';' also ends a BIND statement: only a line that starts with it is a comment.
    const std::size_t at = line.find(mark);
    if (at == std::string_view::npos) continue;
    if (mark == ";" && !trim(line.substr(0, at)).empty()) continue;
    line = line.substr(0, at);
  }
  return trim(line);
}

}  // namespace

Result<std::string> tsig_secret_in(std::string_view text, const std::string& path) {
  std::vector<std::string> found;
  std::size_t number = 0;
  std::size_t start = 0;
  std::size_t content_lines = 0;
  std::string only;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = uncommented(text.substr(start, end - start));
    ++number;
    start = end + 1;
    if (line.empty()) continue;
    ++content_lines;
    only = std::string(line);
    const std::size_t at = line.find("secret");
    if (at == std::string_view::npos) continue;
    std::string_view value = trim(line.substr(at + 6));
    if (!value.empty() && value.front() == ':') value = trim(value.substr(1));  // Knot
    if (!value.empty() && value.back() == ';') value = trim(value.substr(0, value.size() - 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')  // BIND
      value = value.substr(1, value.size() - 2);
    found.emplace_back(value);
  }
  if (found.empty() && content_lines == 1) found.push_back(only);
  if (found.size() != 1) {
    return make_error(path +
                      ": expected one TSIG secret (base64 alone, a BIND key clause with "
                      "secret \"...\";, or a Knot key with secret: ...), found " +
                      std::to_string(found.size()));
  }
  std::size_t bytes = 0;
  if (!is_base64(found[0], bytes)) return make_error(path + ": the TSIG secret is not base64");
  if (bytes < 16) {
    return make_error(path + ": the TSIG secret is " + std::to_string(bytes) +
                      " bytes, expected at least 16");
  }
  return found[0];
}

Result<std::string> read_tsig_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open the TSIG secret: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 64 * 1024) return make_error(path + ": too large for a TSIG secret");
  return tsig_secret_in(text.str(), path);
}

std::string tsig_algorithm_name(const std::string& algorithm) {
  if (algorithm == "hmac-md5") return "hmac-md5.sig-alg.reg.int.";
  return algorithm + ".";
}

}  // namespace takedown::control
