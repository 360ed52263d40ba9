#include "control/schema/json_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "filters/common/utf8.hpp"

namespace takedown::schema {


void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else if (const std::size_t n = byte >= 0x80 ? filters::utf8_sequence(text.substr(i)) : 0; n != 0) {
      out.append(text.substr(i, n));  // UTF-8 text stays itself: a decoder gets the same bytes
      i += n;
      continue;
    } else {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
    ++i;
  }
  out += '"';
}

void JsonWriter::separate() {
  if (comma_) out_ += ", ";
  comma_ = true;
}

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  append_json_string(out_, name);
  out_ += ": ";
  comma_ = false;  // the value follows the key directly
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  append_json_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t number) {
  separate();
  out_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  separate();
  out_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double number, int decimals) {
  separate();
  if (!std::isfinite(number)) {
    out_ += "null";
    return *this;
  }
  // Fixed notation of any double: up to 309 integer digits, then the decimals (at most 17).
  char text[400];
  const int written =
      std::snprintf(text, sizeof text, "%.*f", decimals < 17 ? decimals : 17, number);
  out_.append(text, written > 0
                        ? std::min<std::size_t>(static_cast<std::size_t>(written), sizeof text - 1)
                        : 0);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

}  // namespace takedown::schema
