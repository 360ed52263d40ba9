#!/usr/bin/env python3
"""Hot-reload benchmark: reload latency, peak extra memory, and throughput during a reload storm.

takedownctl runs on CPU 0 with takedownd's main lcore; the worker has CPU 1 (see main()).

1. Latency and memory. takedownd (1 worker) forwards a 50,000-query DNS mix
   (net_pcap0 infinite_rx -> net_null0) while `takedownctl reload` runs --reloads times for the
   real 66k takedown list and for a synthetic 1M-domain list, alternating. Each reload reports the
   compile time (takedownctl) and takedownd's verify, scratch and swap times. Around each reload
   the takedownd process's peak RSS is reset (/proc/PID/clear_refs, 5) and read back (VmHWM):
   peak extra memory = VmHWM after the reload - VmRSS before it, next to the snapshot's size.
2. Timeline. 10 reloads 500 ms apart while a client reads takedownd's stats every 100 ms over
   the control socket: Mpps per 100 ms bucket, drawn with gnuplot (reload-timeline.png).
3. Storm. --storm-seconds of forwarding with no reload (quiet) and with one reload per second
   (storm; alternating the 66k list and a variant with 1% of the names swapped, so every snapshot
   differs and both cost the same to match), in ABBA order; the ratio of
   the median rates, and the loss counters (tx_errors, reply_errors, rx_missed, conservation).

Results: markdown on stdout, JSON to RESULTS/reload.json and markdown to RESULTS/reload.md.
usage: run_reload_bench.py [--reloads 5] [--storm-seconds 30] [--rounds 2] [--quick] [--work-dir DIR]
"""
import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pipeline"))
import run_pipeline as pipeline  # noqa: E402  (spawn/stop/mix generation shared with the pipeline bench)

REPO = pipeline.REPO
RELOAD_LINE = re.compile(r"generation (\d+): (\d+) lists, (\d+) domains, compile ([\d.]+) ms, "
                         r"verify ([\d.]+) ms, scratch ([\d.]+) us, swap ([\d.]+) us \((.*)\)")


def write_synthetic_list(path, count, seed=1000000):
    if os.path.isfile(path) and sum(1 for _ in open(path)) == count:
        return
    rng = random.Random(seed)
    tlds = ["com", "net", "org", "xyz", "top", "shop", "info", "online", "site", "co.uk"]
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    with open(path, "w") as f:
        for i in range(count):
            label = "".join(rng.choice(letters) for _ in range(rng.randint(6, 14)))
            f.write(f"{label}-{i}.{rng.choice(tlds)}\n")


def write_config(path, work, lists, mix, memory_mb):
    q = json.dumps
    items = "".join(f"  - {{name: {q(n)}, format: domains, path: {q(p)}}}\n" for n, p in lists)
    with open(path, "w") as f:
        f.write(f"""# Written by bench/reload/run_reload_bench.py
lists:
{items}control:
  socket: {q(os.path.join(work, "control.sock"))}
  snapshot_dir: {q(os.path.join(work, "snapshots"))}
dataplane:
  eal: ["--no-huge", "-m", "{memory_mb}", "--no-pci", "--no-shconf", "--no-telemetry"]
  ports:
    - {{name: mix, device: {q(f"net_pcap0,rx_pcap={mix},infinite_rx=1")}}}
    - {{name: sink, device: "net_null0,no-rx=1"}}
  pairs: [[mix, sink]]
  workers: 1
  snapshot: {q(os.path.join(work, "start.snap"))}
""")


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise pipeline.BenchError(f"no {field} for pid {pid}")


def wait_for_socket(args, config, proc):
    deadline = time.monotonic() + pipeline.START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise pipeline.BenchError(f"takedownd exited {proc.returncode} at start")
        r = subprocess.run([args.takedownctl, "status", "-c", config], capture_output=True, text=True, timeout=30)
        if r.returncode == 0:
            return
        time.sleep(0.2)
    raise pipeline.BenchError("takedownd's control socket never answered")


def reload(args, config):
    r = subprocess.run([args.takedownctl, "reload", "-c", config], capture_output=True, text=True, timeout=300)
    m = RELOAD_LINE.search(r.stdout)
    if r.returncode != 0 or not m:
        raise pipeline.BenchError(f"takedownctl reload -c {config} failed: {r.stdout}{r.stderr}")
    return {"generation": int(m[1]), "domains": int(m[3]), "compile_ms": float(m[4]), "verify_ms": float(m[5]),
            "scratch_us": float(m[6]), "swap_us": float(m[7]), "snapshot_bytes": os.path.getsize(m[8])}


