#!/usr/bin/env python3
"""Summarises Google Benchmark JSON files: medians, min-max spread, and ratios to the baselines
measured in the same run. Standard library only."""
import json
import sys
from collections import defaultdict


def load(paths):
    runs = defaultdict(dict)  # name -> aggregate name ("median", ...) -> entry
    repetitions = defaultdict(list)  # name -> the individual repetitions
    context = None
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        context = context or data.get("context", {})
        for b in data["benchmarks"]:
            name = b.get("run_name", b["name"])
            if b.get("run_type") == "aggregate":
                runs[name][b["aggregate_name"]] = b
            else:
                repetitions[name].append(b)
                runs[name].setdefault("single", b)
    return runs, repetitions, context


def value_of(entry, compile_bench):
    return entry["real_time"] if compile_bench else per_item_ns(entry)


def per_item_ns(entry):
    # items_per_second is per name (bursts count 32 names per iteration).
    ips = entry.get("items_per_second")
    return 1e9 / ips if ips else None


def main(paths):
    runs, repetitions, context = load(paths)
    print(f"Machine: {context.get('host_name', '?')}, {context.get('num_cpus', '?')} CPUs at "
          f"{context.get('mhz_per_cpu', '?')} MHz, date {context.get('date', '?')}\n")
    print("| benchmark | median | min | max | extra |")
    print("| --- | --- | --- | --- | --- |")
    medians = {}
    for name, aggs in sorted(runs.items()):
        med = aggs.get("median") or aggs.get("single")
        if med is None:
            continue
        mn, mx = aggs.get("min"), aggs.get("max")
        counters = {k: v for k, v in med.items()
                    if k in ("domains", "compile_ms", "bytes_per_domain", "blocked_share", "parse_ms",
                             "build_ms", "snapshot_bytes", "over_minute_domains", "over_minute_compile_ms",
                             "compile_cached")}
        extra = ", ".join(f"{k}={v:.4g}" for k, v in counters.items())
        compile_bench = "Compile" in name
        values = sorted(v for v in (value_of(r, compile_bench) for r in repetitions[name]) if v)
        median = value_of(med, compile_bench)
        medians[name] = median
        unit = med.get("time_unit", "ns") if compile_bench else "ns/name"
        value = f"{median:.1f} {unit}"
        lo = f"{values[0]:.1f}" if values else "-"
        hi = f"{values[-1]:.1f}" if values else "-"
        print(f"| {name} | {value} | {lo} | {hi} | {extra} |")

    # Ratios pair each Takedown lookup with the baselines that ran on the same mix (same argument).
    # normalise-then-lookup runs pair only with each other.
    def mix(name):
        return (name.rsplit("/", 1)[-1] if "/" in name else "", "NormalizeLookup" in name)

    ours = {n: v for n, v in medians.items()
            if (n.startswith("BM_Takedown_Lookup") or n.startswith("BM_Takedown_NormalizeLookup")) and "66k" in n}
    base = {n: v for n, v in medians.items() if n.startswith("BM_Baseline")}
    if ours and base:
        print("\nRatios (baseline time / Takedown time, same run, same name mix, medians):\n")
        for o, ov in sorted(ours.items()):
            for b, bv in sorted(base.items()):
                if mix(o) == mix(b):
                    print(f"- {b} / {o} = {bv / ov:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
