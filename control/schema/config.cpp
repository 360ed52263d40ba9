#include "control/schema/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "control/schema/yaml_reader.hpp"
#include "filters/common/utf8.hpp"
#include "filters/match/domain_name.hpp"

namespace takedown::schema {
namespace {

class Reader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  std::uint32_t ttl(const YAML::Node& node) const {
    return static_cast<std::uint32_t>(
        whole_number(node, "ttl", 0, 0x7FFFFFFFul, "ttl must be a number of seconds"));
  }

  std::array<std::uint16_t, filters::ExtractPorts::kMax> ports(const YAML::Node& node,
                                                               const std::string& what) const {
    if (!node.IsSequence()) fail(node, what + " must be a list of port numbers");
    if (node.size() > filters::ExtractPorts::kMax) fail(node, what + " holds at most 8 ports");
    std::array<std::uint16_t, filters::ExtractPorts::kMax> out{};
    std::size_t i = 0;
    for (const auto& n : node) {
      const unsigned long value = whole_number(
          n, what, 1, 65535, what + ": '" + scalar(n, what) + "' is not a port (1-65535)");
      out[i++] = static_cast<std::uint16_t>(value);
    }
    return out;
  }

  // decode: which wrappers are opened, how deep, and VXLAN's and GTP-U's UDP ports.
  filters::DecodeOptions decode(const YAML::Node& node) const {
    using filters::DecodeOptions;
    expect_map(node, "decode",
               {"max_layers", "pppoe", "mpls", "gre", "vxlan", "vxlan_ports", "gtpu", "gtpu_ports",
                "ip_in_ip"});
    DecodeOptions out;
    if (node["max_layers"]) {
      out.max_layers = static_cast<std::uint8_t>(whole_number(
          node["max_layers"], "decode.max_layers", 0, DecodeOptions::kMaxLayersLimit,
          "decode.max_layers must be a number of wrappers from 0 to " +
              std::to_string(DecodeOptions::kMaxLayersLimit)));
    }
    for (auto [key, into] : {std::pair{"pppoe", &out.pppoe}, std::pair{"mpls", &out.mpls},
                             std::pair{"gre", &out.gre}, std::pair{"vxlan", &out.vxlan},
                             std::pair{"gtpu", &out.gtpu}, std::pair{"ip_in_ip", &out.ip_in_ip}}) {
      if (node[key]) *into = flag(node[key], std::string("decode.") + key);
    }
    for (auto [key, into] : {std::pair{"vxlan_ports", &out.vxlan_ports},
                             std::pair{"gtpu_ports", &out.gtpu_ports}}) {
      if (!node[key]) continue;
      const std::string what = std::string("decode.") + key;
      const auto list = ports(node[key], what);
      if (list[DecodeOptions::kMaxPorts] != 0) fail(node[key], what + " holds at most 4 ports");
      into->fill(0);
      std::copy_n(list.begin(), DecodeOptions::kMaxPorts, into->begin());
    }
    return out;
  }

  filters::FlowConfig flows(const YAML::Node& node) const {
    using filters::FlowConfig;
    expect_map(node, "flows",
               {"per_worker", "reassembly_flows", "reassembly_bytes", "reassembly_timeout_ms",
                "blocked_timeout_ms", "overlap", "quic_decrypts_per_second", "quic_over_budget",
                "quic_hold_ms"});
    FlowConfig out;
    auto number = [&](const char* key, unsigned long min, unsigned long max, const char* unit,
                      std::uint32_t& into) {
      if (!node[key]) return;
      const std::string what = std::string("flows.") + key;
      into = static_cast<std::uint32_t>(whole_number(
          node[key], what, min, max,
          what + " must be " + unit + " from " + std::to_string(min) + " to " + std::to_string(max)));
    };
    number("per_worker", FlowConfig::kMinFlows, FlowConfig::kMaxFlows, "a number of flows",
           out.per_worker);
    number("reassembly_flows", 1, 1u << 20, "a number of flows", out.reassembly_flows);
    number("reassembly_bytes", FlowConfig::kMinReassemblyBytes, FlowConfig::kMaxReassemblyBytes,
           "a number of bytes", out.reassembly_bytes);
    number("reassembly_timeout_ms", 10, 600000, "milliseconds", out.reassembly_timeout_ms);
    number("blocked_timeout_ms", 10, 86400000, "milliseconds", out.blocked_timeout_ms);
    number("quic_decrypts_per_second", 0, 100000000, "Initials per second (0: no limit)",
           out.quic_decrypts_per_second);
    number("quic_hold_ms", 0, 1000, "milliseconds (0: no holding)", out.quic_hold_ms);
    if (node["overlap"]) {
      out.overlap = choice<filters::OverlapPolicy>(node["overlap"], "flows.overlap",
                                                   std::string(filters::names_of(filters::OverlapPolicy{})));
    }
    if (node["quic_over_budget"]) {
      out.quic_over_budget = choice<filters::OverBudgetPolicy>(
          node["quic_over_budget"], "flows.quic_over_budget",
          std::string(filters::names_of(filters::OverBudgetPolicy{})));
    }
    if (out.reassembly_flows > out.per_worker) {
      fail(node, "flows.reassembly_flows (" + std::to_string(out.reassembly_flows) +
                     ") is more than flows.per_worker (" + std::to_string(out.per_worker) +
                     "): every gathering flow needs a table entry");
    }
    return out;
  }

