#!/usr/bin/env python3
"""Pipeline scaling: takedownd's Mpps per worker core, and its ratio to dpdk-testpmd io forwarding,
as curves against list size, blocked ratio, protocol mix and rx burst size.

Every point is takedownd with one worker (so its Mpps is the rate of one worker core) reading a
50,000-frame mix from `net_pcap0,rx_pcap=MIX,infinite_rx=1` into `net_null0,no-rx=1` for --seconds,
--reps times; the figure is the median, with the min-max of the reps. The baseline is
`dpdk-testpmd --forward-mode=io` on the same two devices with the same mix, measured in the same run
once per distinct mix (it does not depend on the list or the burst), also --reps times. The runs
(takedownd points and baselines) are interleaved, rep after rep, alternating their order, so that the
noise of a shared machine spreads over all of them. Rates are measured as in run_pipeline.py, whose
functions this script uses.

Curves (a point shared by several curves is measured once):
  list size      66k (the real takedown list), 1M and 10M domains (the 66k list plus a synthetic
                 list that brings the total to 1M or 10M, so that the same mix has the same blocked
                 names); DNS/UDP mix, 10% blocked, burst 32. Each list is compiled once with
                 `takedownctl compile` and takedownd starts from the snapshot (dataplane.snapshot).
  blocked ratio  0%, 10%, 50% of the frames named from the list; DNS/UDP mix, 66k list, burst 32.
  protocol mix   the "dns" preset (DNS/UDP queries, names drawn uniformly: the headline), "zipf" (DNS/UDP
                 queries by real popularity, Zipf s = 1 over the top-50k ranks), "web" (two-segment
                 post-quantum ClientHellos, data, QUIC Initials, DNS), "transit" (an ISP transit link:
                 mostly data segments of established TCP flows and QUIC short-header packets) and the
                 "isp" preset (DNS over UDP and TCP, HTTP, TLS, responses, SYN, ICMP); 10% blocked,
                 66k list, burst 32. zipf, web and transit (and quic, on request: QUIC connections, each
                 an Initial then short headers) are written by bench/trafficgen/flow_mixes
                 (build/bin/flow_mixes: QUIC Initials need AES-GCM), the others by trafficgen.py.
  burst          dataplane.burst 8, 16, 32; DNS/UDP mix, 10% blocked, 66k list.
  memory         with --hugepages: EAL memory (the mbuf pool, rings, DPDK's heap) in reserved 2 MB
                 hugepages against --no-huge, takedownd and testpmd alike; DNS/UDP mix, 10% blocked,
                 66k list, burst 32. (The snapshot's tables take transparent huge pages either way.)
                 The caller reserves the pages (scripts/bench.sh does, as root).
Mixes are written by bench/trafficgen (tests/integration/generate_capture.py, flow_mixes.cpp).

Contention: for every run, the forwarding thread's CPU wait share (/proc schedstat: the time it was
runnable but something else had its core), the highest per-CPU steal, other DPDK processes, and the
other processes that used more than 5% of a CPU during the run.

Writes RESULTS/scaling.json (every point with its unit, median, min, max, reps, baseline, ratio and
contention; the machine), RESULTS/scaling.md and, with bench/pipeline/plot_scaling.py,
RESULTS/scaling-list-size.png, scaling-blocked-ratio.png, scaling-burst.png and scaling-mix.png.
RESULTS is bench/results, or build/bench-quick with --quick (`make bench QUICK=1`): 1 rep of 2 s,
points 66k and 1M, 10% blocked, DNS mix, burst 32 (about 15 s).

usage: run_scaling.py [--quick] [--seconds S] [--reps N] [--lists 66k,1M,10M] [--blocked-ratios 0,0.1,0.5]
                      [--mixes dns,zipf,web,transit,isp] [--bursts 8,16,32] [--hugepages] [--flow-mixes PATH]
                      [--work-dir DIR] [--results-dir DIR] [--no-plot]
"""
import argparse
import atexit
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reload"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import run_pipeline as pipeline  # noqa: E402  (process handling, the two measurements, machine info)
from run_reload_bench import write_synthetic_list  # noqa: E402
import generate_capture  # noqa: E402  (the traffic generator behind bench/trafficgen)
import plot_scaling  # noqa: E402

