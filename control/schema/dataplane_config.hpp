// DataplaneConfig: the `dataplane:` section, read and checked before any DPDK call.
//
// Everything an operator can get wrong is caught here with file:line:column: an unknown key, a
// pair naming a port that does not exist, a port in two pairs or in none, a duplicate name or
// device, a bad number of workers or queues. check_device_files() is for takedownd at start-up: a
// capture to replay that is not there, a folder for an output capture that is not. Relative
// `rx_pcap=` and `tx_pcap=` paths inside a device string are resolved against the config file's
// folder, as list paths are. The schema is documented in conf/takedown.yaml. A plain value; no DPDK
// types.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::schema {

// What happens to frames the decoder or a protocol parser found malformed or truncated.
enum class MalformedPolicy : std::uint8_t { Forward, Drop };

struct PortConfig {
  std::string name;
  std::string device;  // a PCI address, or a vdev string ("net_pcap0,rx_pcap=...")
  std::uint16_t rx_queues = 1;
  std::uint16_t tx_queues = 0;  // 0: one per worker, the minimum
  std::uint16_t mtu = 0;        // 0: the device's default
  int line = 0;

  // True for a virtual device ("net_..." or "eth_..."), false for a PCI address.
  bool is_vdev() const;
  // The name DPDK knows the port by: the vdev name before the first comma, or the PCI address.
  std::string dpdk_name() const;
};

struct DataplaneConfig {
  static constexpr unsigned kMaxWorkers = 128;

  bool present = false;  // the config has a dataplane section
  std::string source;    // the config file, for messages
  std::vector<std::string> eal;
  std::vector<PortConfig> ports;
  std::vector<std::pair<std::size_t, std::size_t>> pairs;  // indexes into ports
  unsigned workers = 1;
  unsigned burst = 32;  // frames per rx burst, 1..32 (a benchmark knob; 32 is right for production)
  // A worker that found its rx queues empty for a run of poll rounds (Worker::kIdlePolls) sleeps
  // this long before it polls again; 0 polls without pause, keeping every worker's core busy.
  static constexpr unsigned kMaxIdleSleepUs = 10000;
  unsigned idle_sleep_us = 0;
  MalformedPolicy malformed = MalformedPolicy::Forward;
  std::string snapshot;  // resolved; empty: compile the lists at start-up

  // The port a frame received on port `index` is forwarded to.
  std::size_t peer(std::size_t index) const;
};

// The value of `key=` in a vdev string ("net_pcap0,rx_pcap=a.pcap" -> "a.pcap"), or "".
std::string device_argument(const std::string& device, const std::string& key);

// Every rx_pcap= file exists and every tx_pcap= file has a folder to go in.
Result<bool> check_device_files(const DataplaneConfig& config);

}  // namespace takedown::schema
