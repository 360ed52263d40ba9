// Config: the parsed, validated YAML configuration (schema documented in conf/takedown.yaml).
//
// load_config() rejects unknown keys, wrong types and missing required fields with an error that
// names file:line:column and what was expected. List paths are resolved against the config
// file's folder. The `dataplane:` section is read by read_dataplane() (dataplane_config.hpp).
// A plain value; build it once, then share it read-only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "control/schema/dataplane_config.hpp"
#include "control/schema/list_format.hpp"
#include "filters/common/result.hpp"
#include "filters/extract/name_extractor.hpp"
#include "filters/flow/flow_config.hpp"
#include "filters/match/policy.hpp"

namespace takedown::schema {

enum class MatchMode : std::uint8_t { Subdomains, Exact };

// How a list answers what it blocks. Fields not set in a list's `response` come from `defaults`.
struct ResponseConfig {
  filters::DnsResponse dns = filters::DnsResponse::Nxdomain;
  filters::TcpResponse http = filters::TcpResponse::Reset;
  filters::TcpResponse tls = filters::TcpResponse::Reset;
  std::vector<std::array<std::uint8_t, 4>> a;
  std::vector<std::array<std::uint8_t, 16>> aaaa;
  std::uint32_t ttl = 60;
  // Negative answers (NXDOMAIN, NODATA) carry an SOA (RFC 2308) so that resolvers cache them.
  std::uint32_t negative_ttl = 300;  // the SOA's TTL and MINIMUM
  std::string soa_owner;             // normalised; "" : the query name itself; "." : the root
  std::string soa_mname = "takedown.invalid";
  std::string soa_rname = "hostmaster.takedown.invalid";
  filters::EdeCode ede = filters::EdeCode::Blocked;  // RFC 8914 INFO-CODE of EDNS answers
  std::string text;      // EDE EXTRA-TEXT and block page words; "" : "blocked by <list>"
  std::string redirect;  // with http: page, a 302 to this URL instead of the 403 page
};

// Where a list's text comes from. A URL or a zone transfer is fetched by `takedownctl run` (or
// `fetch`) into the state folder, and compiled from there: `path` is then that last good copy.
enum class SourceKind : std::uint8_t { File, Url, Transfer };

struct UrlSource {
  std::string url;  // http:// or https://
  std::uint32_t refresh_seconds = 3600;
  std::uint32_t connect_timeout_seconds = 10;
  std::uint32_t timeout_seconds = 120;  // the whole transfer
  std::uint64_t max_bytes = 256ull << 20;
  std::string ca;  // a PEM file of CAs to verify the server against; empty: the system CAs
};

struct TsigKey {
  std::string name;                     // normalised, no trailing dot
  std::string algorithm = "hmac-sha256";  // hmac-md5, hmac-sha1, hmac-sha256, hmac-sha512
  std::string secret_file;              // base64 secret, alone or in a BIND or Knot key clause
};

// What a zone whose SOA expire time passed without a transfer becomes.
enum class ExpiredZone : std::uint8_t { Keep, Drop };

struct TransferSource {
  std::string primary;  // an IPv4 or IPv6 address
  std::uint16_t port = 53;
  std::string zone;  // normalised, no trailing dot
  bool signed_with_tsig = false;
  TsigKey tsig;
  ExpiredZone expired = ExpiredZone::Keep;
  std::uint32_t timeout_seconds = 60;  // connect plus the whole transfer
  std::uint64_t max_bytes = 256ull << 20;  // DNS message bytes of one transfer
};

struct ListConfig {
  std::string name;
  ListFormat format = ListFormat::Domains;
  std::string path;  // resolved against the config file's folder; for a URL or a transfer, the copy
  SourceKind source = SourceKind::File;
  UrlSource url;            // source == Url
  TransferSource transfer;  // source == Transfer
  MatchMode match = MatchMode::Subdomains;  // Exact when a hosts list does not say
  filters::Action action = filters::Action::Block;
  ResponseConfig response;
  int line = 0;  // where the list is declared, for messages
};

struct ControlConfig {
  std::string socket = "/run/takedown/control.sock";
  // The state folder: compiled snapshots, and under sources/ the last good copy of every list
  // fetched from a URL or by zone transfer.
  std::string snapshot_dir = "/var/lib/takedown";
  std::string notify;  // "address:port" where `takedownctl run` takes DNS NOTIFY; "": not at all
};

// Where the last good copy of a URL or transfer list lives: <snapshot_dir>/sources/<name>.list,
// the name with bytes other than letters, digits, '.', '_' and '-' written as %XX.
std::string source_copy_path(const std::string& snapshot_dir, const std::string& list_name);
// "192.0.2.1:5300" or "[2001:db8::1]:5300" as address and port; nullopt when it is not that.
std::optional<std::pair<std::string, std::uint16_t>> split_host_port(const std::string& text);
// "https://..." or "AXFR rpz.example from 192.0.2.1:53", or the path, for messages.
std::string source_text(const ListConfig& list);

// Where takedownd serves Prometheus metrics: "host:port"; empty turns them off.
struct MetricsConfig {
  std::string listen = "127.0.0.1:9910";
};

// The event log of block and log-action decisions (JSON lines, EVE-style). Off when path is "".
struct EventsConfig {
  std::string path;
  std::uint32_t rate_limit = 1000;  // events per second over all workers; 0: no limit
};

struct Config {
  std::string path;
  std::vector<ListConfig> lists;
  ResponseConfig defaults;
  ControlConfig control;
  MetricsConfig metrics;
  EventsConfig events;
  double bloom_false_positive_rate = 0.01;
  filters::ExtractPorts ports;  // which ports carry DNS, HTTP, TLS and QUIC
  filters::FlowConfig flows;    // each worker's flow table
  DataplaneConfig dataplane;    // ports, pairs and workers of takedownd
};

Result<Config> load_config(const std::string& path);
// Parses YAML text; `path` names it in errors and anchors relative list paths.
Result<Config> parse_config(const std::string& text, const std::string& path);

}  // namespace takedown::schema
