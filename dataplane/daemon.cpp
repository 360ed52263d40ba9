#include "dataplane/daemon.hpp"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_rcu_qsbr.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>

#include "control/schema/config.hpp"
#include "control/schema/snapshot_folder.hpp"
#include "control/schema/stats.hpp"
#include "dataplane/eal/eal_args.hpp"
#include "dataplane/events/event_log.hpp"
#include "dataplane/port/port_setup.hpp"
#include "dataplane/service/control_commands.hpp"
#include "dataplane/service/control_server.hpp"
#include "dataplane/service/metrics_server.hpp"
#include "dataplane/service/snapshot_registry.hpp"
#include "dataplane/stats/metrics_text.hpp"
#include "dataplane/stats/telemetry.hpp"
#include "dataplane/worker/worker.hpp"

namespace takedown::dataplane {

namespace {

volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_reopen = 0;

void on_signal(int signal) { g_signal = signal; }
void on_hangup(int) { g_reopen = 1; }

int fail(const std::string& message) {
  std::fprintf(stderr, "takedownd: %s\n", message.c_str());
  return 1;
}

struct StartSnapshot {
  std::unique_ptr<filters::Snapshot> snapshot;
  std::string origin;
};

// The configured snapshot file; else the newest good one in the snapshot folder (a restart
// resumes what the control process last loaded). takedownd never compiles lists itself: the
// build side (`takedownctl compile`, `reload` or `run`) makes every snapshot, so there is one
// compile path and the data plane links no list parser and no pattern compiler.
Result<StartSnapshot> start_snapshot(const schema::Config& config) {
  if (!config.dataplane.snapshot.empty()) {
    auto snapshot = filters::Snapshot::load_file(config.dataplane.snapshot);
    if (!snapshot) return make_error(snapshot.error());
    return StartSnapshot{std::move(*snapshot), config.dataplane.snapshot};
  }
  const std::string& folder = config.control.snapshot_dir;
  const std::vector<std::string> stored = schema::snapshots_newest_first(folder);
  for (const std::string& path : stored) {
    auto snapshot = filters::Snapshot::load_file(path);
    if (snapshot) {
      std::fprintf(stderr, "takedownd: starting from %s\n", path.c_str());
      return StartSnapshot{std::move(*snapshot), path};
    }
    std::fprintf(stderr, "takedownd: skipping %s\n", snapshot.error().c_str());
  }
  return make_error("no snapshot to start from: " + config.path +
                    " sets no dataplane.snapshot, and the snapshot folder " + folder + " holds " +
                    (stored.empty() ? std::string("none")
                                    : "none that verifies (" + std::to_string(stored.size()) +
                                          " refused, above)") +
                    ". Compile one first: takedownctl compile -c " + config.path);
}

int worker_main(void* arg) {
  static_cast<Worker*>(arg)->run();
  return 0;
}

// The stats, read live while the workers run (each counter a whole recent value) or final after.
schema::Stats collect(const Runtime& runtime, const std::vector<std::unique_ptr<Worker>>& workers,
                      const SnapshotRegistry& registry, double elapsed,
                      std::uint64_t events_written) {
  schema::Stats in;
  for (auto& [name, hits] : registry.list_hits()) in.lists.push_back({name, hits});
  in.ports.resize(runtime.ports.size());
  for (std::size_t p = 0; p < runtime.ports.size(); ++p) {
    in.ports[p].name = runtime.ports[p].name;
    rte_eth_stats stats{};
    if (rte_eth_stats_get(runtime.ports[p].port_id, &stats) == 0)
      in.ports[p].rx_missed = stats.imissed;
  }
  const std::vector<unsigned> lagging = registry.lagging();
  for (const auto& w : workers) {
    add_live(in.totals, w->counters());
    const WorkerCounters& c = w->counters();
    schema::WorkerLoad load{live(c.busy_cycles), live(c.polled_cycles), false};
    for (unsigned l : lagging) load.lagging = load.lagging || l == in.worker_load.size();
    in.worker_load.push_back(load);
    w->reasons().for_each(
        [&](std::string_view reason, std::uint64_t malformed, std::uint64_t truncated) {
          for (auto& r : in.reasons) {
            if (r.reason == reason) {
              r.malformed += malformed;
              r.truncated += truncated;
              return;
            }
          }
          in.reasons.push_back({std::string(reason), malformed, truncated});
        });
    for (std::size_t p = 0; p < in.ports.size(); ++p) {
      const PortCounters& pc = w->port_counters()[p];
      in.ports[p].rx += live(pc.rx);
      in.ports[p].tx += live(pc.tx);
      in.ports[p].rx_bytes += live(pc.rx_bytes);
      in.ports[p].tx_bytes += live(pc.tx_bytes);
    }
  }
  in.totals.events_written = events_written;
  const ReloadHistory& h = registry.history();
  in.reloads = {h.loads,          h.failures,     h.grace_timeouts,  registry.retired(),
                h.last_verify_us, h.last_swap_us, h.last_compile_ms, h.last_load_unix};
  in.sources = h.sources;
  in.now_unix =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  in.generation = registry.current().generation();
  in.domains = registry.current().snapshot().meta().domain_count;
  in.workers = static_cast<unsigned>(workers.size());
  in.elapsed_seconds = elapsed;
  return in;
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

struct FreeRcu {
  void operator()(rte_rcu_qsbr* v) const { std::free(v); }
};

// rte_rcu_qsbr wants cache-line-aligned memory of rte_rcu_qsbr_get_memsize() bytes.
std::unique_ptr<rte_rcu_qsbr, FreeRcu> make_rcu(unsigned workers) {
  const std::size_t size = (rte_rcu_qsbr_get_memsize(workers) + 63) / 64 * 64;
  auto* v = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(64, size));
  if (v == nullptr || rte_rcu_qsbr_init(v, workers) != 0) {
    std::free(v);
    return nullptr;
  }
  return std::unique_ptr<rte_rcu_qsbr, FreeRcu>(v);
}

// The main lcore's loop: serves the control socket and the metrics, and returns when a signal,
// the duration or the idle time says stop.
void serve_until_stop(const DaemonOptions& options,
                      const std::vector<std::unique_ptr<Worker>>& workers, std::uint64_t start_tsc,
                      ControlServer& server, ControlCommands& commands, SnapshotRegistry& registry,
                      MetricsServer* metrics, const std::function<std::string()>& render_metrics,
                      const std::function<void()>& publish,
                      const std::function<void()>& drain_events, EventLog* events) {
  const std::uint64_t hz = rte_get_tsc_hz();
  const auto idle_cycles = static_cast<std::uint64_t>(options.exit_when_idle_ms * hz / 1000.0);
  const auto duration_cycles = static_cast<std::uint64_t>(options.duration_seconds * hz);
  const auto handle = [&](std::string_view request) { return commands.handle(request); };
  const std::uint64_t publish_every = hz / 10;
  std::uint64_t published = 0;
  while (g_signal == 0) {
    server.poll(1, handle);
    registry.poll();
    if (metrics != nullptr) metrics->poll(0, render_metrics);
    drain_events();
    if (g_reopen != 0 && events != nullptr) {
      g_reopen = 0;
      if (auto reopened = events->reopen(); !reopened) {
        std::fprintf(stderr, "takedownd: %s\n", reopened.error().c_str());
      }
    }
    const std::uint64_t now = rte_rdtsc();
    if (now - published >= publish_every) {
      publish();
      published = now;
    }
    if (duration_cycles != 0 && now - start_tsc >= duration_cycles) return;
    if (idle_cycles != 0) {
      std::uint64_t last = start_tsc;
      for (const auto& w : workers) last = std::max(last, w->last_rx_tsc());
      if (now > last && now - last >= idle_cycles) return;
    }
  }
  std::fprintf(stderr, "takedownd: signal %d, stopping\n", static_cast<int>(g_signal));
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  // First, before anything slow: a SIGHUP (logrotate, a config-management run) in the first
  // seconds must not end the process with signal 1, which systemd takes for a clean exit. A
  // SIGINT or SIGTERM during start-up stops takedownd as soon as it is up.
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, on_hangup);
  // Where a slow start went (the forwarding line says): the snapshot, the EAL, the ports.
  const auto began = std::chrono::steady_clock::now();
  const auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  auto config = schema::load_config(options.config);
  if (!config) return fail(config.error());
  const schema::DataplaneConfig& dp = config->dataplane;
  if (!dp.present) {
    return fail(options.config +
                ": no dataplane section; add one with ports and pairs (see conf/takedown.yaml)");
  }
  if (auto files = schema::check_device_files(dp); !files) return fail(files.error());
  auto first = start_snapshot(*config);
  if (!first) return fail(first.error());
  const double snapshot_seconds = since(began);

