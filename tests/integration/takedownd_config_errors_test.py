#!/usr/bin/env python3
"""takedownd refuses bad configs at start-up with a message that names the problem.

Starts from a small working config (two net_pcap ports, a 20-frame capture, one domains list) and
checks first that it runs and stops cleanly (exit 0, one JSON object with rx_packets 20 on stdout):
given by its absolute path with --exit-when-idle, by a bare relative path from its own folder
("-c good.yaml", where relative pcap paths resolve against "."), with --duration 0.5, and until a
SIGTERM. takedownd starts from the snapshot `takedownctl compile` stored in the config's snapshot
folder (it compiles no lists itself). Then, one fault at a time: a pair naming an unknown port, a
vdev whose driver does not exist, an empty snapshot folder, a `dataplane.snapshot` that is not
there, a missing rx_pcap file, `workers: 0`, `malformed: sometimes`, an unknown dataplane key, an
unknown `ede` value, a metrics address not on this host and an event log in a missing folder. For
each, takedownd must exit non-zero (not by a signal) within 60 s, and one line of its own on
stderr ("takedownd: ...", not an EAL log line) must name the culprit (the port name, the device
string, the folder, ...). A missing list file is the compiler's to name: `takedownctl compile`
exits 1 with the path. Two workers on one-queue ports run, with a warning naming the two paired
ports (a flow's directions reach different workers); one worker gives no such warning.

Exits 0 when every case holds, 1 otherwise, 77 when tshark is missing (the suite's DPDK tests are
skipped together on machines without the test tools).

usage: takedownd_config_errors_test.py --takedownd BIN --takedownctl BIN --source-dir DIR --work-dir DIR
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

BASE = """lists:
  - name: takedown
    format: domains
    path: {list_path}
control: {{socket: control.sock, snapshot_dir: {snapshot_dir}}}
dataplane:
  eal: [--no-huge, -m, "256", --no-pci, --no-shconf, --file-prefix, takedownd-config-errors]
  ports:
    - name: client
      device: {client_device}
    - name: resolver
      device: net_pcap1,tx_pcap=resolver-out.pcap
  pairs:
    - [client, {peer}]
  workers: {workers}
  malformed: {malformed}
{extra}"""

GOOD = {"list_path": "takedown.txt", "client_device": "net_pcap0,rx_pcap=in.pcap,tx_pcap=client-out.pcap",
        "peer": "resolver", "workers": "1", "malformed": "forward", "extra": "", "snapshot_dir": "snapshots"}

# (case, the field replaced, its value, what stderr must name)
CASES = [
    ("pair names an unknown port", "peer", "upstream", "upstream"),
    ("vdev with no such driver", "client_device", "net_nosuchpmd0,rx_pcap=in.pcap", "net_nosuchpmd0"),
    ("no snapshot in the snapshot folder", "snapshot_dir", "empty-snapshots", "takedownctl compile"),
    ("dataplane.snapshot not there", "extra", "  snapshot: gone.snap\n", "gone.snap"),
    ("missing rx_pcap file", "client_device", "net_pcap0,rx_pcap=absent.pcap,tx_pcap=client-out.pcap",
     "absent.pcap"),
    ("workers: 0", "workers", "0", "workers"),
    ("malformed: sometimes", "malformed", "sometimes", "sometimes"),
    ("unknown dataplane key", "extra", "  wrokers: 2\n", "wrokers"),
    ("dataplane.ede, moved to the lists", "extra", "  ede: filtered\n", "defaults.ede or a list's response.ede"),
    ("metrics address not on this host", "extra", "metrics: {listen: \"192.0.2.1:9910\"}\n", "192.0.2.1:9910"),
    ("event log in a missing folder", "extra", "events: {path: /nonexistent-takedown/e.json}\n",
     "/nonexistent-takedown/e.json"),
]


def run(takedownd, work, name, fields, options=("--exit-when-idle", "200"), relative=False):
    config = name.replace(" ", "-").replace(":", "") + ".yaml"
    with open(os.path.join(work, config), "w") as f:
        f.write(BASE.format(**fields))
    try:
        return subprocess.run([takedownd, "-c", config if relative else os.path.join(work, config), *options],
                              capture_output=True, text=True, timeout=60, cwd=work)
    except subprocess.TimeoutExpired:
        return None


def until_sigterm(takedownd, work):
    """Runs the good config with no stop condition, then sends SIGTERM after a second."""
    process = subprocess.Popen([takedownd, "-c", os.path.join(work, "good.yaml")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=work)
    try:
        process.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def catches_sighup(pid):
    """True once process `pid` has a handler for SIGHUP (bit 0 of SigCgt in /proc/PID/status)."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("SigCgt:"):
                return int(line.split()[1], 16) & 1 == 1
    except OSError:
        pass
    return False


