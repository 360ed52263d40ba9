// takedownctl fetch -c CONFIG: one fetch or zone transfer of every list with a url or transfer.
#include <cstdio>
#include <string>

#include "control/cli/command_line.hpp"
#include "control/cli/commands.hpp"
#include "control/schema/config.hpp"
#include "control/sources/list_sources.hpp"

namespace takedown::control {
namespace {

constexpr const char* kHelp =
    "Usage: takedownctl fetch -c CONFIG\n"
    "Fetches every list of CONFIG that has a url (a conditional GET: a 304 keeps the copy) or\n"
    "a transfer (IXFR from the stored serial, AXFR the first time), once, into the state\n"
    "folder (control.snapshot_dir/sources/), where compile, check and run read it. A fetch that\n"
    "fails, or a list that does not parse, leaves the last good copy as it was. One line per\n"
    "list; then the sources are reported to a running takedownd (status, /metrics), if any.\n"
    "Exit 1 when any list failed.\n\n";

}  // namespace

int run_fetch_command(int argc, char** argv) {
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, "ch", kHelp, cl); done >= 0) return done;
  if (cl.config.empty() || cl.first_operand != argc) {
    std::fputs("takedownctl fetch: needs -c CONFIG\n", stderr);
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  auto config = schema::load_config(cl.config);
  if (!config) {
    std::fprintf(stderr, "takedownctl: %s\n", config.error().c_str());
    return kExitFailed;
  }
  int failed = 0;
  int fetched = 0;
  for (const auto& list : config->lists) {
    if (!is_fetched(list)) continue;
    ++fetched;
    const SourceUpdate update = update_source(list);
    std::FILE* out = update.ok ? stdout : stderr;
    std::fprintf(out, "list %s: %s\n", list.name.c_str(), update.message.c_str());
    failed += update.ok ? 0 : 1;
  }
  if (fetched == 0) std::printf("no list of %s has a url or a transfer\n", cl.config.c_str());
  (void)report_sources(*config);
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace takedown::control
