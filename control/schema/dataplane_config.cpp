#include "control/schema/dataplane_config.hpp"

#include <filesystem>
#include <set>

#include "control/schema/yaml_reader.hpp"

namespace takedown::schema {

namespace {

namespace fs = std::filesystem;

constexpr unsigned kMaxWorkers = DataplaneConfig::kMaxWorkers;
constexpr unsigned long kMaxQueues = 64;

std::string join(const std::vector<PortConfig>& ports) {
  std::string out;
  for (const auto& p : ports) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

// Resolves rx_pcap= and tx_pcap= paths against the config's folder.
std::string resolve_device(const YamlReader& reader, const YAML::Node& node,
                           const std::string& device) {
  const fs::path base = fs::absolute(reader.path()).parent_path();
  std::string out;
  std::size_t start = 0;
  while (start <= device.size()) {
    std::size_t comma = device.find(',', start);
    if (comma == std::string::npos) comma = device.size();
    std::string item = device.substr(start, comma - start);
    const std::size_t equals = item.find('=');
    const std::string key = equals == std::string::npos ? "" : item.substr(0, equals);
    if (key == "rx_pcap" || key == "tx_pcap") {
      fs::path file = item.substr(equals + 1);
      if (file.empty()) reader.fail(node, "device '" + device + "': " + key + "= needs a file");
      if (file.is_relative()) file = (base / file).lexically_normal();
      item = key + "=" + file.string();
    }
    out += (out.empty() ? "" : ",") + item;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string device_argument(const std::string& device, const std::string& key) {
  const std::string needle = "," + key + "=";
  const std::size_t at = device.find(needle);
  if (at == std::string::npos) return "";
  const std::size_t start = at + needle.size();
  return device.substr(start, device.find(',', start) - start);
}

Result<bool> check_device_files(const DataplaneConfig& config) {
  for (const auto& port : config.ports) {
    const std::string where = config.source + ":" + std::to_string(port.line) + ": port '" +
                              port.name + "' (" + port.dpdk_name() + "): ";
    const fs::path rx = device_argument(port.device, "rx_pcap");
    if (!rx.empty() && !fs::is_regular_file(rx)) {
      return make_error(where + "the capture to replay, " + rx.string() + ", does not exist");
    }
    const fs::path tx = device_argument(port.device, "tx_pcap");
    if (!tx.empty() && !fs::is_directory(tx.parent_path())) {
      return make_error(where + "the folder for " + tx.string() + " does not exist");
    }
  }
  return true;
}

namespace {

PortConfig read_port(const YamlReader& reader, const YAML::Node& node) {
  reader.expect_map(node, "a port", {"name", "device", "rx_queues", "tx_queues", "mtu"});
  PortConfig port;
  port.line = node.Mark().line + 1;
  for (const char* required : {"name", "device"}) {
    if (!node[required]) reader.fail(node, std::string("port is missing '") + required + "'");
  }
  port.name = reader.scalar(node["name"], "port name");
  if (port.name.empty()) reader.fail(node["name"], "port name must not be empty");
  const std::string device = reader.scalar(node["device"], "device");
  if (device.empty()) reader.fail(node["device"], "device must not be empty");
  port.device = resolve_device(reader, node["device"], device);
  const auto queues = [&](const char* key) {
    return static_cast<std::uint16_t>(reader.whole_number(
        node[key], key, 1, kMaxQueues, std::string(key) + " must be a number from 1 to 64"));
  };
  if (node["rx_queues"]) port.rx_queues = queues("rx_queues");
  if (node["tx_queues"]) port.tx_queues = queues("tx_queues");
  if (node["mtu"]) {
    port.mtu = static_cast<std::uint16_t>(
        reader.whole_number(node["mtu"], "mtu", 68, 9600, "mtu must be a number from 68 to 9600"));
  }
  return port;
}

}  // namespace

bool PortConfig::is_vdev() const {
  return device.rfind("net_", 0) == 0 || device.rfind("eth_", 0) == 0;
}

std::string PortConfig::dpdk_name() const {
  return is_vdev() ? device.substr(0, device.find(',')) : device;
}

std::size_t DataplaneConfig::peer(std::size_t index) const {
  for (const auto& [a, b] : pairs) {
    if (a == index) return b;
    if (b == index) return a;
  }
  return index;
}

DataplaneConfig read_dataplane(const YamlReader& reader, const YAML::Node& node) {
  reader.expect_map(node, "dataplane",
                    {"eal", "ports", "pairs", "workers", "burst", "idle_sleep_us", "malformed",
                     "snapshot", "ede"});
  DataplaneConfig out;
  out.present = true;
  out.source = reader.path();
  if (node["eal"]) {
    if (!node["eal"].IsSequence()) reader.fail(node["eal"], "eal must be a list of EAL arguments");
    for (const auto& arg : node["eal"]) out.eal.push_back(reader.scalar(arg, "an EAL argument"));
  }
  if (!node["ports"] || !node["ports"].IsSequence() || node["ports"].size() == 0) {
    reader.fail(node["ports"] ? node["ports"] : node,
                "dataplane.ports must be a non-empty list of {name, device}");
  }
  std::set<std::string> names;
  std::set<std::string> devices;
  for (const auto& p : node["ports"]) {
    PortConfig port = read_port(reader, p);
    if (!names.insert(port.name).second)
      reader.fail(p["name"], "port name '" + port.name + "' is used twice");
    if (!devices.insert(port.dpdk_name()).second) {
      reader.fail(p["device"], "device '" + port.dpdk_name() + "' is used by two ports");
    }
    out.ports.push_back(std::move(port));
  }

  if (!node["pairs"] || !node["pairs"].IsSequence() || node["pairs"].size() == 0) {
    reader.fail(node["pairs"] ? node["pairs"] : node,
                "dataplane.pairs must be a non-empty list of [port, port]");
  }
  std::vector<int> paired(out.ports.size(), 0);
  for (const auto& pair : node["pairs"]) {
    if (!pair.IsSequence() || pair.size() != 2) reader.fail(pair, "a pair must be [port, port]");
    std::size_t index[2];
    for (std::size_t side = 0; side < 2; ++side) {
      const std::string name = reader.scalar(pair[side], "a port name");
      std::size_t i = 0;
      while (i < out.ports.size() && out.ports[i].name != name) ++i;
      if (i == out.ports.size()) {
        reader.fail(pair[side], "pair names port '" + name +
                                    "', which is not in dataplane.ports (" + join(out.ports) + ")");
      }
      index[side] = i;
    }
    for (std::size_t i : {index[0], index[1]}) {
      if (++paired[i] > (index[0] == index[1] ? 2 : 1)) {
        reader.fail(pair, "port '" + out.ports[i].name + "' is in two pairs");
      }
    }
    out.pairs.emplace_back(index[0], index[1]);
  }
  for (std::size_t i = 0; i < out.ports.size(); ++i) {
    if (paired[i] == 0) {
      reader.fail(node["pairs"], "port '" + out.ports[i].name +
                                     "' is in no pair: every port needs a peer (a pair [" +
                                     out.ports[i].name + ", " + out.ports[i].name +
                                     "] sends traffic back out of the port it came in on)");
    }
  }

  if (node["workers"]) {
    out.workers = static_cast<unsigned>(reader.whole_number(
        node["workers"], "workers", 1, kMaxWorkers, "workers must be a number from 1 to 128"));
  }
  if (node["burst"]) {
    out.burst = static_cast<unsigned>(
        reader.whole_number(node["burst"], "burst", 1, 32, "burst must be a number from 1 to 32"));
  }
  if (node["idle_sleep_us"]) {
    out.idle_sleep_us = static_cast<unsigned>(reader.whole_number(
        node["idle_sleep_us"], "idle_sleep_us", 0, DataplaneConfig::kMaxIdleSleepUs,
        "idle_sleep_us must be a number of microseconds from 0 (poll without pause) to " +
            std::to_string(DataplaneConfig::kMaxIdleSleepUs)));
  }
  for (const auto& port : out.ports) {
    if (port.tx_queues != 0 && port.tx_queues < out.workers) {
      reader.fail(node["ports"], "port '" + port.name + "' has " + std::to_string(port.tx_queues) +
                                     " tx_queues but every one of the " +
                                     std::to_string(out.workers) + " workers needs its own");
    }
  }
  if (node["malformed"]) {
    const std::string text = reader.scalar(node["malformed"], "malformed");
    if (text == "forward") {
      out.malformed = MalformedPolicy::Forward;
    } else if (text == "drop") {
      out.malformed = MalformedPolicy::Drop;
    } else {
      reader.fail(node["malformed"], "malformed is '" + text + "', expected one of: forward, drop");
    }
  }
  if (node["ede"]) {
    reader.fail(node["ede"], "dataplane.ede moved: the Extended DNS Error is set per list now, in "
                             "defaults.ede or a list's response.ede (blocked, censored, filtered, "
                             "prohibited)");
  }
  if (node["snapshot"]) {
    const fs::path file = reader.scalar(node["snapshot"], "snapshot");
    out.snapshot = (file.is_absolute() ? file : fs::absolute(reader.path()).parent_path() / file)
                       .lexically_normal()
                       .string();
  }
  return out;
}

}  // namespace takedown::schema
