// unbound: 'local-zone: "d." <type>' blocks d and below; the type picks the DNS answer:
//   always_nxdomain, static          -> nxdomain
//   always_refuse, refuse            -> refused
//   deny, always_deny, inform_deny   -> drop
//   always_nodata                    -> nodata
//   always_null                      -> sinkhole to 0.0.0.0 and ::
// Types that do not block (transparent, typetransparent, always_transparent, inform, nodefault,
// redirect without local-data...) are skipped with their reason, as are local-data lines.
#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"

namespace takedown::control {
namespace {

bool response_for(std::string_view type, filters::DnsResponse& out) {
  using filters::DnsResponse;
  if (type == "always_nxdomain" || type == "static")
    out = DnsResponse::Nxdomain;
  else if (type == "always_refuse" || type == "refuse")
    out = DnsResponse::Refused;
  else if (type == "deny" || type == "always_deny" || type == "inform_deny")
    out = DnsResponse::Drop;
  else if (type == "always_nodata")
    out = DnsResponse::Nodata;
  else if (type == "always_null")
    out = DnsResponse::Sinkhole;
  else
    return false;
  return true;
}

class UnboundParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(strip_hash_comment(text));
    if (text.empty() || text == "server:") return;
    if (text.starts_with("local-data:") || text.starts_with("local-data-ptr:")) {
      out.report.skip(number, "local-data is not supported (use an rpz list for local answers)",
                      text);
      return;
    }
    if (!text.starts_with("local-zone:")) {
      out.report.skip(number, "not a local-zone line", text);
      return;
    }
    text = trim(text.substr(11));
    std::string_view zone;
    if (text.starts_with('"')) {
      const std::size_t close = text.find('"', 1);
      if (close == std::string_view::npos) {
        out.report.skip(number, "unterminated quoted zone name", text);
        return;
      }
      zone = text.substr(1, close - 1);
      text = trim(text.substr(close + 1));
    } else {
      const std::size_t end = text.find_first_of(" \t");
      zone = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view{} : trim(text.substr(end));
    }
    filters::DnsResponse response;
    if (!response_for(text, response)) {
      out.report.skip(number,
                      text.empty() ? "local-zone without a type" : "local-zone type does not block",
                      text);
      return;
    }
    PolicyOverride o;
    o.dns = response;
    if (response == filters::DnsResponse::Sinkhole) {  // always_null: 0.0.0.0 and ::
      o.a.push_back({0, 0, 0, 0});
      o.aaaa.push_back({});
    }
    out.add_domain(number, zone, Scope::Both, out.shared_override(o));
  }
};

}  // namespace

std::unique_ptr<FormatParser> make_unbound_parser() { return std::make_unique<UnboundParser>(); }

}  // namespace takedown::control