REPO = pipeline.REPO
REAL_LIST_DOMAINS = 66000
DEFAULT_BLOCKED = 0.1
DEFAULT_MIX = "dns"
DEFAULT_BURST = 32
FLOW_MIXES = ("zipf", "web", "transit", "quic")  # written by build/bin/flow_mixes
OTHER_CPU_SHARE = 0.05  # report another process that used more than this share of one CPU in a run
RUN_FIELDS = ("pps", "rx_packets", "elapsed_seconds", "blocked_share", "forwarding_thread", "cpu", "other_processes",
              "other_dpdk_processes", "stats_file")  # what the JSON keeps of each run
COMPILE_LINE = re.compile(r"compile time ([\d.]+) ms")
SNAPSHOT_LINE = re.compile(r"snapshot .*: (\d+) bytes")


def log(message):
    print(f"[scaling] {message}", file=sys.stderr, flush=True)


# --- sizes and names -----------------------------------------------------------------------------

def parse_size(text):
    """'66k' -> 66000, '1M' -> 1000000, '2500000' -> 2500000."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list size such as 66k, 1M or 10M")
    value = float(m[1]) * {"": 1, "k": 1e3, "m": 1e6}[m[2].lower()]
    return int(value)


def size_label(domains):
    if domains >= 1e6 and domains % 100000 == 0:
        return f"{domains / 1e6:g}M"
    if domains >= 1e3 and domains % 1000 == 0:
        return f"{domains // 1000}k"
    return f"{domains:,}"


def csv(kind):
    return lambda text: [kind(v) for v in text.split(",") if v.strip()]


# --- preparation: lists, snapshots, mixes --------------------------------------------------------

class Case:
    """One takedownd configuration: list size, mix, burst, EAL memory in hugepages or not."""

    def __init__(self, domains, mix, blocked, burst, huge=False):
        self.domains, self.mix, self.blocked, self.burst, self.huge = domains, mix, blocked, burst, huge

    @property
    def key(self):
        return (f"{size_label(self.domains)}-{mix_key(self.mix, self.blocked)}-burst{self.burst}"
                f"{'-huge' if self.huge else ''}")

    @property
    def baseline_key(self):
        """The testpmd run it is compared with: the same mix, the same kind of memory."""
        return mix_key(self.mix, self.blocked) + ("-huge" if self.huge else "")


def mix_key(mix, blocked):
    """A file-name and vdev-argument safe name: no comma or '=' (custom weights become '_')."""
    return f"{re.sub(r'[^A-Za-z0-9-]+', '_', mix)}-{round(100 * blocked):g}pct"


def mix_list(text):
    """Mixes separated by ';' (a custom mix has commas: "dns;dns-udp=50,tls=50"), or by ',' for presets."""
    return [m.strip() for m in text.split(";" if ";" in text else ",") if m.strip()]


def prepare_list(args, domains):
    """Compiles the list set of `domains` domains once; returns its snapshot and compile figures."""
    lists = [{"name": "takedown", "format": "domains", "path": args.list}]
    if domains > REAL_LIST_DOMAINS:
        synthetic = os.path.join(args.work_dir, f"synthetic-{domains - REAL_LIST_DOMAINS}.txt")
        started = time.monotonic()
        write_synthetic_list(synthetic, domains - REAL_LIST_DOMAINS)
        log(f"synthetic list {synthetic}: {time.monotonic() - started:.1f} s (kept for later runs)")
        lists.append({"name": "synthetic", "format": "domains", "path": synthetic})
    elif domains != REAL_LIST_DOMAINS:
        raise pipeline.BenchError(f"list size {domains:,}: below the real list's {REAL_LIST_DOMAINS:,}")
    label = size_label(domains)
    config = os.path.join(args.work_dir, f"compile-{label}.yaml")
    snapshot = os.path.join(args.work_dir, f"list-{label}.snap")
    write_yaml(config, {"lists": lists})
    started = time.monotonic()
    done = pipeline.run_checked([args.takedownctl, "compile", "-c", config, "-o", snapshot], 600,
                                f"compiling the {label} list set")
    wall = time.monotonic() - started
    text = done.stdout + done.stderr
    compile_ms = COMPILE_LINE.search(text)
    size = SNAPSHOT_LINE.search(text)
    log(f"compiled {label}: {wall:.1f} s wall, snapshot {os.path.getsize(snapshot) / 1e6:.1f} MB")
    return {"lists": lists, "snapshot": snapshot, "compile_ms": float(compile_ms[1]) if compile_ms else None,
            "compile_wall_s": round(wall, 2), "snapshot_bytes": int(size[1]) if size else os.path.getsize(snapshot)}


def count_frames(args, pcap):
    """(frames, DNS/UDP queries) of the mix written to `pcap`, which must hold --frames frames."""
    frames = queries = 0
    for frame in pipeline.read_pcap(pcap):
        frames += 1
        queries += pipeline.is_dns_udp_query(frame)
    if frames != args.frames:
        raise pipeline.BenchError(f"{pcap}: {frames} frames, expected {args.frames}")
    return frames, queries


def shown(flags):
    """The flags as the report prints them: paths inside the repository relative to it."""
    return " ".join(os.path.relpath(f, REPO) if f.startswith(REPO + os.sep) else f for f in flags)


def prepare_flow_mix(args, mix, blocked, pcap):
    argv = [args.flow_mixes, mix, pcap, "--frames", str(args.frames), "--seed", str(args.seed),
            "--blocked-ratio", f"{blocked:g}", "--blocked", args.list, "--benign", args.benign]
    done = pipeline.run_checked(argv, 600, f"writing the {mix} mix")
    try:
        summary = json.loads(done.stdout)
    except ValueError:
        raise pipeline.BenchError(f"flow_mixes printed no summary: {done.stdout!r}")
    frames, queries = count_frames(args, pcap)
    return {"pcap": pcap, "mix": mix, "blocked_ratio": blocked, "frames": frames, "dns_udp_queries": queries,
            "on_list_share": round(summary["blocked_names"] / frames, 4), "kinds": summary["kinds"],
            "trafficgen": f"build/bin/flow_mixes {mix} MIX.pcap {shown(argv[3:])}"}


def prepare_mix(args, mix, blocked):
    pcap = os.path.join(args.work_dir, f"mix-{mix_key(mix, blocked)}.pcap")
    if mix in FLOW_MIXES:
        return prepare_flow_mix(args, mix, blocked, pcap)
    flags = ["--frames", str(args.frames), "--seed", str(args.seed), "--mix", mix, "--blocked-ratio", f"{blocked:g}",
             "--list", args.list, "--benign", args.benign]
    counts = generate_capture.main([pcap] + flags)
    frames, queries = count_frames(args, pcap)
    return {"pcap": pcap, "mix": mix, "blocked_ratio": blocked, "frames": frames, "dns_udp_queries": queries,
            "on_list_share": round(counts["blocked"] / frames, 4),
            "kinds": {k[5:]: v for k, v in counts.items() if k.startswith("kind ")},
            "trafficgen": f"bench/trafficgen/trafficgen.py MIX.pcap {shown(flags)}"}


def write_yaml(path, document):
    """JSON is YAML: the config as a JSON document."""
    with open(path, "w") as f:
        f.write("# Written by bench/pipeline/run_scaling.py\n")
        json.dump(document, f, indent=1)
        f.write("\n")


def write_run_config(args, case, lists, mixes):
    label = case.key
    eal = ["--huge-unlink" if case.huge else "--no-huge", "-m", str(args.memory_mb), "--no-pci", "--no-shconf",
           "--no-telemetry"]
    document = {
        "lists": lists[case.domains]["lists"],
        "control": {"socket": os.path.join(args.work_dir, f"control-{label}.sock"),
                    "snapshot_dir": os.path.join(args.work_dir, "snapshots")},
        "dataplane": {
            "eal": eal,
            "ports": [{"name": "mix", "device": f"net_pcap0,rx_pcap={mixes[mix_key(case.mix, case.blocked)]['pcap']},"
                                               "infinite_rx=1"},
                      {"name": "sink", "device": "net_null0,no-rx=1"}],
            "pairs": [["mix", "sink"]],
            "workers": 1,
            "burst": case.burst,
            "snapshot": lists[case.domains]["snapshot"],
        },
    }
    path = os.path.join(args.work_dir, f"run-{label}.yaml")
    write_yaml(path, document)
    return path


# --- contention ----------------------------------------------------------------------------------

def process_cpu():
    """{pid: (comm, utime + stime in clock ticks)} for every process."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        out[int(pid)] = (comm, int(fields[11]) + int(fields[12]))
    return out


