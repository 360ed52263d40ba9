// takedownctl: the control process's command line. Thin: each subcommand lives in control/cli/.
#include <cstdio>
#include <cstring>

#include "control/cli/commands.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: takedownctl COMMAND [OPTIONS]\n"
    "Commands:\n"
    "  compile -c CONFIG [-o FILE]   compile the config's lists into a snapshot (FILE, or the\n"
    "                                snapshot folder takedownd starts from)\n"
    "  check   -c CONFIG NAME...     explain the verdict for names ('-' reads stdin)\n"
    "  inspect -c CONFIG CAPTURE     extract and judge the names in a pcap/pcapng capture\n"
    "  run     -c CONFIG             the control process: load, watch the lists, reload\n"
    "  fetch   -c CONFIG             fetch the lists with a url or a zone transfer, once\n"
    "  reload  -c CONFIG             compile and have the running takedownd load it\n"
    "  stats   -c CONFIG             the running takedownd's stats (JSON)\n"
    "  status  -c CONFIG             the running takedownd's version, generation and lists (JSON)\n"
    "  help                          this text\n"
    "Run 'takedownctl COMMAND --help' for a command's options.\n\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace takedown::control;
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    std::fputs(kExitCodesHelp, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  if (std::strcmp(argv[1], "compile") == 0) return run_compile_command(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "check") == 0) return run_check_command(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "inspect") == 0) return run_inspect_command(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "run") == 0) return run_run_command(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "fetch") == 0) return run_fetch_command(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "reload") == 0) return run_reload_command(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "stats") == 0) return run_stats_command(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "status") == 0) return run_status_command(argc - 1, argv + 1);
  std::fprintf(stderr, "takedownctl: unknown command '%s'\n", argv[1]);
  std::fputs(kUsage, stderr);
  return kExitUsage;
}
