#!/usr/bin/env python3
"""Pipeline benchmark: takedownd against DPDK's dpdk-testpmd on the same two virtual devices.

Both read a 50,000-query DNS/UDP mix (about 10% names from the 66k takedown list, the rest from the
top-50k list) from `net_pcap0,rx_pcap=mix.pcap,infinite_rx=1` and forward to `net_null0,no-rx=1`,
one forwarding lcore each. takedownd filters with the 66k list; testpmd does `--forward-mode=io`
(the floor: receive and send, nothing else). Rounds alternate the two (ABBA order) so that the noise
of a shared machine hits both alike.

Rates (both are means over the forwarding window, in packets received on the pcap port per second):
  takedownd  rx_packets / elapsed_seconds from its final stats JSON (--duration S);
  testpmd    RX-packets of port 0 between its first and last periodic stats sample, divided by the
             time between them (the sum of the sample intervals; each interval is its packet delta
             divided by the Rx-pps testpmd printed for it). The first sample only marks the start:
             it follows the rx-queue flush and start-up. The median of the per-sample Rx-pps is
             recorded too, for information.

Prints markdown to stdout (progress goes to stderr) and writes bench/results/pipeline.json and
bench/results/pipeline.md. Standard library only.

takedownd starts from a snapshot that `takedownctl compile` makes from the same config first.
--baseline-takedownd PATH adds a third contender to every round, another takedownd binary (say,
one built from an earlier commit) on the same config and snapshot: a before/after figure measured
in one run, with testpmd beside both. Each ratio is given twice: of the whole run's medians, and
as the median of the per-round ratios with the rounds takedownd won (a round runs every tool back
to back, so the VM's slow and fast phases cancel within it; on this 2-core VM that resolves 1-3%
changes that the ratio of medians leaves in its noise).

usage: run_pipeline.py [--rounds N] [--seconds S] [--queries Q] [--takedownd PATH] [--takedownctl PATH]
                       [--baseline-takedownd PATH] [--testpmd PATH]
                       [--work-dir DIR] [--results-dir DIR] [--only both|takedownd|testpmd] [--capture PCAP]
"""
import argparse
import atexit
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET_RATIO = 0.8
GENERATE_TIMEOUT = 300    # seconds for the capture generator
START_TIMEOUT = 120       # seconds for a DPDK process to reach forwarding (EAL init, pools, pcap load)
STOP_TIMEOUT = 30         # seconds for a DPDK process to exit after SIGINT / after its --duration

_children = []  # Popen objects still running; killed on any exit path


class BenchError(Exception):
    pass


def log(message):
    print(f"[pipeline] {message}", file=sys.stderr, flush=True)


# --- child processes -----------------------------------------------------------------------------

def spawn(argv, stdout, stderr):
    # A new session, so that a timeout can signal the whole process group (the child and anything
    # it started) by its id, and Ctrl-C on the terminal reaches only this script.
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)
    _children.append(proc)
    return proc


def signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop(proc, grace=STOP_TIMEOUT):
    """SIGINT, then SIGKILL after `grace` seconds. Returns the exit code (None if it had to be killed)."""
    if proc.poll() is None:
        signal_group(proc, signal.SIGINT)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            log(f"pid {proc.pid} did not exit {grace} s after SIGINT: SIGKILL")
            signal_group(proc, signal.SIGKILL)
            proc.wait(10)
            forget(proc)
            return None
    forget(proc)
    return proc.returncode


def forget(proc):
    if proc in _children:
        _children.remove(proc)


def kill_leftovers():
    for proc in list(_children):
        if proc.poll() is None:
            signal_group(proc, signal.SIGKILL)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        forget(proc)


def on_signal(signum, _frame):
    kill_leftovers()
    sys.exit(128 + signum)


def run_checked(argv, timeout, what):
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} took more than {timeout} s: {' '.join(argv)}")
    if done.returncode != 0:
        raise BenchError(f"{what} failed (exit {done.returncode}): {' '.join(argv)}\n{done.stderr.strip()}")
    return done