  void addresses(const YAML::Node& node, const std::string& what, bool v4,
                 ResponseConfig& out) const {
    if (!node.IsSequence() && !node.IsScalar())
      fail(node, what + " must be an address or a list of addresses");
    std::vector<YAML::Node> items;
    if (node.IsScalar()) {
      items.push_back(node);
    } else {
      for (const auto& n : node) items.push_back(n);
    }
    if (items.size() > filters::Policy::kMaxAddresses)
      fail(node, what + " holds at most 4 addresses");
    if (v4)
      out.a.clear();
    else
      out.aaaa.clear();
    for (const auto& n : items) {
      const std::string text = scalar(n, what);
      std::array<std::uint8_t, 16> bytes{};
      if (inet_pton(v4 ? AF_INET : AF_INET6, text.c_str(), bytes.data()) != 1) {
        fail(n, "'" + text + "' is not an " + (v4 ? "IPv4" : "IPv6") + " address");
      }
      if (v4)
        out.a.push_back({bytes[0], bytes[1], bytes[2], bytes[3]});
      else
        out.aaaa.push_back(bytes);
    }
  }

  void response(const YAML::Node& node, const std::string& what, ResponseConfig& out) const {
    expect_map(node, what,
               {"dns", "http", "tls", "a", "aaaa", "ttl", "negative_ttl", "soa", "ede", "text",
                "redirect"});
    if (node["dns"])
      out.dns = choice<filters::DnsResponse>(node["dns"], what + ".dns",
                                             "nxdomain, nodata, refused, sinkhole, drop");
    if (node["http"])
      out.http = choice<filters::TcpResponse>(node["http"], what + ".http", "page, reset, drop");
    if (node["tls"]) {
      out.tls = choice<filters::TcpResponse>(node["tls"], what + ".tls", "reset, drop");
      if (out.tls == filters::TcpResponse::Page) {
        fail(node["tls"], what + ".tls is 'page', expected one of: reset, drop (a page cannot be "
                                 "sent inside TLS without the site's certificate)");
      }
    }
    if (node["a"]) addresses(node["a"], what + ".a", true, out);
    if (node["aaaa"]) addresses(node["aaaa"], what + ".aaaa", false, out);
    if (node["ttl"]) out.ttl = ttl(node["ttl"]);
    if (node["negative_ttl"]) {
      out.negative_ttl = static_cast<std::uint32_t>(
          whole_number(node["negative_ttl"], what + ".negative_ttl", 0, 0x7FFFFFFFul,
                       what + ".negative_ttl must be a number of seconds"));
    }
    if (node["soa"]) {
      const YAML::Node soa = node["soa"];
      expect_map(soa, what + ".soa", {"owner", "mname", "rname"});
      if (soa["owner"]) out.soa_owner = soa_name(soa["owner"], what + ".soa.owner", true);
      if (soa["mname"]) out.soa_mname = soa_name(soa["mname"], what + ".soa.mname", false);
      if (soa["rname"]) out.soa_rname = soa_name(soa["rname"], what + ".soa.rname", false);
    }
    if (node["ede"]) {
      out.ede = choice<filters::EdeCode>(
          node["ede"], what + ".ede",
          "blocked (15), censored (16), filtered (17), prohibited (18)");
    }
    if (node["text"]) {
      out.text = scalar(node["text"], what + ".text");
      if (!filters::valid_utf8(out.text))
        fail(node["text"], what + ".text is not valid UTF-8");
      if (out.text.size() > filters::ListReply::kMaxEdeText) {
        fail(node["text"], what + ".text is " + std::to_string(out.text.size()) +
                               " bytes, expected at most " +
                               std::to_string(filters::ListReply::kMaxEdeText));
      }
      for (unsigned char c : out.text) {
        if (c < 0x20 || c == 0x7F) fail(node["text"], what + ".text holds a control character");
      }
    }
    if (node["redirect"]) {  // "": none
      out.redirect = scalar(node["redirect"], what + ".redirect");
      const std::string& r = out.redirect;
      if (!r.empty() && r.rfind("http://", 0) != 0 && r.rfind("https://", 0) != 0)
        fail(node["redirect"], what + ".redirect is '" + r + "', expected an http:// or https:// URL");
      if (r.size() > 512) fail(node["redirect"], what + ".redirect is longer than 512 bytes");
      for (unsigned char c : r) {
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>') {
          fail(node["redirect"], what + ".redirect holds a space, a quote, '<', '>' or a byte "
                                        "outside printable ASCII (percent-encode it)");
        }
      }
    }
  }

