// takedownd: the Takedown data plane. See daemon.hpp and the README.
#include <cstdio>

#include "dataplane/daemon.hpp"

int main(int argc, char** argv) {
  auto options = takedown::dataplane::parse_daemon_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "takedownd: %s\n\n%s", options.error().c_str(),
                 takedown::dataplane::kUsage);
    return 2;
  }
  if (options->help) {
    std::fputs(takedown::dataplane::kUsage, stdout);
    return 0;
  }
  return takedown::dataplane::run_daemon(*options);
}
