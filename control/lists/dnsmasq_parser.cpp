// dnsmasq: "address=/d/[addr]", "local=/d/" and "server=/d/" block d and below; one line may name
// several domains ("address=/a/b/"). A null address (0.0.0.0, ::, 127.0.0.1, ::1, and '#' for
// address=) or none is a block. "server=/d/#" and "local=/d/#" mean "resolve d normally" ('#' is
// dnsmasq's "the standard servers"): the usual way to exempt a subdomain of a blocked domain, so
// they load as exemptions (allow entries, as adblock's @@ rules) of d and below.
// "server=/d/1.2.3.4" forwards rather than blocks, and "address=/d/203.0.113.5" redirects; both are
// skipped with their reason, as is any other directive.
#include <array>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

namespace takedown::control {
namespace {

constexpr std::array<std::string_view, 6> kNullAnswers = {"",   "#",         "0.0.0.0",
                                                          "::", "127.0.0.1", "::1"};

class DnsmasqParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(strip_hash_comment(text));
    if (text.empty()) return;
    const std::size_t eq = text.find('=');
    const std::string_view key = trim(text.substr(0, eq));
    if (eq == std::string_view::npos || (key != "address" && key != "server" && key != "local")) {
      out.report.skip(number, "not a blocking directive (expected address=, local= or server=)",
                      text);
      return;
    }
    const std::string_view value = trim(text.substr(eq + 1));
    const std::size_t last = value.rfind('/');
    if (!value.starts_with('/') || last == 0) {
      out.report.skip(number, "expected /domain/ after '='", value);
      return;
    }
    const std::string_view answer = value.substr(last + 1);
    const bool exempt = key != "address" && answer == "#";
    bool null_answer = false;
    for (auto a : kNullAnswers) null_answer = null_answer || answer == a;
    if (!null_answer) {
      out.report.skip(number,
                      key == "address" ? "redirects to an address (use an rpz list for local data)"
                                       : "forwards to an upstream server, does not block",
                      answer);
      return;
    }
    std::string_view domains = value.substr(1, last - 1);
    while (!domains.empty()) {
      const std::size_t slash = domains.find('/');
      std::string_view domain = domains.substr(0, slash);
      domains = slash == std::string_view::npos ? std::string_view{} : domains.substr(slash + 1);
      if (domain.starts_with('.')) domain.remove_prefix(1);
      if (domain.empty() || domain == "#") {
        out.report.skip(number, "a domain is empty or '#' (all domains); not supported", value);
        continue;
      }
      out.add_domain(number, domain, Scope::Both,
                     exempt ? out.shared_override(exemption_override()) : 0);
    }
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_dnsmasq_parser() { return std::make_unique<DnsmasqParser>(); }

}  // namespace takedown::control