  // An SOA name of a negative answer: a domain name of at most 64 characters (so that the
  // answer always fits in 512 bytes); for an owner also "." (the root) or "" (the default).
  std::string soa_name(const YAML::Node& node, const std::string& what, bool root_allowed) const {
    const std::string text = scalar(node, what);
    if (root_allowed && (text == "." || text.empty())) return text;  // "": the default
    filters::DomainName name;
    if (name.assign(text) != filters::NameStatus::Ok)
      fail(node, what + " is '" + text + "', expected a domain name");
    if (name.view().size() > 64) fail(node, what + " is longer than 64 characters");
    return std::string(name.view());
  }

  UrlSource url(const YAML::Node& node, const std::filesystem::path& base) const {
    UrlSource out;
    out.url = scalar(node["url"], "url");
    if (out.url.rfind("http://", 0) != 0 && out.url.rfind("https://", 0) != 0)
      fail(node["url"], "url is '" + out.url + "', expected an http:// or https:// address");
    if (out.url.size() > 4096) fail(node["url"], "url is longer than 4096 bytes");
    if (node["refresh"])
      out.refresh_seconds = static_cast<std::uint32_t>(duration(node["refresh"], "refresh", 1, 7 * 86400));
    if (node["connect_timeout"]) {
      out.connect_timeout_seconds = static_cast<std::uint32_t>(
          duration(node["connect_timeout"], "connect_timeout", 1, 600));
    }
    if (node["timeout"])
      out.timeout_seconds = static_cast<std::uint32_t>(duration(node["timeout"], "timeout", 1, 3600));
    if (node["max_size"])
      out.max_bytes = byte_size(node["max_size"], "max_size", 1024, 4ull << 30);
    if (node["ca"]) out.ca = resolved(scalar(node["ca"], "ca"), base);
    return out;
  }

