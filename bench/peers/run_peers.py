#!/usr/bin/env python3
"""Peers benchmark: what dnsdist and Unbound do with the same blocklist and query mix as takedownd,
on one core each, and how much memory each needs to hold the list.

1. Rate, in one run. The query names are those of the pipeline bench's mix (bench/pipeline: 50,000
   DNS queries, ~90% names from tests/data/top-50k.txt and ~10% from the 66k takedown list, most
   with a prefix such as `www.` or `cdn-12.`, some in mixed case), read back out of that very pcap,
   in its order, one `NAME A` line each for dnsperf. (The pcap's query types are spread evenly over
   A, AAAA, MX, TXT, HTTPS and ANY, which no real traffic is; the peers get A for all of them.)
   - dnsdist (1.7): a SuffixMatchNode filled with the 66k list -> RCodeAction(NXDOMAIN); every
     other query answered locally (SpoofAction 192.0.2.1 / 2001:db8::1; other types an empty
     NOERROR). No backend: every query gets an action. One UDP listener, so one thread does all
     the work (its TCP, health-check, carbon and maintenance threads stay idle); 8 MB socket
     buffers, as Unbound's config (bench/e2e's) has.
   - Unbound (1.17): `local-zone: "NAME." always_nxdomain` for each of the 66k names and
     `local-zone: "." refuse` for everything else, so nothing recurses; num-threads 1. (Answering
     the rest with an address, `local-zone: "." redirect`, measured the same in development.)
   Both listen on 127.0.0.1 and are pinned to CPU 1 with taskset; dnsperf (-c 4 clients, -q 500
   outstanding by default) is pinned to CPU 0. Each run is --seconds of dnsperf; --reps rounds,
   the peers' order rotating from round to round.
   - takedownd has no kernel-socket counterpart here: it is run exactly as the pipeline bench runs
     it (its helpers are imported): the same 50,000-query pcap replayed in memory by
     `net_pcap0,...,infinite_rx=1` into `net_null0`, 66k list, 1 worker lcore (CPU 1), for
     --takedownd-seconds, in the same rounds as the other two.

   What the numbers mean:
   - qps: dnsperf's "Queries per second" (queries completed / its run time), the median of the
     rounds with min-max. takedownd: rx_packets / elapsed_seconds from its stats (packets per
     second; every packet is one query).
   - server CPU s/s: utime + stime of the whole server process (/proc/PID/stat, all its threads)
     per second of dnsperf's sending phase (sampled every 0.25 s from 0.5 s after dnsperf starts to
     --seconds after, so neither its start-up nor its wait for the last answers dilutes it); 1.00 =
     one core fully busy. It includes the kernel work done in the server's system calls (receiving
     from its socket, and sending, which on loopback also delivers the answer into dnsperf's
     socket). It does not include delivering the queries into the server's socket, which the
     sender's CPU (CPU 0) does on loopback. dnsperf CPU s/s is the same for the client.
   - qps per core: queries completed / server CPU seconds over the whole run (the server does
     nothing else meanwhile), i.e. qps / server CPU s/s. When the server is below ~0.9 s/s,
     dnsperf on CPU 0 was the limit and the per-core figure extrapolates. takedownd's worker
     busy-polls its core whatever the load, so its per-core figure is its rate.
   - CPU 0 / CPU 1 busy: the whole CPU from /proc/stat over the same sending phase (CPU 1 includes
     softirq time no process is charged with).
   - NXDOMAIN share: NXDOMAIN answers / queries completed, checked against the share of the query
     names that the list blocks (computed here by walking each name's suffixes): a server that
     blocks nothing, or too much, fails the check (exit status 1). For takedownd: queries answered
     (blocked) / packets received.
   - lost: dnsperf's lost queries (no answer within its timeout, -t 2 s). UDP RcvbufErrors from
     /proc/net/snmp over the run: datagrams the machine dropped on a full socket buffer (any
     socket, dnsperf's or the server's).
   - latency: dnsperf's average and max. With the server saturated this is queueing: by Little's
     law about outstanding queries / qps, so it is set by -c/-q more than by the server; it is not
     a latency benchmark.
   What they do not mean: this is not a like-for-like comparison. dnsdist and Unbound are measured
   through kernel sockets and the UDP stack over loopback, with the client on the same machine,
   while takedownd is a kernel-bypass data plane reading frames from a pcap in memory and writing
   them to a null device (no NIC, no wire, no client). The question the table answers is "how many
   cores does it take to block a given query rate", under those conditions; not which is faster at
   the same job. Neither peer is tuned beyond one thread (dnsdist keeps its default ring buffers,
   Unbound its default caches).

2. Memory. VmRSS (/proc/PID/status) of takedownd holding 66k, 1M and 10M domains (1M and 10M
   synthetic, written by bench/reload's write_synthetic_list), and a one-name list for the fixed
   part. takedownd starts from a snapshot compiled beforehand (`dataplane.snapshot`), so the compile
   peak is not in it, with EAL `--no-huge -m 512`, and is read once it forwards the mix (rx_packets
   rising over the control socket). Its RSS counts the EAL's memory only as far as it was touched
   (RssShmem: --no-huge memory is shared): that is chiefly the mbuf pool, resident in full because
   creating it writes every mbuf's header; the rest of the 512 MB is not. The pool is sized as for a
   NIC port's rings: these runs read from a null device (`net_null1`, whose rx makes empty frames)
   rather than the pcap replay, whose 50,000 kept frames would add their mbufs. The one-name row is
   this fixed part; the other rows differ from it by the list. Also reported: the snapshot file's size,
   VmHWM, and RssAnon/RssFile/RssShmem. dnsdist and Unbound: VmRSS holding the 66k list (and the one-name list)
   after they answered the whole mix once (`dnsperf -n 1`), and again at the end of the rate rounds.

3. --quick (make bench QUICK=1): 1 round of 3 s per peer, memory for the one-name, 66k and 1M lists.

Contention: each run records CPU 0/1 busy and steal (/proc/stat), the share of its runnable time
the server's busiest thread spent waiting for its CPU (/proc schedstat), and the processes not
started here that used more than 2% of a CPU meanwhile (/proc read every second, so short-lived
ones count too). Runs with such load, a wait share over 5% or steal over 5% are flagged.

Results: markdown on stdout (progress on stderr), RESULTS/peers.json and RESULTS/peers.md; logs and
configs in the work directory (build/peers-bench). Standard library only; run as root.

usage: run_peers.py [--quick] [--reps 3] [--seconds 15] [--takedownd-seconds 10] [--clients 4]
                    [--outstanding 500] [--part all|rate|memory] [--work-dir DIR] [--results-dir DIR]
"""
import argparse
import atexit
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
for _folder in (os.path.join(HERE, "..", "pipeline"), os.path.join(HERE, "..", "reload"),
                os.path.join(HERE, "..", "..", "tests", "e2e")):
    sys.path.insert(0, os.path.abspath(_folder))
