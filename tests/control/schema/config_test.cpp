// The YAML config: schema, defaults, and errors that name file:line:column.
#include "control/schema/config.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_support.hpp"

namespace takedown::schema {
namespace {

std::string error_of(const std::string& yaml) {
  auto config = parse_config(yaml, "/etc/takedown/t.yaml");
  return config ? std::string("no error") : config.error();
}

TEST(Config, TheShippedConfigsLoad) {
  for (const char* file : {"conf/demo.yaml", "conf/takedown.yaml"}) {
    auto config = load_config(testing::source_path(file));
    ASSERT_TRUE(config) << config.error();
    EXPECT_FALSE(config->lists.empty()) << file;
  }
}

TEST(Config, DefaultsAndPathsRelativeToTheConfigFile) {
  auto config = parse_config(R"(
lists:
  - {name: a, format: hosts, path: lists/a.txt}
  - name: b
    format: rpz
    path: /abs/b.rpz
    match: exact
    action: log
    response: {dns: sinkhole, a: 192.0.2.1, aaaa: ["2001:db8::1"], ttl: 30, http: drop}
defaults: {dns: refused, tls: drop}
control: {socket: /tmp/t.sock}
matcher: {bloom_false_positive_rate: 0.001}
dataplane:
  ports: [{name: a, device: net_null0}, {name: b, device: net_null1}]
  pairs: [[a, b]]
)",
                             "/etc/takedown/t.yaml");
  ASSERT_TRUE(config) << config.error();
  const ListConfig& a = config->lists[0];
  EXPECT_EQ(a.path, "/etc/takedown/lists/a.txt");
  EXPECT_EQ(a.match, MatchMode::Exact);  // a hosts list maps exactly its names
  EXPECT_EQ(a.action, filters::Action::Block);
  EXPECT_EQ(a.response.dns, filters::DnsResponse::Refused);
  EXPECT_EQ(a.response.tls, filters::TcpResponse::Drop);
  const ListConfig& b = config->lists[1];
  EXPECT_EQ(b.path, "/abs/b.rpz");
  EXPECT_EQ(b.match, MatchMode::Exact);
  EXPECT_EQ(b.action, filters::Action::Log);
  EXPECT_EQ(b.response.dns, filters::DnsResponse::Sinkhole);
  EXPECT_EQ(b.response.http, filters::TcpResponse::Drop);
  EXPECT_EQ(b.response.tls, filters::TcpResponse::Drop);  // from defaults
  ASSERT_EQ(b.response.a.size(), 1u);
  EXPECT_EQ(b.response.a[0][3], 1);
  EXPECT_EQ(b.response.ttl, 30u);
  EXPECT_EQ(config->control.socket, "/tmp/t.sock");
  EXPECT_EQ(config->control.snapshot_dir, "/var/lib/takedown");
  EXPECT_DOUBLE_EQ(config->bloom_false_positive_rate, 0.001);
  EXPECT_TRUE(config->dataplane.present);
  EXPECT_EQ(config->dataplane.peer(0), 1u);
}

TEST(Config, AnswersThatExplainThemselvesPerListWithDefaults) {
  auto config = parse_config(R"(lists:
  - {name: plain, format: domains, path: d.txt}
  - name: paged
    format: domains
    path: d.txt
    response:
      http: page
      redirect: https://block.isp.example/why?list=paged
      text: "Gesperrt: siehe https://isp.example/sperren — danke"
      ede: censored
      negative_ttl: 900
      soa: {owner: rpz.isp.example, mname: ns1.isp.example., rname: noc.isp.example}
defaults: {ede: filtered, negative_ttl: 60}
)",
                             "/etc/takedown/t.yaml");
  ASSERT_TRUE(config) << config.error();
  const ResponseConfig& plain = config->lists[0].response;
  EXPECT_EQ(plain.ede, filters::EdeCode::Filtered);  // from defaults
  EXPECT_EQ(plain.negative_ttl, 60u);
  EXPECT_EQ(plain.soa_owner, "");
  EXPECT_EQ(plain.soa_mname, "takedown.invalid");
  EXPECT_EQ(plain.soa_rname, "hostmaster.takedown.invalid");
  EXPECT_EQ(plain.text, "");
  EXPECT_EQ(plain.http, filters::TcpResponse::Reset);
  const ResponseConfig& paged = config->lists[1].response;
  EXPECT_EQ(paged.http, filters::TcpResponse::Page);
  EXPECT_EQ(paged.redirect, "https://block.isp.example/why?list=paged");
  EXPECT_EQ(paged.text, "Gesperrt: siehe https://isp.example/sperren \u2014 danke");
  EXPECT_EQ(paged.ede, filters::EdeCode::Censored);
  EXPECT_EQ(paged.negative_ttl, 900u);
  EXPECT_EQ(paged.soa_owner, "rpz.isp.example");
  EXPECT_EQ(paged.soa_mname, "ns1.isp.example");
  EXPECT_EQ(paged.soa_rname, "noc.isp.example");
}

