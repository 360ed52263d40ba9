// YamlReader: the checks every config section shares, with errors that name file:line:column.
//
// Each check throws ConfigError with the position of the offending node and what was expected;
// the section parsers (config.cpp, dataplane_config.cpp) catch it at their boundary and return
// an Error. Cold path; a value type, one per file being read.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "control/schema/dataplane_config.hpp"

namespace takedown::schema {

// Thrown by YamlReader; never crosses a public interface.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class YamlReader {
 public:
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // Throws "<file>:<line>:<column>: <what>".
  [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const;
  // A mapping whose keys all come from `allowed`.
  void expect_map(const YAML::Node& node, const std::string& what,
                  std::initializer_list<std::string_view> allowed) const;
  std::string scalar(const YAML::Node& node, const std::string& what) const;
  // A whole number in [min, max] written as plain digits; `expected` says what it should be.
  unsigned long whole_number(const YAML::Node& node, const std::string& what, unsigned long min,
                             unsigned long max, const std::string& expected) const;

  // Seconds: plain digits, or digits with s, m, h or d ("30s", "5m", "1h"), in [min, max].
  std::uint64_t duration(const YAML::Node& node, const std::string& what, std::uint64_t min,
                         std::uint64_t max) const;
  // Bytes: plain digits, or digits with k, M or G (powers of 1024), in [min, max].
  std::uint64_t byte_size(const YAML::Node& node, const std::string& what, std::uint64_t min,
                          std::uint64_t max) const;

  // true or false, spelled so.
  bool flag(const YAML::Node& node, const std::string& what) const;

  // An enum spelled as one of its lowercase names (filters::parse overloads).
  template <typename Enum>
  Enum choice(const YAML::Node& node, const std::string& what, const std::string& options) const {
    Enum value;
    const std::string text = scalar(node, what);
    if (!parse(text, value)) fail(node, what + " is '" + text + "', expected one of: " + options);
    return value;
  }

 private:
  std::string path_;
};

// The section readers config.cpp calls. Each throws ConfigError.
// `node` is the dataplane mapping of the config `reader` reads.
DataplaneConfig read_dataplane(const YamlReader& reader, const YAML::Node& node);

}  // namespace takedown::schema