# --- machine -------------------------------------------------------------------------------------

def cpu_times():
    """Per-CPU jiffies from /proc/stat: {"cpu0": (busy, steal, total), ...}."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if not line.startswith("cpu"):
                break
            name, *fields = line.split()
            values = [int(v) for v in fields[:8]] + [0] * (8 - len(fields[:8]))
            user, nice, system, idle, iowait, irq, softirq, steal = values
            out[name] = (user + nice + system + irq + softirq, steal, sum(values))
    return out


def cpu_usage(before, after):
    """Busy and steal percentages per CPU between two cpu_times() readings."""
    usage = {}
    for name in after:
        if name == "cpu" or name not in before:
            continue
        busy, steal, total = (a - b for a, b in zip(after[name], before[name]))
        if total > 0:
            usage[name] = {"busy_pct": round(100.0 * busy / total, 1), "steal_pct": round(100.0 * steal / total, 1)}
    return usage


def machine_info():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    dpdk = "?"
    try:
        done = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "dpdk"], capture_output=True, text=True,
                              timeout=20)
        if done.returncode == 0 and done.stdout:
            dpdk = done.stdout
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {"host": platform.node(), "cpu_model": model, "cpus": os.cpu_count(), "kernel": platform.release(),
            "dpdk_package": dpdk}


class ThreadWatch:
    """Samples the scheduler statistics of a process's threads (/proc/PID/task/TID/schedstat: time
    on the CPU and time waiting runnable for it, in ns). A busy-polling forwarding thread is always
    runnable, so its wait share, wait / (run + wait), is the part of its time that something else
    on its core took away: on 2 shared cores the rate alone does not show that. (Time the hypervisor
    steals is not in it: see the per-CPU steal.)"""

    def __init__(self, pid):
        self.pid = pid
        self.first, self.last = {}, {}  # tid -> (wall ns, run ns, wait ns, comm)

    def sample(self):
        now = time.monotonic_ns()
        try:
            tids = os.listdir(f"/proc/{self.pid}/task")
        except OSError:
            return
        for tid in tids:
            try:
                with open(f"/proc/{self.pid}/task/{tid}/schedstat") as f:
                    run, wait = (int(v) for v in f.read().split()[:2])
                with open(f"/proc/{self.pid}/task/{tid}/comm") as f:
                    comm = f.read().strip()
            except (OSError, ValueError):
                continue
            self.first.setdefault(tid, (now, run, wait, comm))
            self.last[tid] = (now, run, wait, comm)

    def forwarding_thread(self):
        """The thread that ran most between its first and last sample (the busy-polling lcore)."""
        best = None
        for tid, (w1, r1, q1, comm) in self.last.items():
            w0, r0, q0, _ = self.first[tid]
            run, wait = r1 - r0, q1 - q0
            if run < 1e9:  # under a second on the CPU: not the forwarding thread
                continue
            entry = {"thread": comm, "window_s": round((w1 - w0) / 1e9, 2), "run_s": round(run / 1e9, 3),
                     "wait_s": round(wait / 1e9, 3), "wait_share": round(wait / (run + wait), 4)}
            if best is None or r1 - r0 > best[0]:
                best = (r1 - r0, entry)
        return best[1] if best else None


def other_dpdk_processes(names):
    """Processes (not ours) running one of `names`: they would compete for the two cores."""
    ours = {os.getpid()} | {p.pid for p in _children}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in ours:
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if any(comm == n[:15] for n in names):
            found.append(f"{comm} (pid {pid})")
    return found


# --- the mix -------------------------------------------------------------------------------------

def read_pcap(path):
    """Yields the frames of a classic little- or big-endian pcap file."""
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            raise BenchError(f"{path}: not a pcap file")
        magic = struct.unpack("<I", header[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            endian = ">"
        else:
            raise BenchError(f"{path}: not a classic pcap file (magic {magic:#x})")
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            _, _, caplen, _ = struct.unpack(endian + "IIII", record)
            yield f.read(caplen)


def is_dns_udp_query(frame):
    offset, ethertype = 12, None
    while offset + 2 <= len(frame):
        ethertype = struct.unpack_from("!H", frame, offset)[0]
        if ethertype in (0x8100, 0x88A8):
            offset += 4
            continue
        offset += 2
        break
    if ethertype == 0x0800 and offset + 20 <= len(frame):
        proto, ihl = frame[offset + 9], (frame[offset] & 0x0F) * 4
        l4 = offset + ihl
    elif ethertype == 0x86DD and offset + 40 <= len(frame):
        proto, l4 = frame[offset + 6], offset + 40
    else:
        return False
    if proto != 17 or l4 + 8 + 12 > len(frame):
        return False
    dport = struct.unpack_from("!H", frame, l4 + 2)[0]
    qr = frame[l4 + 8 + 2] & 0x80
    return dport == 53 and not qr


def generate_mix(args, pcap):
    generator = os.path.join(REPO, "tests", "integration", "generate_capture.py")
    if not os.path.isfile(generator):
        raise BenchError(f"capture generator not found: {generator}")
    usage = run_checked([sys.executable, generator, "--help"], 60, "generate_capture.py --help").stdout
    argv = [sys.executable, generator, pcap, "--frames", str(args.queries), "--seed", str(args.seed),
            "--blocked", args.list, "--benign", args.benign]
    dns_only = "--kinds" in usage
    if dns_only:
        argv += ["--kinds", "dns-udp"]
    else:
        log("generate_capture.py has no --kinds flag yet: using its default protocol mix, not DNS/UDP only")
    run_checked(argv, GENERATE_TIMEOUT, "generating the mix")
    frames = queries = 0
    for frame in read_pcap(pcap):
        frames += 1
        queries += is_dns_udp_query(frame)
    if frames != args.queries:
        raise BenchError(f"{pcap}: {frames} frames, expected {args.queries}")
    return {"frames": frames, "dns_udp_queries": queries, "dns_udp_only": dns_only,
            "generator_flags": " ".join(os.path.relpath(a, REPO) if a.startswith(REPO + os.sep) else a
                                        for a in argv[3:])}


def write_config(path, args, pcap):
    """The takedownd config for the mix, and its snapshot, compiled with args.takedownctl."""
    # YAML written by hand (stdlib only); every string is double-quoted JSON, which is valid YAML.
    q = json.dumps
    snapshot = os.path.splitext(path)[0] + ".snap"
    folder = os.path.dirname(os.path.abspath(path))
    eal = ", ".join(q(a) for a in ["--no-huge", "-m", str(args.memory_mb), "--no-pci", "--no-shconf"])
    text = f"""# Written by bench/pipeline/run_pipeline.py: one worker, pcap mix in, null device out.
