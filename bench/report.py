#!/usr/bin/env python3
"""Summarises Google Benchmark JSON files: medians, min-max spread, and ratios to the baselines
measured in the same run. Standard library only."""
import json
import sys
from collections import defaultdict


def load(paths):
    runs = defaultdict(dict)  # name -> aggregate -> entry
    context = None
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        context = context or data.get("context", {})
        for b in data["benchmarks"]:
            name = b.get("run_name", b["name"])
            runs[name][b.get("aggregate_name", "single")] = b
    return runs, context


def per_item_ns(entry):
    # items_per_second is per name (bursts count 32 names per iteration).
    ips = entry.get("items_per_second")
    return 1e9 / ips if ips else None


def main(paths):
    runs, context = load(paths)
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
                             "build_ms", "snapshot_bytes", "over_minute_domains", "over_minute_compile_ms")}
        extra = ", ".join(f"{k}={v:.4g}" for k, v in counters.items())
        if "Compile" in name:
            unit = med.get("time_unit", "ns")
            value = f"{med['real_time']:.1f} {unit}"
            lo = f"{mn['real_time']:.1f}" if mn else "-"
            hi = f"{mx['real_time']:.1f}" if mx else "-"
            medians[name] = med["real_time"]
        else:
            ns = per_item_ns(med)
            medians[name] = ns
            value = f"{ns:.1f} ns/name"
            # With repetitions, min/max come from the per-repetition items_per_second spread.
            lo = f"{per_item_ns(mx):.1f}" if mx and per_item_ns(mx) else "-"
            hi = f"{per_item_ns(mn):.1f}" if mn and per_item_ns(mn) else "-"
        print(f"| {name} | {value} | {lo} | {hi} | {extra} |")

    ours = {n: v for n, v in medians.items() if n.startswith("BM_Takedown_Lookup") and "66k" in n}
    base = {n: v for n, v in medians.items() if n.startswith("BM_Baseline")}
    if ours and base:
        print("\nRatios (baseline time / Takedown time, same run, medians):\n")
        for o, ov in sorted(ours.items()):
            for b, bv in sorted(base.items()):
                print(f"- {b} / {o} = {bv / ov:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
