// adblock: "||d^" blocks d and below, "@@||d^" allows it (an exception). '!' comments and the
// "[Adblock Plus]" header are accepted. "$important" lifts a rule above the plain ones, as adblock
// blockers mean it: "||d^$important" blocks even where an @@ exception (of any list) allows, and
// only an "@@||d^$important" exception or an allow list of the config beats it. "$badfilter"
// cancels the rule it names (the same rule without $badfilter, e.g. "||d^$important,badfilter"
// cancels "||d^$important") wherever it is in the list: that rule does not load, and is reported
// as skipped at its own line. A $badfilter naming no rule of the list is a warning. Any other rule
// (cosmetic, path, wildcard, other modifiers) is not a domain rule: it is skipped and counted.
#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"
#include "control/lists/list_name.hpp"

namespace takedown::control {
namespace {

class AdblockParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(text);
    if (text.empty() || text.front() == '!') return;
    if (text.front() == '[' && text.back() == ']') return;  // [Adblock Plus 2.0] header
    if (text == "#" || text.starts_with("# ")) return;      // AdGuard-style comment
    if (text.find("##") != std::string_view::npos || text.find("#@#") != std::string_view::npos ||
        text.find("#$#") != std::string_view::npos || text.find("#?#") != std::string_view::npos) {
      out.report.skip(number, "not a domain rule (cosmetic filter)", text);
      return;
    }
    bool allow = false;
    if (text.starts_with("@@")) {
      allow = true;
      text.remove_prefix(2);
    }
    if (!text.starts_with("||")) {
      out.report.skip(number, "not a domain rule (expected ||domain^)", text);
      return;
    }
    text.remove_prefix(2);
    const std::size_t caret = text.find('^');
    if (caret == std::string_view::npos) {
      out.report.skip(number, "not a domain rule (no ^ after the domain)", text);
      return;
    }
    const std::string_view domain = text.substr(0, caret);
    std::string_view rest = text.substr(caret + 1);
    if (rest.starts_with('|')) rest.remove_prefix(1);
    bool important = false;
    bool badfilter = false;
    if (!rest.empty() && !modifiers(rest, important, badfilter)) {
      out.report.skip(number, "not a domain rule (a modifier other than $important and $badfilter)",
                      rest);
      return;
    }
    if (domain.find_first_of("*/|") != std::string_view::npos) {
      out.report.skip(number, "not a domain rule (wildcard or path)", domain);
      return;
    }
    if (badfilter) {
      Rule rule{{}, allow, important};
      std::string why;
      if (!list_name(domain, std::get<0>(rule), why)) {
        out.report.skip(number, why, domain);
        return;
      }
      cancels_.emplace(std::move(rule), Cancel{number, false});
      return;
    }
    PolicyOverride o = allow ? exemption_override() : PolicyOverride{};
    o.important = important;
    out.add_domain(number, domain, Scope::Both, allow || important ? out.shared_override(o) : 0);
  }

  void finish(ParsedList& out) override {
    if (cancels_.empty()) return;
    const auto cancelled = [&](const ListEntry& e) {
      const PolicyOverride* o =
          e.override_index == 0 ? nullptr : &out.overrides[e.override_index - 1];
      const auto it =
          cancels_.find(Rule{e.text, o != nullptr && o->action == filters::Action::Allow,
                             o != nullptr && o->important});
      if (it == cancels_.end()) return false;
      it->second.used = true;
      out.report.skip(
          e.line, "cancelled by the $badfilter at line " + std::to_string(it->second.line), e.text);
      return true;
    };
    out.entries.erase(std::remove_if(out.entries.begin(), out.entries.end(), cancelled),
                      out.entries.end());
    for (const auto& [rule, cancel] : cancels_) {
      if (!cancel.used)
        out.report.warn(cancel.line,
                        "$badfilter names no rule of this list (it cancels rules of "
                        "its own list only)",
                        std::get<0>(rule));
    }
  }

 private:
  // A rule as $badfilter names it: its normalised domain, whether it is an exception, whether
  // it is important.
  using Rule = std::tuple<std::string, bool, bool>;
  struct Cancel {
    std::uint32_t line;  // of the $badfilter
    bool used;
  };

  // "$m1,m2": true when every modifier is one a domain rule can carry.
  static bool modifiers(std::string_view rest, bool& important, bool& badfilter) {
    if (!rest.starts_with('$')) return false;
    rest.remove_prefix(1);
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view m = rest.substr(0, comma);
      if (m == "important") {
        important = true;
      } else if (m == "badfilter") {
        badfilter = true;
      } else {
        return false;
      }
      if (comma == std::string_view::npos) return true;
      rest.remove_prefix(comma + 1);
    }
  }

  std::map<Rule, Cancel> cancels_;
};

}  // namespace

std::unique_ptr<FormatParser> make_adblock_parser() { return std::make_unique<AdblockParser>(); }

}  // namespace takedown::control
