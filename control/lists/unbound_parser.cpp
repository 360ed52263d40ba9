// unbound: 'local-zone: "d." <type>' blocks d and below; the type picks the DNS answer:
//   always_nxdomain, static          -> nxdomain
//   always_refuse, refuse            -> refused
//   deny, always_deny, inform_deny   -> drop
//   always_nodata                    -> nodata
//   always_null                      -> sinkhole to 0.0.0.0 and ::
//   redirect, inform_redirect        -> sinkhole to the zone's own local-data ('local-data:
//                                       "d A 0.0.0.0"'): Unbound answers every name of the zone
//                                       with the data of its apex, as generated lists use it
// transparent, typetransparent, always_transparent and inform resolve normally: under a blocking
// zone of the same list they are Unbound's exemption and load as one (an allow of the zone and
// below); elsewhere they exempt nothing and are skipped. Zones and local-data may come in any
// order, so redirects and exemptions are settled at the end of the file. Other types (nodefault,
// a redirect without address data), local-data Takedown cannot answer and local-data-ptr are
// skipped with their reason.
#include <charconv>
#include <map>
#include <set>
#include <vector>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"
#include "control/lists/list_name.hpp"
#include "control/lists/local_address.hpp"

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

bool resolves_normally(std::string_view type) {
  return type == "transparent" || type == "typetransparent" || type == "always_transparent" ||
         type == "inform";
}

// A quoted ("..." or '...') or bare first word of `text`; the rest is left in `text`.
bool take_word(std::string_view& text, std::string_view& word) {
  if (text.starts_with('"') || text.starts_with('\'')) {
    const std::size_t close = text.find(text.front(), 1);
    if (close == std::string_view::npos) return false;
    word = text.substr(1, close - 1);
    text = trim(text.substr(close + 1));
    return true;
  }
  const std::size_t end = text.find_first_of(" \t");
  word = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view{} : trim(text.substr(end));
  return true;
}

std::string_view next_token(std::string_view& rest) {
  const std::size_t end = rest.find_first_of(" \t");
  const std::string_view token = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : trim(rest.substr(end));
  return token;
}

class UnboundParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = trim(strip_hash_comment(text));
    if (text.empty() || text == "server:") return;
    if (text.starts_with("local-data-ptr:")) {
      out.report.skip(number, "local-data-ptr (a reverse answer) is not supported", text);
    } else if (text.starts_with("local-data:")) {
      local_data(number, trim(text.substr(11)), out);
    } else if (text.starts_with("local-zone:")) {
      local_zone(number, trim(text.substr(11)), out);
    } else {
      out.report.skip(number, "not a local-zone or local-data line", text);
    }
  }

  void finish(ParsedList& out) override {
    for (const Zone& z : redirects_) redirect(z, out);
    for (const Zone& z : exemptions_) exemption(z, out);
    for (const auto& [name, records] : data_) {
      for (const Record& r : records) {
        if (!r.used)
          out.report.skip(r.line,
                          "local-data outside a redirect zone's own name is not supported (use an "
                          "rpz list for local answers)",
                          name);
      }
    }
  }

 private:
  struct Zone {
    std::uint32_t line;
    std::string name;  // normalised
    std::string type;
  };
  struct Record {
    std::uint32_t line;
    LocalAddress address;
    std::optional<std::uint32_t> ttl;
    bool used = false;
  };

  void local_zone(std::uint32_t number, std::string_view text, ParsedList& out) {
    std::string_view raw;
    if (!take_word(text, raw)) {
      out.report.skip(number, "unterminated quoted zone name", text);
      return;
    }
    std::string name, why;
    if (!list_name(raw, name, why)) {
      out.report.skip(number, why, raw);
      return;
    }
    filters::DnsResponse response;
    if (response_for(text, response)) {
      PolicyOverride o;
      o.dns = response;
      if (response == filters::DnsResponse::Sinkhole) {  // always_null: 0.0.0.0 and ::
        o.a.push_back({0, 0, 0, 0});
        o.aaaa.push_back({});
      }
      out.add_domain(number, name, Scope::Both, out.shared_override(o));
      blocking_.insert(name);
    } else if (text == "redirect" || text == "inform_redirect") {
      redirects_.push_back({number, name, std::string(text)});
    } else if (resolves_normally(text)) {
      exemptions_.push_back({number, name, std::string(text)});
    } else {
      out.report.skip(number,
                      text.empty() ? "local-zone without a type" : "local-zone type does not block",
                      text);
    }
  }

  // 'local-data: "name [ttl] [class] type rdata"': A and AAAA records are kept for the redirect
  // zone they may answer for; any other type is skipped at once.
  void local_data(std::uint32_t number, std::string_view text, ParsedList& out) {
    std::string_view record;
    if (!take_word(text, record) || !text.empty()) {
      out.report.skip(number, "expected one quoted record after local-data:", text);
      return;
    }
    std::string_view rest = trim(record);
    const std::string_view raw = next_token(rest);
    std::optional<std::uint32_t> ttl;
    std::string_view type = next_token(rest);
    std::uint32_t seconds = 0;
    const auto [end, ec] = std::from_chars(type.data(), type.data() + type.size(), seconds);
    if (ec == std::errc{} && end == type.data() + type.size() && !type.empty()) {
      ttl = seconds;
      type = next_token(rest);
    }
    if (type == "IN" || type == "in") type = next_token(rest);
    const bool v4 = type == "A" || type == "a";
    if (!v4 && type != "AAAA" && type != "aaaa") {
      out.report.skip(number, "local-data of a type other than A or AAAA is not supported", record);
      return;
    }
    std::string name, why;
    Record r{number, {}, ttl};
    const std::string_view address = next_token(rest);
    if (!rest.empty() || !parse_local_address(v4, address, r.address, why)) {
      out.report.skip(number, why.empty() ? "expected one address" : why, record);
      return;
    }
    if (!list_name(raw, name, why)) {
      out.report.skip(number, why, raw);
      return;
    }
    data_[name].push_back(r);
  }

  void redirect(const Zone& z, ParsedList& out) {
    auto records = data_.find(z.name);
    if (records == data_.end()) {
      out.report.skip(z.line, "redirect zone without A or AAAA local-data for its own name",
                      z.name);
      return;
    }
    PolicyOverride o;
    o.action = filters::Action::Block;
    o.dns = filters::DnsResponse::Sinkhole;
    for (Record& r : records->second) {
      r.used = true;
      if (!add_local_address(o, r.address)) {
        out.report.skip(r.line, kTooManyAddresses, z.name);
        continue;
      }
      if (!o.ttl) o.ttl = r.ttl;
    }
    out.add_domain(z.line, z.name, Scope::Both, out.shared_override(o));
    blocking_.insert(z.name);
  }

  void exemption(const Zone& z, ParsedList& out) {
    for (std::size_t dot = z.name.find('.'); dot != std::string::npos;
         dot = z.name.find('.', dot + 1)) {
      if (blocking_.count(z.name.substr(dot + 1)) != 0) {
        out.add_domain(z.line, z.name, Scope::Both, out.shared_override(exemption_override()));
        return;
      }
    }
    out.report.skip(z.line, "zone resolves normally and is below no blocking zone of this list",
                    z.type);
  }

  std::set<std::string> blocking_;  // zones that block: what an exemption must lie below
  std::vector<Zone> redirects_;
  std::vector<Zone> exemptions_;
  std::map<std::string, std::vector<Record>> data_;  // A/AAAA local-data by owner
};

}  // namespace

std::unique_ptr<FormatParser> make_unbound_parser() { return std::make_unique<UnboundParser>(); }

}  // namespace takedown::control
