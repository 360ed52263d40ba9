// JsonWriter: the one JSON writer of both processes. It appends one JSON text to a string:
// control messages, the stats object, the event log's lines, takedownctl's --json output.
//
// Commas and nesting are tracked for the caller; strings are escaped so that any bytes (a name off
// the wire, a file path) give valid one-line JSON: `"` and `\` are escaped, well-formed UTF-8 is
// kept as it is (a decoder gets the same bytes back), and every other byte that is not printable
// ASCII (control characters, bytes that are not UTF-8) becomes \u00XX. Output is one line, with ", " and ": " between items.
// The writer does not check that keys and values alternate; a value outside an object or array
// is the whole text. Cold path (the event log writes ~400k lines a second with it); a value type,
// one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace takedown::schema {

class JsonWriter {
 public:
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(unsigned number) { return value(static_cast<std::uint64_t>(number)); }
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(unsigned long long number) { return value(static_cast<std::uint64_t>(number)); }
  JsonWriter& value(bool flag);
  // A number with `decimals` digits after the point; NaN and infinities are written as null.
  JsonWriter& value(double number, int decimals);
  // Text that is already JSON (an object another writer made), inserted as one value.
  JsonWriter& raw(std::string_view json);

  // key(name) then value(v).
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }
  JsonWriter& field(std::string_view name, double number, int decimals) {
    key(name);
    return value(number, decimals);
  }

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }
  // Starts again on an empty text, keeping the buffer's capacity.
  void clear() {
    out_.clear();
    comma_ = false;
  }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void separate();

  std::string out_;
  bool comma_ = false;  // the next item at this level needs a ", " first
};

// Appends `text` as a JSON string literal, quotes included, escaped as JsonWriter does. O(len).
void append_json_string(std::string& out, std::string_view text);

}  // namespace takedown::schema
