// domains: one name per line, '#' comments. "*.d" means the names strictly below d.
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
    out.add_domain(number, text, scope);
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_domains_parser() { return std::make_unique<DomainsParser>(); }

}  // namespace takedown::control