TEST(Config, AnswerSettingsThatCannotWorkAreRefused) {
  const std::string head = "lists:\n  - {name: a, format: domains, path: d.txt}\ndefaults:\n";
  const std::string f = "/etc/takedown/t.yaml";
  EXPECT_EQ(error_of(head + "  tls: page\n"),
            f + ":4:8: defaults.tls is 'page', expected one of: reset, drop (a page cannot be "
                "sent inside TLS without the site's certificate)");
  EXPECT_EQ(error_of(head + "  http: banner\n"),
            f + ":4:9: defaults.http is 'banner', expected one of: page, reset, drop");
  EXPECT_EQ(error_of(head + "  ede: 15\n"),
            f + ":4:8: defaults.ede is '15', expected one of: blocked (15), censored (16), "
                "filtered (17), prohibited (18)");
  EXPECT_EQ(error_of(head + "  text: \"" + std::string(256, 'x') + "\"\n"),
            f + ":4:9: defaults.text is 256 bytes, expected at most 255");
  EXPECT_EQ(error_of(head + "  text: \"\xC3\x28\"\n"), f + ":4:9: defaults.text is not valid UTF-8");
  EXPECT_EQ(error_of(head + "  text: \"a\\tb\"\n"), f + ":4:9: defaults.text holds a control character");
  EXPECT_EQ(error_of(head + "  redirect: ftp://x.example/\n"),
            f + ":4:13: defaults.redirect is 'ftp://x.example/', expected an http:// or https:// URL");
  EXPECT_EQ(error_of(head + "  redirect: \"https://x.example/a b\"\n"),
            f + ":4:13: defaults.redirect holds a space, a quote, '<', '>' or a byte outside "
                "printable ASCII (percent-encode it)");
  EXPECT_EQ(error_of(head + "  soa: {mname: \"bad name..\"}\n"),
            f + ":4:16: defaults.soa.mname is 'bad name..', expected a domain name");
  EXPECT_EQ(error_of(head + "  soa: {rname: " + std::string(30, 'a') + "." + std::string(40, 'b') + "}\n"),
            f + ":4:16: defaults.soa.rname is longer than 64 characters");
  EXPECT_EQ(error_of(head + "  soa: {serial: 1}\n"),
            f + ":4:9: unknown key 'serial' in defaults.soa (expected one of: owner, mname, rname)");
}

// `match` left out: exact for hosts lists (a hosts file maps exactly the names it lists), the
// name and below for every other format; a hosts list that says `match: subdomains` gets it.
TEST(Config, MatchDefaultsToExactForHostsListsOnly) {
  auto config = parse_config(R"(lists:
  - {name: h, format: hosts, path: h.txt}
  - {name: hs, format: hosts, path: h.txt, match: subdomains}
  - {name: d, format: domains, path: d.txt}
  - {name: w, format: wildcard, path: w.txt}
  - {name: a, format: adblock, path: a.txt}
  - {name: m, format: dnsmasq, path: m.txt}
  - {name: u, format: unbound, path: u.txt}
)",
                             "/etc/takedown/t.yaml");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->lists[0].match, MatchMode::Exact);
  EXPECT_EQ(config->lists[1].match, MatchMode::Subdomains);
  for (std::size_t i = 2; i < config->lists.size(); ++i)
    EXPECT_EQ(config->lists[i].match, MatchMode::Subdomains) << config->lists[i].name;
}

