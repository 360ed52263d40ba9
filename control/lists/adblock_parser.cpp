// adblock: "||d^" blocks d and below, "@@||d^" allows it (an exception). '!' comments and the
// "[Adblock Plus]" header are accepted. "$important" lifts a rule above the plain ones, as adblock
// blockers mean it: "||d^$important" blocks even where an @@ exception (of any list) allows, and
// only an "@@||d^$important" exception or an allow list of the config beats it. Any other rule
// (cosmetic, path, wildcard, other modifiers) is not a domain rule: it is skipped and counted.
#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

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
    if (!rest.empty() && !modifiers(rest, important)) {
      out.report.skip(number, "not a domain rule (a modifier other than $important)", rest);
      return;
    }
    if (domain.find_first_of("*/|") != std::string_view::npos) {
      out.report.skip(number, "not a domain rule (wildcard or path)", domain);
      return;
    }
    PolicyOverride o = allow ? exemption_override() : PolicyOverride{};
    o.important = important;
    out.add_domain(number, domain, Scope::Both,
                   allow || important ? out.shared_override(o) : 0);
  }

 private:
  // "$m1,m2": true when every modifier is one a domain rule can carry.
  static bool modifiers(std::string_view rest, bool& important) {
    if (!rest.starts_with('$')) return false;
    rest.remove_prefix(1);
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view m = rest.substr(0, comma);
      if (m == "important") {
        important = true;
      } else {
        return false;
      }
      if (comma == std::string_view::npos) return true;
      rest.remove_prefix(comma + 1);
    }
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_adblock_parser() { return std::make_unique<AdblockParser>(); }

}  // namespace takedown::control