def sighup_during_start(takedownd, work):
    """SIGHUP every 20 ms from the moment takedownd catches it (the dynamic loader, ASan and DPDK's
    constructors run before main, where nothing can catch a signal: a fixed 50 ms wait was too
    short under ASan on a loaded machine) until it has run 1.5 s: it must keep going and stop by
    --duration with its stats (it used to die of signal 1 anywhere before its ports were up,
    0.3-2 s)."""
    process = subprocess.Popen([takedownd, "-c", os.path.join(work, "good.yaml"), "--duration", "2.5"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=work)
    handler_deadline = time.monotonic() + 10
    while not catches_sighup(process.pid) and process.poll() is None and time.monotonic() < handler_deadline:
        time.sleep(0.001)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline and process.poll() is None:
        process.send_signal(signal.SIGHUP)
        time.sleep(0.02)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def clean_stop(result):
    """'' when the run exited 0 with one stats object that counted the 20 frames, else what went wrong."""
    if result is None:
        return "still running after its time limit"
    if result.returncode != 0:
        return f"exit {result.returncode}; stderr: {result.stderr.strip()[-400:]}"
    try:
        stats = json.loads(result.stdout)
    except json.JSONDecodeError:
        return f"stdout is not one JSON object: {result.stdout[:200]!r}"
    return "" if stats.get("rx_packets") == 20 else f"rx_packets is {stats.get('rx_packets')}, expected 20"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--takedownd", required=True)
    parser.add_argument("--takedownctl", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    args = parser.parse_args()
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed (scripts/install-deps.sh installs it)")
        return 77
    takedownd = os.path.abspath(args.takedownd)
    args.takedownctl = os.path.abspath(args.takedownctl)
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    source = os.path.abspath(args.source_dir)
    with open(os.path.join(source, "conf/lists/takedown-66k.txt")) as f, \
            open(os.path.join(work, "takedown.txt"), "w") as out:
        out.writelines(line for _, line in zip(range(1000), f))
    subprocess.run([sys.executable, os.path.join(source, "tests/integration/generate_capture.py"),
                    os.path.join(work, "in.pcap"), "--frames", "20",
                    "--blocked", os.path.join(source, "conf/lists/takedown-66k.txt"),
                    "--benign", os.path.join(source, "tests/data/top-50k.txt")], check=True)

    failures = []
    # takedownd starts from a compiled snapshot; the compiler names a missing list.
    with open(os.path.join(work, "good.yaml"), "w") as f:
        f.write(BASE.format(**GOOD))
    compiled = subprocess.run([args.takedownctl, "compile", "-c", "good.yaml"], capture_output=True, text=True,
                              timeout=120, cwd=work)
    if compiled.returncode != 0:
        print(f"FAIL takedownctl compile -c good.yaml: {compiled.stdout}{compiled.stderr}")
        return 1
    os.makedirs(os.path.join(work, "empty-snapshots"))
    with open(os.path.join(work, "missing-list.yaml"), "w") as f:
        f.write(BASE.format(**dict(GOOD, list_path="lists/not-there.txt")))
    missing = subprocess.run([args.takedownctl, "compile", "-c", "missing-list.yaml"], capture_output=True,
                             text=True, timeout=120, cwd=work)
    if missing.returncode != 1 or "lists/not-there.txt" not in missing.stderr:
        failures.append(f"missing list file: takedownctl compile exit {missing.returncode}, expected 1 with the "
                        f"path on stderr; stderr: {missing.stderr.strip()[-300:]}")
    else:
        print(f"missing list file: takedownctl compile exit 1: {missing.stderr.strip().splitlines()[0]}")
    for how, result in [("by absolute path, --exit-when-idle 200", run(takedownd, work, "good", GOOD)),
                        ("as '-c good.yaml' from its folder", run(takedownd, work, "good", GOOD, relative=True)),
                        ("with --duration 0.5", run(takedownd, work, "good", GOOD, options=("--duration", "0.5"))),
                        ("stopped by SIGTERM", until_sigterm(takedownd, work)),
                        ("with SIGHUPs all through start-up", sighup_during_start(takedownd, work))]:
        problem = clean_stop(result)
        if problem:
            failures.append(f"good config {how}: {problem}")
        else:
            print(f"good config {how}: exit 0, stats counted 20 frames")
    # Two workers on one-queue ports: the client port's queue goes to one worker, the resolver
    # port's to the other, so a flow's two directions are judged apart. takedownd runs, and says so.
    # (net_null ports: net_pcap has one tx queue, and every worker needs one on each port.)
    split = BASE.format(**dict(GOOD, workers="2", client_device="net_null0,no-rx=1")).replace(
        "--file-prefix, takedownd-config-errors]", '--file-prefix, takedownd-config-errors, "--lcores=0@0,1@0,2@0"]'
    ).replace("net_pcap1,tx_pcap=resolver-out.pcap", "net_null1,no-rx=1")
    with open(os.path.join(work, "split-queues.yaml"), "w") as f:
        f.write(split)
    try:
        result = subprocess.run([takedownd, "-c", os.path.join(work, "split-queues.yaml"), "--duration", "0.5"],
                                capture_output=True, text=True, timeout=60, cwd=work)
    except subprocess.TimeoutExpired:
        result = None
    warned = [l for l in (result.stderr.splitlines() if result else [])
              if "'client' and 'resolver'" in l and "different workers" in l]
    problem = ("still running after 60 s" if result is None else
               f"exit {result.returncode}" if result.returncode != 0 else "")
    if problem or not warned:
        failures.append(f"2 workers on one-queue ports: {problem or 'no warning naming the two ports'}; "
                        f"stderr: {(result.stderr if result else '').strip()[-400:]}")
    else:
        print(f"2 workers on one-queue ports: exit 0, warned: {warned[0][:110]}...")
    quiet = run(takedownd, work, "good", GOOD)
    if quiet is not None and "different workers" in quiet.stderr:
        failures.append("1 worker: warned that a flow's directions reach different workers")
    for name, field, value, culprit in CASES:
        result = run(takedownd, work, name, dict(GOOD, **{field: value}))
        if result is None:
            failures.append(f"{name}: takedownd still running after 60 s")
            continue
        lines = [l for l in result.stderr.splitlines() if l.startswith("takedownd:") and culprit in l]
        if result.returncode <= 0 or result.returncode >= 128:
            failures.append(f"{name}: expected a non-zero exit code (not a signal), got {result.returncode}; "
                            f"stderr: {result.stderr.strip()[-300:]}")
        elif not lines:
            failures.append(f"{name}: exit {result.returncode}, but no 'takedownd:' line on stderr names '{culprit}'; "
                            f"stderr: {result.stderr.strip()[-300:]}")
        else:
            print(f"{name}: exit {result.returncode}: {lines[0].strip()}")
    for f in failures:
        print(f"FAIL {f}")
    print(f"takedownd config errors: {len(CASES) + 7 - len(failures)} of {len(CASES) + 7} cases hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