import run_pipeline as pipeline  # noqa: E402  (spawn/stop/kill_leftovers, the mix, takedownd runs)
import run_reload_bench as reload_bench  # noqa: E402  (synthetic lists, snapshot configs, control socket)
import servers as e2e_servers  # noqa: E402  (the Unbound config writer)
import dns_probe  # noqa: E402  (DNS query builder and answer classifier)

REPO = pipeline.REPO
SERVER_CPU, CLIENT_CPU = "1", "0"
SERVER_START_TIMEOUT = 120   # seconds for dnsdist / Unbound to load 66k names and answer
COMPILE_TIMEOUT = 900        # seconds for takedownctl compile (10M takes ~5 s; generous for a loaded box)
DNSPERF_TIMEOUT = 2         # seconds dnsperf waits for an answer before it counts the query lost
OTHER_LOAD_THRESHOLD = 0.02  # CPU seconds per second of another process that counts as contention
QTYPE = "A"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message):
    print(f"[peers] {message}", file=sys.stderr, flush=True)


# --- the query file and what it should get --------------------------------------------------------

def question_name(frame):
    """The QNAME of a DNS/UDP query frame (Ethernet, optional VLAN tags, IPv4 or IPv6, no IPv6
    extension headers: what generate_capture.py writes for --kinds dns-udp)."""
    at = 12
    while frame[at:at + 2] in (b"\x81\x00", b"\x88\xa8"):
        at += 4
    l3, version = at + 2, frame[at + 2] >> 4
    dns = l3 + ((frame[l3] & 0x0F) * 4 if version == 4 else 40) + 8
    labels, at = [], dns + 12
    while frame[at]:
        labels.append(frame[at + 1:at + 1 + frame[at]].decode("ascii"))
        at += 1 + frame[at]
    return ".".join(labels)


def write_query_file(pcap, path):
    names = [question_name(f) for f in pipeline.read_pcap(pcap) if pipeline.is_dns_udp_query(f)]
    if not names:
        raise pipeline.BenchError(f"{pcap}: no DNS/UDP query in it")
    with open(path, "w") as f:
        f.writelines(f"{n} {QTYPE}\n" for n in names)
    return names


def read_list(path):
    """The names of a domains list, lower case, without a trailing dot."""
    with open(path) as f:
        return {line.strip().lower().rstrip(".") for line in f if line.strip() and not line.startswith("#")}


def is_blocked(name, listed):
    """True when `name` is a name of the list or below one (what all three peers block)."""
    labels = name.lower().rstrip(".").split(".")
    return any(".".join(labels[i:]) in listed for i in range(len(labels)))


# --- processes and CPU ---------------------------------------------------------------------------

def proc_stat(pid):
    """(comm, ppid, utime + stime in seconds) of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def all_processes():
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(entry)
            if stat:
                out[int(entry)] = stat
    return out


class LoadWatch:
    """Other load: user-space processes not started here (nor their children) that used more than
    OTHER_LOAD_THRESHOLD of a CPU while it ran. A thread reads /proc every second, so a process
    that lived a second or more is seen even when it ended before the run did (a process first
    seen after the start counts in full)."""

    def __init__(self, ours):
        self.ours, self.first, self.last = ours, all_processes(), {}
        self.started, self.done = time.monotonic(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done.wait(1.0):
            self.last.update(all_processes())

    def stop(self):
        self.done.set()
        self.thread.join()
        self.last.update(all_processes())
        seconds = time.monotonic() - self.started
        ours = self.ours | {os.getpid()}
        busy = {}
        for pid, (comm, ppid, cpu) in self.last.items():
            if pid in ours or ppid in ours or pid == 2 or ppid == 2:  # ours, their children, kernel threads
                continue
            first = self.first.get(pid)
            used = cpu - first[2] if first and first[0] == comm else cpu
            if seconds > 0 and used / seconds > OTHER_LOAD_THRESHOLD:
                busy[f"{comm} ({pid})"] = round(used / seconds, 3)
        return busy


def udp_counters():
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return dict(zip(rows[0][1:], (int(v) for v in rows[1][1:])))


def rss(pid):
    fields = ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem")
    return {k: reload_bench.proc_status(pid, k) for k in fields}


class Window:
    """Accounting around one whole run: the server's process time, the CPUs' busy and steal, UDP
    socket-buffer drops and the other processes' load."""

    def __init__(self, server_pid, ours):
        self.server_pid, self.ours = server_pid, ours
        self.wall = time.monotonic()
        self.server = proc_stat(server_pid)[2] if server_pid else 0.0
        self.cpus, self.udp, self.load = pipeline.cpu_times(), udp_counters(), LoadWatch(ours)

    def close(self):
        seconds = time.monotonic() - self.wall
        udp = udp_counters()
        out = {"wall_s": round(seconds, 3), "cpu": pipeline.cpu_usage(self.cpus, pipeline.cpu_times()),
               "udp_rcvbuf_errors": udp.get("RcvbufErrors", 0) - self.udp.get("RcvbufErrors", 0),
               "other_load": self.load.stop()}
        if self.server_pid:
            stat = proc_stat(self.server_pid)
            if stat is None:
                raise pipeline.BenchError(f"the server (pid {self.server_pid}) died during the run")
            out["server_cpu_s"] = round(stat[2] - self.server, 3)
        return out