def start_takedownd(args, config, prefix, duration=None):
    argv = [args.takedownd, "-c", config] + (["--duration", str(duration)] if duration else [])
    out, err = open(prefix + ".json", "w"), open(prefix + ".err", "w")
    proc = pipeline.spawn(argv, out, err)
    return proc, out, err


def finish(proc, out, err, prefix, timeout):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pipeline.stop(proc)
    pipeline.forget(proc)
    out.close()
    err.close()
    with open(prefix + ".json") as f:
        text = f.read().strip()
    if proc.returncode != 0 or not text:
        raise pipeline.BenchError(f"takedownd exited {proc.returncode}: {pipeline.tail(prefix + '.err')}")
    return json.loads(text)


def latency_and_memory(args, configs):
    prefix = os.path.join(args.work_dir, "latency")
    proc, out, err = start_takedownd(args, configs["66k"], prefix)
    try:
        wait_for_socket(args, configs["66k"], proc)
        runs = {"66k": [], "1M": []}
        for i in range(args.reloads):
            for name in ("66k", "1M"):
                before = proc_status(proc.pid, "VmRSS")
                with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
                    f.write("5")  # resets VmHWM to the current RSS
                r = reload(args, configs[name])
                r["rss_before"] = before
                r["peak_extra"] = proc_status(proc.pid, "VmHWM") - before
                r["rss_after"] = proc_status(proc.pid, "VmRSS")
                runs[name].append(r)
                pipeline.log(f"reload {name} #{i + 1}: compile {r['compile_ms']} ms, verify {r['verify_ms']} ms, "
                             f"swap {r['swap_us']} us, peak extra {r['peak_extra'] / 1e6:.1f} MB "
                             f"(snapshot {r['snapshot_bytes'] / 1e6:.1f} MB)")
        proc.send_signal(signal.SIGTERM)
        stats = finish(proc, out, err, prefix, pipeline.STOP_TIMEOUT)
    finally:
        if proc.poll() is None:
            pipeline.stop(proc)
    return runs, stats


def control_stats(socket_path):
    """rx_packets from takedownd's stats over the control socket, and when it was read."""
    import socket as sockets
    with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(socket_path)
        s.sendall(b'{"command": "stats"}\n')
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return time.monotonic(), json.loads(data)["stats"]["rx_packets"]


def timeline(args, configs, alternates, reloads=10):
    """Throughput in 100 ms buckets while `reloads` reloads run, one every 500 ms after 1 s."""
    prefix = os.path.join(args.work_dir, "timeline")
    seconds = 1.0 + reloads * 0.5 + 1.0
    proc, out, err = start_takedownd(args, configs["66k"], prefix, seconds + 5)
    samples, marks = [], []
    socket_path = os.path.join(args.work_dir, "control.sock")
    try:
        wait_for_socket(args, configs["66k"], proc)
        done = threading.Event()

        def reloader():
            time.sleep(1.0)
            for k in range(reloads):
                started = time.monotonic()
                r = reload(args, alternates[k % 2])
                marks.append({"t": started, "swap_us": r["swap_us"], "generation": r["generation"]})
                time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
            done.set()

        thread = threading.Thread(target=reloader)
        thread.start()
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            samples.append(control_stats(socket_path))
            time.sleep(max(0.0, 0.1 - (time.monotonic() - samples[-1][0])))
        thread.join(timeout=60)
        proc.send_signal(signal.SIGTERM)
        finish(proc, out, err, prefix, pipeline.STOP_TIMEOUT)
    finally:
        if proc.poll() is None:
            pipeline.stop(proc)
    t0 = samples[0][0]
    buckets = [{"t": round(b[0] - t0, 3), "mpps": (b[1] - a[1]) / (b[0] - a[0]) / 1e6}
               for a, b in zip(samples, samples[1:])]
    for m in marks:
        m["t"] = round(m["t"] - t0, 3)
    return {"buckets": buckets, "reloads": marks}


