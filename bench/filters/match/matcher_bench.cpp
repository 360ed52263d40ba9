// Lookup time per name on the 90/10 mix, for the compiled matcher and two baselines measured in
// the same binary: a std::unordered_set<std::string> suffix walk, and a Hyperscan-only database of
// the same domains. Then the matcher alone with synthetic 1M and 10M domain lists.
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "bench/support/name_mix.hpp"
#include "control/compile/snapshot_builder.hpp"
#include "filters/match/matcher.hpp"

namespace takedown::bench {
namespace {

constexpr std::size_t kMixSize = 1 << 16;

// A worker's name is hot: it was just extracted from the packet. The benches hold 64k distinct
// names (so table accesses are as cold as real traffic makes them), and every loop, baselines
// included, prefetches the name it will look up a few iterations ahead, as a worker prefetches
// packets. Without this they would measure streaming a 16 MB array of names.
inline void prefetch_name(const std::vector<filters::DomainName>& names, std::size_t i) {
  const filters::DomainName& n = names[(i + 8) & (names.size() - 1)];
  __builtin_prefetch(&n);
}

struct Compiled {
  std::unique_ptr<filters::Snapshot> snapshot;
  double compile_ms = 0;
};

Compiled compile_domains(const std::vector<std::string>& domains) {
  const auto start = std::chrono::steady_clock::now();
  control::SnapshotBuilder builder(0.01);
  const std::uint16_t policy = *builder.add_policy(filters::Policy{});  // the first: never full
  const auto list = builder.add_list("bench", "bench", "domains", policy, false, domains.size(), 0,
                                     *control::list_answer("bench", {}, 1));
  builder.begin_domains(domains.size());
  for (std::size_t i = 0; i < domains.size(); ++i) {
    builder.add_domain(domains[i], filters::SuffixSlot::kApex | filters::SuffixSlot::kBelow,
                       {static_cast<std::uint32_t>(i + 1), list, policy});
  }
  std::vector<control::PatternFailure> f1, f2;
  auto bytes = builder.build(f1, f2);
  Compiled out;
  out.compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  auto snapshot = filters::Snapshot::load_bytes(bytes.value(), "bench");
  out.snapshot = std::move(snapshot).value();
  return out;
}

std::vector<filters::DomainName> normalised(const std::vector<std::string>& names) {
  std::vector<filters::DomainName> out(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) out[i].assign(names[i]);
  return out;
}

const std::vector<std::string>& takedown_list() {
  static const auto list = read_lines(source_path("conf/lists/takedown-66k.txt"));
  return list;
}

// The 66k benches take the mix size as their argument: 65,536 distinct names (every table access
// as cold as uniform traffic makes it; the headline) or 4,096 (a hot working set, as the skewed
// popularity of real DNS traffic makes it). A power of two, for the wrap-around.
const std::vector<filters::DomainName>& takedown_mix(std::size_t size) {
  static std::map<std::size_t, std::vector<filters::DomainName>> mixes;
  auto& names = mixes[size];
  if (names.empty()) names = normalised(name_mix(takedown_list(), size));
  return names;
}

void run_matcher(benchmark::State& state, const filters::Snapshot& snapshot,
                 const std::vector<filters::DomainName>& names) {
  const filters::Matcher matcher(snapshot);
  filters::MatchScratch scratch;
  (void)scratch.prepare(snapshot);
  std::size_t i = 0, blocked = 0;
  for (auto _ : state) {
    prefetch_name(names, i);
    const filters::Verdict v = matcher.match(names[i], scratch);
    blocked += v.decision == filters::Decision::Block;
    benchmark::DoNotOptimize(v);
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["blocked_share"] =
      static_cast<double>(blocked) / static_cast<double>(state.iterations());
}

// The data plane's path: bursts of 32 names through match_burst(). Items are names.
void run_matcher_burst(benchmark::State& state, const filters::Snapshot& snapshot,
                       const std::vector<filters::DomainName>& names) {
  const filters::Matcher matcher(snapshot);
  filters::MatchScratch scratch;
  (void)scratch.prepare(snapshot);
  std::vector<const filters::DomainName*> pointers;
  pointers.reserve(names.size());
  for (const auto& n : names) pointers.push_back(&n);
  filters::Verdict verdicts[filters::Matcher::kBurst];
  std::size_t i = 0, blocked = 0;
  for (auto _ : state) {
    for (std::size_t k = 0; k < filters::Matcher::kBurst; ++k) prefetch_name(names, i + k + 24);
    matcher.match_burst({pointers.data() + i, filters::Matcher::kBurst}, verdicts, scratch);
    for (const auto& v : verdicts) blocked += v.decision == filters::Decision::Block;
    benchmark::DoNotOptimize(verdicts);
    i += filters::Matcher::kBurst;
    if (i + filters::Matcher::kBurst > pointers.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * filters::Matcher::kBurst);
  state.counters["blocked_share"] =
      static_cast<double>(blocked) /
      static_cast<double>(state.iterations() * filters::Matcher::kBurst);
}

void BM_Takedown_LookupBurst_66k(benchmark::State& state) {
  static const Compiled compiled = compile_domains(takedown_list());
  run_matcher_burst(state, *compiled.snapshot,
                    takedown_mix(static_cast<std::size_t>(state.range(0))));
}

void BM_Takedown_Lookup_66k(benchmark::State& state) {
  static const Compiled compiled = compile_domains(takedown_list());
  run_matcher(state, *compiled.snapshot, takedown_mix(static_cast<std::size_t>(state.range(0))));
  state.counters["domains"] = static_cast<double>(takedown_list().size());
  state.counters["compile_ms"] = compiled.compile_ms;
  state.counters["bytes_per_domain"] = static_cast<double>(compiled.snapshot->file_size()) /
                                       static_cast<double>(compiled.snapshot->meta().domain_count);
}

// Baseline 1: what most filters do: a hash set of strings, probed once per suffix.
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

void BM_Baseline_UnorderedSet_Lookup_66k(benchmark::State& state) {
  static const std::unordered_set<std::string, TransparentHash, std::equal_to<>> set(
      takedown_list().begin(), takedown_list().end());
  const auto& names = takedown_mix(static_cast<std::size_t>(state.range(0)));
  std::size_t i = 0, blocked = 0;
  for (auto _ : state) {
    prefetch_name(names, i);
    const filters::DomainName& name = names[i];
    bool hit = false;
    for (std::size_t level = 0; level < name.label_count() && !hit; ++level)
      hit = set.contains(name.suffix(level));
    blocked += hit;
    benchmark::DoNotOptimize(hit);
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["blocked_share"] =
      static_cast<double>(blocked) / static_cast<double>(state.iterations());
}

// Baseline 2: Hyperscan alone over the same domains, scanning "." + name. Two ways to build it:
//  - literal mode (hs_compile_lit_multi): one literal ".d" per domain; the callback accepts a match
//    only when it ends at the end of the input, which is the suffix rule;
//  - regex mode (hs_compile_multi): one "\.d$" expression per domain. Its compile time grows much
//    faster than the list, so it runs on the largest subset (doubling from 4,096) that compiles
//    within a minute, and reports the first size that did not.
struct HyperscanOnly {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
  std::size_t domains = 0;
  double compile_ms = 0;
  std::size_t over_minute_domains = 0;
  double over_minute_compile_ms = 0;
  bool compile_cached = false;  // the database came from TAKEDOWN_BENCH_CACHE
};

double compile_literals(const std::vector<std::string>& list, std::size_t n, hs_database_t** db) {
  std::vector<std::string> literals;
  for (std::size_t i = 0; i < n; ++i) literals.push_back("." + list[i]);
  std::vector<const char*> exprs;
  std::vector<std::size_t> lengths;
  for (const auto& l : literals) {
    exprs.push_back(l.c_str());
    lengths.push_back(l.size());
  }
  std::vector<unsigned> flags(n, 0), ids(n, 0);
  hs_compile_error_t* error = nullptr;
  const auto start = std::chrono::steady_clock::now();
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(n), HS_MODE_BLOCK, nullptr, db,
                           &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    return -1;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

double compile_regexes(const std::vector<std::string>& list, std::size_t n, hs_database_t** db) {
  std::vector<std::string> patterns;
  for (std::size_t i = 0; i < n; ++i) {
    std::string p = "\\.";
    for (char c : list[i]) p += c == '.' ? std::string("\\.") : std::string(1, c);
    patterns.push_back(p + "$");
  }
  std::vector<const char*> exprs;
  exprs.reserve(patterns.size());
  for (const auto& p : patterns) exprs.push_back(p.c_str());
  std::vector<unsigned> flags(n, HS_FLAG_SINGLEMATCH), ids(n, 0);
  hs_compile_error_t* error = nullptr;
  const auto start = std::chrono::steady_clock::now();
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(n),
                       HS_MODE_BLOCK, nullptr, db, &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    return -1;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// `make bench` keeps the two baselines' databases in TAKEDOWN_BENCH_CACHE (scripts/bench.sh sets
// BUILD/bench-cache): compiling them took 99 s and 44 s here, most of matcher_bench's time and a
// sixth of the whole budget, for a list that does not change. A database is kept under its mode,
// subset size, Hyperscan version and the subset's names, with the compile time measured when it
// was built; a file that does not load (another version, another CPU) is compiled again.
std::string cache_path(const char* mode, const std::vector<std::string>& list, std::size_t n) {
  const char* dir = std::getenv("TAKEDOWN_BENCH_CACHE");
  if (dir == nullptr || *dir == '\0') return {};
  std::uint64_t key = 14695981039346656037ull;  // FNV-1a over the version and the names
  const auto add = [&](std::string_view text) {
    for (const unsigned char c : text) key = (key ^ c) * 1099511628211ull;
    key = (key ^ 0xFF) * 1099511628211ull;
  };
  add(hs_version());
  for (std::size_t i = 0; i < n; ++i) add(list[i]);
  char name[96];
  std::snprintf(name, sizeof name, "/hs-%s-%zu-%016llx.db", mode, n,
                static_cast<unsigned long long>(key));
  return dir + std::string(name);
}

bool load_cached(const std::string& path, hs_database_t** db, double& ms) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() <= sizeof ms) return false;
  std::memcpy(&ms, bytes.data(), sizeof ms);
  return hs_deserialize_database(bytes.data() + sizeof ms, bytes.size() - sizeof ms, db) ==
         HS_SUCCESS;
}

void store_cached(const std::string& path, const hs_database_t* db, double ms) {
  char* bytes = nullptr;
  std::size_t length = 0;
  if (hs_serialize_database(db, &bytes, &length) != HS_SUCCESS) return;
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(&ms), sizeof ms);
    out.write(bytes, static_cast<std::streamsize>(length));
  }
  std::free(bytes);  // Hyperscan's default allocator is malloc
  std::filesystem::rename(partial, path, error);
}

// The largest subset (doubling) whose database compiles within a minute; the first size that took
// longer is reported too. The search costs minutes (32,768 literals took 279 s here), so by default
// it starts at the size found on this machine (`known`) and goes no further, through the cache
// above; set TAKEDOWN_HS_SEARCH=1 to search from 4,096 up again (never cached).
template <typename Compile>
HyperscanOnly hyperscan_subset(const std::vector<std::string>& list, Compile compile,
                               const char* mode, std::size_t known) {
  HyperscanOnly out;
  const char* search = std::getenv("TAKEDOWN_HS_SEARCH");
  const bool full = search != nullptr && std::strcmp(search, "1") == 0;
  const std::size_t first = full ? 4096 : std::min(known, list.size());
  const std::size_t last = full ? list.size() : first;
  for (std::size_t n = first;; n = std::min(n * 2, last)) {
    hs_database_t* db = nullptr;
    const std::string cached = full ? std::string() : cache_path(mode, list, n);
    double ms = 0;
    if (cached.empty() || !load_cached(cached, &db, ms)) {
      ms = compile(list, n, &db);
      if (ms >= 0 && !cached.empty()) store_cached(cached, db, ms);
    } else {
      out.compile_cached = true;
    }
    if (ms < 0) break;
    if (ms > 60'000 && full) {
      hs_free_database(db);
      out.over_minute_domains = n;
      out.over_minute_compile_ms = ms;
      break;
    }
    if (out.db != nullptr) hs_free_database(out.db);
    out.db = db;
    out.domains = n;
    out.compile_ms = ms;
    if (n == last) break;
  }
  hs_alloc_scratch(out.db, &out.scratch);
  return out;
}

struct ScanState {
  unsigned long long end;
  bool hit;
};

void run_hyperscan(benchmark::State& state, const HyperscanOnly& hs) {
  static std::map<std::size_t, std::vector<filters::DomainName>> mixes;
  auto& names = mixes[hs.domains];
  if (names.empty()) {
    const std::vector<std::string> subset(
        takedown_list().begin(), takedown_list().begin() + static_cast<std::ptrdiff_t>(hs.domains));
    names = normalised(name_mix(subset, kMixSize));
  }
  std::size_t i = 0, blocked = 0;
  char buffer[260];
  for (auto _ : state) {
    prefetch_name(names, i);
    const std::string_view name = names[i].view();
    buffer[0] = '.';
    std::memcpy(buffer + 1, name.data(), name.size());
    ScanState scan{name.size() + 1, false};
    hs_scan(
        hs.db, buffer, static_cast<unsigned>(name.size() + 1), 0, hs.scratch,
        [](unsigned, unsigned long long, unsigned long long to, unsigned, void* ctx) {
          auto* s = static_cast<ScanState*>(ctx);
          if (to != s->end) return 0;  // the suffix rule: the literal must end the name
          s->hit = true;
          return 1;
        },
        &scan);
    blocked += scan.hit;
    benchmark::DoNotOptimize(scan);
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["domains"] = static_cast<double>(hs.domains);
  state.counters["compile_ms"] = hs.compile_ms;
  state.counters["compile_cached"] = hs.compile_cached ? 1 : 0;
  state.counters["blocked_share"] =
      static_cast<double>(blocked) / static_cast<double>(state.iterations());
  if (hs.over_minute_domains > 0) {
    state.counters["over_minute_domains"] = static_cast<double>(hs.over_minute_domains);
    state.counters["over_minute_compile_ms"] = hs.over_minute_compile_ms;
  }
}

void BM_Baseline_HyperscanLiteral_Lookup_66k(benchmark::State& state) {
  static const HyperscanOnly hs = hyperscan_subset(takedown_list(), compile_literals, "literal", 16384);
  run_hyperscan(state, hs);
}

void BM_Baseline_HyperscanRegex_Lookup_66k(benchmark::State& state) {
  static const HyperscanOnly hs = hyperscan_subset(takedown_list(), compile_regexes, "regex", 8192);
  run_hyperscan(state, hs);
}

// The data plane's shape: the name arrives as bytes and is normalised into one reused, hot
// DomainName, then looked up. 64k distinct names kept as compact strings, so the tables see cold
// traffic but the bench does not stream 16 MB of prebuilt names. BM_Normalize_Only measures the
// normalisation alone in the same run, so lookup = NormalizeLookup - Normalize_Only.
const std::vector<std::string>& takedown_mix_text() {
  static const auto names = name_mix(takedown_list(), kMixSize);
  return names;
}

void BM_Normalize_Only(benchmark::State& state) {
  const auto& text = takedown_mix_text();
  filters::DomainName name;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(name.assign(text[i]));
    benchmark::ClobberMemory();
    if (++i == text.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Takedown_NormalizeLookup_66k(benchmark::State& state) {
  static const Compiled compiled = compile_domains(takedown_list());
  const filters::Matcher matcher(*compiled.snapshot);
  filters::MatchScratch scratch;
  (void)scratch.prepare(*compiled.snapshot);
  const auto& text = takedown_mix_text();
  filters::DomainName name;
  std::size_t i = 0, blocked = 0;
  for (auto _ : state) {
    name.assign(text[i]);
    const filters::Verdict v = matcher.match(name, scratch);
    blocked += v.decision == filters::Decision::Block;
    benchmark::DoNotOptimize(v);
    if (++i == text.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["blocked_share"] =
      static_cast<double>(blocked) / static_cast<double>(state.iterations());
}

void BM_Baseline_UnorderedSet_NormalizeLookup_66k(benchmark::State& state) {
  static const std::unordered_set<std::string, TransparentHash, std::equal_to<>> set(
      takedown_list().begin(), takedown_list().end());
  const auto& text = takedown_mix_text();
  filters::DomainName name;
  std::size_t i = 0, blocked = 0;
  for (auto _ : state) {
    name.assign(text[i]);
    bool hit = false;
    for (std::size_t level = 0; level < name.label_count() && !hit; ++level) {
      hit = set.contains(name.suffix(level));
    }
    blocked += hit;
    benchmark::DoNotOptimize(hit);
    if (++i == text.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["blocked_share"] =
      static_cast<double>(blocked) / static_cast<double>(state.iterations());
}

struct SyntheticSet {
  Compiled compiled;
  std::vector<filters::DomainName> names;
};

// Built once per size and kept: random interleaving alternates sizes, and a 10M build takes
// seconds.
const SyntheticSet& synthetic_set(std::size_t size) {
  static std::map<std::size_t, SyntheticSet> sets;
  auto it = sets.find(size);
  if (it == sets.end()) {
    const auto domains = synthetic_domains(size);
    SyntheticSet set;
    set.compiled = compile_domains(domains);
    set.names = normalised(name_mix(domains, kMixSize));
    it = sets.emplace(size, std::move(set)).first;
  }
  return it->second;
}

void BM_Takedown_Lookup_Synthetic(benchmark::State& state) {
  const SyntheticSet& set = synthetic_set(static_cast<std::size_t>(state.range(0)));
  if (state.range(1) == 0) {
    run_matcher(state, *set.compiled.snapshot, set.names);
  } else {
    run_matcher_burst(state, *set.compiled.snapshot, set.names);
  }
  const auto& snapshot = *set.compiled.snapshot;
  state.counters["domains"] = static_cast<double>(snapshot.meta().domain_count);
  state.counters["compile_ms"] = set.compiled.compile_ms;
  state.counters["bytes_per_domain"] =
      static_cast<double>(snapshot.file_size()) / static_cast<double>(snapshot.meta().domain_count);
}

// Where the cold mix's time goes beyond the hot one's. Both run the 4,096-name hot set 16 times
// over, as 65,536 names (an array as large as the cold mix's): in the hot order repeated, so only
// the array's size differs from the hot mix; and shuffled, so the tables stay warm but no order
// repeats for the branch predictor to learn, as in uniform traffic.
const std::vector<filters::DomainName>& hot_set_spread(bool shuffled) {
  static std::map<bool, std::vector<filters::DomainName>> spread;
  auto& names = spread[shuffled];
  if (names.empty()) {
    const auto& hot = takedown_mix(4096);
    for (int r = 0; r < 16; ++r) names.insert(names.end(), hot.begin(), hot.end());
    std::mt19937_64 rng(5);
    if (shuffled) std::shuffle(names.begin(), names.end(), rng);
  }
  return names;
}

void BM_Takedown_Lookup_66k_HotSetRepeated(benchmark::State& state) {
  static const Compiled compiled = compile_domains(takedown_list());
  run_matcher(state, *compiled.snapshot, hot_set_spread(false));
}

void BM_Takedown_Lookup_66k_HotSetShuffled(benchmark::State& state) {
  static const Compiled compiled = compile_domains(takedown_list());
  run_matcher(state, *compiled.snapshot, hot_set_spread(true));
}

BENCHMARK(BM_Takedown_Lookup_66k)->Arg(65536)->Arg(4096);
BENCHMARK(BM_Takedown_Lookup_66k_HotSetRepeated);
BENCHMARK(BM_Takedown_Lookup_66k_HotSetShuffled);
BENCHMARK(BM_Takedown_LookupBurst_66k)->Arg(65536)->Arg(4096);
BENCHMARK(BM_Baseline_UnorderedSet_Lookup_66k)->Arg(65536)->Arg(4096);
// Argument 65536: the mix size, for pairing in the report.
BENCHMARK(BM_Normalize_Only)->Arg(65536);
BENCHMARK(BM_Takedown_NormalizeLookup_66k)->Arg(65536);
BENCHMARK(BM_Baseline_UnorderedSet_NormalizeLookup_66k)->Arg(65536);
// The Hyperscan baselines run on the cold 65,536-name mix of their subset (the argument is the
// mix).
BENCHMARK(BM_Baseline_HyperscanLiteral_Lookup_66k)->Arg(65536);
BENCHMARK(BM_Baseline_HyperscanRegex_Lookup_66k)->Arg(65536);
// Args: list size, 0 = one name at a time, 1 = bursts of 32.
BENCHMARK(BM_Takedown_Lookup_Synthetic)->ArgsProduct({{1'000'000, 10'000'000}, {0, 1}});

}  // namespace
}  // namespace takedown::bench

BENCHMARK_MAIN();
