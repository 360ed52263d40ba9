// takedownctl run -c CONFIG: the control process. Compiles and loads at start, then watches the
// config and every list file and reloads after a short debounce when one changes; follows
// takedownd across restarts. One log line per reload on stdout; problems on stderr.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "control/cli/command_line.hpp"
#include "control/cli/commands.hpp"
#include "control/run/control_client.hpp"
#include "control/run/file_watcher.hpp"
#include "control/run/reloader.hpp"
#include "control/schema/config.hpp"
#include "control/schema/control_messages.hpp"

namespace takedown::control {
namespace {

constexpr const char* kHelp =
    "Usage: takedownctl run -c CONFIG\n"
    "The control process: compiles CONFIG's lists and has takedownd load them, then watches\n"
    "CONFIG and every list file and reloads 300 ms after the last change. A list that fails\n"
    "to compile is logged with file:line and the running snapshot stays. When takedownd is\n"
    "down it waits for it, and loads the newest snapshot into a takedownd that (re)started.\n"
    "Stops on SIGINT or SIGTERM.\n\n";

constexpr int kDebounceMs = 300;
constexpr int kCheckEveryMs = 1000;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

void log_line(const std::string& text) {
  std::printf("takedownctl run: %s\n", text.c_str());
  std::fflush(stdout);
}

std::vector<std::string> watched_files(const std::string& config_path) {
  std::vector<std::string> files{config_path};
  if (auto config = schema::load_config(config_path)) {
    for (const auto& list : config->lists) files.push_back(list.path);
  }
  return files;
}

// The pid of the takedownd at `socket`, or 0 when none answers.
long daemon_pid(const std::string& socket) {
  auto line = control_request(socket, schema::StatusRequest{}, 2000);
  if (!line) return 0;
  auto reply = schema::decode_status_reply(*line);
  if (!reply) return 0;
  const auto* status = std::get_if<schema::StatusReply>(&*reply);
  return status == nullptr ? 0 : static_cast<long>(status->pid);
}

class Control {
 public:
  explicit Control(std::string config_path) : config_path_(std::move(config_path)) {}

  // Compile, store, load, and log what happened.
  void reload(const char* why) {
    ReloadResult result;
    ReloadError error;
    if (reloader_.reload(config_path_, result, error)) {
      latest_ = result.snapshot_path;
      pid_ = daemon_pid(socket());
      log_line(describe(result) + " [" + why + "]");
      return;
    }
    if (!error.snapshot_path.empty()) latest_ = error.snapshot_path;
    if (error.stage == ReloadStage::Load && !error.snapshot_path.empty()) {
      pid_ = 0;  // takedownd is not there: load when it comes
      std::fprintf(stderr, "takedownctl run: %s; will load %s when takedownd is back\n",
                   error.message.c_str(), error.snapshot_path.c_str());
      return;
    }
    std::fprintf(stderr, "takedownctl run: reload failed, the running snapshot stays: %s\n",
                 error.message.c_str());
  }

  // Follows takedownd: when one answers that has not had the newest snapshot, load it.
  void follow_daemon() {
    const long pid = daemon_pid(socket());
    if (pid == 0 || pid == pid_ || latest_.empty()) {
      if (pid == 0) pid_ = 0;
      return;
    }
    ReloadResult result;
    ReloadError error;
    if (reloader_.load(socket(), latest_, 0, result, error)) {
      pid_ = pid;
      log_line(describe(result) + " [takedownd " + std::to_string(pid) + " is up]");
    } else {
      std::fprintf(stderr, "takedownctl run: %s\n", error.message.c_str());
    }
  }

  const std::string& config_path() const { return config_path_; }

 private:
  std::string socket() const {
    auto config = schema::load_config(config_path_);
    return config ? config->control.socket : std::string();
  }

  std::string config_path_;
  Reloader reloader_;
  std::string latest_;
  long pid_ = 0;
};

}  // namespace

int run_run_command(int argc, char** argv) {
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, "ch", kHelp, cl); done >= 0) return done;
  if (cl.config.empty() || cl.first_operand != argc) {
    std::fputs("takedownctl run: needs -c CONFIG\n", stderr);
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  if (auto config = schema::load_config(cl.config); !config) {
    std::fprintf(stderr, "takedownctl: %s\n", config.error().c_str());
    return kExitFailed;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  Control control(cl.config);
  control.reload("start");
  auto watcher = FileWatcher::create(watched_files(cl.config));
  if (!watcher) {
    std::fprintf(stderr, "takedownctl: %s\n", watcher.error().c_str());
    return kExitFailed;
  }
  using Clock = std::chrono::steady_clock;
  auto next_check = Clock::now();
  bool dirty = false;
  auto settle = Clock::now();
  while (!g_stop) {
    const int wait = dirty ? 50 : 200;
    if ((*watcher)->changed(wait)) {
      dirty = true;
      settle = Clock::now() + std::chrono::milliseconds(kDebounceMs);
    }
    if (dirty && Clock::now() >= settle) {
      dirty = false;
      control.reload("a file changed");
      // The config may name other lists now.
      if (auto again = FileWatcher::create(watched_files(cl.config))) watcher = std::move(again);
    }
    if (Clock::now() >= next_check) {
      control.follow_daemon();
      next_check = Clock::now() + std::chrono::milliseconds(kCheckEveryMs);
    }
  }
  return kExitOk;
}

}  // namespace takedown::control