lists:
  - name: takedown
    format: domains
    path: {q(args.list)}
control: {{socket: {q(os.path.join(folder, "control.sock"))}, snapshot_dir: {q(os.path.join(folder, "snapshots"))}}}
dataplane:
  snapshot: {q(snapshot)}
  eal: [{eal}]
  ports:
    - name: mix
      device: {q(f"net_pcap0,rx_pcap={pcap},infinite_rx=1")}
    - name: sink
      device: "net_null0,no-rx=1"
  pairs:
    - [mix, sink]
  workers: 1
"""
    with open(path, "w") as f:
        f.write(text)
    run_checked([args.takedownctl, "compile", "-c", path, "-o", snapshot], 300, "compiling the list")


# --- one run of each -----------------------------------------------------------------------------

def run_takedownd(args, config, prefix):
    out_path, err_path = prefix + ".json", prefix + ".err"
    argv = [args.takedownd, "-c", config, "--duration", f"{args.seconds:g}"]
    before = cpu_times()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = spawn(argv, out, err)
        watch = ThreadWatch(proc.pid)
        deadline = time.monotonic() + START_TIMEOUT + args.seconds + STOP_TIMEOUT
        while proc.poll() is None:
            if time.monotonic() > deadline:
                stop(proc)
                raise BenchError(f"takedownd did not exit within {START_TIMEOUT + args.seconds + STOP_TIMEOUT} s "
                                 f"of a {args.seconds:g} s run; log: {err_path}")
            watch.sample()
            time.sleep(0.25)
        forget(proc)
    usage = cpu_usage(before, cpu_times())
    if proc.returncode != 0:
        hint = ""
        with open(err_path, errors="replace") as f:
            if "Not enough mbufs" in f.read():
                hint = (f"\nhint: with infinite_rx=1 the pcap PMD keeps every frame of the file ({args.queries:,}) "
                        "in mbufs of the rx queue's pool, plus what is in flight: takedownd's pool must be sized "
                        "for it (a smaller --queries is a workaround, not the benchmark)")
        raise BenchError(f"takedownd exited {proc.returncode}: {tail(err_path)}\n(command: {' '.join(argv)}){hint}")
    try:
        with open(out_path) as f:
            stats = json.loads(f.read())
    except ValueError as e:
        raise BenchError(f"takedownd's stdout is not one JSON object ({e}): {out_path}")
    rx, elapsed = stats.get("rx_packets"), stats.get("elapsed_seconds")
    if not rx or not elapsed:
        raise BenchError(f"takedownd received no packet (rx_packets={rx}, elapsed_seconds={elapsed}); "
                         f"stats: {out_path}, log: {err_path}")
    answered = stats.get("dropped_by", {}).get("answer_udp", 0)
    return {
        "pps": rx / elapsed,
        "rx_packets": rx,
        "elapsed_seconds": elapsed,
        "tx_packets": stats.get("tx_packets"),
        "responses_sent": stats.get("replies_sent", {}).get("answer_udp"),
        "answered_share": round(answered / rx, 4),
        "extracted_dns_share": round(stats.get("extracted", {}).get("dns", 0) / rx, 4),
        "tx_errors": stats.get("tx_errors"),
        "cpu": usage,
        "forwarding_thread": watch.forwarding_thread(),
        "stats_file": os.path.relpath(out_path, REPO),
    }


STATS_BLOCK = re.compile(r"NIC statistics for port (\d+)\s+#+(.*?)#{20,}", re.S)


def testpmd_samples(text, port=0):
    """(RX-packets, Rx-pps) of `port` for each periodic stats display, in order."""
    samples = []
    for match in STATS_BLOCK.finditer(text):
        if int(match.group(1)) != port:
            continue
        body = match.group(2)
        packets = re.search(r"RX-packets:\s*(\d+)", body)
        pps = re.search(r"Rx-pps:\s*(\d+)", body)
        if packets and pps:
            samples.append((int(packets.group(1)), int(pps.group(1))))
    return samples


def paired_ratios(rounds, over):
    """takedownd's rate over `over`'s, round by round: each round runs both back to back, so a
    ratio per round cancels the VM's slower and faster phases, which a ratio of medians over the
    whole run does not. None unless both ran in some round."""
    ratios = [r["takedownd"]["pps"] / r[over]["pps"] for r in rounds
              if r.get("takedownd") and r.get(over) and r[over]["pps"] > 0]
    if not ratios:
        return None
    return {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3),
            "max": round(max(ratios), 3), "rounds": len(ratios),
            "takedownd_faster": sum(1 for x in ratios if x > 1)}


def run_testpmd(args, pcap, prefix, huge=False):
    """huge: EAL memory (its mbuf pool) in reserved hugepages instead of --no-huge."""
    out_path, err_path = prefix + ".out", prefix + ".err"
    memory = ["--huge-unlink"] if huge else ["--no-huge"]
    argv = [args.testpmd, *memory, "-m", str(args.memory_mb), "--no-pci", "--no-shconf", "-l", args.lcores,
            "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--vdev", "net_null0,no-rx=1",
            "--", "--forward-mode=io", "--stats-period", "1"]
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = spawn(argv, out, err)
        try:
            # Forwarding has started when the first stats display is in the file (testpmd flushes
            # stdout after each display); the window is D seconds from there.
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    raise BenchError(f"dpdk-testpmd exited {proc.returncode} before forwarding: {tail(err_path)}\n"
                                     f"(command: {' '.join(argv)})")
                with open(out_path) as f:
                    if testpmd_samples(f.read()):
                        break
                if time.monotonic() > deadline:
                    raise BenchError(f"dpdk-testpmd did not start forwarding within {START_TIMEOUT} s; "
                                     f"logs: {out_path}, {err_path}")
                time.sleep(0.05)
            before = cpu_times()
            watch = ThreadWatch(proc.pid)
            end = time.monotonic() + args.seconds
            while time.monotonic() < end and proc.poll() is None:
                watch.sample()
                time.sleep(min(0.25, max(0.0, end - time.monotonic())))
            watch.sample()
            if proc.poll() is not None:
                raise BenchError(f"dpdk-testpmd exited {proc.returncode} while forwarding: {tail(err_path)}")
            usage = cpu_usage(before, cpu_times())
            code = stop(proc)
        finally:
            if proc.poll() is None:
                stop(proc)
    if code is None:
        raise BenchError(f"dpdk-testpmd had to be killed after SIGINT; logs: {out_path}, {err_path}")
    with open(out_path) as f:
        samples = testpmd_samples(f.read())
    if len(samples) < 2:  # testpmd displays every 1 or 2 s (its sleep overshoots the period)
        raise BenchError(f"dpdk-testpmd printed {len(samples)} stats samples in {args.seconds:g} s, need 2; "
                         f"log: {out_path}")
    intervals = []  # (packets, seconds) between consecutive samples, the first sample excluded as a rate
    for (p0, _), (p1, pps) in zip(samples, samples[1:]):
        delta = p1 - p0
        intervals.append((delta, delta / pps if pps else 1.0))
    packets = sum(p for p, _ in intervals)
    seconds = sum(s for _, s in intervals)
    if not packets:
        raise BenchError(f"dpdk-testpmd received no packet on port 0; log: {out_path}")
    return {
        "pps": packets / seconds,
        "rx_packets": packets,
        "elapsed_seconds": round(seconds, 4),
        "median_sample_pps": statistics.median(pps for _, pps in samples[1:]),
        "sample_pps": [pps for _, pps in samples[1:]],
        "cpu": usage,
        "forwarding_thread": watch.forwarding_thread(),
        "stats_file": os.path.relpath(out_path, REPO),
    }


def tail(path, lines=5):
    try:
        with open(path, errors="replace") as f:
            text = f.read().strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(text[-lines:]) if text else "(empty log)"


# --- report --------------------------------------------------------------------------------------

def mpps(pps):
    return None if pps is None else round(pps / 1e6, 3)


def fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def summarise(rounds, which):
    values = [r[which]["pps"] for r in rounds if r.get(which)]
    if not values:
        return None
    return {"median_mpps": mpps(statistics.median(values)), "min_mpps": mpps(min(values)),
            "max_mpps": mpps(max(values)), "rounds": len(values), "median_pps": statistics.median(values),
            "min_pps": min(values), "max_pps": max(values)}


def busiest_steal(run):
    return max((u["steal_pct"] for u in run["cpu"].values()), default=None) if run else None


def cpu_wait(run):
    thread = run and run.get("forwarding_thread")
    return "-" if not thread else f"{100 * thread['wait_share']:.1f}"


def markdown(result):
    m, cfg = result["machine"], result["config"]
    mix = result["mix"]
    source = (f"the capture `{mix['capture']}`" if mix.get("capture")
              else f"`generate_capture.py {mix['generator_flags']}`")
    lines = [
        f"## Pipeline: takedownd vs dpdk-testpmd ({result['date']})",
        "",
        f"Machine: {m['host']}, {m['cpus']} CPUs ({m['cpu_model']}), kernel {m['kernel']}, DPDK {m['dpdk_package']}.",
        f"Mix: {mix['frames']:,} frames, {mix['dns_udp_queries']:,} of them DNS/UDP queries "
        f"({source}), replayed by `net_pcap0,...,infinite_rx=1` into "
        f"`net_null0,no-rx=1`. takedownd: 1 worker, the 66k list. testpmd: `--forward-mode=io`, `-l {cfg['lcores']}`.",
        f"{cfg['rounds']} rounds of {cfg['seconds']:g} s each, alternating (ABBA) which runs first.",
        "",
        "Rates are means over the forwarding window, packets received on the pcap port per second: "
        "takedownd `rx_packets / elapsed_seconds` from its stats JSON; testpmd port 0 RX-packets between "
        "its first and last 1 s stats display over the time between them (start-up and the rx flush excluded). "
        "\"CPU wait\" is the share of its runnable time the forwarding thread spent waiting for its core "
        "(/proc schedstat: something else ran there); steal is the VM's highest per-CPU steal time during the run.",
        "",
    ]
    if not mix["dns_udp_only"]:
        lines += ["**Note**: the generator had no `--kinds` flag: this mix is its default protocol mix "
                  "(DNS over UDP and TCP, HTTP, TLS, ...), not DNS/UDP queries only.", ""]
    lines += ["| round | order | takedownd Mpps | testpmd Mpps | ratio | CPU wait % (takedownd / testpmd) "
              "| steal % (takedownd / testpmd) |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in result["rounds"]:
        t, b = r.get("takedownd"), r.get("testpmd")
        ratio = t["pps"] / b["pps"] if t and b else None
        lines.append(f"| {r['round']} | {' then '.join(r['order'])} | {fmt(t and t['pps'] / 1e6)} | "
                     f"{fmt(b and b['pps'] / 1e6)} | {fmt(ratio)} | {cpu_wait(t)} / {cpu_wait(b)} | "
                     f"{fmt(busiest_steal(t), 1)} / {fmt(busiest_steal(b), 1)} |")
    lines.append("")
    for name in ("takedownd", "testpmd", "baseline"):
        s = result["summary"].get(name)
        if s:
            lines.append(f"- {name}: median **{s['median_pps'] / 1e6:.2f} Mpps** (min {s['min_pps'] / 1e6:.2f}, "
                         f"max {s['max_pps'] / 1e6:.2f}, {s['rounds']} rounds)")
    ratio = result["summary"].get("ratio")
    if ratio is not None:
        verdict = "met" if ratio >= TARGET_RATIO else "not met"
        lines.append(f"- ratio of medians takedownd / testpmd: **{ratio:.2f}** (target >= {TARGET_RATIO}: {verdict})")
    if result["summary"].get("takedownd_over_baseline") is not None:
        lines.append(f"- takedownd / baseline ({result['config']['baseline_takedownd']}), same run: "
                     f"**{result['summary']['takedownd_over_baseline']:.3f}**; baseline / testpmd "
                     f"{result['summary'].get('baseline_ratio')}")
    for key, label in (("takedownd_over_baseline_pairs", "takedownd / baseline"),
                       ("ratio_pairs", "takedownd / testpmd")):
        pairs = result["summary"].get(key)
        if pairs:
            lines.append(f"- {label}, median of the per-round ratios: **{pairs['median']:.3f}** "
                         f"(min {pairs['min']:.3f}, max {pairs['max']:.3f}; takedownd faster in "
                         f"{pairs['takedownd_faster']} of {pairs['rounds']} rounds)")
    contended = [f"{r['round']} ({name})" for r in result["rounds"] for name in ("takedownd", "testpmd")
                 if r.get(name, {}).get("other_dpdk_processes")]
    if contended:
        lines.append(f"- other DPDK processes were running during round {', '.join(contended)}: "
                     "those numbers are suspect")
    answered = [r["takedownd"]["answered_share"] for r in result["rounds"] if r.get("takedownd")]
    if answered:
        lines.append(f"- takedownd answered (blocked) {100 * statistics.median(answered):.1f}% of the queries")
    lines.append("")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------

def write_results(results_dir, name, result, text):
    """Prints the markdown and writes RESULTS/<name>.json and <name>.md: every bench's last step."""
    print(text, flush=True)
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, f"{name}.json"), "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(results_dir, f"{name}.md"), "w") as f:
        f.write(text)


