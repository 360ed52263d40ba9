// domains: one name per line, '#' comments. "*.d" means the names strictly below d. Lists made for
// dnscrypt-proxy (format: wildcard) write "*.d" for d and below, so in a domains list a "*.d"
// whose d is not listed too gets a warning: its apex passes, maybe not as the list means.
#include <string>
#include <unordered_set>
#include <vector>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

namespace takedown::control {
namespace {

class DomainsParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(strip_hash_comment(text));
    if (text.empty()) return;
    if (text.find_first_of(" \t") != std::string_view::npos) {
      out.report.skip(number, "expected one domain per line", text);
      return;
    }
    Scope scope = Scope::Both;
    if (text.starts_with("*.")) {
      scope = Scope::Below;
      text.remove_prefix(2);
    }
    if (out.add_domain(number, text, scope) && scope == Scope::Below)
      below_only_.push_back(out.entries.size() - 1);
  }

  void finish(ParsedList& out) override {
    if (below_only_.empty()) return;
    std::unordered_set<std::string_view> apexes;
    for (const ListEntry& e : out.entries) {
      if (e.scope != Scope::Below) apexes.insert(e.text);
    }
    for (std::size_t i : below_only_) {
      const ListEntry& e = out.entries[i];
      if (apexes.count(e.text) == 0)
        out.report.warn(e.line,
                        "\"*.d\" covers the names below d, not d itself, in a domains list; for d "
                        "and below (as dnscrypt-proxy and hagezi wildcard lists mean it) use "
                        "format: wildcard",
                        e.text);
    }
  }

 private:
  std::vector<std::size_t> below_only_;  // entries from "*.d" lines
};

}  // namespace

std::unique_ptr<FormatParser> make_domains_parser() { return std::make_unique<DomainsParser>(); }

}  // namespace takedown::control
