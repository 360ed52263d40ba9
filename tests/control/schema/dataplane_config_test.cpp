// The dataplane section: ports, pairs, workers and devices, with errors that name the line and
// what to fix before any DPDK call.
#include "control/schema/dataplane_config.hpp"

#include <gtest/gtest.h>

#include "control/schema/config.hpp"
#include "tests/support/test_support.hpp"

namespace takedown::schema {
namespace {

constexpr const char* kLists = "lists: [{name: a, format: domains, path: a.txt}]\n";

Result<Config> parse(const testing::TempDir& dir, const std::string& dataplane) {
  return parse_config(std::string(kLists) + "dataplane:\n" + dataplane, dir.file("t.yaml"));
}

std::string error_of(const testing::TempDir& dir, const std::string& dataplane) {
  auto config = parse(dir, dataplane);
  return config ? std::string("no error") : config.error();
}

TEST(DataplaneConfig, PortsPairsAndRelativeCapturePaths) {
  testing::TempDir dir;
  dir.write("in.pcap", "");
  auto config = parse(dir, R"(
  eal: [--no-huge, -m, "256"]
  ports:
    - {name: access, device: "net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap", rx_queues: 2, mtu: 9000}
    - {name: core, device: "0000:03:00.1", tx_queues: 4}
    - {name: mirror, device: net_null0}
  pairs: [[access, core], [mirror, mirror]]
  workers: 2
  idle_sleep_us: 50
  malformed: drop
  snapshot: snaps/current.snap
)");
  ASSERT_TRUE(config) << config.error();
  const DataplaneConfig& d = config->dataplane;
  EXPECT_EQ(d.eal, (std::vector<std::string>{"--no-huge", "-m", "256"}));
  ASSERT_EQ(d.ports.size(), 3u);
  EXPECT_EQ(d.ports[0].device,
            "net_pcap0,rx_pcap=" + dir.file("in.pcap") + ",tx_pcap=" + dir.file("out.pcap"));
  EXPECT_TRUE(d.ports[0].is_vdev());
  EXPECT_EQ(d.ports[0].dpdk_name(), "net_pcap0");
  EXPECT_EQ(d.ports[0].rx_queues, 2);
  EXPECT_EQ(d.ports[0].mtu, 9000);
  EXPECT_FALSE(d.ports[1].is_vdev());
  EXPECT_EQ(d.ports[1].dpdk_name(), "0000:03:00.1");
  EXPECT_EQ(d.ports[1].tx_queues, 4);
  EXPECT_EQ(d.peer(0), 1u);
  EXPECT_EQ(d.peer(1), 0u);
  EXPECT_EQ(d.peer(2), 2u);
  EXPECT_EQ(d.workers, 2u);
  EXPECT_EQ(d.idle_sleep_us, 50u);
  EXPECT_EQ(d.malformed, MalformedPolicy::Drop);
  EXPECT_EQ(d.snapshot, dir.file("snaps/current.snap"));
}

TEST(DataplaneConfig, WithoutTheSectionThereIsNoDataplane) {
  testing::TempDir dir;
  auto config = parse_config(kLists, dir.file("t.yaml"));
  ASSERT_TRUE(config) << config.error();
  EXPECT_FALSE(config->dataplane.present);
}

TEST(DataplaneConfig, ErrorsSayWhatToFix) {
  testing::TempDir dir;
  const std::string two_ports =
      "  ports: [{name: a, device: net_null0}, {name: b, device: net_null1}]\n";
  const std::string f = dir.file("t.yaml");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, c]]\n"),
            f + ":4:15: pair names port 'c', which is not in dataplane.ports (a, b)");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, b], [b, a]]\n"),
            f + ":4:19: port 'b' is in two pairs");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, a]]\n"),
            f + ":4:10: port 'b' is in no pair: every port needs a peer (a pair [b, b] sends "
                "traffic back out of the port it came in on)");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [a, b]\n"),
            f + ":4:11: a pair must be [port, port]");
  EXPECT_EQ(error_of(dir,
                     "  ports: [{name: a, device: net_null0}, {name: a, device: net_null1}]\n"
                     "  pairs: [[a, a]]\n"),
            f + ":3:48: port name 'a' is used twice");
  EXPECT_EQ(error_of(dir,
                     "  ports: [{name: a, device: net_null0}, {name: b, device: net_null0}]\n"
                     "  pairs: [[a, b]]\n"),
            f + ":3:59: device 'net_null0' is used by two ports");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, b]]\n  workers: 0\n"),
            f + ":5:12: workers must be a number from 1 to 128");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, b]]\n  burst: 64\n"),
            f + ":5:10: burst must be a number from 1 to 32");
  for (const std::string bad : {"10001", "50us", "-1"}) {
    EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, b]]\n  idle_sleep_us: " + bad + "\n"),
              f + ":5:18: idle_sleep_us must be a number of microseconds from 0 (poll without "
                  "pause) to 10000");
  }
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, b]]\n  malformed: sometimes\n"),
            f + ":5:14: malformed is 'sometimes', expected one of: forward, drop");
  EXPECT_EQ(error_of(dir,
                     "  ports: [{name: a, device: net_null0, tx_queues: 1}]\n"
                     "  pairs: [[a, a]]\n  workers: 2\n"),
            f + ":3:10: port 'a' has 1 tx_queues but every one of the 2 workers needs its own");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, b]]\n  lcores: 3\n"),
            f + ":5:3: unknown key 'lcores' in dataplane (expected one of: eal, ports, pairs, "
                "workers, burst, idle_sleep_us, malformed, snapshot, ede)");
  EXPECT_EQ(error_of(dir, two_ports + "  pairs: [[a, b]]\n  ede: filtered\n"),
            f + ":5:8: dataplane.ede moved: the Extended DNS Error is set per list now, in "
                "defaults.ede or a list's response.ede (blocked, censored, filtered, prohibited)");
  EXPECT_EQ(error_of(dir, "  pairs: [[a, b]]\n"),
            f + ":3:3: dataplane.ports must be a non-empty list of {name, device}");
}

TEST(DataplaneConfig, CaptureFilesAreCheckedForTheDataplaneOnly) {
  testing::TempDir dir;
  auto config = parse(dir,
                      "  ports:\n    - {name: a, device: \"net_pcap0,rx_pcap=missing.pcap\"}\n"
                      "    - {name: b, device: \"net_pcap1,tx_pcap=no/such/out.pcap\"}\n"
                      "  pairs: [[a, b]]\n");
  ASSERT_TRUE(config) << config.error();  // takedownctl can still compile this config
  const std::string f = dir.file("t.yaml");
  EXPECT_EQ(check_device_files(config->dataplane).error(),
            f + ":4: port 'a' (net_pcap0): the capture to replay, " + dir.file("missing.pcap") +
                ", does not exist");
  dir.write("missing.pcap", "");
  EXPECT_EQ(check_device_files(config->dataplane).error(),
            f + ":5: port 'b' (net_pcap1): the folder for " + dir.file("no/such/out.pcap") +
                " does not exist");
  std::filesystem::create_directories(dir.file("no/such"));
  EXPECT_TRUE(check_device_files(config->dataplane));
}

}  // namespace
}  // namespace takedown::schema
