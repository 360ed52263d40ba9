#include "control/schema/yaml_reader.hpp"

#include <cstdint>
#include <sstream>
#include <utility>

namespace takedown::schema {

void YamlReader::fail(const YAML::Node& node, const std::string& what) const {
  const YAML::Mark mark = node.Mark();
  std::ostringstream out;
  out << path_;
  if (mark.line >= 0) out << ":" << mark.line + 1 << ":" << mark.column + 1;
  out << ": " << what;
  throw ConfigError(out.str());
}

void YamlReader::expect_map(const YAML::Node& node, const std::string& what,
                            std::initializer_list<std::string_view> allowed) const {
  if (!node.IsMap()) fail(node, what + " must be a mapping");
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    bool known = false;
    std::string names;
    for (auto a : allowed) {
      known = known || key == a;
      names += (names.empty() ? "" : ", ") + std::string(a);
    }
    if (!known) {
      fail(item.first,
           "unknown key '" + key + "' in " + what + " (expected one of: " + names + ")");
    }
  }
}

std::string YamlReader::scalar(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, what + " must be a single value");
  return node.Scalar();
}

unsigned long YamlReader::whole_number(const YAML::Node& node, const std::string& what,
                                       unsigned long min, unsigned long max,
                                       const std::string& expected) const {
  const std::string text = scalar(node, what);
  std::size_t used = 0;
  unsigned long value = 0;
  try {
    value = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || text[0] < '0' || text[0] > '9' || used != text.size() || value < min ||
      value > max) {
    fail(node, expected);
  }
  return value;
}

namespace {

// Digits then at most one unit letter from `units` (each with its multiplier); false when the text
// is not that, or overflows.
bool scaled_number(const std::string& text,
                   std::initializer_list<std::pair<char, std::uint64_t>> units,
                   std::uint64_t& out) {
  std::size_t digits = 0;
  std::uint64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    const std::uint64_t d = static_cast<std::uint64_t>(text[digits] - '0');
    if (value > (UINT64_MAX - d) / 10) return false;
    value = value * 10 + d;
    ++digits;
  }
  if (digits == 0 || text.size() > digits + 1) return false;
  std::uint64_t scale = 1;
  if (text.size() == digits + 1) {
    scale = 0;
    for (const auto& [letter, multiplier] : units) {
      if (text[digits] == letter) scale = multiplier;
    }
    if (scale == 0 || value > UINT64_MAX / scale) return false;
  }
  out = value * scale;
  return true;
}

}  // namespace

std::uint64_t YamlReader::duration(const YAML::Node& node, const std::string& what,
                                   std::uint64_t min, std::uint64_t max) const {
  std::uint64_t seconds = 0;
  const std::string text = scalar(node, what);
  if (!scaled_number(text, {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}}, seconds) ||
      seconds < min || seconds > max) {
    fail(node, what + " is '" + text + "', expected seconds (or 30s, 5m, 1h, 1d) from " +
                   std::to_string(min) + " to " + std::to_string(max) + " seconds");
  }
  return seconds;
}

std::uint64_t YamlReader::byte_size(const YAML::Node& node, const std::string& what,
                                    std::uint64_t min, std::uint64_t max) const {
  std::uint64_t bytes = 0;
  const std::string text = scalar(node, what);
  if (!scaled_number(text, {{'k', 1ull << 10}, {'M', 1ull << 20}, {'G', 1ull << 30}}, bytes) ||
      bytes < min || bytes > max) {
    fail(node, what + " is '" + text + "', expected bytes (or 512k, 64M, 1G) from " +
                   std::to_string(min) + " to " + std::to_string(max));
  }
  return bytes;
}

bool YamlReader::flag(const YAML::Node& node, const std::string& what) const {
  const std::string text = scalar(node, what);
  if (text == "true") return true;
  if (text == "false") return false;
  fail(node, what + " is '" + text + "', expected true or false");
}

}  // namespace takedown::schema
