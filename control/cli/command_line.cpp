#include "control/cli/command_line.hpp"

#include <getopt.h>

#include <cstdio>

#include "control/cli/commands.hpp"

namespace takedown::control {

int parse_command_line(int argc, char** argv, std::string_view accepted, const char* help,
                       CommandLine& out) {
  static const option kOptions[] = {{"config", required_argument, nullptr, 'c'},
                                    {"snapshot", required_argument, nullptr, 's'},
                                    {"output", required_argument, nullptr, 'o'},
                                    {"json", no_argument, nullptr, 'j'},
                                    {"explain", no_argument, nullptr, 'x'},
                                    {"all-skips", no_argument, nullptr, 'a'},
                                    {"help", no_argument, nullptr, 'h'},
                                    {nullptr, 0, nullptr, 0}};
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "c:s:o:jxh", kOptions, nullptr)) != -1;) {
    if (c == '?' || accepted.find(static_cast<char>(c)) == std::string_view::npos) {
      if (c == 'a') {
        std::fputs("takedownctl: option --all-skips does not apply to this command\n", stderr);
      } else if (c != '?') {
        std::fprintf(stderr, "takedownctl: option -%c does not apply to this command\n", c);
      }
      std::fputs(help, stderr);
      return kExitUsage;
    }
    switch (c) {
      case 'c':
        out.config = optarg;
        break;
      case 's':
        out.snapshot = optarg;
        break;
      case 'o':
        out.output = optarg;
        break;
      case 'j':
        out.json = true;
        break;
      case 'x':
        out.explain = true;
        break;
      case 'a':
        out.all_skips = true;
        break;
      case 'h':
        std::fputs(help, stdout);
        std::fputs(kExitCodesHelp, stdout);
        return kExitOk;
    }
  }
  out.first_operand = optind;
  return -1;
}

}  // namespace takedown::control
