// wildcard: one name per line, '#' comments, as dnscrypt-proxy's blocked-names files and the
// "wildcard" lists made for them (hagezi's) write it: "*.d" means d and every name below it, and a
// plain "d" means the same. Patterns with '*', '?' or '[' anywhere else ("ads.*", "*sex*") match
// parts of names, not domains: they are skipped (a regex list can say them).
#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

namespace takedown::control {
namespace {

class WildcardParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(strip_hash_comment(text));
    if (text.empty()) return;
    if (text.find_first_of(" \t") != std::string_view::npos) {
      out.report.skip(number, "expected one name per line", text);
      return;
    }
    std::string_view name = text.starts_with("*.") ? text.substr(2) : text;
    if (name.find_first_of("*?[") != std::string_view::npos) {
      out.report.skip(number,
                      "a name pattern, not a domain wildcard (only a leading \"*.\"; use a regex "
                      "list)",
                      text);
      return;
    }
    out.add_domain(number, name, Scope::Both);
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_wildcard_parser() { return std::make_unique<WildcardParser>(); }

}  // namespace takedown::control
