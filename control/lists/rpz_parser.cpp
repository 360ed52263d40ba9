// rpz: a BIND zone file used as a Response Policy Zone (QNAME triggers only).
//
// Owners may be relative to the current $ORIGIN, absolute, "@", or left blank (the previous
// owner). The policy zone's own name (the first $ORIGIN, or the SOA owner) is stripped to get the
// trigger: "bad.com CNAME ." in zone rpz.example. triggers on bad.com. A file without $ORIGIN
// whose SOA owner is absolute is read as BIND reads it: the zone's name is the origin. Without
// either (no $ORIGIN, "@" or no SOA), owners are the triggers themselves. A "*.d" owner triggers
// strictly below d, a plain owner on d alone, as in BIND and Unbound. The RDATA picks the policy:
//   CNAME .               -> nxdomain        CNAME *.             -> nodata
//   CNAME rpz-drop.       -> drop            CNAME rpz-passthru.  -> allow
//   A / AAAA              -> sinkhole answer with those addresses (all records of one owner)
// SOA and NS records are structural and ignored; records may span lines in parentheses. rpz-ip,
// rpz-nsdname, rpz-nsip and rpz-client-ip triggers, CNAME redirects to other names, rpz-tcp-only
// and other local-data types are skipped with their reason.
#include <algorithm>
#include <map>

#include "control/lists/line_reader.hpp"
#include "control/lists/list_loader.hpp"
#include "control/lists/list_name.hpp"
#include "control/lists/local_address.hpp"

namespace takedown::control {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

bool equals_nocase(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

// BIND TTLs: plain seconds or units ("1h30m", "2d", "1w").
bool parse_ttl(std::string_view s, std::uint32_t& out) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  std::uint64_t total = 0;
  std::uint64_t number = 0;
  bool pending = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      number = number * 10 + static_cast<unsigned>(c - '0');
      pending = true;
      if (number > 0xFFFFFFFFull) return false;
      continue;
    }
    std::uint64_t unit = 0;
    switch (c | 0x20) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 604800;
        break;
      default:
        return false;
    }
    if (!pending) return false;
    total += number * unit;
    number = 0;
    pending = false;
  }
  total += number;
  if (total > 0x7FFFFFFFull) return false;
  out = static_cast<std::uint32_t>(total);
  return true;
}

bool is_class(std::string_view s) {
  return equals_nocase(s, "IN") || equals_nocase(s, "CH") || equals_nocase(s, "HS");
}

// Removes a ';' comment that is not inside double quotes.
std::string_view strip_semicolon_comment(std::string_view s) {
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == ';' && !quoted) return s.substr(0, i);
  }
  return s;
}

class RpzParser final : public FormatParser {
 public:
  void line(std::uint32_t number, std::string_view text, ParsedList& out) override {
    text = strip_semicolon_comment(text);
    if (depth_ > 0) {  // inside a parenthesised record (an SOA, normally)
      pending_ += ' ';
      pending_ += text;
      depth_ += paren_balance(text);
      if (depth_ <= 0) finish_record(out);
      return;
    }
    if (trim(text).empty()) return;
    const int balance = paren_balance(text);
    if (balance > 0) {
      pending_.assign(text);
      pending_line_ = number;
      depth_ = balance;
      return;
    }
    record(number, text, out);
  }

  void finish(ParsedList& out) override {
    if (depth_ > 0) out.report.skip(pending_line_, "unbalanced '(' in a record that never closes");
  }

