#include "dataplane/daemon.hpp"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "control/compile/snapshot_compiler.hpp"
#include "control/config/config.hpp"
#include "dataplane/eal/eal_args.hpp"
#include "dataplane/port/port_setup.hpp"
#include "dataplane/stats/stats_report.hpp"
#include "dataplane/worker/worker.hpp"

namespace takedown::dataplane {

namespace {

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int signal) { g_signal = signal; }

int fail(const std::string& message) {
  std::fprintf(stderr, "takedownd: %s\n", message.c_str());
  return 1;
}

Result<std::unique_ptr<filters::Snapshot>> load_snapshot(const control::Config& config) {
  if (!config.dataplane.snapshot.empty())
    return filters::Snapshot::load_file(config.dataplane.snapshot);
  const auto start = std::chrono::steady_clock::now();
  auto compiled = control::compile_snapshot(config);
  if (!compiled) return make_error(compiled.error());
  auto snapshot = filters::Snapshot::load_bytes(compiled->snapshot, config.path);
  if (snapshot) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "takedownd: compiled %zu lists, %llu domains, in %.0f ms\n",
                 config.lists.size(),
                 static_cast<unsigned long long>((*snapshot)->meta().domain_count), ms);
  }
  return snapshot;
}

int worker_main(void* arg) {
  static_cast<Worker*>(arg)->run();
  return 0;
}

// The main lcore's loop: returns when a signal, the duration or the idle time says stop.
void wait_for_stop(const DaemonOptions& options,
                   const std::vector<std::unique_ptr<Worker>>& workers, std::uint64_t start_tsc) {
  const std::uint64_t hz = rte_get_tsc_hz();
  const auto idle_cycles = static_cast<std::uint64_t>(options.exit_when_idle_ms * hz / 1000.0);
  const auto duration_cycles = static_cast<std::uint64_t>(options.duration_seconds * hz);
  while (g_signal == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const std::uint64_t now = rte_rdtsc();
    if (duration_cycles != 0 && now - start_tsc >= duration_cycles) return;
    if (idle_cycles != 0) {
      std::uint64_t last = start_tsc;
      for (const auto& w : workers) last = std::max(last, w->last_rx_tsc());
      if (now > last && now - last >= idle_cycles) return;
    }
  }
  std::fprintf(stderr, "takedownd: signal %d, stopping\n", static_cast<int>(g_signal));
}

StatsInput collect(const Runtime& runtime, const std::vector<std::unique_ptr<Worker>>& workers,
                   const ActiveSnapshot& active, double elapsed) {
  StatsInput in;
  const filters::Snapshot& snapshot = *active.snapshot;
  for (std::size_t l = 0; l < snapshot.lists().size(); ++l) {
    in.list_names.emplace_back(snapshot.list_name(l));
  }
  in.list_hits.assign(in.list_names.size(), 0);
  in.ports.resize(runtime.ports.size());
  for (std::size_t p = 0; p < runtime.ports.size(); ++p) {
    in.ports[p].name = runtime.ports[p].name;
    rte_eth_stats stats{};
    if (rte_eth_stats_get(runtime.ports[p].port_id, &stats) == 0)
      in.ports[p].rx_missed = stats.imissed;
  }
  for (const auto& w : workers) {
    in.totals += w->counters();
    for (std::size_t l = 0; l < in.list_hits.size(); ++l) in.list_hits[l] += w->list_hits()[l];
    for (std::size_t p = 0; p < in.ports.size(); ++p) {
      in.ports[p].counters.rx += w->port_counters()[p].rx;
      in.ports[p].counters.tx += w->port_counters()[p].tx;
    }
  }
  in.generation = active.generation;
  in.domains = snapshot.meta().domain_count;
  in.workers = static_cast<unsigned>(workers.size());
  in.elapsed_seconds = elapsed;
  return in;
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  auto config = control::load_config(options.config);
  if (!config) return fail(config.error());
  const control::DataplaneConfig& dp = config->dataplane;
  if (!dp.present) {
    return fail(options.config +
                ": no dataplane section; add one with ports and pairs (see conf/takedown.yaml)");
  }
  if (auto files = control::check_device_files(dp); !files) return fail(files.error());
  auto snapshot = load_snapshot(*config);
  if (!snapshot) return fail(snapshot.error());

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
  if (rte_lcore_count() < dp.workers + 1) {
    rte_eal_cleanup();
    return fail(std::to_string(dp.workers) + " workers need " + std::to_string(dp.workers + 1) +
                " lcores (a main lcore for control plus one per worker); the EAL has " +
                std::to_string(rte_lcore_count()) + ": set -l in dataplane.eal");
  }

  Runtime runtime;
  runtime.extract_ports = config->ports;
  runtime.malformed = dp.malformed;
  runtime.ede = dp.ede;
  // Per worker: a burst in hand plus a full tx buffer for every port.
  const std::uint32_t buffered =
      Worker::kBurst + TxBuffer::kSize * static_cast<std::uint32_t>(dp.ports.size());
  auto ports = start_ports(dp, buffered, &runtime.pool);
  if (!ports) {
    rte_eal_cleanup();
    return fail(ports.error());
  }
  runtime.ports = std::move(*ports);

  auto active = std::make_unique<ActiveSnapshot>(std::move(*snapshot), 1);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned w = 0; w < dp.workers; ++w) {
    workers.push_back(std::make_unique<Worker>(w, runtime, active->snapshot->lists().size()));
    auto prepared = workers.back()->prepare(*active);
    if (!prepared) {
      stop_ports(runtime.ports);
      rte_eal_cleanup();
      return fail(prepared.error());
    }
  }
  // Every rx queue of every port, dealt round-robin to the workers.
  std::size_t next = 0;
  for (std::size_t p = 0; p < runtime.ports.size(); ++p) {
    for (std::uint16_t q = 0; q < runtime.ports[p].rx_queues; ++q) {
      workers[next++ % workers.size()]->add_rx_queue(p, q);
    }
  }
  for (unsigned w = 0; w < workers.size(); ++w) {
    if (workers[w]->rx_queue_count() == 0) {
      std::fprintf(stderr, "takedownd: worker %u has no rx queue (more workers than queues)\n", w);
    }
  }
  runtime.active.store(active.get(), std::memory_order_release);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const std::uint64_t start_tsc = rte_rdtsc();
  const auto start = std::chrono::steady_clock::now();
  std::size_t launched = 0;
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    if (launched == workers.size()) break;
    rte_eal_remote_launch(worker_main, workers[launched++].get(), lcore);
  }
  std::fprintf(stderr, "takedownd: %zu ports, %zu workers, %llu domains; forwarding\n",
               runtime.ports.size(), workers.size(),
               static_cast<unsigned long long>(active->snapshot->meta().domain_count));
  wait_for_stop(options, workers, start_tsc);
  runtime.stop.store(true, std::memory_order_relaxed);
  rte_eal_mp_wait_lcore();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string stats = stats_json(collect(runtime, workers, *active, elapsed));
  stop_ports(runtime.ports);
  std::printf("%s\n", stats.c_str());
  std::fflush(stdout);
  workers.clear();
  active.reset();
  rte_eal_cleanup();
  return 0;
}

}  // namespace takedown::dataplane