def run_bench(main_function, script):
    """Runs a bench's main(); a BenchError kills what it started and exits with the message."""
    try:
        main_function()
    except BenchError as e:
        kill_leftovers()
        raise SystemExit(f"{script}: {e}")


def check_executable(path, what, hint):
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise BenchError(f"{what} not found{': ' + path if path else ''}. {hint}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0, help="forwarding time per run")
    parser.add_argument("--queries", type=int, default=50000, help="frames in the mix")
    parser.add_argument("--seed", type=int, default=20251125)
    parser.add_argument("--takedownd", default=os.path.join(REPO, "build", "bin", "takedownd"))
    parser.add_argument("--takedownctl", default=os.path.join(REPO, "build", "bin", "takedownctl"))
    parser.add_argument("--baseline-takedownd", default=None,
                        help="another takedownd (e.g. an earlier build) run in every round beside the first")
    parser.add_argument("--testpmd", default=shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd")
    parser.add_argument("--list", default=os.path.join(REPO, "conf", "lists", "takedown-66k.txt"))
    parser.add_argument("--benign", default=os.path.join(REPO, "tests", "data", "top-50k.txt"))
    parser.add_argument("--work-dir", default=os.path.join(REPO, "build", "pipeline-bench"))
    parser.add_argument("--results-dir", default=os.path.join(REPO, "bench", "results"))
    parser.add_argument("--memory-mb", type=int, default=1024, help="EAL -m for both (256 is too small for testpmd)")
    parser.add_argument("--lcores", default="0-1", help="testpmd -l (takedownd adds -l 0-<workers> itself)")
    parser.add_argument("--only", choices=["both", "takedownd", "testpmd"], default="both")
    parser.add_argument("--capture", default=None,
                        help="replay this pcap instead of generating the DNS mix (say, browser_test's "
                             "capture of real Chromium and Firefox traffic)")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds < 3 or args.queries < 1:
        parser.error("need --rounds >= 1, --seconds >= 3 (testpmd needs 2 stats samples) and --queries >= 1")
    for name in ("takedownd", "testpmd", "list", "benign", "work_dir", "results_dir"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    return args


def main():
    args = parse_args()
    atexit.register(kill_leftovers)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    tools = ["takedownd", "testpmd"] if args.only == "both" else [args.only]
    if args.baseline_takedownd:
        check_executable(args.baseline_takedownd, "the baseline takedownd", "Pass a built takedownd binary.")
        tools.append("baseline")
    if "takedownd" in tools:
        check_executable(args.takedownd, "takedownd", "Build it first: make build (or cmake --build build "
                         "--target takedownd), or pass --takedownd PATH, or --only testpmd.")
    if "testpmd" in tools:
        check_executable(args.testpmd, "dpdk-testpmd", "Install Debian's dpdk package (apt-get install dpdk), "
                         "or pass --testpmd PATH.")
    for path in (args.list, args.benign):
        if not os.path.isfile(path):
            raise BenchError(f"list not found: {path}")
    if os.geteuid() != 0:
        log("not running as root: DPDK may fail to start")
    others = other_dpdk_processes(["takedownd", "dpdk-testpmd"])
    if others:
        log("warning: other DPDK processes are running and will compete for the CPUs: " + ", ".join(others))

    # Keep this script on CPU 0 (with the DPDK main lcores), away from the forwarding lcore 1.
    try:
        if os.cpu_count() and os.cpu_count() >= 2 and 0 in os.sched_getaffinity(0):
            os.sched_setaffinity(0, {0})
    except OSError:
        pass

    os.makedirs(args.work_dir, exist_ok=True)
    os.makedirs(args.results_dir, exist_ok=True)
    pcap = os.path.join(args.work_dir, "mix.pcap")
    config = os.path.join(args.work_dir, "pipeline.yaml")
    if args.capture:
        pcap = os.path.abspath(args.capture)
        frames = list(read_pcap(pcap))
        mix = {"frames": len(frames), "dns_udp_queries": sum(is_dns_udp_query(f) for f in frames),
               "dns_udp_only": False, "generator_flags": None, "capture": os.path.relpath(pcap, REPO)}
    else:
        log(f"generating the {args.queries:,}-frame mix in {pcap}")
        mix = generate_mix(args, pcap)
    write_config(config, args, pcap)

    rounds = []
    for i in range(args.rounds):
        order = tools if i % 4 in (0, 3) else list(reversed(tools))  # ABBA
        entry = {"round": i + 1, "order": order}
        for tool in order:
            prefix = os.path.join(args.work_dir, f"round{i + 1}-{tool}")
            log(f"round {i + 1}/{args.rounds}: {tool}, {args.seconds:g} s")
            others = other_dpdk_processes(["takedownd", "dpdk-testpmd"])
            if tool == "takedownd":
                entry[tool] = run_takedownd(args, config, prefix)
            elif tool == "baseline":
                entry[tool] = run_takedownd(argparse.Namespace(**dict(vars(args), takedownd=args.baseline_takedownd)),
                                            config, prefix)
            else:
                entry[tool] = run_testpmd(args, pcap, prefix)
            others = sorted(set(others) | set(other_dpdk_processes(["takedownd", "dpdk-testpmd"])))
            if others:
                entry[tool]["other_dpdk_processes"] = others
                log(f"  warning: other DPDK processes ran alongside: {', '.join(others)}")
            log(f"  {tool}: {entry[tool]['pps'] / 1e6:.2f} Mpps")
        rounds.append(entry)

    summary = {name: summarise(rounds, name) for name in ("takedownd", "testpmd", "baseline")}
    for key, over in (("takedownd_over_baseline_pairs", "baseline"), ("ratio_pairs", "testpmd")):
        pairs = paired_ratios(rounds, over)
        if pairs:
            summary[key] = pairs
    if summary["baseline"] and summary["takedownd"]:
        summary["takedownd_over_baseline"] = round(summary["takedownd"]["median_pps"] /
                                                   summary["baseline"]["median_pps"], 3)
        if summary["testpmd"]:
            summary["baseline_ratio"] = round(summary["baseline"]["median_pps"] / summary["testpmd"]["median_pps"], 3)
    if summary["takedownd"] and summary["testpmd"]:
        ours = statistics.median(r["takedownd"]["pps"] for r in rounds)
        base = statistics.median(r["testpmd"]["pps"] for r in rounds)
        summary["ratio"] = round(ours / base, 3)
        summary["target_ratio"] = TARGET_RATIO
        summary["target_met"] = ours / base >= TARGET_RATIO
    result = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "config": {"rounds": args.rounds, "seconds": args.seconds, "queries": args.queries, "seed": args.seed,
                   "lcores": args.lcores, "memory_mb": args.memory_mb, "tools": tools,
                   "list": os.path.relpath(args.list, REPO), "benign": os.path.relpath(args.benign, REPO),
                   "takedownd_config": os.path.relpath(config, REPO),
                   "baseline_takedownd": args.baseline_takedownd},
        "method": "means over the forwarding window, packets received on the pcap port per second: takedownd "
                  "rx_packets / elapsed_seconds (stats JSON); testpmd port-0 RX-packets between its first and "
                  "last periodic stats display divided by the time between them",
        "mix": mix,
        "rounds": rounds,
        "summary": summary,
    }
    write_results(args.results_dir, "pipeline", result, markdown(result))


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        kill_leftovers()
        print(f"run_pipeline.py: error: {e}", file=sys.stderr)
        sys.exit(1)