TEST(Config, ErrorsNameTheLineColumnAndWhatWasExpected) {
  EXPECT_EQ(error_of("lists:\n  - name: a\n    fromat: domains\n"),
            "/etc/takedown/t.yaml:3:5: unknown key 'fromat' in a list (expected one of: name, "
            "format, path, url, refresh, connect_timeout, timeout, max_size, ca, transfer, "
            "match, action, response)");
  EXPECT_EQ(error_of("lists:\n  - {name: a, path: x}\n"),
            "/etc/takedown/t.yaml:2:5: list is missing the required key 'format'");
  EXPECT_EQ(error_of("lists:\n  - {name: a, format: csv, path: x}\n"),
            "/etc/takedown/t.yaml:2:23: format is 'csv', expected one of: domains, hosts, adblock, "
            "dnsmasq, "
            "unbound, rpz, regex, urls, wildcard");
  EXPECT_EQ(error_of("lists:\n  - {name: a, format: domains, path: x, action: deny}\n"),
            "/etc/takedown/t.yaml:2:49: action is 'deny', expected one of: block, allow, log");
  EXPECT_EQ(error_of("lists:\n  - {name: a, format: domains, path: [x]}\n"),
            "/etc/takedown/t.yaml:2:38: path must be a single value");
  EXPECT_EQ(error_of("lists:\n  - {name: a, format: domains, path: x, response: {a: 1.2.3}}\n"),
            "/etc/takedown/t.yaml:2:55: '1.2.3' is not an IPv4 address");
  EXPECT_EQ(error_of("lists:\n  - {name: a, format: domains, path: x}\n  - {name: a, format: "
                     "domains, path: y}\n"),
            "/etc/takedown/t.yaml:3:12: list name 'a' is used twice");
  EXPECT_EQ(error_of("lists: []\n"),
            "/etc/takedown/t.yaml:1:8: lists must be a non-empty sequence of lists");
  EXPECT_EQ(error_of("control: {socket: /x}\n"),
            "/etc/takedown/t.yaml:1:1: the config has no 'lists' key");
  EXPECT_EQ(error_of("lists: [\n"),
            "/etc/takedown/t.yaml:2:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("listz: []\n")
                .rfind("/etc/takedown/t.yaml:1:1: unknown key 'listz' in the config", 0),
            0u);
  EXPECT_EQ(
      error_of("matcher: {bloom_false_positive_rate: two}\nlists: [{name: a, format: domains, "
               "path: x}]\n"),
      "/etc/takedown/t.yaml:1:38: bloom_false_positive_rate must be a number between 0 and 0.5");
}

TEST(Config, ProtocolPorts) {
  auto config = parse_config(
      "lists: [{name: a, format: domains, path: x}]\nprotocols: {dns_ports: [53, 5353], tls_ports: "
      "[8443]}\n",
      "/t.yaml");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->ports.dns[0], 53);
  EXPECT_EQ(config->ports.dns[1], 5353);
  EXPECT_EQ(config->ports.dns[2], 0);
  EXPECT_EQ(config->ports.http[0], 80);  // default kept
  EXPECT_EQ(config->ports.tls[0], 8443);
  EXPECT_EQ(error_of("lists: [{name: a, format: domains, path: x}]\nprotocols: {dns_ports: [0]}\n"),
            "/etc/takedown/t.yaml:2:25: protocols.dns_ports: '0' is not a port (1-65535)");
  EXPECT_EQ(error_of("lists: [{name: a, format: domains, path: x}]\nprotocols: {http_ports: 80}\n"),
            "/etc/takedown/t.yaml:2:25: protocols.http_ports must be a list of port numbers");
}

