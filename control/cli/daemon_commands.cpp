// takedownctl reload | stats | status -c CONFIG: one request to the takedownd that serves
// CONFIG's control.socket.
#include <cstdio>
#include <string>

#include "control/cli/command_line.hpp"
#include "control/cli/commands.hpp"
#include "control/run/control_client.hpp"
#include "control/run/reloader.hpp"
#include "control/schema/config.hpp"
#include "control/schema/control_messages.hpp"

namespace takedown::control {
namespace {

constexpr const char* kReloadHelp =
    "Usage: takedownctl reload -c CONFIG\n"
    "Compiles CONFIG's lists, stores the snapshot in control.snapshot_dir (the newest five are\n"
    "kept) and has the takedownd at control.socket load it. Prints the generation, the list and\n"
    "domain counts, the compile time and takedownd's verify and swap times. A list that fails\n"
    "(missing, empty, or a pattern Hyperscan rejects, named file:line) stops the reload and the\n"
    "running snapshot stays.\n\n";
constexpr const char* kStatsHelp =
    "Usage: takedownctl stats -c CONFIG\n"
    "Prints the stats of the takedownd at CONFIG's control.socket as one JSON object.\n\n";
constexpr const char* kStatusHelp =
    "Usage: takedownctl status -c CONFIG\n"
    "Prints the version, uptime, generation, snapshot and lists of the takedownd at CONFIG's\n"
    "control.socket as one JSON object.\n\n";

int needs_config(const char* command, const char* help) {
  std::fprintf(stderr, "takedownctl %s: needs -c CONFIG\n", command);
  std::fputs(help, stderr);
  return kExitUsage;
}

// Prints the reply of `request` (decoded with `decode`) as JSON on stdout via `print`.
template <typename Decode, typename Print>
int query(int argc, char** argv, const char* command, const char* help,
          const schema::Request& request, Decode decode, Print print) {
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, "ch", help, cl); done >= 0) return done;
  if (cl.config.empty() || cl.first_operand != argc) return needs_config(command, help);
  auto config = schema::load_config(cl.config);
  if (!config) {
    std::fprintf(stderr, "takedownctl: %s\n", config.error().c_str());
    return kExitFailed;
  }
  auto line = control_request(config->control.socket, request);
  if (!line) {
    std::fprintf(stderr, "takedownctl: %s\n", line.error().c_str());
    return kExitFailed;
  }
  auto reply = decode(*line);
  if (!reply) {
    std::fprintf(stderr, "takedownctl: takedownd's reply to %s: %s\n", command,
                 reply.error().c_str());
    return kExitFailed;
  }
  if (const auto* refused = std::get_if<schema::ErrorReply>(&*reply)) {
    std::fprintf(stderr, "takedownctl: takedownd refused %s: %s\n", command,
                 refused->error.c_str());
    return kExitFailed;
  }
  std::printf("%s\n", print(std::get<0>(*reply)).c_str());
  return kExitOk;
}

}  // namespace

int run_reload_command(int argc, char** argv) {
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, "ch", kReloadHelp, cl); done >= 0)
    return done;
  if (cl.config.empty() || cl.first_operand != argc) return needs_config("reload", kReloadHelp);
  Reloader reloader;
  ReloadResult result;
  ReloadError error;
  if (!reloader.reload(cl.config, result, error)) {
    std::fprintf(stderr, "takedownctl: %s\n", error.message.c_str());
    if (!error.snapshot_path.empty()) {
      std::fprintf(stderr,
                   "takedownctl: the snapshot is stored as %s; a restarted takedownd "
                   "starts from it\n",
                   error.snapshot_path.c_str());
    }
    return kExitFailed;
  }
  std::printf("%s\n", describe(result).c_str());
  return kExitOk;
}

int run_stats_command(int argc, char** argv) {
  return query(argc, argv, "stats", kStatsHelp, schema::StatsRequest{}, schema::decode_stats_reply,
               [](const schema::StatsReply& r) { return schema::stats_json(r.stats); });
}

int run_status_command(int argc, char** argv) {
  return query(argc, argv, "status", kStatusHelp, schema::StatusRequest{},
               schema::decode_status_reply,
               [](const schema::StatusReply& r) { return schema::encode(r); });
}

}  // namespace takedown::control
