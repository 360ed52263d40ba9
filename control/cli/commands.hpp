// The takedownctl subcommands. Each takes the arguments after its own name and returns the
// process exit code (see kExitCodesHelp). Run on the main thread of a short-lived process.
#pragma once

namespace takedown::control {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // config, list or snapshot error: the message says which
inline constexpr int kExitUsage = 2;   // bad command line

inline constexpr const char* kExitCodesHelp =
    "Exit codes:\n"
    "  0  success (for check: every name was judged, whatever the verdicts)\n"
    "  1  the config, a list or a snapshot could not be loaded (the message names the file and\n"
    "     line), or takedownd could not be reached or refused the request\n"
    "  2  bad command line\n";

int run_compile_command(int argc, char** argv);
int run_check_command(int argc, char** argv);
int run_inspect_command(int argc, char** argv);
int run_reload_command(int argc, char** argv);
int run_stats_command(int argc, char** argv);
int run_status_command(int argc, char** argv);
int run_run_command(int argc, char** argv);
int run_fetch_command(int argc, char** argv);

}  // namespace takedown::control