  // EAL logs go to stderr: stdout carries only the stats JSON.
  rte_openlog_stream(stderr);
  std::vector<std::string> args = eal_arguments(dp);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    std::string devices;
    for (const auto& port : dp.ports) {
      devices += (devices.empty() ? "" : ", ") + ("port '" + port.name + "' = " + port.device);
    }
    return fail("EAL start-up failed (" + std::string(rte_strerror(rte_errno)) +
                "): check the messages above, dataplane.eal and the devices (" + devices +
                "). EAL arguments: " + joined(args));
  }
  const double eal_seconds = since(began);
  if (rte_lcore_count() < dp.workers + 1) {
    rte_eal_cleanup();
    return fail(std::to_string(dp.workers) + " workers need " + std::to_string(dp.workers + 1) +
                " lcores (a main lcore for control plus one per worker); the EAL has " +
                std::to_string(rte_lcore_count()) + ": set -l in dataplane.eal");
  }

  Runtime runtime;
  runtime.extract_ports = config->ports;
  runtime.malformed = dp.malformed;
  runtime.burst = static_cast<std::uint16_t>(dp.burst);
  runtime.idle_sleep_us = dp.idle_sleep_us;
  auto rcu = make_rcu(dp.workers);
  if (!rcu) {
    rte_eal_cleanup();
    return fail("cannot set up RCU for " + std::to_string(dp.workers) + " workers");
  }
  runtime.rcu = rcu.get();
  // Per worker: a burst in hand plus a full tx buffer for every port.
  const std::uint32_t buffered =
      Worker::kBurst + TxBuffer::kSize * static_cast<std::uint32_t>(dp.ports.size());
  auto ports = start_ports(dp, buffered, &runtime.pool);
  if (!ports) {
    rte_eal_cleanup();
    return fail(ports.error());
  }
  runtime.ports = std::move(*ports);
  const double ports_seconds = since(began);
  const auto give_up = [&](const std::string& message) {
    stop_ports(runtime.ports);
    rte_eal_cleanup();
    return fail(message);
  };

