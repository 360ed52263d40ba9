// Compile time and snapshot size, through the same path as `takedownctl compile`: list files on
// disk, config, parse, build, serialise. The 66k takedown list, and a synthetic 1M-domain list
// written once to a temporary file. No regex lists (the targets exclude them).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bench/support/name_mix.hpp"
#include "control/compile/snapshot_compiler.hpp"
#include "control/schema/config.hpp"

namespace takedown::bench {
namespace {

schema::Config config_for(const std::string& list_path) {
  auto config = schema::parse_config(
      "lists: [{name: bench, format: domains, path: " + list_path + "}]\n", "/bench/config.yaml");
  return std::move(config).value();
}

void run_compile(benchmark::State& state, const std::string& list_path) {
  const schema::Config config = config_for(list_path);
  std::size_t bytes = 0, domains = 0;
  double parse_ms = 0, build_ms = 0;
  for (auto _ : state) {
    auto out = control::compile_snapshot(config);
    if (!out) {
      state.SkipWithError(out.error().c_str());
      return;
    }
    bytes = out->snapshot.size();
    domains = out->stats.domains;
    parse_ms += out->parse_ms;
    build_ms += out->build_ms;
    benchmark::DoNotOptimize(out->snapshot.data());
  }
  const auto n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * domains));
  state.counters["domains"] = static_cast<double>(domains);
  state.counters["snapshot_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_domain"] = static_cast<double>(bytes) / static_cast<double>(domains);
  state.counters["parse_ms"] = parse_ms / n;
  state.counters["build_ms"] = build_ms / n;
}

void BM_Compile_Takedown66k(benchmark::State& state) {
  run_compile(state, source_path("conf/lists/takedown-66k.txt"));
}

void BM_Compile_Synthetic(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("takedown-bench-" + std::to_string(size) + "-" + std::to_string(::getpid()) + ".txt"))
          .string();
  {
    std::ofstream out(path);
    for (const auto& name : synthetic_domains(size)) out << name << '\n';
  }
  run_compile(state, path);
  std::filesystem::remove(path);
}

BENCHMARK(BM_Compile_Takedown66k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile_Synthetic)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace takedown::bench

BENCHMARK_MAIN();
