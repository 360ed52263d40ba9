#include "dataplane/daemon_options.hpp"

#include <cstdlib>
#include <string_view>

namespace takedown::dataplane {

namespace {

bool parse_positive(const char* text, double& out) {
  char* end = nullptr;
  out = std::strtod(text, &end);
  return end != text && *end == '\0' && out > 0;
}

}  // namespace

Result<DaemonOptions> parse_daemon_options(int argc, char** argv) {
  DaemonOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      return options;
    }
    const bool takes_value =
        arg == "-c" || arg == "--config" || arg == "--exit-when-idle" || arg == "--duration";
    if (!takes_value) return make_error("unknown argument '" + std::string(arg) + "'");
    if (i + 1 >= argc) return make_error(std::string(arg) + " needs a value");
    const char* value = argv[++i];
    if (arg == "-c" || arg == "--config") {
      options.config = value;
    } else if (arg == "--exit-when-idle") {
      if (!parse_positive(value, options.exit_when_idle_ms)) {
        return make_error("--exit-when-idle takes a number of milliseconds, not '" +
                          std::string(value) + "'");
      }
    } else if (!parse_positive(value, options.duration_seconds)) {
      return make_error("--duration takes a number of seconds, not '" + std::string(value) + "'");
    }
  }
  if (options.config.empty()) return make_error("-c CONFIG is required");
  return options;
}

}  // namespace takedown::dataplane