  SnapshotRegistry registry(runtime, dp.workers);
  if (auto published = registry.publish(std::move(first->snapshot), first->origin); !published) {
    return give_up(published.error());
  }
  auto server = ControlServer::open(config->control.socket);
  if (!server) return give_up(server.error() + " (control.socket in " + options.config + ")");
  std::unique_ptr<EventLog> events;
  if (!config->events.path.empty()) {
    auto opened = EventLog::open(config->events.path);
    if (!opened) return give_up(opened.error());
    events = std::move(*opened);
  }
  std::unique_ptr<MetricsServer> metrics;
  if (!config->metrics.listen.empty()) {
    auto opened = MetricsServer::open(config->metrics.listen);
    if (!opened) return give_up(opened.error());
    metrics = std::move(*opened);
  }

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned w = 0; w < dp.workers; ++w) {
    workers.push_back(std::make_unique<Worker>(w, runtime));
    // Each worker's flow table and QUIC contexts, made here once: nothing on the data path
    // allocates them.
    auto flows = filters::FlowTracker::create(config->flows, config->ports, rte_get_tsc_hz());
    if (!flows) return give_up("worker " + std::to_string(w) + ": " + flows.error());
    workers.back()->set_flows(std::move(flows.value()), config->flows.quic_hold_ms);
  }
  std::vector<std::unique_ptr<EventRing>> rings;
  std::vector<EventRing*> ring_pointers;
  if (events) {
    const std::uint32_t limit = config->events.rate_limit;
    for (auto& w : workers) {
      rings.push_back(std::make_unique<EventRing>(4096));
      ring_pointers.push_back(rings.back().get());
      // The limit is over all workers; each gets its share, at least one a second.
      w->set_events(rings.back().get(),
                    limit == 0 ? 0 : std::max<std::uint32_t>(1, limit / dp.workers));
    }
  }
  std::vector<std::string> port_names;
  for (const auto& p : runtime.ports) port_names.push_back(p.name);
  const EventClock event_clock{
      rte_rdtsc(),
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(),
      rte_get_tsc_hz()};
  const std::function<void()> drain_events = [&] {
    if (events) {
      events->drain(ring_pointers, port_names, event_clock,
                    [&](std::uint64_t generation, std::uint16_t list) {
                      return registry.list_of(generation, list);
                    });
    }
  };
  // Every rx queue of every port, dealt round-robin to the workers.
  std::size_t next = 0;
  std::vector<std::vector<std::size_t>> worker_of(runtime.ports.size());
  for (std::size_t p = 0; p < runtime.ports.size(); ++p) {
    for (std::uint16_t q = 0; q < runtime.ports[p].rx_queues; ++q) {
      worker_of[p].push_back(next % workers.size());
      workers[next++ % workers.size()]->add_rx_queue(p, q);
    }
  }
  // Symmetric RSS (or af_packet's fanout) puts both directions of a flow on the same queue index
  // of the two paired ports; they meet on one worker only if those queues were dealt to it.
  for (std::size_t p = 0; p < runtime.ports.size(); ++p) {
    const std::size_t peer = runtime.ports[p].peer;
    if (peer <= p || worker_of[p] == worker_of[peer]) continue;
    std::fprintf(stderr,
                 "takedownd: ports '%s' and '%s': the two directions of a flow reach different "
                 "workers, so a flow's server side (a QUIC Retry, a reset) goes unseen by the "
                 "worker that holds it; give paired ports the same rx_queues, a multiple of "
                 "workers (%zu)\n",
                 runtime.ports[p].name.c_str(), runtime.ports[peer].name.c_str(), workers.size());
  }
  for (unsigned w = 0; w < workers.size(); ++w) {
    if (workers[w]->rx_queue_count() == 0) {
      std::fprintf(stderr, "takedownd: worker %u has no rx queue (more workers than queues)\n", w);
    }
  }

  const std::uint64_t start_tsc = rte_rdtsc();
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto stats = [&] {
    return collect(runtime, workers, registry, elapsed(), events ? events->written() : 0);
  };
  ControlCommands commands(registry, stats);
  std::size_t launched = 0;
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    if (launched == workers.size()) break;
    rte_eal_remote_launch(worker_main, workers[launched++].get(), lcore);
  }
  std::fprintf(
      stderr,
      "takedownd: %zu ports, %zu workers, %llu domains, control socket %s; forwarding "
      "%.1f s after start (snapshot loaded at %.1f s, EAL up at %.1f s, ports at %.1f s)\n",
      runtime.ports.size(), workers.size(),
      static_cast<unsigned long long>(registry.current().snapshot().meta().domain_count),
      config->control.socket.c_str(), since(began), snapshot_seconds, eal_seconds, ports_seconds);
  const std::function<std::string()> render_metrics = [&] { return prometheus_text(stats()); };
  register_telemetry();
  const std::function<void()> publish = [&] {
    publish_telemetry(stats(), TelemetrySnapshot{registry.current().origin()});
  };
  serve_until_stop(options, workers, start_tsc, **server, commands, registry, metrics.get(),
                   render_metrics, publish, drain_events, events.get());
  runtime.stop.store(true, std::memory_order_relaxed);
  rte_eal_mp_wait_lcore();
  drain_events();

  const std::string final_stats = schema::stats_json(stats());
  server->reset();
  metrics.reset();
  stop_ports(runtime.ports);
  std::printf("%s\n", final_stats.c_str());
  std::fflush(stdout);
  workers.clear();
  rte_eal_cleanup();
  return 0;
}

}  // namespace takedown::dataplane
