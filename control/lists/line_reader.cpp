#include "control/lists/line_reader.hpp"

#include <cstring>

namespace takedown::control {

bool LineReader::next(std::uint32_t& line, std::string_view& text, Kind& kind) {
  if (rest_.empty()) return false;
  const void* newline = std::memchr(rest_.data(), '\n', rest_.size());
  const std::size_t length =
      newline == nullptr ? rest_.size() : static_cast<const char*>(newline) - rest_.data();
  text = rest_.substr(0, length);
  rest_.remove_prefix(newline == nullptr ? length : length + 1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  line = ++line_;
  if (text.size() > kMaxLine) {
    kind = Kind::TooLong;
  } else if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    kind = Kind::HasNul;
  } else {
    kind = Kind::Text;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view strip_hash_comment(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) return s.substr(0, i);
  }
  return s;
}

}  // namespace takedown::control