  TransferSource transfer(const YAML::Node& node, const std::filesystem::path& base) const {
    expect_map(node, "transfer",
               {"primary", "port", "zone", "tsig", "expired", "timeout", "max_size"});
    for (const char* required : {"primary", "zone"}) {
      if (!node[required])
        fail(node, std::string("transfer is missing the required key '") + required + "'");
    }
    TransferSource out;
    out.primary = scalar(node["primary"], "transfer.primary");
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET, out.primary.c_str(), bytes.data()) != 1 &&
        inet_pton(AF_INET6, out.primary.c_str(), bytes.data()) != 1) {
      fail(node["primary"], "transfer.primary is '" + out.primary +
                                "', expected the primary's IPv4 or IPv6 address (NOTIFY is "
                                "accepted from it alone)");
    }
    if (node["port"]) {
      out.port = static_cast<std::uint16_t>(
          whole_number(node["port"], "transfer.port", 1, 65535, "transfer.port must be 1-65535"));
    }
    out.zone = zone_name(node["zone"], "transfer.zone");
    if (node["timeout"]) {
      out.timeout_seconds =
          static_cast<std::uint32_t>(duration(node["timeout"], "transfer.timeout", 1, 3600));
    }
    if (node["max_size"])
      out.max_bytes = byte_size(node["max_size"], "transfer.max_size", 4096, 4ull << 30);
    if (node["expired"]) {
      const std::string e = scalar(node["expired"], "transfer.expired");
      if (e == "keep")
        out.expired = ExpiredZone::Keep;
      else if (e == "drop")
        out.expired = ExpiredZone::Drop;
      else
        fail(node["expired"], "transfer.expired is '" + e + "', expected one of: keep, drop");
    }
    if (node["tsig"]) {
      const YAML::Node t = node["tsig"];
      expect_map(t, "transfer.tsig", {"name", "algorithm", "secret_file"});
      for (const char* required : {"name", "secret_file"}) {
        if (!t[required])
          fail(t, std::string("transfer.tsig is missing the required key '") + required + "'");
      }
      out.signed_with_tsig = true;
      out.tsig.name = zone_name(t["name"], "transfer.tsig.name");
      if (t["algorithm"]) {
        out.tsig.algorithm = scalar(t["algorithm"], "transfer.tsig.algorithm");
        // What ldns 1.8 (Debian 12) signs and verifies: its table has no hmac-sha224, and spells
        // hmac-sha384 "hmac-shac384.", so neither would ever verify.
        static constexpr std::string_view kAlgorithms[] = {"hmac-md5", "hmac-sha1", "hmac-sha256",
                                                           "hmac-sha512"};
        if (std::find(std::begin(kAlgorithms), std::end(kAlgorithms), out.tsig.algorithm) ==
            std::end(kAlgorithms)) {
          fail(t["algorithm"], "transfer.tsig.algorithm is '" + out.tsig.algorithm +
                                   "', expected one of: hmac-md5, hmac-sha1, hmac-sha256, "
                                   "hmac-sha512 (ldns, which signs and verifies, has no working "
                                   "hmac-sha224 or hmac-sha384)");
        }
      }
      out.tsig.secret_file = resolved(scalar(t["secret_file"], "transfer.tsig.secret_file"), base);
    }
    return out;
  }

  // A zone or key name, as the matcher normalises names: lowercase, no trailing dot.
  std::string zone_name(const YAML::Node& node, const std::string& what) const {
    const std::string text = scalar(node, what);
    filters::DomainName name;
    if (name.assign(text) != filters::NameStatus::Ok)
      fail(node, what + " is '" + text + "', expected a domain name");
    return std::string(name.view());
  }

  static std::string resolved(const std::filesystem::path& path, const std::filesystem::path& base) {
    return (path.is_absolute() ? path : base / path).lexically_normal().string();
  }

  ListConfig list(const YAML::Node& node, const ResponseConfig& defaults,
                  const std::filesystem::path& base, const std::string& state_dir) const {
    expect_map(node, "a list",
               {"name", "format", "path", "url", "refresh", "connect_timeout", "timeout",
                "max_size", "ca", "transfer", "match", "action", "response"});
    ListConfig list;
    list.line = node.Mark().line + 1;
    for (const char* required : {"name", "format"}) {
      if (!node[required])
        fail(node, std::string("list is missing the required key '") + required + "'");
    }
    list.name = scalar(node["name"], "name");
    if (list.name.empty()) fail(node["name"], "list name must not be empty");
    const std::string format = scalar(node["format"], "format");
    if (!parse(format, list.format)) {
      fail(node["format"],
           "format is '" + format + "', expected one of: " + std::string(names_of(ListFormat{})));
    }
    const int sources = (node["path"] ? 1 : 0) + (node["url"] ? 1 : 0) + (node["transfer"] ? 1 : 0);
    if (sources != 1) {
      fail(node, "list '" + list.name + "' needs exactly one of path, url or transfer (it has " +
                     std::to_string(sources) + ")");
    }
    if (!node["url"]) {
      for (const char* key : {"refresh", "connect_timeout", "timeout", "max_size", "ca"}) {
        if (node[key]) fail(node[key], std::string("'") + key + "' belongs to a list with a url");
      }
    }
    if (node["path"]) {
      list.path = resolved(scalar(node["path"], "path"), base);
    } else {
      list.path = source_copy_path(state_dir, list.name);
      if (node["url"]) {
        list.source = SourceKind::Url;
        list.url = url(node, base);
      } else {
        if (list.format != ListFormat::Rpz) {
          fail(node["transfer"], "transfer is for format rpz (a response policy zone), not " +
                                     format);
        }
        list.source = SourceKind::Transfer;
        list.transfer = transfer(node["transfer"], base);
      }
    }
    // A hosts file maps exactly the names it lists, and Pi-hole, AdGuard Home and Blocky read
    // hosts-format blocklists that way: their entries match the name alone unless told otherwise.
    list.match = list.format == ListFormat::Hosts ? MatchMode::Exact : MatchMode::Subdomains;
    if (node["match"]) {
      const std::string match = scalar(node["match"], "match");
      if (match == "subdomains")
        list.match = MatchMode::Subdomains;
      else if (match == "exact")
        list.match = MatchMode::Exact;
      else
        fail(node["match"], "match is '" + match + "', expected one of: subdomains, exact");
    }
    if (node["action"])
      list.action = choice<filters::Action>(node["action"], "action", "block, allow, log");
    list.response = defaults;
    if (node["response"]) response(node["response"], "response", list.response);
    return list;
  }

  Config config(const YAML::Node& root) const {
    Config config;
    config.path = path();
    if (!root.IsMap()) fail(root, "the config must be a mapping with at least a 'lists' key");
    expect_map(
        root, "the config",
        {"lists", "defaults", "control", "metrics", "events", "matcher", "protocols", "decode",
         "flows", "dataplane"});
    config.defaults.a = {{0, 0, 0, 0}};
    config.defaults.aaaa = {std::array<std::uint8_t, 16>{}};
    if (root["defaults"]) response(root["defaults"], "defaults", config.defaults);
    if (root["control"]) {
      const YAML::Node c = root["control"];
      expect_map(c, "control", {"socket", "snapshot_dir", "notify"});
      if (c["socket"]) config.control.socket = scalar(c["socket"], "control.socket");
      if (c["snapshot_dir"])
        config.control.snapshot_dir = scalar(c["snapshot_dir"], "control.snapshot_dir");
      if (c["notify"]) {
        config.control.notify = scalar(c["notify"], "control.notify");
        if (!config.control.notify.empty() && !split_host_port(config.control.notify)) {
          fail(c["notify"], "control.notify is '" + config.control.notify +
                                "', expected address:port ([v6]:port for IPv6), or \"\" for none");
        }
      }
    }
    if (root["metrics"]) {
      const YAML::Node m = root["metrics"];
      expect_map(m, "metrics", {"listen"});
      if (m["listen"]) {
        config.metrics.listen = m["listen"].IsNull() ? "" : scalar(m["listen"], "metrics.listen");
        const std::string& l = config.metrics.listen;
        const std::size_t colon = l.rfind(':');
        if (!l.empty() && (colon == std::string::npos || colon == 0 || colon + 1 == l.size())) {
          fail(m["listen"],
               "metrics.listen is '" + l + "', expected host:port (or \"\" to turn metrics off)");
        }
      }
    }
    if (root["events"]) {
      const YAML::Node e = root["events"];
      expect_map(e, "events", {"path", "rate_limit"});
      if (e["path"]) {
        const std::filesystem::path file =
            e["path"].IsNull() ? "" : scalar(e["path"], "events.path");
        const std::filesystem::path folder = std::filesystem::path(path()).parent_path();
        config.events.path = file.empty() || file.is_absolute()
                                 ? file.string()
                                 : (folder / file).lexically_normal().string();
      }
      if (e["rate_limit"]) {
        config.events.rate_limit = static_cast<std::uint32_t>(
            whole_number(e["rate_limit"], "events.rate_limit", 0, 10'000'000,
                         "events.rate_limit must be a number of events per second (0: no limit)"));
      }
    }
    if (root["matcher"]) {
      const YAML::Node m = root["matcher"];
      expect_map(m, "matcher", {"bloom_false_positive_rate"});
      if (m["bloom_false_positive_rate"]) {
        double rate = 0;
        try {
          rate = m["bloom_false_positive_rate"].as<double>();
        } catch (const YAML::Exception&) {
          rate = -1;
        }
        if (!(rate > 0 && rate < 0.5))
          fail(m["bloom_false_positive_rate"],
               "bloom_false_positive_rate must be a number between 0 and 0.5");
        config.bloom_false_positive_rate = rate;
      }
    }
    if (root["protocols"]) {
      const YAML::Node p = root["protocols"];
      expect_map(p, "protocols", {"dns_ports", "http_ports", "tls_ports", "quic_ports"});
      if (p["dns_ports"]) config.ports.dns = ports(p["dns_ports"], "protocols.dns_ports");
      if (p["http_ports"]) config.ports.http = ports(p["http_ports"], "protocols.http_ports");
      if (p["tls_ports"]) config.ports.tls = ports(p["tls_ports"], "protocols.tls_ports");
      if (p["quic_ports"]) {
        config.ports.quic = p["quic_ports"].IsSequence() && p["quic_ports"].size() == 0
                                ? std::array<std::uint16_t, filters::ExtractPorts::kMax>{}
                                : ports(p["quic_ports"], "protocols.quic_ports");
      }
    }
    if (root["decode"]) config.ports.decode = decode(root["decode"]);
    if (root["flows"]) config.flows = flows(root["flows"]);
    if (root["dataplane"]) {
      config.dataplane = read_dataplane(*this, root["dataplane"]);
    }
    if (!root["lists"]) fail(root, "the config has no 'lists' key");
    const YAML::Node lists = root["lists"];
    if (!lists.IsSequence() || lists.size() == 0)
      fail(lists, "lists must be a non-empty sequence of lists");
    const std::filesystem::path base = std::filesystem::path(path()).parent_path();
    std::set<std::string> names;
    for (const auto& node : lists) {
      ListConfig list = this->list(node, config.defaults, base, config.control.snapshot_dir);
      if (!names.insert(list.name).second)
        fail(node["name"], "list name '" + list.name + "' is used twice");
      config.lists.push_back(std::move(list));
    }
    if (config.lists.size() > 0x3FFF) fail(lists, "too many lists (at most 16383)");
    return config;
  }
};

}  // namespace

