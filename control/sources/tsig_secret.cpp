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

bool base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/' || c == '=';
}

bool comment_line(std::string_view line) {
  return line.front() == '#' || line.front() == ';' || line.substr(0, 2) == "//";
}

// The value after `secret` ("secret: X" in Knot, `secret "X";` in BIND): the run of base64
// characters that follows, so that whatever comes after it (a comment, "};") is left alone.
// Base64 holds '/', so a comment cannot be cut before the value is read: "JORS00//wOUf..." is
// one secret (keymgr made it in a make test run).
std::string_view secret_value(std::string_view rest) {
  rest = trim(rest);
  if (!rest.empty() && rest.front() == ':') rest = trim(rest.substr(1));
  const bool quoted = !rest.empty() && rest.front() == '"';
  if (quoted) rest.remove_prefix(1);
  std::size_t n = 0;
  while (n < rest.size() && base64_char(rest[n])) ++n;
  const std::string_view after = trim(rest.substr(n));
  if (quoted && (after.empty() || after.front() != '"')) return trim(rest);  // not base64
  if (!quoted && !after.empty() && after.front() != ';' && after.front() != '#' &&
      after.substr(0, 2) != "//") {
    return trim(rest);  // something that is not base64 follows: reported as not base64
  }
  return rest.substr(0, n);
}

// A bare secret's line without a comment after it ("X  # made 2026-12-01").
std::string_view before_comment(std::string_view line) {
  for (std::size_t i = 1; i < line.size(); ++i) {
    const bool space = line[i - 1] == ' ' || line[i - 1] == '\t';
    if (space && (line[i] == '#' || line.substr(i, 2) == "//" || line[i] == ';'))
      return trim(line.substr(0, i));
  }
  return line;
}

}  // namespace

Result<std::string> tsig_secret_in(std::string_view text, const std::string& path) {
  std::vector<std::string> found;
  std::size_t start = 0;
  std::size_t content_lines = 0;
  std::string only;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    std::size_t bytes = 0;
    if (line.empty()) continue;
    if (is_base64(line, bytes)) {  // a bare secret, even one that starts with "//"
      ++content_lines;
      only = std::string(line);
      continue;
    }
    if (comment_line(line)) continue;
    ++content_lines;
    only = std::string(before_comment(line));
    const std::size_t at = line.find("secret");
    if (at == std::string_view::npos || line.substr(0, at).find('#') != std::string_view::npos)
      continue;
    found.emplace_back(secret_value(line.substr(at + 6)));
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