def busy_others(before, after, seconds):
    """Processes other than this script that used more than OTHER_CPU_SHARE of a CPU in between.
    The measured DPDK process has exited by then (it is in neither reading twice)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = []
    for pid, (comm, ticks) in after.items():
        if pid == os.getpid() or pid not in before or seconds <= 0:
            continue
        share = (ticks - before[pid][1]) / tick / seconds
        if share > OTHER_CPU_SHARE:
            found.append({"process": f"{comm} ({pid})", "cpu_share": round(share, 3)})
    return sorted(found, key=lambda p: -p["cpu_share"])


def blocked_share(run):
    """Share of the frames takedownd blocked (DNS answered, TCP reset or dropped), from its stats file."""
    with open(os.path.join(REPO, run["stats_file"])) as f:
        stats = json.load(f)
    return round(sum(stats.get("blocked", {}).values()) / stats["rx_packets"], 4)


def measure(args, tool, target, prefix):
    """One run of takedownd (target: its config) or testpmd (target: the pcap), with contention."""
    names = ["takedownd", "dpdk-testpmd"]
    others = pipeline.other_dpdk_processes(names)
    procs, started = process_cpu(), time.monotonic()
    if tool == "takedownd":
        run = pipeline.run_takedownd(args, target, prefix)
        run["blocked_share"] = blocked_share(run)
    else:
        pcap, huge = target
        run = pipeline.run_testpmd(args, pcap, prefix, huge=huge)
    run["other_processes"] = busy_others(procs, process_cpu(), time.monotonic() - started)
    others = sorted(set(others) | set(pipeline.other_dpdk_processes(names)))
    if others:
        run["other_dpdk_processes"] = others
    return run


# --- summaries -----------------------------------------------------------------------------------

def spread(runs):
    values = [r["pps"] / 1e6 for r in runs]
    waits = [r["forwarding_thread"]["wait_share"] for r in runs if r.get("forwarding_thread")]
    others = {}
    for r in runs:
        for p in r.get("other_processes", []):
            others[p["process"]] = max(others.get(p["process"], 0), p["cpu_share"])
    return {"unit": "Mpps", "median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "reps": len(values), "values": [round(v, 3) for v in values],
            "contention": {
                "cpu_wait_share_median": round(statistics.median(waits), 4) if waits else None,
                "cpu_wait_share_max": round(max(waits), 4) if waits else None,
                "steal_pct_max": max((pipeline.busiest_steal(r) or 0 for r in runs), default=None),
                "other_dpdk_processes": sorted({p for r in runs for p in r.get("other_dpdk_processes", [])}),
                "other_processes": [{"process": k, "cpu_share_max": v}
                                    for k, v in sorted(others.items(), key=lambda kv: -kv[1])]}}


def point(case, runs, baseline, lists, mixes):
    ours = spread(runs)
    key = mix_key(case.mix, case.blocked)
    mix = mixes[key]
    name = (f"takedownd, 1 worker, {size_label(case.domains)} list, {case.mix} mix, "
            f"{100 * case.blocked:g}% blocked, burst {case.burst}, "
            f"{'EAL hugepages' if case.huge else '--no-huge'}")
    entry = {"id": case.key, "name": name, "list_domains": case.domains, "list": size_label(case.domains), "mix": case.mix,
             "blocked_ratio": case.blocked, "burst": case.burst, "workers": 1,
             "memory": "hugepages" if case.huge else "no-huge", **ours,
             "ns_per_packet": round(1e3 / ours["median"], 1),
             "blocked_share": statistics.median(r["blocked_share"] for r in runs),
             "answered_share": statistics.median(r["answered_share"] for r in runs),
             "snapshot_bytes": lists[case.domains]["snapshot_bytes"],
             "baseline": {"name": f"dpdk-testpmd io, {case.baseline_key} mix", "value": baseline["median"],
                          **{k: baseline[k] for k in ("unit", "median", "min", "max", "reps")}},
             "baseline_mix": case.baseline_key,
             "ratio": round(ours["median"] / baseline["median"], 3),
             "ratio_min_max": [round(ours["min"] / baseline["median"], 3), round(ours["max"] / baseline["median"], 3)],
             "on_list_share": mix["on_list_share"]}
    return entry


# --- report --------------------------------------------------------------------------------------

CURVES = [
    ("list_size", "list size", "domains", lambda p: p["list"],
     "DNS/UDP mix, 10% of the frames named from the list, burst 32"),
    ("blocked_ratio", "blocked ratio", "blocked", lambda p: f"{100 * p['blocked_ratio']:g}%",
     "DNS/UDP mix, 66k list, burst 32"),
    ("mix", "protocol mix", "mix", lambda p: p["mix"], "10% blocked, 66k list, burst 32"),
    ("burst", "burst size", "burst", lambda p: str(p["burst"]), "DNS/UDP mix, 10% blocked, 66k list"),
    ("memory", "EAL memory (mbuf pool) in hugepages", "memory", lambda p: p["memory"],
     "DNS/UDP mix, 10% blocked, 66k list, burst 32; testpmd with the same memory"),
]


def wait_cell(c):
    if c["cpu_wait_share_median"] is None:
        return "- (see Contention)"
    return f"{100 * c['cpu_wait_share_median']:.1f}, {100 * c['cpu_wait_share_max']:.1f}"


def markdown(result):
    m, cfg = result["machine"], result["config"]
    lines = [
        f"## Pipeline scaling: takedownd per worker core against dpdk-testpmd io ({result['date']}"
        f"{', quick' if cfg['quick'] else ''})",
        "",
        f"Machine: {m['cpu_model']}, {m['processors']} processors in /proc/cpuinfo "
        f"({m['cpu_cores']} cores per socket), kernel {m['kernel']}, DPDK {m['dpdk_package']}.",
        f"Each point: takedownd with 1 worker (so Mpps per worker core), {cfg['reps']} x {cfg['seconds']:g} s, "
        f"median (min-max); {cfg['frames']:,}-frame mixes replayed by `net_pcap0,rx_pcap=MIX,infinite_rx=1` into "
        "`net_null0,no-rx=1`. Baseline: `dpdk-testpmd --forward-mode=io` on the same devices with the same "
        f"mix, measured once per mix in the same run ({cfg['reps']} x {cfg['seconds']:g} s), runs interleaved. "
        "Ratio: takedownd median / testpmd median. 1M and 10M: the 66k list plus a synthetic list up to that "
        "size (the mix's blocked names stay on the list), compiled once, takedownd starting from the snapshot.",
        f"Whole run: {result['run_seconds']:.0f} s.",
        "",
    ]
    for key, title, column, label, fixed in CURVES:
        points = plot_scaling.curve_points(result, key)
        if not points:
            continue
        lines += [f"### Against {title} ({fixed})", "",
                  f"| {column} | takedownd Mpps | ns/packet | testpmd io Mpps | ratio | blocked (DNS answers) | "
                  "CPU wait % (median, max) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for p in points:
            b, c = p["baseline"], p["contention"]
            wait = wait_cell(c)
            lines.append(f"| {label(p)} | **{p['median']:.2f}** ({p['min']:.2f}-{p['max']:.2f}) | "
                         f"{p['ns_per_packet']:.0f} | {b['median']:.2f} ({b['min']:.2f}-{b['max']:.2f}) | "
                         f"**{p['ratio']:.2f}** | {100 * p['blocked_share']:.1f}% ({100 * p['answered_share']:.1f}%) "
                         f"| {wait} |")
        lines.append("")
    lines += ["### Mixes and baselines", "",
              "| mix | frames | DNS/UDP queries | named from the list | testpmd io Mpps | CPU wait % (median, max) |",
              "| --- | --- | --- | --- | --- | --- |"]
    for key, mix in result["mixes"].items():
        b = result["baselines"][key]
        wait = wait_cell(b["contention"])
        lines.append(f"| {key} | {mix['frames']:,} | {mix['dns_udp_queries']:,} | {100 * mix['on_list_share']:.1f}% | "
                     f"{b['median']:.2f} ({b['min']:.2f}-{b['max']:.2f}) | {wait} |")
    lines += ["", "Mixes: " + "; ".join(f"{k}: `{v['trafficgen']}`" for k, v in result["mixes"].items()), ""]
    lines += ["### Lists", "", "| list | domains | compile | snapshot |", "| --- | --- | --- | --- |"]
    for label, info in result["lists"].items():
        compile_ms = "-" if info["compile_ms"] is None else f"{info['compile_ms']:.0f} ms"
        lines.append(f"| {label} | {info['domains']:,} | {compile_ms} | {info['snapshot_bytes'] / 1e6:.1f} MB |")
    lines += ["", "### Contention", ""]
    lines += [f"- {line}" for line in result["contention"]["notes"]]
    lines.append("")
    return "\n".join(lines)


def contention_notes(result):
    """Plain-language lines on what else ran: the CPU wait of the forwarding threads, steal, others."""
    every = result["points"] + list(result["baselines"].values())
    waits = [p["contention"]["cpu_wait_share_max"] for p in every if p["contention"]["cpu_wait_share_max"] is not None]
    steal = [p["contention"]["steal_pct_max"] for p in every if p["contention"]["steal_pct_max"] is not None]
    notes = []
    if waits:
        notes.append(f"forwarding-thread CPU wait (runnable, core taken by something else): highest in any run "
                     f"{100 * max(waits):.1f}%, median of the points' medians "
                     f"{100 * statistics.median(p['contention']['cpu_wait_share_median'] for p in every if p['contention']['cpu_wait_share_median'] is not None):.1f}%")
    contended = []
    for name, runs in result["runs"].items():
        for i, r in enumerate(runs):
            thread = r.get("forwarding_thread")
            if thread is None:  # ThreadWatch found no thread with a second on a CPU
                contended.append(f"{name} rep {i + 1} (no thread ran 1 s on a CPU: heavily contended)")
            elif thread["wait_share"] > 0.05:
                contended.append(f"{name} rep {i + 1} ({100 * thread['wait_share']:.0f}%)")
    notes.append("runs whose forwarding thread waited more than 5% of the time: " +
                 (", ".join(contended) if contended else "none"))
    if steal:
        notes.append(f"highest per-CPU steal in any run: {max(steal):.1f}%")
    dpdk = sorted({x for p in every for x in p["contention"]["other_dpdk_processes"]})
    notes.append("other DPDK processes during the runs: " + (", ".join(dpdk) if dpdk else "none"))
    busy = {}
    for p in every:
        for o in p["contention"]["other_processes"]:
            name = re.sub(r" \(\d+\)$", "", o["process"])
            busy[name] = max(busy.get(name, 0), o["cpu_share_max"])
    if busy:
        notes.append("other processes above 5% of a CPU during some run (highest share): " +
                     ", ".join(f"{k} {100 * v:.0f}%" for k, v in sorted(busy.items(), key=lambda kv: -kv[1])[:8]))
    else:
        notes.append("no other process used more than 5% of a CPU during any run")
    return notes


# --- machine -------------------------------------------------------------------------------------

def cpuinfo():
    model, processors, cores, mhz = "?", 0, None, None
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = (s.strip() for s in line.partition(":"))
            if key == "processor":
                processors += 1
            elif key == "model name" and model == "?":
                model = value
            elif key == "cpu cores" and cores is None:
                cores = int(value)
            elif key == "cpu MHz" and mhz is None:
                mhz = float(value)
    return {"cpu_model": model, "processors": processors, "cpu_cores": cores, "cpu_mhz": mhz}


# --- main ----------------------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 rep of 2 s; points 66k and 1M, 10%% blocked, dns "
                        "mix, burst 32; results in build/bench-quick unless --results-dir")
    parser.add_argument("--seconds", type=float, help="forwarding time per run (5; --quick 2)")
    parser.add_argument("--reps", type=int, help="runs per point and per baseline (3; --quick 1)")
    parser.add_argument("--lists", type=csv(parse_size), help="list sizes (66k,1M,10M; --quick 66k,1M)")
    parser.add_argument("--blocked-ratios", type=csv(float), help="blocked ratios (0,0.1,0.5; --quick 0.1)")
    parser.add_argument("--mixes", type=mix_list,
                        help="mixes: trafficgen presets or weights, ';'-separated when weights, or zipf, web, "
                        "transit (dns,zipf,web,transit,isp; --quick dns)")
    parser.add_argument("--bursts", type=csv(int), help="rx bursts (8,16,32; --quick 32)")
    parser.add_argument("--hugepages", action="store_true",
                        help="add the memory curve: EAL memory in reserved hugepages against --no-huge")
    parser.add_argument("--frames", type=int, default=50000, help="frames per mix")
    parser.add_argument("--seed", type=int, default=20251125)
    paths = {"takedownd": "build/bin/takedownd", "takedownctl": "build/bin/takedownctl",
             "testpmd": shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd",
             "flow-mixes": "build/bin/flow_mixes",
             "list": "conf/lists/takedown-66k.txt", "benign": "tests/data/top-50k.txt",
             "work-dir": "build/scaling-bench"}
    for option, path in paths.items():  # relative to the repository
        parser.add_argument("--" + option, default=os.path.join(REPO, path), help=f"default {path}")
    parser.add_argument("--results-dir", help="default bench/results (--quick: build/bench-quick)")
    parser.add_argument("--memory-mb", type=int, default=1024, help="EAL -m for both")
    parser.add_argument("--lcores", default="0-1", help="testpmd -l (takedownd: -l 0-1 for one worker)")
    parser.add_argument("--no-plot", action="store_true", help="no PNG charts")
    args = parser.parse_args()
    quick = args.quick
    defaults = {"seconds": 2.0 if quick else 5.0, "reps": 1 if quick else 3,
                "lists": [66000, 1000000] if quick else [66000, 1000000, 10000000],
                "blocked_ratios": [0.1] if quick else [0.0, 0.1, 0.5],
                "mixes": ["dns"] if quick else ["dns", "zipf", "web", "transit", "isp"],
                "bursts": [32] if quick else [8, 16, 32],
                "results_dir": os.path.join(REPO, "build", "bench-quick") if quick else
                os.path.join(REPO, "bench", "results")}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.reps < 1 or args.seconds < 2 or args.frames < 1:
        parser.error("need --reps >= 1, --seconds >= 2 (testpmd needs two stats samples) and --frames >= 1")
    for ratio in args.blocked_ratios:
        if not 0 <= ratio <= 1:
            parser.error(f"--blocked-ratios: {ratio} is not between 0 and 1")
    for burst in args.bursts:
        if not 1 <= burst <= 32:
            parser.error(f"--bursts: {burst} is not in 1..32")
    for mix in args.mixes:
        if mix in FLOW_MIXES:
            continue
        try:
            generate_capture.parse_mix(mix)
        except ValueError as e:
            parser.error(f"--mixes: {mix}: {e}")
    for name in [option.replace("-", "_") for option in paths] + ["results_dir"]:
        setattr(args, name, os.path.abspath(getattr(args, name)))
    args.queries = args.frames  # the name run_pipeline's functions use
    return args


def plan(args):
    """The takedownd cases of every curve, each distinct case once, and the curves as case keys."""
    base = dict(domains=REAL_LIST_DOMAINS, mix=DEFAULT_MIX, blocked=DEFAULT_BLOCKED, burst=DEFAULT_BURST)
    curves = {
        "list_size": [Case(**{**base, "domains": d}) for d in args.lists],
        "blocked_ratio": [Case(**{**base, "blocked": b}) for b in args.blocked_ratios],
        "mix": [Case(**{**base, "mix": m}) for m in args.mixes],
        "burst": [Case(**{**base, "burst": b}) for b in args.bursts],
    }
    if args.hugepages:
        curves["memory"] = [Case(**base), Case(**{**base, "huge": True})]
    cases = {}
    for points in curves.values():
        for case in points:
            cases.setdefault(case.key, case)
    return cases, {name: [c.key for c in points] for name, points in curves.items()}


def main():
    started = time.monotonic()
    args = parse_args()
    for path, what in ((args.takedownd, "takedownd"), (args.takedownctl, "takedownctl")):
        pipeline.check_executable(path, what, "Build it first (make build), or pass its path.")
    pipeline.check_executable(args.testpmd, "dpdk-testpmd", "Install Debian's dpdk package, or pass --testpmd PATH.")
    if any(m in FLOW_MIXES for m in args.mixes):
        pipeline.check_executable(args.flow_mixes, "flow_mixes", "Build it first (make build), or pass --flow-mixes.")
    with open(args.list) as f:
        real = sum(1 for line in f if line.strip())
    if real != REAL_LIST_DOMAINS:
        log(f"note: {args.list} has {real:,} names; list sizes count it as {REAL_LIST_DOMAINS:,}")
    try:  # this script and the DPDK main lcores on CPU 0; the forwarding lcore has CPU 1
        if (os.cpu_count() or 1) >= 2:
            os.sched_setaffinity(0, {0})
    except OSError:
        pass
    os.makedirs(args.work_dir, exist_ok=True)
    os.makedirs(args.results_dir, exist_ok=True)

    cases, curves = plan(args)
    lists = {}
    for domains in sorted({c.domains for c in cases.values()}):
        lists[domains] = prepare_list(args, domains)
    mixes = {}
    for case in cases.values():
        key = mix_key(case.mix, case.blocked)
        if key not in mixes:
            mixes[key] = prepare_mix(args, case.mix, case.blocked)
            log(f"mix {key}: {mixes[key]['frames']:,} frames, {100 * mixes[key]['on_list_share']:.1f}% on the list")
    configs = {key: write_run_config(args, case, lists, mixes) for key, case in cases.items()}
    prepared = time.monotonic()

    # Every run of a rep, baselines among them (one per mix and kind of memory); odd reps in the
    # reverse order.
    baseline_targets = {}
    for case in cases.values():
        baseline_targets[case.baseline_key] = (mixes[mix_key(case.mix, case.blocked)]["pcap"], case.huge)
    runs = [("testpmd", key) for key in baseline_targets] + [("takedownd", key) for key in cases]
    results = {("testpmd", key): [] for key in baseline_targets}
    results.update({("takedownd", key): [] for key in cases})
    total = len(runs) * args.reps
    done = 0
    for rep in range(args.reps):
        for tool, key in (runs if rep % 2 == 0 else list(reversed(runs))):
            done += 1
            prefix = os.path.join(args.work_dir, f"rep{rep + 1}-{tool}-{key}")
            target = baseline_targets[key] if tool == "testpmd" else configs[key]
            run = measure(args, tool, target, prefix)
            results[(tool, key)].append(run)
            thread = run.get("forwarding_thread")
            wait = f", CPU wait {100 * thread['wait_share']:.1f}%" if thread else ""
            log(f"{done}/{total} rep {rep + 1} {tool} {key}: {run['pps'] / 1e6:.2f} Mpps{wait}")

    baselines = {key: spread(results[("testpmd", key)]) for key in baseline_targets}
    points = [point(case, results[("takedownd", key)], baselines[case.baseline_key], lists, mixes)
              for key, case in cases.items()]
    result = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {**pipeline.machine_info(), **cpuinfo()},
        "config": {"quick": args.quick, "reps": args.reps, "seconds": args.seconds, "frames": args.frames,
                   "seed": args.seed, "workers": 1, "testpmd_lcores": args.lcores, "memory_mb": args.memory_mb},
        "method": "takedownd: rx_packets / elapsed_seconds from its stats JSON (--duration); testpmd io: port-0 "
                  "RX-packets between its first and last periodic stats display over the time between them "
                  "(run_pipeline.py). Median, min and max over the reps; ratio = takedownd median / testpmd median "
                  "for the same mix",
        "lists": {size_label(d): {"domains": d, "compile_ms": info["compile_ms"], "compile_wall_s": info["compile_wall_s"],
                                  "snapshot_bytes": info["snapshot_bytes"],
                                  "lists": [os.path.relpath(l["path"], REPO) for l in info["lists"]]}
                  for d, info in lists.items()},
        "mixes": {key: {k: v for k, v in mix.items() if k != "pcap"} for key, mix in mixes.items()},
        "baselines": baselines,
        "points": points,
        "curves": curves,
        "runs": {f"{tool} {key}": [{k: r.get(k) for k in RUN_FIELDS} for r in rs] for (tool, key), rs in results.items()},
        "prepare_seconds": round(prepared - started, 1),
        "run_seconds": round(time.monotonic() - started, 1),
    }
    result["contention"] = {"notes": contention_notes(result)}
    stem = os.path.join(args.results_dir, "scaling")
    with open(stem + ".json", "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    report = markdown(result)
    with open(stem + ".md", "w") as f:
        f.write(report)
    if not args.no_plot:
        for png in plot_scaling.plot(result, stem, args.work_dir):
            log(f"chart {os.path.relpath(png, REPO)}")
    print(report, flush=True)
    log(f"done in {time.monotonic() - started:.0f} s (preparation {prepared - started:.0f} s); "
        f"{os.path.relpath(stem, REPO)}.json and .md")


def run():
    """main(), with the DPDK processes killed on any exit, and a benchmark error ending it with one
    line on stderr and exit code 1."""
    atexit.register(pipeline.kill_leftovers)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, pipeline.on_signal)
    try:
        main()
    except pipeline.BenchError as e:
        pipeline.kill_leftovers()
        sys.exit(f"run_scaling.py: error: {e}")


if __name__ == "__main__":
    run()