TEST(Config, QuicPortsAndFlows) {
  const std::string lists = "lists: [{name: a, format: domains, path: x}]\n";
  auto defaults = parse_config(lists, "/t.yaml");
  ASSERT_TRUE(defaults) << defaults.error();
  EXPECT_EQ(defaults->ports.quic[0], 443);
  EXPECT_EQ(defaults->flows.per_worker, 65536u);
  EXPECT_EQ(defaults->flows.overlap, filters::OverlapPolicy::First);
  EXPECT_EQ(defaults->flows.quic_over_budget, filters::OverBudgetPolicy::Drop);
  auto config = parse_config(lists +
                                 "protocols: {quic_ports: []}\n"
                                 "flows: {per_worker: 1024, reassembly_flows: 100, reassembly_bytes: "
                                 "8192, reassembly_timeout_ms: 300, blocked_timeout_ms: 60000, "
                                 "overlap: last, quic_decrypts_per_second: 0, quic_over_budget: "
                                 "forward, quic_hold_ms: 0}\n",
                             "/t.yaml");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->ports.quic[0], 0);  // QUIC off
  EXPECT_EQ(config->flows.per_worker, 1024u);
  EXPECT_EQ(config->flows.reassembly_flows, 100u);
  EXPECT_EQ(config->flows.reassembly_bytes, 8192u);
  EXPECT_EQ(config->flows.reassembly_timeout_ms, 300u);
  EXPECT_EQ(config->flows.blocked_timeout_ms, 60000u);
  EXPECT_EQ(config->flows.overlap, filters::OverlapPolicy::Last);
  EXPECT_EQ(config->flows.quic_decrypts_per_second, 0u);
  EXPECT_EQ(config->flows.quic_over_budget, filters::OverBudgetPolicy::Forward);
  EXPECT_EQ(config->flows.quic_hold_ms, 0u);
  EXPECT_EQ(defaults->flows.quic_hold_ms, 20u);
  EXPECT_EQ(error_of(lists + "flows: {quic_hold_ms: 5000}\n"),
            "/etc/takedown/t.yaml:2:23: flows.quic_hold_ms must be milliseconds (0: no holding) "
            "from 0 to 1000");
  EXPECT_EQ(error_of(lists + "flows: {per_worker: 10}\n"),
            "/etc/takedown/t.yaml:2:21: flows.per_worker must be a number of flows from 64 to "
            "16777216");
  EXPECT_EQ(error_of(lists + "flows: {overlap: middle}\n"),
            "/etc/takedown/t.yaml:2:18: flows.overlap is 'middle', expected one of: first, last");
  EXPECT_EQ(error_of(lists + "flows: {quic_over_budget: maybe}\n"),
            "/etc/takedown/t.yaml:2:27: flows.quic_over_budget is 'maybe', expected one of: drop, "
            "forward");
  EXPECT_EQ(error_of(lists + "flows: {reassembly_bytes: 100}\n"),
            "/etc/takedown/t.yaml:2:27: flows.reassembly_bytes must be a number of bytes from 512 "
            "to 65536");
  EXPECT_EQ(error_of(lists + "flows: {per_worker: 64, reassembly_flows: 65}\n"),
            "/etc/takedown/t.yaml:2:8: flows.reassembly_flows (65) is more than flows.per_worker "
            "(64): every gathering flow needs a table entry");
  EXPECT_EQ(error_of(lists + "flows: {timeout: 5}\n").rfind("/etc/takedown/t.yaml:2:9: unknown key "
                                                             "'timeout' in flows",
                                                             0),
            0u);
}

TEST(Config, DecodeWrappers) {
  const std::string lists = "lists: [{name: a, format: domains, path: x}]\n";
  auto defaults = parse_config(lists, "/t.yaml");
  ASSERT_TRUE(defaults) << defaults.error();
  const filters::DecodeOptions& d = defaults->ports.decode;
  EXPECT_EQ(d.max_layers, 4);
  EXPECT_TRUE(d.pppoe && d.mpls && d.gre && d.vxlan && d.gtpu && d.ip_in_ip);
  EXPECT_EQ(d.vxlan_ports[0], 4789);
  EXPECT_EQ(d.gtpu_ports[0], 2152);
  auto config = parse_config(lists +
                                 "decode: {max_layers: 2, pppoe: false, mpls: false, gre: true, "
                                 "vxlan_ports: [4789, 8472], gtpu: false, gtpu_ports: [2153], "
                                 "ip_in_ip: false}\n",
                             "/t.yaml");
  ASSERT_TRUE(config) << config.error();
  const filters::DecodeOptions& c = config->ports.decode;
  EXPECT_EQ(c.max_layers, 2);
  EXPECT_FALSE(c.pppoe || c.mpls || c.gtpu || c.ip_in_ip);
  EXPECT_TRUE(c.gre && c.vxlan);
  EXPECT_EQ(c.vxlan_ports[1], 8472);
  EXPECT_EQ(c.vxlan_ports[2], 0);
  EXPECT_EQ(c.gtpu_ports[0], 2153);
  EXPECT_EQ(error_of(lists + "decode: {max_layers: 7}\n"),
            "/etc/takedown/t.yaml:2:22: decode.max_layers must be a number of wrappers from 0 to 6");
  EXPECT_EQ(error_of(lists + "decode: {pppoe: yes}\n"),
            "/etc/takedown/t.yaml:2:17: decode.pppoe is 'yes', expected true or false");
  EXPECT_EQ(error_of(lists + "decode: {vxlan_ports: [1, 2, 3, 4, 5]}\n"),
            "/etc/takedown/t.yaml:2:23: decode.vxlan_ports holds at most 4 ports");
  EXPECT_EQ(error_of(lists + "decode: {gtpu_ports: [70000]}\n"),
            "/etc/takedown/t.yaml:2:23: decode.gtpu_ports: '70000' is not a port (1-65535)");
  EXPECT_EQ(error_of(lists + "decode: {geneve: true}\n").rfind(
                "/etc/takedown/t.yaml:2:10: unknown key 'geneve' in decode", 0),
            0u);
}

