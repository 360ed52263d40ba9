#!/usr/bin/env python3
"""What observability costs on the data path: the pipeline bench's setup (50,000-query DNS mix,
~10% blocked, net_pcap infinite_rx -> net_null, 1 worker, 66k list) with Prometheus metrics
scraped every second and the event log on, against the same with both off, in ABBA rounds.

"on" writes every block event it may (rate_limit 1000/s, the default: the worker builds and
rate-checks an event for each of the ~600k blocked queries a second); "on-unlimited" lifts the
limit (every event is built and offered to the ring; what the main lcore cannot format in time is
dropped and counted). The ratio of median rates is the figure; the target is >= 0.97.
Results: RESULTS/observability.json and .md.

usage: run_observability_cost.py [--rounds 3] [--seconds 8] [--quick]
"""
import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_pipeline as pipeline  # noqa: E402

REPO = pipeline.REPO
LISTEN = "127.0.0.1:19911"


def write_config(path, args, mix, mode):
    q = json.dumps
    metrics = f'"{LISTEN}"' if mode != "off" else '""'
    # Unlimited, the log grows by ~400k lines a second: it goes to /dev/null (formatting and
    # writing still cost the main lcore; the disk is not what is measured).
    target = "/dev/null" if mode == "on-unlimited" else os.path.join(args.work_dir, mode + ".events.json")
    events = "" if mode == "off" else (f"events: {{path: {q(target)}, "
                                       f"rate_limit: {0 if mode == 'on-unlimited' else 1000}}}\n")
    with open(path, "w") as f:
        f.write(f"""lists: [{{name: takedown, format: domains, path: {q(args.list)}}}]
control: {{socket: {q(os.path.join(args.work_dir, 'control.sock'))}, snapshot_dir: {q(os.path.join(args.work_dir, 'snapshots'))}}}
metrics: {{listen: {metrics}}}
{events}dataplane:
  eal: ["--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--no-telemetry"]
  ports:
    - {{name: mix, device: {q(f"net_pcap0,rx_pcap={mix},infinite_rx=1")}}}
    - {{name: sink, device: "net_null0,no-rx=1"}}
  pairs: [[mix, sink]]
  workers: 1
  snapshot: {q(os.path.join(args.work_dir, 'start.snap'))}
""")


def one_run(args, config, mode, index):
    prefix = os.path.join(args.work_dir, f"{mode}-{index}")
    events = os.path.join(args.work_dir, mode + ".events.json")
    if os.path.exists(events):
        os.remove(events)
    with open(prefix + ".json", "w") as out, open(prefix + ".err", "w") as err:
        proc = pipeline.spawn([args.takedownd, "-c", config, "--duration", str(args.seconds)], out, err)
        scrapes = 0
        stop = threading.Event()

        def scraper():
            nonlocal scrapes
            while not stop.wait(1.0):
                try:
                    urllib.request.urlopen(f"http://{LISTEN}/metrics", timeout=2).read()
                    scrapes += 1
                except OSError:
                    pass

        thread = threading.Thread(target=scraper)
        if mode != "off":
            thread.start()
        try:
            proc.wait(timeout=args.seconds + pipeline.START_TIMEOUT)
        finally:
            stop.set()
            if thread.is_alive():
                thread.join()
            if proc.poll() is None:
                pipeline.stop(proc)
            pipeline.forget(proc)
    stats = json.load(open(prefix + ".json"))
    if os.path.exists(events):
        os.remove(events)
    return {"pps": stats["rx_packets"] / stats["elapsed_seconds"], "scrapes": scrapes, "events": stats["events"],
            "tx_errors": stats["tx_errors"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--takedownd", default=os.path.join(REPO, "build", "bin", "takedownd"))
    parser.add_argument("--takedownctl", default=os.path.join(REPO, "build", "bin", "takedownctl"))
    parser.add_argument("--work-dir", default=os.path.join(REPO, "build", "observability-bench"))
    parser.add_argument("--results-dir", default=os.path.join(REPO, "bench", "results"))
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 2
    if (os.cpu_count() or 1) >= 2 and 0 in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {0})  # the scraper and this script beside the main lcore
    args.work_dir = os.path.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    args.queries, args.seed = 50000, 20251125
    args.list = os.path.join(REPO, "conf", "lists", "takedown-66k.txt")
    args.benign = os.path.join(REPO, "tests", "data", "top-50k.txt")
    mix = os.path.join(args.work_dir, "mix.pcap")
    if not os.path.isfile(mix):
        pipeline.generate_mix(args, mix)
    configs = {}
    for mode in ("off", "on", "on-unlimited"):
        configs[mode] = os.path.join(args.work_dir, f"{mode}.yaml")
        write_config(configs[mode], args, mix, mode)
    pipeline.run_checked([args.takedownctl, "compile", "-c", configs["off"], "-o",
                          os.path.join(args.work_dir, "start.snap")], 120, "compiling the list")
    runs = {m: [] for m in configs}
    for i in range(args.rounds):
        order = ["off", "on", "on-unlimited"] if i % 2 == 0 else ["on-unlimited", "on", "off"]
        for mode in order:
            r = one_run(args, configs[mode], mode, i)
            runs[mode].append(r)
            pipeline.log(f"{mode} round {i + 1}: {r['pps'] / 1e6:.2f} Mpps, {r['scrapes']} scrapes, events {r['events']}")
    med = {m: statistics.median(r["pps"] for r in runs[m]) for m in runs}
    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": runs,
              "median_mpps": {m: med[m] / 1e6 for m in med},
              "ratio_on": med["on"] / med["off"], "ratio_on_unlimited": med["on-unlimited"] / med["off"]}
    text = (f"## Observability cost ({result['date']})\n\n{args.rounds} ABBA rounds of {args.seconds:g} s, 50k DNS mix, "
            f"~10% blocked, 1 worker, 66k list; metrics scraped every second when on.\n\n"
            "| mode | Mpps per round | median | ratio to off |\n| --- | --- | --- | --- |\n" +
            "".join(f"| {m} | {', '.join('%.2f' % (r['pps'] / 1e6) for r in runs[m])} | {med[m] / 1e6:.2f} | "
                    f"{med[m] / med['off']:.3f} |\n" for m in ("off", "on", "on-unlimited")) +
            f"\n- metrics + event log (rate limit 1000/s) against both off: **{result['ratio_on']:.3f}** (target >= 0.97)\n"
            f"- with the event log unlimited: {result['ratio_on_unlimited']:.3f}\n")
    pipeline.write_results(args.results_dir, "observability", result, text)


if __name__ == "__main__":
    pipeline.run_bench(main, "run_observability_cost.py")
