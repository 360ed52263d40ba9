"""takedownd on the e2e wire: its config (net_af_packet on td-c0 and td-s0, one pair) and its start.

TAKEDOWN_E2E_WORKERS sets the workers, and af_packet queue pairs per port: the kernel's fanout hash
is symmetric, so both directions of a flow reach the same queue index, and so the same worker.
"""
import json
import os
import subprocess
import sys
import time

import checks
from suite_args import compile_snapshot

# Exit 0 when a SYN to td-server's port 80 is answered (connected, or refused), 1 after 1 s without.
ROUND_TRIP = """import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("10.99.0.1", 80))
except ConnectionRefusedError:
    pass
except OSError:
    sys.exit(1)
"""
WORKERS = int(os.environ.get("TAKEDOWN_E2E_WORKERS", "1"))
QPAIRS = f",qpairs={WORKERS}" if WORKERS > 1 else ""
RXQ = f", rx_queues: {WORKERS}" if WORKERS > 1 else ""
# The main lcore on core 0 and the workers on the other cores, round robin (lcores may outnumber
# them). Core 0 is kept free of busy polling: with both vCPUs of this VM polling, core 0's kernel
# workqueue starved for a minute or more (dmesg: "workqueue lockup - pool cpus=0"), and every
# `ip netns exec` hung in its unmount's synchronize_rcu_expedited; a single worker on core 1, as in
# the other suites, never did that.
CORES = os.cpu_count() or 1
LCORES = (f', "--lcores=0@0,' + ",".join(f"{w + 1}@{1 + w % (CORES - 1) if CORES > 1 else 0}"
                                         for w in range(WORKERS)) + '"') if WORKERS > 1 else ""
# Workers that share a core back off when idle (dataplane.idle_sleep_us), so that the one with
# frames gets the core.
IDLE = "  idle_sleep_us: 50\n" if WORKERS > 1 else ""


def write_config(work, lists, extra=""):
    """work/takedown.yaml with the given list entries (YAML flow mappings) and `extra` top-level
    YAML; returns its path."""
    items = "".join(f"  - {item}\n" for item in lists)
    path = os.path.join(work, "takedown.yaml")
    with open(path, "w") as f:
        f.write(f"""lists:
{items}control: {{socket: "{work}/control.sock", snapshot_dir: "{work}/snapshots"}}
dataplane:
  eal: [--no-huge, -m, "512", --no-pci, --no-shconf, --no-telemetry, --log-level=warning,
        --file-prefix, takedown-e2e{LCORES}]
  ports:
    - {{name: client, device: "net_af_packet0,iface=td-c0{QPAIRS}"{RXQ}}}
    - {{name: server, device: "net_af_packet1,iface=td-s0{QPAIRS}"{RXQ}}}
  pairs: [[client, server]]
  workers: {WORKERS}
{IDLE}{extra}""")
    return path


def stop_and_report(process, work):
    """Stops takedownd (SIGTERM, then SIGKILL after 10 s) and returns what explains a wire that
    forwards nothing: its port and burst counters from work/takedownd.json, the kernel's counters
    of the two veth ends it reads, and the end of its stderr."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    lines = [f"   takedownd exit status {process.returncode}"]
    try:
        with open(os.path.join(work, "takedownd.json")) as f:
            stats = json.load(f)
        lines.append(f"   takedownd counters: rx {stats.get('rx_packets')}, tx {stats.get('tx_packets')}, "
                     f"bursts {stats.get('bursts')}, dropped {stats.get('dropped')}, "
                     f"ports {json.dumps(stats.get('ports'))}")
    except (OSError, ValueError) as e:
        lines.append(f"   takedownd counters: none ({e})")
    for link in ("td-c0", "td-s0"):
        done, _ = checks.run_group(["ip", "-s", "-o", "link", "show", link], timeout=5)
        lines.append(f"   {link}: " + " ".join((done.stdout or done.stderr).split()))
    try:
        with open(os.path.join(work, "takedownd.err")) as f:
            lines += ["   takedownd.err: " + line.rstrip() for line in f.readlines()[-10:]]
    except OSError:
        pass
    return "\n".join(lines)


def start(takedownd, takedownctl, config, work, timeout=60):
    """Compiles the config's snapshot, starts takedownd (stats JSON to work/takedownd.json, stderr
    to work/takedownd.err) and returns the process once `takedownctl status` answers and the wire
    forwards (a TCP connection attempt from td-client to td-server's port 80 gets its answer, a
    SYN-ACK or a RST, back through it, which also settles ARP): the
    control socket can answer before the workers poll, and a slow start (ASan on a loaded machine)
    once cost a suite its first query. Raises RuntimeError naming the log when it exits or does
    not answer within `timeout` seconds."""
    began = time.monotonic()
    compile_snapshot(takedownctl, config)  # takedownd starts from a stored snapshot
    compiled = time.monotonic()
    out = open(os.path.join(work, "takedownd.json"), "w")
    err = open(os.path.join(work, "takedownd.err"), "w")
    process = subprocess.Popen([takedownd, "-c", config], stdout=out, stderr=err,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    # A short timeout per try, counted: a status that hangs is tried again, and the log says so.
    hung = 0
    while True:
        done, finished = checks.run_group([takedownctl, "status", "-c", config], timeout=10)
        hung += not finished
        if done.returncode == 0:
            break
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.kill()
            raise RuntimeError(f"takedownd did not start (see {work}/takedownd.err)")
        time.sleep(0.2)
    answered = time.monotonic()
    probe = ["ip", "netns", "exec", "td-client", sys.executable, "-c", ROUND_TRIP]
    tries = 0
    while checks.run_group(probe, timeout=10)[0].returncode != 0:
        tries += 1
        if process.poll() is not None or time.monotonic() > deadline:
            # Stopped with SIGTERM, takedownd writes its counters: whether the SYNs reached its
            # ports, and whether it sent them on, is what tells a wire fault from a stuck worker.
            report = stop_and_report(process, work)
            raise RuntimeError(f"takedownd started but forwards nothing: no answer to td-client's SYN to "
                               f"td-server in {tries} tries over {time.monotonic() - answered:.0f} s "
                               f"(see {work}/takedownd.err)\n{report}")
    # Where a slow start went, for a log cut off later (ASan on a loaded CI machine).
    print(f"   takedownd up: snapshot compiled in {compiled - began:.1f} s, control socket answered "
          f"{answered - compiled:.1f} s later ({hung} tries of 10 s hung), forwarding "
          f"{time.monotonic() - answered:.1f} s after that",
          flush=True)
    return process