# --- the two socket servers ----------------------------------------------------------------------

def dnsdist_config(work, tag, port, list_path):
    path = os.path.join(work, f"dnsdist-{tag}.conf")
    with open(path, "w") as f:
        f.write(f"""-- Written by bench/peers/run_peers.py: block the list, answer everything else locally.
setSecurityPollSuffix("")          -- no security-status query (there is no internet here)
setLocal("127.0.0.1:{port}")       -- one UDP listener: one thread does all the work
setMaxTCPClientThreads(1)
setUDPSocketBufferSizes(8388608, 8388608)  -- the 8 MB socket buffers of the Unbound config
blocked = newSuffixMatchNode()
for line in io.lines({json.dumps(list_path)}) do
  if line ~= "" and line:sub(1, 1) ~= "#" then blocked:add(line) end
end
addAction(SuffixMatchNodeRule(blocked), RCodeAction(DNSRCode.NXDOMAIN))
addAction(AllRule(), SpoofAction({{"192.0.2.1", "2001:db8::1"}}))
addAction(AllRule(), RCodeAction(DNSRCode.NOERROR))  -- types SpoofAction does not answer: empty NOERROR
""")
    return path


def unbound_config(work, tag, port, list_path):
    path = e2e_servers.unbound_config(work, f"unbound-{tag}", ["127.0.0.1"], port, [])
    with open(path, "a") as f, open(list_path) as names:
        f.write("  local-zone: \".\" refuse\n")  # everything not on the list: REFUSED, nothing recurses
        for line in names:
            line = line.strip()
            if line and not line.startswith("#"):
                f.write(f"  local-zone: \"{line.rstrip('.')}.\" always_nxdomain\n")
    return path


def ask(port, name, timeout=0.5):
    """The answer class of one A query (dns_probe.classify), or None on timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(dns_probe.query(4242, name), ("127.0.0.1", port))
        try:
            return dns_probe.classify(s.recv(4096))
        except (socket.timeout, OSError):
            return None


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Server:
    def __init__(self, peer, tag, port, list_path, work, tools):
        self.peer, self.port = peer, port
        if not port_free(port):
            raise pipeline.BenchError(f"UDP port 127.0.0.1:{port} is in use: pass another --base-port")
        if peer == "dnsdist":
            argv = [tools["dnsdist"], "--supervised", "--disable-syslog", "-C",
                    dnsdist_config(work, tag, port, list_path)]
        else:
            argv = [tools["unbound"], "-d", "-c", unbound_config(work, tag, port, list_path)]
        self.log_path = os.path.join(work, f"{peer}-{tag}.out")
        self.log = open(self.log_path, "w")
        # taskset execs the server: the process started is the server itself, pinned to CPU 1.
        self.proc = pipeline.spawn([tools["taskset"], "-c", SERVER_CPU] + argv, self.log, subprocess.STDOUT)
        self.pid = self.proc.pid

    def wait_ready(self, blocked_name, passed_name):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise pipeline.BenchError(f"{self.peer} exited {self.proc.returncode} at start: "
                                          f"{pipeline.tail(self.log_path)}")
            answer = ask(self.port, passed_name)
            if answer is not None:
                verdicts = {blocked_name: ask(self.port, blocked_name, 2), passed_name: answer}
                if verdicts[blocked_name] != "nxdomain" or answer == "nxdomain":
                    raise pipeline.BenchError(f"{self.peer} does not block as configured: {verdicts}")
                return verdicts
            time.sleep(0.2)
        raise pipeline.BenchError(f"{self.peer} did not answer on 127.0.0.1:{self.port} within "
                                  f"{SERVER_START_TIMEOUT} s; log: {self.log_path}")

    def close(self):
        if self.proc.poll() is None:
            pipeline.stop(self.proc)
        pipeline.forget(self.proc)
        self.log.close()


# --- dnsperf -------------------------------------------------------------------------------------

def parse_dnsperf(text):
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition(":")
        if sep:
            values[key.strip()] = value.strip()
    number = lambda key, i=0: float(values[key].replace("(", " ").split()[i]) if key in values else None
    codes = {}
    for part in values.get("Response codes", "").split(","):
        words = part.split()
        if len(words) >= 2:
            codes[words[0]] = int(words[1])
    latency = values.get("Average Latency (s)", "")
    peak = latency.rsplit("max", 1)[-1].strip(" )") if "max" in latency else None
    if number("Queries completed") is None or number("Queries per second") is None:
        raise pipeline.BenchError("dnsperf printed no statistics")
    return {"sent": int(number("Queries sent")), "completed": int(number("Queries completed")),
            "lost": int(number("Queries lost")), "qps": number("Queries per second"),
            "run_time_s": number("Run time (s)"), "codes": codes,
            "latency_avg_ms": round(1000 * number("Average Latency (s)"), 3),
            "latency_max_ms": round(1000 * float(peak), 3) if peak else None}


def steady(ticks, start, seconds):
    """Per-second rates between the first and the last tick inside [start + 0.5 s, start + seconds]:
    dnsperf's sending phase, without its start-up or its wait for the last answers."""
    inside = [t for t in ticks if start + 0.5 <= t[0] <= start + seconds]
    if len(inside) < 2:
        inside = ticks
    (t0, s0, c0, cpus0), (t1, s1, c1, cpus1) = inside[0], inside[-1]
    span = t1 - t0
    if span <= 0:
        return {}
    return {"steady_s": round(span, 2), "server_cpu_per_s": round((s1 - s0) / span, 3),
            "client_cpu_per_s": round((c1 - c0) / span, 3), "cpu": pipeline.cpu_usage(cpus0, cpus1)}


