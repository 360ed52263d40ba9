// PublicSuffixes: which names are public suffixes (com, co.uk, github.io), from the Public Suffix
// List as Debian's `publicsuffix` package installs it.
//
// A block-list entry for a public suffix blocks every domain registered under it, which is seldom
// what a list means, so the compiler warns about such entries (over_broad.hpp). The rules follow
// the list's algorithm: a plain rule, a "*." wildcard rule (every child is a suffix) and a "!"
// exception; any single label is a top-level domain (the list's implicit "*" rule), which is also
// all that can be said when the file is missing. Rules in UTF-8 are held as A-labels, as list
// entries are. system() reads the file once per process, on first use; the object is immutable
// after that and safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

namespace takedown::control {

class PublicSuffixes {
 public:
  static constexpr const char* kDebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

  enum class Kind { NotASuffix, TopLevel, Suffix };

  // The list at kDebianPath, read on the first call.
  static const PublicSuffixes& system();
  // The list at `path`; when it cannot be read, loaded() is false and only single labels count.
  static PublicSuffixes load(const std::string& path);

  // `name` is normalised (lowercase A-labels, no trailing dot).
  Kind classify(std::string_view name) const;
  bool loaded() const { return loaded_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool loaded_ = false;
  std::unordered_set<std::string> rules_;
  std::unordered_set<std::string> wildcard_parents_;  // "ck" for the rule "*.ck"
  std::unordered_set<std::string> exceptions_;        // "www.ck" for the rule "!www.ck"
};

}  // namespace takedown::control
