// BufferedStdout: takedownctl's output for large results (check on a million names, inspect on a
// capture), written to stdout in large chunks. Not thread-safe; one per command invocation.
#pragma once

#include <cstdio>
#include <string>

namespace takedown::control {

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