TEST(Config, MetricsAndEvents) {
  auto config = parse_config(
      "lists: [{name: a, format: domains, path: x}]\nmetrics: {listen: \"[::1]:9999\"}\n"
      "events: {path: log/events.json, rate_limit: 0}\n",
      "/etc/takedown/t.yaml");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->metrics.listen, "[::1]:9999");
  EXPECT_EQ(config->events.path, "/etc/takedown/log/events.json");
  EXPECT_EQ(config->events.rate_limit, 0u);
  auto defaults = parse_config("lists: [{name: a, format: domains, path: x}]\n", "/t.yaml");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->metrics.listen, "127.0.0.1:9910");
  EXPECT_EQ(defaults->events.path, "");
  EXPECT_EQ(defaults->events.rate_limit, 1000u);
  EXPECT_TRUE(parse_config(
      "lists: [{name: a, format: domains, path: x}]\nmetrics: {listen: \"\"}\n", "/t.yaml"));
  EXPECT_EQ(
      error_of("lists: [{name: a, format: domains, path: x}]\nmetrics: {listen: 9910}\n"),
      "/etc/takedown/t.yaml:2:19: metrics.listen is '9910', expected host:port (or \"\" to turn "
      "metrics off)");
  EXPECT_EQ(
      error_of("lists: [{name: a, format: domains, path: x}]\nevents: {rate_limit: lots}\n"),
      "/etc/takedown/t.yaml:2:22: events.rate_limit must be a number of events per second (0: no "
      "limit)");
  EXPECT_EQ(error_of("lists: [{name: a, format: domains, path: x}]\nevents: {file: x}\n"),
            "/etc/takedown/t.yaml:2:10: unknown key 'file' in events (expected one of: path, "
            "rate_limit)");
}