def run_dnsperf(args, tools, server, prefix, once=False):
    argv = [tools["taskset"], "-c", CLIENT_CPU, tools["dnsperf"], "-s", "127.0.0.1", "-p", str(server.port),
            "-d", args.query_file, "-c", str(args.clients), "-q", str(args.outstanding), "-t", str(DNSPERF_TIMEOUT)]
    argv += ["-n", "1"] if once else ["-l", f"{args.seconds:g}"]
    limit = (120 if once else args.seconds) + 60
    window = Window(server.pid, {server.pid})
    watch = pipeline.ThreadWatch(server.pid)
    ticks = []  # (time, server CPU s, dnsperf CPU s, per-CPU times)
    with open(prefix + ".out", "w") as out:
        start = time.monotonic()
        proc = pipeline.spawn(argv, out, subprocess.STDOUT)
        window.ours.add(proc.pid)
        deadline = start + limit
        while proc.poll() is None:
            if time.monotonic() > deadline:
                pipeline.stop(proc, 5)
                raise pipeline.BenchError(f"dnsperf ran more than {limit} s; output: {prefix}.out")
            watch.sample()
            client, srv = proc_stat(proc.pid), proc_stat(server.pid)
            if client and srv:
                ticks.append((time.monotonic(), srv[2], client[2], pipeline.cpu_times()))
            time.sleep(0.25)
        watch.sample()
        pipeline.forget(proc)
    run = window.close()
    with open(prefix + ".out") as f:
        text = f.read()
    if proc.returncode != 0:
        raise pipeline.BenchError(f"dnsperf exited {proc.returncode}: {pipeline.tail(prefix + '.out')}")
    run.update(parse_dnsperf(text))
    if not once and ticks:
        run.update(steady(ticks, start, args.seconds))
    run["nxdomain_share"] = round(run["codes"].get("NXDOMAIN", 0) / run["completed"], 4) if run["completed"] else 0
    # Everything the server did in the window was answering these queries: per core is exact.
    run["qps_per_core"] = run["completed"] / run["server_cpu_s"] if run["server_cpu_s"] else None
    run["server_thread"] = watch.forwarding_thread()
    run["output"] = os.path.relpath(prefix + ".out", REPO)
    return run


# --- takedownd -----------------------------------------------------------------------------------

def run_takedownd_rate(args, config, prefix):
    """One pipeline-bench run of takedownd (its run_takedownd), with the contention bookkeeping."""
    window = Window(None, set())
    run = pipeline.run_takedownd(types.SimpleNamespace(takedownd=args.takedownd, seconds=args.takedownd_seconds,
                                                       queries=args.queries), config, prefix)
    extra = window.close()
    run["other_load"] = extra["other_load"]
    return run


def takedownd_memory(args, name, list_path, pcap):
    """RSS of takedownd holding `list_path`, started from a precompiled snapshot, while forwarding."""
    work = os.path.join(args.work_dir, f"memory-{name}")
    os.makedirs(os.path.join(work, "snapshots"), exist_ok=True)
    config = os.path.join(work, "takedown.yaml")
    reload_bench.write_config(config, work, [(name, list_path)], pcap, args.memory_mb)
    # The mbuf pool sized as for real rings: a null device's rx (which makes empty frames) in place
    # of the pcap replay, whose 50,000 kept frames would add their mbufs to the pool.
    with open(config) as f:
        text = f.read()
    replay = json.dumps(f"net_pcap0,rx_pcap={pcap},infinite_rx=1")
    if replay not in text:
        raise pipeline.BenchError(f"{config}: no replay device to replace")
    with open(config, "w") as f:
        f.write(text.replace(replay, '"net_null1"'))
    snapshot = os.path.join(work, "start.snap")
    started = time.monotonic()
    pipeline.run_checked([args.takedownctl, "compile", "-c", config, "-o", snapshot], COMPILE_TIMEOUT,
                         f"compiling the {name} list")
    compile_s = time.monotonic() - started
    prefix = os.path.join(work, "takedownd")
    targs = types.SimpleNamespace(takedownd=args.takedownd, takedownctl=args.takedownctl)
    proc, out, err = reload_bench.start_takedownd(targs, config, prefix)
    try:
        reload_bench.wait_for_socket(targs, config, proc)
        sock = os.path.join(work, "control.sock")
        _, first = reload_bench.control_stats(sock)
        deadline = time.monotonic() + 30
        while True:  # forwarding: rx_packets rising
            time.sleep(0.5)
            _, now = reload_bench.control_stats(sock)
            if now > first:
                break
            if time.monotonic() > deadline:
                raise pipeline.BenchError(f"takedownd ({name}) forwards nothing; log: {prefix}.err")
        time.sleep(1.0)
        memory = rss(proc.pid)
        proc.send_signal(signal.SIGTERM)
        stats = reload_bench.finish(proc, out, err, prefix, pipeline.STOP_TIMEOUT)
    finally:
        if proc.poll() is None:
            pipeline.stop(proc)
        pipeline.forget(proc)
    domains = stats.get("snapshot", {}).get("domains")
    size = os.path.getsize(snapshot)
    os.remove(snapshot)  # up to half a gigabyte; compiled again on the next run
    return dict(memory, domains=domains, snapshot_bytes=size, compile_s=round(compile_s, 2),
                rx_packets=stats.get("rx_packets"), config=os.path.relpath(config, REPO))


