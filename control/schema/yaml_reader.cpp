#include "control/schema/yaml_reader.hpp"

#include <sstream>

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

bool YamlReader::flag(const YAML::Node& node, const std::string& what) const {
  const std::string text = scalar(node, what);
  if (text == "true") return true;
  if (text == "false") return false;
  fail(node, what + " is '" + text + "', expected true or false");
}

}  // namespace takedown::schema