TEST(Config, ListsFromAUrlOrAZoneTransfer) {
  auto config = parse_config(R"(
lists:
  - {name: feed, format: hosts, url: "https://lists.example/hosts.txt", refresh: 5m,
     connect_timeout: 3s, timeout: 2m, max_size: 64M, ca: ca/private.pem}
  - name: "rpz/one"
    format: rpz
    transfer:
      primary: 2001:db8::53
      port: 5353
      zone: RPZ.Example.
      expired: drop
      tsig: {name: xfr-key., algorithm: hmac-sha512, secret_file: keys/xfr.key}
  - {name: plain, format: domains, url: "http://lists.example/d.txt"}
control: {snapshot_dir: /var/lib/td, notify: "[::1]:5300"}
)",
                             "/etc/takedown/t.yaml");
  ASSERT_TRUE(config) << config.error();
  const ListConfig& feed = config->lists[0];
  EXPECT_EQ(feed.source, SourceKind::Url);
  EXPECT_EQ(feed.path, "/var/lib/td/sources/feed.list");
  EXPECT_EQ(feed.url.refresh_seconds, 300u);
  EXPECT_EQ(feed.url.connect_timeout_seconds, 3u);
  EXPECT_EQ(feed.url.timeout_seconds, 120u);
  EXPECT_EQ(feed.url.max_bytes, 64ull << 20);
  EXPECT_EQ(feed.url.ca, "/etc/takedown/ca/private.pem");
  const ListConfig& rpz = config->lists[1];
  EXPECT_EQ(rpz.source, SourceKind::Transfer);
  EXPECT_EQ(rpz.path, "/var/lib/td/sources/rpz%2Fone.list");  // a name is never a path
  EXPECT_EQ(rpz.transfer.primary, "2001:db8::53");
  EXPECT_EQ(rpz.transfer.port, 5353);
  EXPECT_EQ(rpz.transfer.zone, "rpz.example");
  EXPECT_EQ(rpz.transfer.expired, ExpiredZone::Drop);
  EXPECT_TRUE(rpz.transfer.signed_with_tsig);
  EXPECT_EQ(rpz.transfer.tsig.name, "xfr-key");
  EXPECT_EQ(rpz.transfer.tsig.algorithm, "hmac-sha512");
  EXPECT_EQ(rpz.transfer.tsig.secret_file, "/etc/takedown/keys/xfr.key");
  EXPECT_EQ(source_text(rpz), "zone rpz.example from [2001:db8::53]:5353");
  const ListConfig& plain = config->lists[2];
  EXPECT_EQ(rpz.transfer.max_bytes, 256ull << 20);
  EXPECT_EQ(plain.url.refresh_seconds, 3600u);  // the defaults
  EXPECT_EQ(plain.url.max_bytes, 256ull << 20);
  EXPECT_EQ(config->control.notify, "[::1]:5300");

  const std::string one = "lists:\n  - {name: a, format: domains, ";
  EXPECT_EQ(error_of(one + "path: x, url: \"http://h/x\"}\n"),
            "/etc/takedown/t.yaml:2:5: list 'a' needs exactly one of path, url or transfer (it has 2)");
  EXPECT_EQ(error_of(one + "url: \"ftp://h/x\"}\n"),
            "/etc/takedown/t.yaml:2:37: url is 'ftp://h/x', expected an http:// or https:// address");
  EXPECT_EQ(error_of(one + "url: \"http://h/x\", refresh: 5 minutes}\n"),
            "/etc/takedown/t.yaml:2:60: refresh is '5 minutes', expected seconds (or 30s, 5m, 1h, "
            "1d) from 1 to 604800 seconds");
  EXPECT_EQ(error_of(one + "url: \"http://h/x\", max_size: 10T}\n"),
            "/etc/takedown/t.yaml:2:61: max_size is '10T', expected bytes (or 512k, 64M, 1G) from "
            "1024 to 4294967296");
  EXPECT_EQ(error_of(one + "path: x, refresh: 1h}\n"),
            "/etc/takedown/t.yaml:2:50: 'refresh' belongs to a list with a url");
  EXPECT_EQ(error_of(one + "transfer: {primary: 192.0.2.1, zone: rpz.example}}\n"),
            "/etc/takedown/t.yaml:2:42: transfer is for format rpz (a response policy zone), not "
            "domains");
  EXPECT_EQ(error_of("lists:\n  - {name: a, format: rpz, transfer: {primary: ns1.example, zone: z}}\n"),
            "/etc/takedown/t.yaml:2:48: transfer.primary is 'ns1.example', expected the primary's "
            "IPv4 or IPv6 address (NOTIFY is accepted from it alone)");
  EXPECT_EQ(error_of("lists:\n  - {name: a, format: rpz, transfer: {primary: 192.0.2.1, zone: z, "
                     "tsig: {name: k, algorithm: hmac-sha3, secret_file: f}}}\n"),
            "/etc/takedown/t.yaml:2:95: transfer.tsig.algorithm is 'hmac-sha3', expected one of: "
            "hmac-md5, hmac-sha1, hmac-sha256, hmac-sha512 (ldns, which signs and verifies, has no "
            "working hmac-sha224 or hmac-sha384)");
  EXPECT_EQ(error_of("control: {notify: 5300}\nlists: [{name: a, format: domains, path: x}]\n"),
            "/etc/takedown/t.yaml:1:19: control.notify is '5300', expected address:port ([v6]:port "
            "for IPv6), or \"\" for none");
}

TEST(Config, MissingFileIsAnError) {
  auto config = load_config("/nonexistent/takedown.yaml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error(),
            "/nonexistent/takedown.yaml: cannot open config: No such file or directory");
}

}  // namespace
}  // namespace takedown::schema
