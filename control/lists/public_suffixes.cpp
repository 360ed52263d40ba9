#include "control/lists/public_suffixes.hpp"

#include <fstream>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_name.hpp"

namespace takedown::control {

const PublicSuffixes& PublicSuffixes::system() {
  static const PublicSuffixes list = load(kDebianPath);
  return list;
}

PublicSuffixes PublicSuffixes::load(const std::string& path) {
  PublicSuffixes out;
  out.path_ = path;
  std::ifstream in(path);
  if (!in) return out;
  out.loaded_ = true;
  std::string name, why;
  for (std::string line; std::getline(in, line);) {
    std::string_view rule = trim(line);
    rule = rule.substr(0, rule.find_first_of(" \t"));  // the list's rules end at whitespace
    if (rule.empty() || rule.starts_with("//")) continue;
    auto* set = &out.rules_;
    if (rule.starts_with('!')) {
      set = &out.exceptions_;
      rule.remove_prefix(1);
    } else if (rule.starts_with("*.")) {
      set = &out.wildcard_parents_;
      rule.remove_prefix(2);
    }
    if (list_name(rule, name, why)) set->insert(name);
  }
  return out;
}

PublicSuffixes::Kind PublicSuffixes::classify(std::string_view name) const {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return Kind::TopLevel;
  const std::string key(name);
  if (exceptions_.count(key) != 0) return Kind::NotASuffix;
  if (rules_.count(key) != 0 || wildcard_parents_.count(key.substr(dot + 1)) != 0)
    return Kind::Suffix;
  return Kind::NotASuffix;
}

}  // namespace takedown::control
