// Config: the parsed, validated YAML configuration (schema documented in conf/takedown.yaml).
//
// load_config() rejects unknown keys, wrong types and missing required fields with an error that
// names file:line:column and what was expected. List paths are resolved against the config
// file's folder. The `dataplane:` section is read by read_dataplane() (dataplane_config.hpp).
// A plain value; build it once, then share it read-only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
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
};

struct ListConfig {
  std::string name;
  ListFormat format = ListFormat::Domains;
  std::string path;  // resolved against the config file's folder
  MatchMode match = MatchMode::Subdomains;  // Exact when a hosts list does not say
  filters::Action action = filters::Action::Block;
  ResponseConfig response;
  int line = 0;  // where the list is declared, for messages
};

struct ControlConfig {
  std::string socket = "/run/takedown/control.sock";
  std::string snapshot_dir = "/var/lib/takedown";
};

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
