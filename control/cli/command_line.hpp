// parse_command_line(): the options the takedownctl commands share, parsed one way.
//
//   -c/--config CONFIG   -s/--snapshot FILE   -o/--output FILE   -j/--json   -x/--explain
//   --all-skips (letter 'a' in `accepted`, no short form)   -h/--help
//
// `accepted` lists the short letters a command takes ("cojh"); any other option is a usage error.
// Returns kExitOk after printing `help` for -h, kExitUsage after printing it for a bad option,
// and -1 when the command should go on (operands start at argv[out.first_operand]).
#pragma once

#include <string>
#include <string_view>

namespace takedown::control {

struct CommandLine {
  std::string config;
  std::string snapshot;
  std::string output;
  bool json = false;
  bool explain = false;
  bool all_skips = false;
  int first_operand = 1;
};

int parse_command_line(int argc, char** argv, std::string_view accepted, const char* help,
                       CommandLine& out);

}  // namespace takedown::control