 private:
  static int paren_balance(std::string_view s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '(')) -
           static_cast<int>(std::count(s.begin(), s.end(), ')'));
  }

  void finish_record(ParsedList& out) {
    std::string joined = pending_;
    for (char& c : joined) {
      if (c == '(' || c == ')') c = ' ';
    }
    depth_ = 0;
    record(pending_line_, joined, out);
  }

  void record(std::uint32_t number, std::string_view text, ParsedList& out) {
    if (text.starts_with('$')) {
      directive(number, trim(text), out);
      return;
    }
    const bool inherits_owner = text.front() == ' ' || text.front() == '\t';
    std::vector<std::string_view> tokens;
    std::string_view rest = trim(text);
    while (!rest.empty()) {
      const std::size_t end = rest.find_first_of(" \t");
      tokens.push_back(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view{} : trim(rest.substr(end));
    }
    std::size_t i = 0;
    std::string owner;
    if (inherits_owner) {
      if (last_owner_.empty()) {
        out.report.skip(number, "record with a blank owner and no previous owner");
        return;
      }
      owner = last_owner_;
    } else {
      owner = lower(tokens[i++]);
      last_owner_ = owner;
    }
    std::uint32_t ttl = default_ttl_;
    bool have_type = false;
    std::string type;
    for (; i < tokens.size() && !have_type; ++i) {
      std::uint32_t value;
      if (parse_ttl(tokens[i], value)) {
        ttl = value;
      } else if (!is_class(tokens[i])) {
        type = lower(tokens[i]);
        have_type = true;
      }
    }
    if (!have_type) {
      out.report.skip(number, "record without a type", text);
      return;
    }
    const std::vector<std::string_view> rdata(tokens.begin() + static_cast<std::ptrdiff_t>(i),
                                              tokens.end());

    if (type == "soa") {
      if (zone_.empty() && owner.ends_with('.')) {
        zone_ = owner.substr(0, owner.size() - 1);
        // BIND loads a zone file with the zone's name as its origin when the file sets none, and
        // the SOA's owner names the zone: relative owners that follow are inside it.
        if (origin_.empty()) origin_ = zone_;
      }
      if (zone_.empty() && owner == "@") zone_ = origin_;
      return;
    }
    if (type == "ns") return;

    std::string full = owner;
    if (owner == "@") {
      full = origin_;
    } else if (owner.ends_with('.')) {
      full.pop_back();
    } else if (!origin_.empty()) {
      full += "." + origin_;
    }
    std::string_view trigger = full;
    if (!zone_.empty()) {
      if (full == zone_) {
        out.report.skip(number, "the policy zone's apex is not a trigger", text);
        return;
      }
      if (!(full.size() > zone_.size() + 1 && full.ends_with(zone_) &&
            full[full.size() - zone_.size() - 1] == '.')) {
        out.report.skip(number, "owner is outside the policy zone " + zone_, owner);
        return;
      }
      trigger = std::string_view(full).substr(0, full.size() - zone_.size() - 1);
    }
    const std::size_t last_dot = trigger.rfind('.');
    const std::string_view last_label =
        last_dot == std::string_view::npos ? trigger : trigger.substr(last_dot + 1);
    if (last_label == "rpz-ip" || last_label == "rpz-nsdname" || last_label == "rpz-nsip" ||
        last_label == "rpz-client-ip") {
      out.report.skip(number, "only QNAME triggers are supported (" + std::string(last_label) + ")",
                      owner);
      return;
    }
    Scope scope = Scope::Apex;
    if (trigger.starts_with("*.")) {
      scope = Scope::Below;
      trigger.remove_prefix(2);
    }

    if (type == "cname") {
      cname(number, trigger, scope, rdata, out);
    } else if (type == "a" || type == "aaaa") {
      local_data(number, trigger, scope, type == "a", rdata, ttl, out);
    } else {
      out.report.skip(number, "local data of type " + type + " is not supported", text);
    }
  }

  void directive(std::uint32_t number, std::string_view text, ParsedList& out) {
    const std::size_t space = text.find_first_of(" \t");
    const std::string name = lower(text.substr(0, space));
    const std::string_view arg =
        space == std::string_view::npos ? std::string_view{} : trim(text.substr(space));
    if (name == "$ttl") {
      if (!parse_ttl(arg, default_ttl_)) out.report.skip(number, "bad $TTL value", arg);
    } else if (name == "$origin") {
      std::string origin = lower(arg);
      if (!origin.ends_with('.')) {
        out.report.skip(number, "$ORIGIN must be an absolute name (ending in '.')", arg);
        return;
      }
      origin.pop_back();
      origin_ = origin;
      if (zone_.empty()) zone_ = origin_;
    } else {
      out.report.skip(number, "unsupported directive " + name, text);
    }
  }

  void cname(std::uint32_t number, std::string_view trigger, Scope scope,
             const std::vector<std::string_view>& rdata, ParsedList& out) {
    if (rdata.size() != 1) {
      out.report.skip(number, "CNAME needs exactly one target");
      return;
    }
    const std::string target = lower(rdata[0]);
    PolicyOverride o;
    if (target == ".") {
      o.dns = filters::DnsResponse::Nxdomain;
    } else if (target == "*.") {
      o.dns = filters::DnsResponse::Nodata;
    } else if (target == "rpz-drop.") {
      o.dns = filters::DnsResponse::Drop;
    } else if (target == "rpz-passthru.") {
      o.action = filters::Action::Allow;
    } else if (target == "rpz-tcp-only.") {
      out.report.skip(number, "rpz-tcp-only is not supported", target);
      return;
    } else {
      out.report.skip(number, "CNAME to another name (a redirect) is not supported", target);
      return;
    }
    if (!o.action) o.action = filters::Action::Block;
    auto it = cname_overrides_.find(target);
    std::uint32_t index;
    if (it != cname_overrides_.end()) {
      index = it->second;
    } else {
      index = out.add_override(std::move(o));
      cname_overrides_.emplace(target, index);
    }
    out.add_domain(number, trigger, scope, index);
  }

  void local_data(std::uint32_t number, std::string_view trigger, Scope scope, bool is_a,
                  const std::vector<std::string_view>& rdata, std::uint32_t ttl, ParsedList& out) {
    if (rdata.size() != 1) {
      out.report.skip(number, "address record needs exactly one address");
      return;
    }
    LocalAddress address;
    std::string name, why;
    if (!parse_local_address(is_a, rdata[0], address, why)) {
      out.report.skip(number, why, rdata[0]);
      return;
    }
    if (!list_name(trigger, name, why)) {
      out.report.skip(number, why, trigger);
      return;
    }
    const std::string key = std::to_string(static_cast<int>(scope)) + name;
    auto it = local_data_.find(key);
    if (it == local_data_.end()) {
      PolicyOverride o;
      o.action = filters::Action::Block;
      o.dns = filters::DnsResponse::Sinkhole;
      o.ttl = ttl;
      const std::uint32_t index = out.add_override(std::move(o));
      out.add_domain(number, name, scope, index);
      it = local_data_.emplace(key, index).first;
    }
    if (!add_local_address(out.overrides[it->second - 1], address))
      out.report.skip(number, kTooManyAddresses, rdata[0]);
  }

  std::string origin_;
  std::string zone_;
  std::string last_owner_;
  std::uint32_t default_ttl_ = 3600;
  std::string pending_;
  std::uint32_t pending_line_ = 0;
  int depth_ = 0;
  std::map<std::string, std::uint32_t> cname_overrides_;
  std::map<std::string, std::uint32_t> local_data_;
};

}  // namespace

std::unique_ptr<FormatParser> make_rpz_parser() { return std::make_unique<RpzParser>(); }

}  // namespace takedown::control
