// Small helpers the takedownctl commands share: JSON string escaping and a buffered stdout writer.
// Not thread-safe; one per command invocation.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace takedown::control {

// Appends `text` to `out` as a JSON string literal, quotes included. Bytes that are not printable
// ASCII are escaped as \u00XX, so arbitrary input can never break a JSON line.
void append_json_string(std::string& out, std::string_view text);

// Collects output and writes it to stdout in large chunks; flushes on destruction.
class BufferedStdout {
 public:
  ~BufferedStdout() { flush(); }
  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= (1u << 16)) flush();
  }
  void flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    buffer_.clear();
    std::fflush(stdout);
  }

 private:
  std::string buffer_;
};

}  // namespace takedown::control