std::string source_copy_path(const std::string& snapshot_dir, const std::string& list_name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string file;
  for (unsigned char c : list_name) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-') {
      file += static_cast<char>(c);
    } else {
      file += '%';
      file += kHex[c >> 4];
      file += kHex[c & 15];
    }
  }
  // ".list": no list's copy can be another's state file (<copy>.state) or temporary file.
  return (std::filesystem::path(snapshot_dir) / "sources" / (file + ".list")).string();
}

std::string source_text(const ListConfig& list) {
  switch (list.source) {
    case SourceKind::Url:
      return list.url.url;
    case SourceKind::Transfer: {
      const auto& t = list.transfer;
      const bool v6 = t.primary.find(':') != std::string::npos;
      return "zone " + t.zone + " from " + (v6 ? "[" + t.primary + "]" : t.primary) + ":" +
             std::to_string(t.port);
    }
    case SourceKind::File:
      break;
  }
  return list.path;
}

std::optional<std::pair<std::string, std::uint16_t>> split_host_port(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::array<std::uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, host.c_str(), bytes.data()) != 1 &&
      inet_pton(AF_INET6, host.c_str(), bytes.data()) != 1) {
    return std::nullopt;
  }
  unsigned long port = 0;
  for (std::size_t i = colon + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(text[i] - '0');
    if (port > 65535) return std::nullopt;
  }
  if (port == 0) return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

Result<Config> parse_config(const std::string& text, const std::string& path) {
  try {
    const YAML::Node root = YAML::Load(text);
    return Reader(path).config(root);
  } catch (const ConfigError& e) {
    return make_error(e.what());
  } catch (const YAML::Exception& e) {
    return make_error(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  }
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open config: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace takedown::schema