# --- report --------------------------------------------------------------------------------------

def spread(values, scale=1.0, digits=0):
    values = [v * scale for v in values if v is not None]
    if not values:
        return "-"
    f = lambda v: f"{v:,.{digits}f}"
    return f"{f(statistics.median(values))} ({f(min(values))}-{f(max(values))})" if len(values) > 1 else f(values[0])


def mb(value):
    if value is None:
        return "-"
    return f"{value / 1e3:,.0f} kB" if value < 1e6 else f"{value / 1e6:,.1f} MB"


def summarise(result):
    summary = {}
    for peer in ("dnsdist", "unbound"):
        runs = [r[peer] for r in result["rounds"] if peer in r]
        if not runs:
            continue
        qps = statistics.median(r["qps"] for r in runs)
        per_core = statistics.median(r["qps_per_core"] for r in runs if r["qps_per_core"])
        summary[peer] = {"median_qps": round(qps), "min_qps": round(min(r["qps"] for r in runs)),
                         "max_qps": round(max(r["qps"] for r in runs)),
                         "median_qps_per_core": round(per_core),
                         "median_server_cpu_per_s": statistics.median(r["server_cpu_per_s"] for r in runs),
                         "nxdomain_share": statistics.median(r["nxdomain_share"] for r in runs),
                         "lost": sum(r["lost"] for r in runs), "sent": sum(r["sent"] for r in runs),
                         "median_latency_avg_ms": statistics.median(r["latency_avg_ms"] for r in runs),
                         "cores_per_million_qps": round(1e6 / per_core, 2)}
    runs = [r["takedownd"] for r in result["rounds"] if "takedownd" in r]
    if runs:
        pps = statistics.median(r["pps"] for r in runs)
        summary["takedownd"] = {"median_pps": round(pps), "min_pps": round(min(r["pps"] for r in runs)),
                                "max_pps": round(max(r["pps"] for r in runs)), "median_pps_per_core": round(pps),
                                "answered_share": statistics.median(r["answered_share"] for r in runs),
                                "tx_errors": sum(r["tx_errors"] or 0 for r in runs),
                                "cores_per_million_qps": round(1e6 / pps, 3)}
    return summary


def contention_notes(result):
    notes = []
    for r in result["rounds"]:
        for peer in r["order"]:
            run = r.get(peer, {})
            others = run.get("other_load") or {}
            thread = run.get("server_thread") or run.get("forwarding_thread") or {}
            wait = thread.get("wait_share", 0)
            steal = max((u["steal_pct"] for u in run.get("cpu", {}).values()), default=0)
            if others or wait > 0.05 or steal > 5:
                what = [f"{k} {100 * v:.0f}%" for k, v in others.items()]
                if wait > 0.05:
                    what.append(f"server thread waited {100 * wait:.0f}% of its runnable time for CPU {SERVER_CPU}")
                if steal > 5:
                    what.append(f"steal {steal:.0f}%")
                notes.append(f"round {r['round']} {peer}: {', '.join(what)}")
    return notes


