#!/usr/bin/env bash
# `make bench`: every benchmark, then bench/results/latest.json, the charts and the README table.
#
#   micro   matcher_bench, name_extractor_bench, compile_bench, flow_bench, reply_bench (Google Benchmark,
#           repetitions with random interleaving, so the machine's noise hits a result and its
#           baseline alike)
#   pipeline  takedownd against dpdk-testpmd io forwarding (bench/pipeline/run_pipeline.py)
#   scaling   Mpps per worker core against list size, blocked ratio, mix (uniform and Zipf DNS, web,
#             ISP transit, the isp preset), burst and EAL memory in hugepages (run_scaling.py)
#   reload    reload latency, memory, timeline and storm (bench/reload/run_reload_bench.py)
#   peers     dnsdist and Unbound on the same query mix, and memory (bench/peers/run_peers.py)
#   observability  metrics and event log on against off (bench/pipeline/run_observability_cost.py)
#   flood   half ClientHellos and junk QUIC Initials into one worker beside normal traffic
#           (bench/pipeline/run_flood.py)
#
# QUICK=1 runs every part briefly (under 2 minutes) into $build/bench-quick/, never touching
# bench/results/ or the README: `make test` runs it so the suite cannot rot.
# usage: scripts/bench.sh [BUILD_DIR]    env: QUICK=1, BENCH_RESULTS=DIR, BENCH_REPETITIONS=N
set -euo pipefail
build=${1:-build}
quick=${QUICK:-0}
if [ "$quick" = 1 ]; then
  results=${BENCH_RESULTS:-$build/bench-quick}
  reps=1
  micro_extra=(--benchmark_min_time=0.02 "--benchmark_filter=-(Hyperscan|10000000|Synthetic/1000000/iterations)")
  quick_flag=(--quick)
else
  results=${BENCH_RESULTS:-bench/results}
  reps=${BENCH_REPETITIONS:-4}
  micro_extra=(${BENCH_FILTER:+--benchmark_filter="$BENCH_FILTER"})
  quick_flag=()
fi
mkdir -p "$results"
common=(--benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true
        --benchmark_display_aggregates_only=true)
start=$(date +%s)
last=$start
# Prints how long the part before took, then the next part's title: the budget is 15 minutes.
part() {
  local now; now=$(date +%s)
  [ "$now" = "$start" ] || echo "   ($(( now - last )) s)"
  last=$now
  echo "== $1"
}

# matcher_bench's Hyperscan baselines keep their compiled databases here between runs (over two
# minutes of compiling for a list that does not change); their compile time is the one measured.
export TAKEDOWN_BENCH_CACHE="$build/bench-cache"
for bench in matcher_bench name_extractor_bench compile_bench flow_bench reply_bench; do
  part "$bench ($reps repetitions)"
  "$build/bin/$bench" "${common[@]}" "${micro_extra[@]}" \
    --benchmark_out="$results/$bench.json" --benchmark_out_format=json | tail -n +4
done
python3 bench/report.py "$results/matcher_bench.json" "$results/name_extractor_bench.json" \
  "$results/compile_bench.json" > "$results/summary.md"

part "pipeline: takedownd against dpdk-testpmd"
if [ "$quick" = 1 ]; then pipeline=(--rounds 1 --seconds 3); else
  pipeline=(--rounds "${PIPELINE_ROUNDS:-3}" --seconds "${PIPELINE_SECONDS:-7}"); fi
python3 bench/pipeline/run_pipeline.py "${pipeline[@]}" --takedownd "$build/bin/takedownd" \
  --work-dir "$build/pipeline-bench" --results-dir "$results" | tee -a "$results/summary.md"

part "scaling: Mpps per worker core against list size, blocked ratio, mix, burst and memory"
# Bursts 8 and 32 only: 16 measured within 1% of 32 at 75869ba, and its three runs took 17 s of
# the 15-minute budget (932 s then).
scaling=(); [ "$quick" = 1 ] || scaling=(--seconds "${SCALING_SECONDS:-3}" --bursts "${SCALING_BURSTS:-8,32}")
# The memory curve runs takedownd and testpmd with EAL memory in 2 MB hugepages: reserved here for
# it (as root; 600 pages, two 1 GB -m runs never overlap), given back afterwards.
hugepages_before=
if [ "$quick" != 1 ] && [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
  hugepages_before=$(cat /proc/sys/vm/nr_hugepages)
  [ "$hugepages_before" -ge 600 ] || echo 600 > /proc/sys/vm/nr_hugepages
  mkdir -p /dev/hugepages
  mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
  free=$(awk '/^HugePages_Free/ {print $2}' /proc/meminfo)
  if [ "${free:-0}" -ge 520 ]; then scaling+=(--hugepages)
  else echo "bench: only ${free:-0} hugepages could be reserved (520 needed): no memory curve"; fi
fi
python3 bench/pipeline/run_scaling.py "${quick_flag[@]}" "${scaling[@]}" --takedownd "$build/bin/takedownd" \
  --takedownctl "$build/bin/takedownctl" --flow-mixes "$build/bin/flow_mixes" \
  --work-dir "$build/scaling-bench" --results-dir "$results" \
  | tee -a "$results/summary.md"
[ -z "$hugepages_before" ] || echo "$hugepages_before" > /proc/sys/vm/nr_hugepages

part "observability cost: metrics scraped every second and the event log on, against both off"
observability=(); [ "$quick" = 1 ] || observability=(--seconds "${OBSERVABILITY_SECONDS:-5}")
python3 bench/pipeline/run_observability_cost.py "${quick_flag[@]}" "${observability[@]}" --takedownd "$build/bin/takedownd" \
  --takedownctl "$build/bin/takedownctl" --work-dir "$build/observability-bench" --results-dir "$results" \
  | tee -a "$results/summary.md"

part "flood: half ClientHellos and junk Initials into one worker"
flood=(); [ "$quick" = 1 ] || flood=(--seconds "${FLOOD_SECONDS:-22}")
python3 bench/pipeline/run_flood.py "${quick_flag[@]}" "${flood[@]}" --takedownd "$build/bin/takedownd" \
  --takedownctl "$build/bin/takedownctl" --work-dir "$build/flood-bench" --results-dir "$results" \
  | tee -a "$results/summary.md"

part "reload: latency, memory, timeline, storm"
python3 bench/reload/run_reload_bench.py "${quick_flag[@]}" --storm-seconds "${RELOAD_STORM_SECONDS:-15}" \
  --takedownd "$build/bin/takedownd" --takedownctl "$build/bin/takedownctl" \
  --work-dir "$build/reload-bench" --results-dir "$results" | tee -a "$results/summary.md"

part "peers: dnsdist and Unbound on the same mix; memory"
peers=(); [ "$quick" = 1 ] || peers=(--seconds "${PEERS_SECONDS:-6}" --takedownd-seconds 6)
python3 bench/peers/run_peers.py "${quick_flag[@]}" "${peers[@]}" --takedownd "$build/bin/takedownd" \
  --takedownctl "$build/bin/takedownctl" --work-dir "$build/peers-bench" --results-dir "$results" \
  | tee -a "$results/summary.md"

if [ "$quick" = 1 ]; then
  python3 bench/collect_results.py "$results" --require-all
else
  python3 bench/collect_results.py "$results" --readme README.md
fi
echo "bench: $(( $(date +%s) - start )) s; results in $results"
