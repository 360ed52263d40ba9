// The EAL argv takedownd builds, and its own command line.
#include "dataplane/eal/eal_args.hpp"

#include <gtest/gtest.h>

#include "dataplane/daemon_options.hpp"

namespace takedown::dataplane {
namespace {

schema::DataplaneConfig two_ports() {
  schema::DataplaneConfig config;
  config.eal = {"--no-huge", "-m", "256"};
  config.ports = {{.name = "a", .device = "net_pcap0,rx_pcap=/x.pcap"},
                  {.name = "b", .device = "0000:03:00.0"}};
  config.workers = 3;
  return config;
}

TEST(EalArguments, PortsAreProbedAndLcoresAddedWhenMissing) {
  EXPECT_EQ(
      eal_arguments(two_ports()),
      (std::vector<std::string>{"takedownd", "--no-huge", "-m", "256", "--vdev",
                                "net_pcap0,rx_pcap=/x.pcap", "-a", "0000:03:00.0", "-l", "0-3"}));
}

TEST(EalArguments, TheOperatorsLcoresAreKept) {
  for (std::vector<std::string> lcores :
       {std::vector<std::string>{"-l", "2-5"}, {"-l2-5"}, {"-c", "0xf"}, {"--lcores=0,2@1"}}) {
    auto config = two_ports();
    config.eal = lcores;
    const auto args = eal_arguments(config);
    EXPECT_EQ(std::count(args.begin(), args.end(), "0-3"), 0) << lcores[0];
  }
}

Result<DaemonOptions> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "takedownd");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_daemon_options(static_cast<int>(argv.size()), argv.data());
}

TEST(DaemonOptions, FlagsAndErrors) {
  auto options = parse({"-c", "t.yaml", "--exit-when-idle", "250", "--duration", "1.5"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_EQ(options->config, "t.yaml");
  EXPECT_DOUBLE_EQ(options->exit_when_idle_ms, 250);
  EXPECT_DOUBLE_EQ(options->duration_seconds, 1.5);
  EXPECT_TRUE(parse({"--help"})->help);
  EXPECT_EQ(parse({}).error(), "-c CONFIG is required");
  EXPECT_EQ(parse({"-c"}).error(), "-c needs a value");
  EXPECT_EQ(parse({"-c", "t.yaml", "--duration", "soon"}).error(),
            "--duration takes a number of seconds, not 'soon'");
  EXPECT_EQ(parse({"-c", "t.yaml", "--exit-when-idle", "-5"}).error(),
            "--exit-when-idle takes a number of milliseconds, not '-5'");
  EXPECT_EQ(parse({"--verbose"}).error(), "unknown argument '--verbose'");
}

}  // namespace
}  // namespace takedown::dataplane