def markdown(result):
    cfg, s, m = result["config"], result.get("summary", {}), result["machine"]
    lines = [f"## Peers: dnsdist and Unbound against takedownd, one core each ({result['date']}"
             f"{', --quick' if cfg['quick'] else ''})", "",
             f"Machine: {m['host']}, {m['cpus']} CPUs ({m['cpu_model']}), kernel {m['kernel']}; "
             f"{result['versions'].get('dnsdist', '?')}, {result['versions'].get('unbound', '?')}, "
             f"{result['versions'].get('dnsperf', '?')}.", ""]
    if result.get("rounds"):
        lines += [
            f"Same names, same run: the pipeline bench's {cfg['queries']:,}-query mix "
            f"(~10% on the 66k list; {100 * result['expected_blocked_share']:.2f}% of the names are blocked by it). "
            f"dnsdist (SuffixMatchNode -> NXDOMAIN, the rest answered locally) and Unbound "
            f"(`always_nxdomain` local zones, the rest REFUSED) on 127.0.0.1, one thread, pinned to CPU {SERVER_CPU}; "
            f"dnsperf `-c {cfg['clients']} -q {cfg['outstanding']}` pinned to CPU {CLIENT_CPU}, "
            f"{cfg['seconds']:g} s per run. takedownd as in the pipeline bench: the mix replayed from a pcap in memory "
            f"(`net_pcap` infinite_rx -> `net_null`), 66k list, 1 worker on CPU {SERVER_CPU}, "
            f"{cfg['takedownd_seconds']:g} s per run. {cfg['reps']} round(s), the order rotating. "
            "Medians (min-max).", "",
            "**Not like-for-like**: dnsdist and Unbound pay for kernel sockets and the UDP stack (over loopback, "
            "with the load generator on the same machine); takedownd is a kernel-bypass data plane fed from memory, "
            "with no NIC and no client. The table answers \"how many cores does it take to block a given query "
            "rate\", not which program is faster at the same job.", "",
            "| peer | rate | server CPU (s/s) | per core | cores for 1M qps | NXDOMAIN share | lost | avg latency |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for peer, label in (("dnsdist", "dnsdist, dnsperf over loopback UDP"),
                            ("unbound", "Unbound, dnsperf over loopback UDP")):
            runs = [r[peer] for r in result["rounds"] if peer in r]
            if runs:
                lines.append(
                    f"| {label} | {spread([r['qps'] for r in runs])} qps | "
                    f"{spread([r['server_cpu_per_s'] for r in runs], digits=2)} | "
                    f"{spread([r['qps_per_core'] for r in runs])} qps | {s[peer]['cores_per_million_qps']:.2f} | "
                    f"{spread([r['nxdomain_share'] for r in runs], 100, 2)}% | "
                    f"{sum(r['lost'] for r in runs):,} of {sum(r['sent'] for r in runs):,} | "
                    f"{spread([r['latency_avg_ms'] for r in runs], digits=3)} ms |")
        runs = [r["takedownd"] for r in result["rounds"] if "takedownd" in r]
        if runs:
            lines.append(
                f"| takedownd, pcap in memory -> null device (pipeline bench) | "
                f"{spread([r['pps'] for r in runs], 1e-6, 2)} Mpps | 1 worker core (busy-polls) | "
                f"{spread([r['pps'] for r in runs], 1e-6, 2)} Mpps | {s['takedownd']['cores_per_million_qps']:.3f} | "
                f"{spread([r['answered_share'] for r in runs], 100, 2)}% answered | "
                f"tx_errors {s['takedownd']['tx_errors']} | - |")
        lines += ["", "Per run:", "",
                  "| round | peer | rate | server CPU s/s | CPU 1 busy % | dnsperf CPU s/s | CPU 0 busy % "
                  "| NXDOMAIN % | lost | UDP rcvbuf drops | latency avg / max ms |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in result["rounds"]:
            for peer in r["order"]:
                run = r[peer]
                busy = lambda cpu: run["cpu"].get(f"cpu{cpu}", {}).get("busy_pct", "-")
                if peer == "takedownd":
                    lines.append(f"| {r['round']} | takedownd | {run['pps'] / 1e6:.2f} Mpps | (worker polls) | "
                                 f"{busy(1)} | - | {busy(0)} | {100 * run['answered_share']:.2f} (answered) "
                                 "| - | - | - |")
                else:
                    lines.append(f"| {r['round']} | {peer} | {run['qps']:,.0f} qps | {run['server_cpu_per_s']:.2f} | "
                                 f"{busy(1)} | {run['client_cpu_per_s']:.2f} | {busy(0)} | "
                                 f"{100 * run['nxdomain_share']:.2f} | {run['lost']} | {run['udp_rcvbuf_errors']} | "
                                 f"{run['latency_avg_ms']:.3f} / {run['latency_max_ms']} |")
        lines += ["", "- server CPU s/s: the server process's utime + stime per second of dnsperf's sending phase "
                  "(1.00 = one core busy); per core = queries completed / server CPU seconds. Below ~0.9, "
                  "dnsperf on CPU 0 was the limit and the per-core figure extrapolates. CPU busy % are the "
                  "whole CPUs (/proc/stat) over the same phase; for takedownd over its whole run.",
                  "- latency is queueing at saturation (about outstanding / qps): set by `-c`/`-q`, not a "
                  "latency measurement."]
        for check in result.get("checks", []):
            lines.append(f"- {'ok' if check['ok'] else '**FAILED**'}: {check['what']}")
        notes = contention_notes(result)
        lines.append("- contention: " + ("; ".join(notes) if notes else
                                         "none detected (no other process above 2% of a CPU, "
                                         "server thread wait < 5%, steal < 5%)"))
        lines.append("")
    mem = result.get("memory")
    if mem:
        lines += ["### Memory", "",
                  "VmRSS while serving. takedownd: started from a precompiled snapshot (the compile peak is not "
                  "in it), "
                  f"EAL `--no-huge -m {cfg['memory_mb']}`, read once it forwards the mix; its RSS counts the DPDK "
                  "memory only as far as it was touched: chiefly its mbuf pool (sized for the pcap's 50,000 frames "
                  "plus rings, resident in full), the same in every row; the one-name row is the fixed part. "
                  "dnsdist, Unbound: after answering the whole mix once (and after the rate rounds).", "",
                  "| list | takedownd RSS | snapshot file | takedownd VmHWM | takedownd anon / file / shmem "
                  "| dnsdist RSS (after rounds) | Unbound RSS (after rounds) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for name in mem["lists"]:
            t = mem["takedownd"].get(name, {})
            peers = []
            for peer in ("dnsdist", "unbound"):
                p = mem.get(peer, {}).get(name)
                peers.append("-" if not p else mb(p["after_one_pass"]["VmRSS"]) +
                             (f" ({mb(p['after_rounds']['VmRSS'])})" if p.get("after_rounds") else ""))
            count = t.get("domains") or mem["counts"][name]
            lines.append(f"| {name} ({count:,} domain{'s' if count != 1 else ''}) | {mb(t.get('VmRSS'))} | "
                         f"{mb(t.get('snapshot_bytes'))} | {mb(t.get('VmHWM'))} | "
                         f"{mb(t.get('RssAnon'))} / {mb(t.get('RssFile'))} / {mb(t.get('RssShmem'))} | "
                         f"{peers[0]} | {peers[1]} |")
        per = mem.get("bytes_per_domain", {})
        if per:
            lines += ["", "Bytes of RSS per domain above the one-name list: " +
                      "; ".join(f"{peer} {name}: {v:,.0f}" for peer, by in per.items() for name, v in by.items())]
        lines.append("")
    lines.append(f"Run time: {result['run_seconds']:.0f} s.")
    lines.append("")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------

def version(name, argv):
    """"NAME x.y.z" from the tool's version or help output."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return f"{name} ?"
    found = re.search(r"(?:^|\s)(\d+\.\d+\.\d+)", done.stdout + done.stderr)
    return f"{name} {found.group(1) if found else '?'}"


def find_tools(args):
    tools, missing = {}, []
    for name, package in (("dnsdist", "dnsdist"), ("unbound", "unbound"), ("dnsperf", "dnsperf"),
                          ("taskset", "util-linux")):
        path = shutil.which(name) or (f"/usr/sbin/{name}" if os.access(f"/usr/sbin/{name}", os.X_OK) else None)
        if path:
            tools[name] = path
        elif args.part != "memory" or name in ("dnsdist", "unbound"):
            missing.append(f"{name} (apt-get install {package})")
    for path, what in ((args.takedownd, "takedownd"), (args.takedownctl, "takedownctl")):
        if not os.access(path, os.X_OK):
            missing.append(f"{what} at {path} (make build)")
    if missing:
        raise pipeline.BenchError("missing: " + ", ".join(missing))
    return tools


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s, memory for one name, 66k and 1M")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0, help="dnsperf run per peer and round")
    parser.add_argument("--takedownd-seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4, help="dnsperf -c")
    parser.add_argument("--outstanding", type=int, default=500, help="dnsperf -q")
    parser.add_argument("--base-port", type=int, default=15391, help="dnsdist gets it, Unbound the next")
    parser.add_argument("--part", choices=["all", "rate", "memory"], default="all")
    parser.add_argument("--queries", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=20251125, help="the pipeline bench's mix seed")
    parser.add_argument("--memory-mb", type=int, default=512, help="EAL -m of the memory runs")
    parser.add_argument("--takedownd", default=os.path.join(REPO, "build", "bin", "takedownd"))
    parser.add_argument("--takedownctl", default=os.path.join(REPO, "build", "bin", "takedownctl"))
    parser.add_argument("--list", default=os.path.join(REPO, "conf", "lists", "takedown-66k.txt"))
    parser.add_argument("--benign", default=os.path.join(REPO, "tests", "data", "top-50k.txt"))
    parser.add_argument("--work-dir", default=os.path.join(REPO, "build", "peers-bench"))
    parser.add_argument("--results-dir", default=os.path.join(REPO, "bench", "results"))
    args = parser.parse_args()
    if args.quick:
        args.reps, args.seconds, args.takedownd_seconds = 1, 3.0, 3.0
    if args.reps < 1 or args.seconds < 1 or args.takedownd_seconds < 1:
        parser.error("need --reps >= 1, --seconds >= 1, --takedownd-seconds >= 1")
    for name in ("takedownd", "takedownctl", "list", "benign", "work_dir", "results_dir"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    return args


def rate_rounds(args, tools, servers, pipeline_config, result):
    peers = list(servers) + ["takedownd"]
    for i in range(args.reps):
        order = peers[i % len(peers):] + peers[:i % len(peers)]
        entry = {"round": i + 1, "order": order}
        for peer in order:
            prefix = os.path.join(args.work_dir, f"round{i + 1}-{peer}")
            if peer == "takedownd":
                log(f"round {i + 1}/{args.reps}: takedownd, {args.takedownd_seconds:g} s")
                run = entry[peer] = run_takedownd_rate(args, pipeline_config, prefix)
                log(f"  takedownd: {run['pps'] / 1e6:.2f} Mpps, answered {100 * run['answered_share']:.2f}%")
            else:
                log(f"round {i + 1}/{args.reps}: {peer}, dnsperf {args.seconds:g} s")
                run = entry[peer] = run_dnsperf(args, tools, servers[peer], prefix)
                log(f"  {peer}: {run['qps']:,.0f} qps, server CPU {run['server_cpu_per_s']:.2f} s/s, "
                    f"{run['qps_per_core']:,.0f} qps per core, NXDOMAIN {100 * run['nxdomain_share']:.2f}%, "
                    f"lost {run['lost']}, latency {run['latency_avg_ms']:.3f} ms")
            if run.get("other_load"):
                log(f"  contention: {run['other_load']}")
        result["rounds"].append(entry)


def blocking_checks(result):
    expected = result["expected_blocked_share"]
    checks = []
    for r in result["rounds"]:
        for peer in r["order"]:
            share = r[peer]["answered_share"] if peer == "takedownd" else r[peer]["nxdomain_share"]
            ok = abs(share - expected) <= 0.005
            checks.append({"ok": ok, "what": f"round {r['round']} {peer}: {100 * share:.2f}% blocked, "
                                             f"expected {100 * expected:.2f}% (+-0.5)"})
    failed = [c for c in checks if not c["ok"]]
    summary = [{"ok": not failed, "what": f"every run blocked the expected share of queries "
                                          f"({100 * expected:.2f}% +-0.5 points, {len(checks)} runs)"}]
    return summary + failed


def main():
    began = time.monotonic()
    args = parse_args()
    atexit.register(pipeline.kill_leftovers)
    signal.signal(signal.SIGTERM, pipeline.on_signal)
    signal.signal(signal.SIGINT, pipeline.on_signal)
    tools = find_tools(args)
    for path in (args.list, args.benign):
        if not os.path.isfile(path):
            raise pipeline.BenchError(f"list not found: {path}")
    if os.geteuid() != 0:
        log("not running as root: DPDK may fail to start")
    # This script stays on CPU 0 with dnsperf and the DPDK main lcore, off the servers' CPU 1.
    if (os.cpu_count() or 1) >= 2 and 0 in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {0})
    others = pipeline.other_dpdk_processes(["takedownd", "dpdk-testpmd", "dnsperf", "dnsdist", "unbound"])
    if others:
        log("warning: other benchmark processes are running and will compete for the CPUs: " + ", ".join(others))
    os.makedirs(args.work_dir, exist_ok=True)
    os.makedirs(args.results_dir, exist_ok=True)

    pcap = os.path.join(args.work_dir, "mix.pcap")
    log(f"generating the pipeline bench's {args.queries:,}-query mix in {pcap}")
    mix = pipeline.generate_mix(args, pcap)
    args.query_file = os.path.join(args.work_dir, "queries.txt")
    names = write_query_file(pcap, args.query_file)
    one_name = os.path.join(args.work_dir, "one-name.txt")
    with open(one_name, "w") as f:
        f.write("baseline.invalid\n")
    listed = read_list(args.list)
    verdicts = [is_blocked(n, listed) for n in names]
    blocked_name = names[verdicts.index(True)]
    passed_name = names[verdicts.index(False)]

    result = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "machine": pipeline.machine_info(),
              "versions": {"dnsdist": version("dnsdist", [tools["dnsdist"], "--version"]),
                           "unbound": version("Unbound", [tools["unbound"], "-V"]),
                           "dnsperf": version("dnsperf", [tools["dnsperf"], "-h"]) if "dnsperf" in tools else "?"},
              "config": {"quick": args.quick, "reps": args.reps, "seconds": args.seconds,
                         "takedownd_seconds": args.takedownd_seconds, "clients": args.clients,
                         "outstanding": args.outstanding, "queries": args.queries, "seed": args.seed,
                         "memory_mb": args.memory_mb, "server_cpu": SERVER_CPU, "client_cpu": CLIENT_CPU,
                         "list": os.path.relpath(args.list, REPO), "query_file": os.path.relpath(args.query_file, REPO),
                         "qtype": QTYPE},
              "mix": mix, "expected_blocked_share": round(sum(verdicts) / len(verdicts), 5), "rounds": []}
    memory = {"lists": ["one name", "66k"], "counts": {"one name": 1, "66k": len(listed)},
              "takedownd": {}, "dnsdist": {}, "unbound": {}}

    # 1. the socket servers, with the 66k list (rate rounds) and then the one-name list (memory)
    for list_name, list_path in (("66k", args.list), ("one name", one_name)):
        if args.part == "rate" and list_name != "66k":
            continue
        servers = {}
        try:
            for k, peer in enumerate(("dnsdist", "unbound")):
                tag = list_name.replace(" ", "-")
                servers[peer] = Server(peer, tag, args.base_port + k, list_path, args.work_dir, tools)
            for peer, server in servers.items():
                check = [blocked_name, passed_name] if list_name == "66k" else ["baseline.invalid", passed_name]
                started = time.monotonic()
                verdicts = server.wait_ready(*check)
                log(f"{peer} ({list_name}) ready in {time.monotonic() - started:.1f} s: {verdicts}")
                once = run_dnsperf(args, tools, server, os.path.join(args.work_dir, f"once-{peer}-{tag}"), once=True)
                memory[peer][list_name] = {"after_one_pass": rss(server.pid), "one_pass": once}
                log(f"  {peer} ({list_name}) after one pass of the mix: VmRSS "
                    f"{memory[peer][list_name]['after_one_pass']['VmRSS'] / 1e6:.1f} MB")
            if list_name == "66k" and args.part != "memory":
                pipeline_config = os.path.join(args.work_dir, "pipeline.yaml")
                pipeline.write_config(pipeline_config, types.SimpleNamespace(list=args.list, memory_mb=1024,
                                                                            takedownctl=args.takedownctl), pcap)
                rate_rounds(args, tools, servers, pipeline_config, result)
                for peer, server in servers.items():
                    memory[peer][list_name]["after_rounds"] = rss(server.pid)
        finally:
            for server in servers.values():
                server.close()

    # 2. takedownd's memory: one name, 66k, 1M (and 10M)
    if args.part != "rate":
        sizes = [("one name", one_name), ("66k", args.list)]
        for label, count in (("1M", 1000000),) + ((("10M", 10000000),) if not args.quick else ()):
            path = os.path.join(args.work_dir, f"synthetic-{label.lower()}.txt")
            log(f"writing the synthetic {label} list (kept for the next run): {path}")
            reload_bench.write_synthetic_list(path, count)
            sizes.append((label, path))
            memory["lists"].append(label)
            memory["counts"][label] = count
        for label, path in sizes:
            log(f"takedownd memory, {label}: compile, start from the snapshot, forward")
            memory["takedownd"][label] = takedownd_memory(args, label.replace(" ", "-"), path, pcap)
            t = memory["takedownd"][label]
            log(f"  VmRSS {t['VmRSS'] / 1e6:.1f} MB, snapshot {t['snapshot_bytes'] / 1e6:.1f} MB, "
                f"compile {t['compile_s']} s")
    per = {}
    for peer in ("takedownd", "dnsdist", "unbound"):
        base = memory[peer].get("one name")
        base = base and (base.get("after_one_pass") or base)["VmRSS"]
        for label in memory["lists"][1:]:
            entry = memory[peer].get(label)
            if base and entry:
                value = (entry.get("after_one_pass") or entry)["VmRSS"]
                per.setdefault(peer, {})[label] = (value - base) / memory["counts"][label]
    memory["bytes_per_domain"] = per
    result["memory"] = memory

    if result["rounds"]:
        result["summary"] = summarise(result)
        result["checks"] = blocking_checks(result)
    result["run_seconds"] = round(time.monotonic() - began, 1)
    pipeline.write_results(args.results_dir, "peers", result, markdown(result))
    if any(not c["ok"] for c in result.get("checks", [])):
        raise pipeline.BenchError("a server did not block the expected share of the queries (see the checks)")


if __name__ == "__main__":
    try:
        main()
    except pipeline.BenchError as e:
        pipeline.kill_leftovers()
        print(f"run_peers.py: error: {e}", file=sys.stderr)
        sys.exit(1)
