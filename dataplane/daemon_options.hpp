// takedownd's command line: -c CONFIG, --exit-when-idle MS, --duration S, -h. Cold path; no DPDK.
#pragma once

#include <string>

#include "filters/common/result.hpp"

namespace takedown::dataplane {

struct DaemonOptions {
  std::string config;
  double exit_when_idle_ms = 0;  // 0: never
  double duration_seconds = 0;   // 0: until a signal
  bool help = false;
};

inline constexpr const char* kUsage =
    "usage: takedownd -c CONFIG [--exit-when-idle MS] [--duration S]\n"
    "\n"
    "The Takedown data plane: filters DNS, HTTP and TLS between the port pairs of CONFIG's\n"
    "dataplane section, with a compiled snapshot: dataplane.snapshot, else the newest good one\n"
    "in control.snapshot_dir (make one with `takedownctl compile -c CONFIG`).\n"
    "\n"
    "  -c, --config CONFIG    the YAML config (see conf/takedown.yaml)\n"
    "  --exit-when-idle MS    stop once no packet has arrived for MS milliseconds\n"
    "  --duration S           stop after S seconds\n"
    "  -h, --help             this text\n"
    "\n"
    "SIGINT and SIGTERM stop it cleanly. On exit the final stats are printed on stdout as one\n"
    "JSON object. Exit status: 0 after a clean run, 1 when start-up failed (the message says\n"
    "what to fix), 2 for a bad command line.\n";

Result<DaemonOptions> parse_daemon_options(int argc, char** argv);

}  // namespace takedown::dataplane
