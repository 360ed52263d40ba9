// takedownctl run -c CONFIG: the control process. Compiles and loads at start, then watches the
// config and every list file and reloads after a short debounce when one changes; follows
// takedownd across restarts. One log line per reload on stdout; problems on stderr.
#include <poll.h>

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
#include "control/run/notify_listener.hpp"
#include "control/run/reloader.hpp"
#include "control/run/source_schedule.hpp"
#include "control/schema/config.hpp"
#include "control/schema/control_messages.hpp"
#include "control/sources/list_sources.hpp"

namespace takedown::control {
namespace {

constexpr const char* kHelp =
    "Usage: takedownctl run -c CONFIG\n"
    "The control process: compiles CONFIG's lists and has takedownd load them, then watches\n"
    "CONFIG and every list file and reloads 300 ms after the last change. A list that fails\n"
    "to compile is logged with file:line and the running snapshot stays. Lists with a url are\n"
    "fetched at start and every `refresh`; lists with a transfer on their SOA refresh timer\n"
    "and on NOTIFY (control.notify); a changed copy is compiled and loaded, a failed fetch\n"
    "keeps the last good copy. When takedownd is down it waits for it, and loads the newest\n"
    "snapshot into a takedownd that (re)started. Stops on SIGINT or SIGTERM.\n\n";

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
    // A fetched list's copy is written by this process, which reloads after writing it.
    for (const auto& list : config->lists) {
      if (!is_fetched(list)) files.push_back(list.path);
    }
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

// The fetched lists of the config in use: fetches those due, logs each, tells takedownd.
// Returns the names of the lists whose copy changed ("" when none did).
std::string fetch_due(const schema::Config& config, SourceSchedule& schedule) {
  const auto now = SourceSchedule::Clock::now();
  const auto due = schedule.due(now);
  if (due.empty()) return {};
  std::string changed;
  for (std::size_t index : due) {
    const schema::ListConfig& list = config.lists[index];
    const SourceUpdate update = update_source(list);
    schedule.done(index, update, SourceSchedule::Clock::now());
    if (update.ok) {
      log_line("list " + list.name + ": " + update.message);
    } else {
      std::fprintf(stderr, "takedownctl run: list %s: %s\n", list.name.c_str(),
                   update.message.c_str());
    }
    if (update.changed) changed += (changed.empty() ? "" : ", ") + list.name;
  }
  (void)report_sources(config);
  return changed;
}

// The NOTIFY socket of `config` (none when control.notify is ""); failing to bind is logged.
std::unique_ptr<NotifyListener> notify_listener(const schema::Config& config) {
  if (config.control.notify.empty()) return nullptr;
  auto opened = NotifyListener::open(config.control.notify);
  if (!opened) {
    std::fprintf(stderr, "takedownctl run: %s; zones are transferred on their SOA refresh only\n",
                 opened.error().c_str());
    return nullptr;
  }
  log_line("NOTIFY on " + config.control.notify);
  return std::move(*opened);
}

// Waits up to `wait_ms` for the watcher or the NOTIFY socket.
void wait_for_input(const FileWatcher& watcher, const NotifyListener* notify, int wait_ms) {
  pollfd fds[3] = {{watcher.fd(), POLLIN, 0},
                   {notify ? notify->fd() : -1, POLLIN, 0},
                   {notify ? notify->tcp_fd() : -1, POLLIN, 0}};
  (void)::poll(fds, 3, wait_ms);
}

// Answers the NOTIFYs waiting; the accepted ones make their zone due.
void take_notifies(NotifyListener* notify, const schema::Config& config, SourceSchedule& schedule) {
  if (notify == nullptr) return;
  for (const NotifyEvent& e : notify->drain(config)) {
    if (e.accepted) {
      schedule.notify(e.zone, e.primary, SourceSchedule::Clock::now());
      log_line(e.log);
    } else {
      std::fprintf(stderr, "takedownctl run: %s\n", e.log.c_str());
    }
  }
}

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

  // On the heap: the schedule keeps a reference to the config it was made from.
  auto config = std::make_unique<schema::Config>(std::move(*schema::load_config(cl.config)));
  auto notify = notify_listener(*config);
  auto schedule = std::make_unique<SourceSchedule>(*config, SourceSchedule::Clock::now());
  (void)fetch_due(*config, *schedule);
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
    wait_for_input(**watcher, notify.get(), schedule->wait_ms(Clock::now(), dirty ? 50 : 200));
    take_notifies(notify.get(), *config, *schedule);
    if ((*watcher)->changed(0)) {
      dirty = true;
      settle = Clock::now() + std::chrono::milliseconds(kDebounceMs);
    }
    if (dirty && Clock::now() >= settle) {
      dirty = false;
      // The config may name other lists, or other sources, now.
      // A source that stays as it was keeps its times; a new one is fetched below, after the
      // reload with the copies there are.
      if (auto again = schema::load_config(cl.config)) {
        auto fresh = std::make_unique<schema::Config>(std::move(*again));
        auto carried = std::make_unique<SourceSchedule>(*fresh, Clock::now(), schedule.get());
        const bool same_notify = fresh->control.notify == config->control.notify;
        schedule = std::move(carried);
        config = std::move(fresh);
        if (!same_notify) {
          notify.reset();
          notify = notify_listener(*config);
        }
      }
      control.reload("a file changed");
      if (auto again = FileWatcher::create(watched_files(cl.config))) watcher = std::move(again);
    }
    if (const std::string changed = fetch_due(*config, *schedule); !changed.empty()) {
      control.reload(("new copy of " + changed).c_str());
    }
    if (Clock::now() >= next_check) {
      control.follow_daemon();
      next_check = Clock::now() + std::chrono::milliseconds(kCheckEveryMs);
    }
  }
  return kExitOk;
}

}  // namespace takedown::control
