#include "dataplane/eal/eal_args.hpp"

namespace takedown::dataplane {

std::vector<std::string> eal_arguments(const schema::DataplaneConfig& config) {
  std::vector<std::string> args{"takedownd"};
  bool lcores = false;
  for (const std::string& arg : config.eal) {
    lcores =
        lcores || arg == "-l" || arg == "-c" || arg.rfind("--lcores", 0) == 0 ||
        (arg.size() > 2 && (arg.rfind("-l", 0) == 0 || arg.rfind("-c", 0) == 0) && arg[1] != '-');
    args.push_back(arg);
  }
  for (const auto& port : config.ports) {
    args.push_back(port.is_vdev() ? "--vdev" : "-a");
    args.push_back(port.device);
  }
  if (!lcores) {
    args.push_back("-l");
    args.push_back("0-" + std::to_string(config.workers));
  }
  return args;
}

}  // namespace takedown::dataplane