def plot_timeline(data, png):
    """Mpps per 100 ms bucket with a mark at each reload (gnuplot, PNG)."""
    dat = png[:-4] + ".dat"
    with open(dat, "w") as f:
        f.writelines(f"{b['t']} {b['mpps']:.4f}\n" for b in data["buckets"])
    arrows = "".join(f"set arrow from {m['t']}, graph 0 to {m['t']}, graph 1 nohead dt 2 lc rgb 'gray'\n"
                     for m in data["reloads"])
    script = (f"set terminal pngcairo size 900,420\nset output '{png}'\n"
              "set title 'takedownd throughput in 100 ms buckets across 10 reloads (dashed: a reload)'\n"
              "set xlabel 'seconds'\nset ylabel 'Mpps'\nset yrange [0:*]\nset grid\nunset key\n"
              f"{arrows}plot '{dat}' using 1:2 with linespoints pt 7 ps 0.5 lw 2\n")
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, timeout=60)
    if r.returncode != 0:
        pipeline.log(f"gnuplot failed, no chart: {r.stderr.strip()}")


def storm_run(args, config, alternates, storm, index):
    prefix = os.path.join(args.work_dir, f"{'storm' if storm else 'quiet'}-{index}")
    proc, out, err = start_takedownd(args, config, prefix, args.storm_seconds)
    reloads = []
    try:
        wait_for_socket(args, config, proc)
        if storm:
            k = 0
            while proc.poll() is None:
                started = time.monotonic()
                try:
                    reloads.append(reload(args, alternates[k % 2]))
                except pipeline.BenchError:
                    # A reload that meets takedownd's own --duration stop (socket gone, process
                    # still flushing) ends the storm; one that fails while it runs is an error.
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        raise
                    break
                k += 1
                time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        stats = finish(proc, out, err, prefix, args.storm_seconds + pipeline.STOP_TIMEOUT + 30)
    finally:
        if proc.poll() is None:
            pipeline.stop(proc)
    ports = stats.get("ports", {})
    return {"pps": stats["rx_packets"] / stats["elapsed_seconds"], "reloads": len(reloads),
            "generation": stats["snapshot"]["generation"], "tx_errors": stats["tx_errors"],
            "reply_errors": stats["reply_errors"], "rx_missed": sum(p.get("rx_missed", 0) for p in ports.values()),
            "conserved": stats["rx_packets"] == stats["tx_packets"] + stats["dropped"] + stats["tx_errors"],
            "swap_us": [r["swap_us"] for r in reloads]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reloads", type=int, default=5)
    parser.add_argument("--storm-seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--takedownd", default=os.path.join(REPO, "build", "bin", "takedownd"))
    parser.add_argument("--takedownctl", default=os.path.join(REPO, "build", "bin", "takedownctl"))
    parser.add_argument("--work-dir", default=os.path.join(REPO, "build", "reload-bench"))
    parser.add_argument("--results-dir", default=os.path.join(REPO, "bench", "results"))
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--quick", action="store_true", help="1 reload per list, 3 s storm runs, 1 round")
    args = parser.parse_args()
    if args.quick:
        args.reloads, args.storm_seconds, args.rounds = 1, 3, 1
    # This script and the takedownctl processes it starts stay on CPU 0, beside takedownd's main
    # lcore, as a deployment keeps the control process off the worker cores (takedownd's EAL
    # pins its own lcores whatever it inherits).
    if (os.cpu_count() or 1) >= 2 and 0 in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {0})
    args.work_dir = os.path.abspath(args.work_dir)
    os.makedirs(os.path.join(args.work_dir, "snapshots"), exist_ok=True)
    args.queries, args.seed = 50000, 20251125
    args.list = os.path.join(REPO, "conf", "lists", "takedown-66k.txt")
    args.benign = os.path.join(REPO, "tests", "data", "top-50k.txt")
    for path, what in ((args.takedownd, "takedownd"), (args.takedownctl, "takedownctl")):
        if not os.access(path, os.X_OK):
            raise SystemExit(f"{what} not found at {path}: run `make build` first")

    mix = os.path.join(args.work_dir, "mix.pcap")
    if not os.path.isfile(mix):
        pipeline.generate_mix(args, mix)
    synthetic = os.path.join(args.work_dir, "synthetic-1m.txt")
    write_synthetic_list(synthetic, 1000000)
    # The storm's second list set: the 66k list with every 100th name swapped for another, so the
    # two snapshots block different names and cost the same to match.
    variant = os.path.join(args.work_dir, "takedown-variant.txt")
    with open(args.list) as f, open(variant, "w") as g:
        g.writelines(f"swapped-{i}.example\n" if i % 100 == 0 else line for i, line in enumerate(f))
    configs = {}
    for name, lists in (("66k", [("takedown", args.list)]), ("1M", [("synthetic", synthetic)]),
                        ("variant", [("takedown", variant)])):
        configs[name] = os.path.join(args.work_dir, f"{name}.yaml")
        write_config(configs[name], args.work_dir, lists, mix, args.memory_mb)
    subprocess.run([args.takedownctl, "compile", "-c", configs["66k"], "-o",
                    os.path.join(args.work_dir, "start.snap")], check=True, capture_output=True, timeout=120)

    runs, latency_stats = latency_and_memory(args, configs)
    line = timeline(args, configs, [configs["variant"], configs["66k"]])
    os.makedirs(args.results_dir, exist_ok=True)
    plot_timeline(line, os.path.join(args.results_dir, "reload-timeline.png"))
    storm = {"quiet": [], "storm": []}
    for i in range(args.rounds):
        for kind in (("quiet", "storm") if i % 2 == 0 else ("storm", "quiet")):
            r = storm_run(args, configs["66k"], [configs["variant"], configs["66k"]], kind == "storm", i)
            storm[kind].append(r)
            pipeline.log(f"{kind} round {i + 1}: {r['pps'] / 1e6:.2f} Mpps, {r['reloads']} reloads, "
                         f"tx_errors {r['tx_errors']}, rx_missed {r['rx_missed']}")

    med = lambda xs: statistics.median(xs) if xs else 0
    quiet, stormy = med([r["pps"] for r in storm["quiet"]]), med([r["pps"] for r in storm["storm"]])
    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "latency": runs, "storm": storm, "timeline": line,
              "storm_ratio": stormy / quiet if quiet else 0, "latency_run_stats": latency_stats}
    lines = [f"## Hot reload ({result['date']})", "",
             f"takedownd, 1 worker, forwarding a 50,000-query DNS mix (net_pcap infinite_rx -> net_null) while "
             f"`takedownctl reload` runs; {args.reloads} reloads per list, alternating. Medians (min-max).", "",
             "| list | compile | verify (read, check, map) | scratch | swap (store + RCU grace) | snapshot | peak extra RSS |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in ("66k", "1M"):
        rs = runs[name]
        span = lambda key, scale=1: (f"{med([r[key] for r in rs]) * scale:.2f} "
                                     f"({min(r[key] for r in rs) * scale:.2f}-{max(r[key] for r in rs) * scale:.2f})")
        lines.append(f"| {name} ({rs[0]['domains']:,} domains) | {span('compile_ms')} ms | {span('verify_ms')} ms | "
                     f"{span('scratch_us')} us | {span('swap_us')} us | {med([r['snapshot_bytes'] for r in rs]) / 1e6:.1f} MB | "
                     f"{span('peak_extra', 1e-6)} MB |")
    all_swaps = [s for r in storm["storm"] for s in r["swap_us"]]

    def rates(kind):
        return ", ".join("%.2f" % (r["pps"] / 1e6) for r in storm[kind])

    lost = sum(r["tx_errors"] + r["reply_errors"] + r["rx_missed"] for k in storm for r in storm[k])
    conserved = all(r["conserved"] for k in storm for r in storm[k])
    lines += ["", f"Storm: {args.storm_seconds:g} s runs, {args.rounds} of each, ABBA; one reload per second "
              f"alternating the 66k list and a variant with 1% of its names swapped.", "",
              "| run | Mpps per round | reloads | swap us (median, max) |", "| --- | --- | --- | --- |",
              f"| quiet | {rates('quiet')} | 0 | |",
              f"| storm | {rates('storm')} | {', '.join(str(r['reloads']) for r in storm['storm'])} | "
              f"{med(all_swaps):.1f}, {max(all_swaps) if all_swaps else 0:.1f} |", "",
              f"- throughput ratio storm / quiet (medians): **{result['storm_ratio']:.3f}** (target >= 0.97)",
              f"- packets lost (tx_errors + reply_errors + rx_missed, all runs): **{lost}**; "
              f"rx = tx + dropped + tx_errors in every run: {conserved}",
              f"- swap under 1 ms in every reload: {all(s < 1000 for s in all_swaps + [r['swap_us'] for n in runs for r in runs[n]])}",
              "", f"Timeline: 10 reloads 500 ms apart, throughput in 100 ms buckets: min "
              f"{min(b['mpps'] for b in line['buckets']):.2f}, median "
              f"{statistics.median(b['mpps'] for b in line['buckets']):.2f}, max "
              f"{max(b['mpps'] for b in line['buckets']):.2f} Mpps (chart: reload-timeline.png)"]
    text = "\n".join(lines) + "\n"
    pipeline.write_results(args.results_dir, "reload", result, text)


if __name__ == "__main__":
    pipeline.run_bench(main, "run_reload_bench.py")
