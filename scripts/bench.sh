#!/usr/bin/env bash
# `make bench`: every micro benchmark, with repetitions and random interleaving so that the noise
# of a shared machine hits a result and its baseline alike. Google Benchmark JSON goes to
# bench/results/, and bench/report.py prints the medians and the ratios to the baselines.
set -euo pipefail
build=${1:-build}
results=bench/results
mkdir -p "$results"
reps=${BENCH_REPETITIONS:-5}
common=(--benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true
        --benchmark_display_aggregates_only=true)

echo "== lookup (matcher_bench, $reps repetitions)"
"$build/bin/matcher_bench" "${common[@]}" ${BENCH_FILTER:+--benchmark_filter="$BENCH_FILTER"} \
  --benchmark_out="$results/matcher_bench.json" --benchmark_out_format=json
echo "== extraction (name_extractor_bench, $reps repetitions)"
"$build/bin/name_extractor_bench" "${common[@]}" \
  --benchmark_out="$results/name_extractor_bench.json" --benchmark_out_format=json
echo "== compile (compile_bench, $reps repetitions)"
"$build/bin/compile_bench" "${common[@]}" \
  --benchmark_out="$results/compile_bench.json" --benchmark_out_format=json
python3 bench/report.py "$results/matcher_bench.json" "$results/name_extractor_bench.json" "$results/compile_bench.json" | tee "$results/summary.md"

# The pipeline: takedownd (one worker, 66k list) against dpdk-testpmd io forwarding, both reading a
# DNS query mix from a pcap device into a null device, rounds alternating (bench/pipeline/).
# PIPELINE_ROUNDS (5) and PIPELINE_SECONDS (10 s per run) size it; PIPELINE_ROUNDS=0 skips it.
pipeline_rounds=${PIPELINE_ROUNDS:-5}
pipeline_seconds=${PIPELINE_SECONDS:-10}
if [ "$pipeline_rounds" -gt 0 ]; then
  echo "== pipeline (takedownd vs dpdk-testpmd, $pipeline_rounds rounds x $pipeline_seconds s each)"
  echo >> "$results/summary.md"
  python3 bench/pipeline/run_pipeline.py --rounds "$pipeline_rounds" --seconds "$pipeline_seconds" \
    --takedownd "$build/bin/takedownd" --work-dir "$build/pipeline-bench" --results-dir "$results" \
    | tee -a "$results/summary.md"
fi

# Hot reload (bench/reload/): reload latency and peak memory for the 66k and a 1M list, and the
# throughput during a one-per-second reload storm against a quiet run. RELOAD_STORM_SECONDS (30)
# and RELOAD_ROUNDS (2) size it; RELOAD_ROUNDS=0 skips it.
reload_rounds=${RELOAD_ROUNDS:-2}
if [ "$reload_rounds" -gt 0 ]; then
  echo "== hot reload (latency, memory, $reload_rounds storm rounds)"
  echo >> "$results/summary.md"
  python3 bench/reload/run_reload_bench.py --rounds "$reload_rounds" \
    --storm-seconds "${RELOAD_STORM_SECONDS:-30}" --takedownd "$build/bin/takedownd" \
    --takedownctl "$build/bin/takedownctl" --work-dir "$build/reload-bench" --results-dir "$results" \
    | tee -a "$results/summary.md"
fi
