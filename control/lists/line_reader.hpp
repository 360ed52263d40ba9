// LineReader: walks a list file's bytes line by line, the way every format parser wants them.
//
// Accepts LF and CRLF endings, a missing final newline and a UTF-8 byte-order mark at the start
// (editors on Windows write one; it is not part of the first line). Lines longer than kMaxLine and lines
// holding a NUL byte are reported to the caller as such instead of being returned, so no parser
// ever sees them. Views point into the caller's buffer, which must outlive the reader. Not shared.
#pragma once

#include <cstdint>
#include <string_view>

namespace takedown::control {

class LineReader {
 public:
  static constexpr std::size_t kMaxLine = 4096;
  enum class Kind { Text, TooLong, HasNul };

  explicit LineReader(std::string_view bytes) : rest_(bytes) {
    if (rest_.substr(0, 3) == "\xEF\xBB\xBF") rest_.remove_prefix(3);
  }

  // Returns false at the end. `line` is 1-based; `text` has no line terminator.
  bool next(std::uint32_t& line, std::string_view& text, Kind& kind);

 private:
  std::string_view rest_;
  std::uint32_t line_ = 0;
};

// Trims ASCII spaces and tabs at both ends.
std::string_view trim(std::string_view s);
// Removes a '#' comment: one that starts the line or follows a space or tab.
std::string_view strip_hash_comment(std::string_view s);

}  // namespace takedown::control
