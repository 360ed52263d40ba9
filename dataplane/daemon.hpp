// run_daemon(): takedownd from config to exit. Loads the config and a compiled snapshot
// (dataplane.snapshot, else the newest good one in control.snapshot_dir; it never compiles
// lists), starts the EAL and the ports, launches one worker per worker lcore, and keeps the main
// lcore for control: signals, --duration, --exit-when-idle.
// On exit it stops the workers (they drain and flush), closes the ports and prints the stats
// JSON on stdout. Start-up failures print one message on stderr saying what to fix; exit 1.
#pragma once

#include "dataplane/daemon_options.hpp"

namespace takedown::dataplane {

int run_daemon(const DaemonOptions& options);

}  // namespace takedown::dataplane
