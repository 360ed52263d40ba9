#!/usr/bin/env python3
"""Hot reload of takedownd under load, through takedownctl and the control socket.

takedownd runs on `net_pcap0,rx_pcap=mix.pcap,infinite_rx=1,tx_pcap=answers.pcap` (port "client":
the answers to blocked queries go back out of it and are captured) paired with `net_null0,no-rx=1`
(port "sink"). The mix is DNS over UDP only (generate_capture.py --kinds dns-udp), cut to 2,000
frames, with names from four disjoint sets: X, blocked by config A only (list set-a,
NXDOMAIN); Y, blocked by config B only (list set-b, REFUSED); Z, blocked by both; W, never blocked
and most of the frames (so answers.pcap stays small at millions of frames a second). The checks:

1. Reload under load: takedownd starts with A.yaml; `takedownctl reload` runs 20 times, alternating
   B, A, B, ...; each exits 0 and prints the next generation; takedownd then reports generation 21
   and has received more frames than before the reloads.
2. A broken list stops a reload: a regex list with `(unclosed` -> exit 1 and stderr names the file
   and line; a missing list file -> exit 1 naming the file. `takedownctl status` still shows
   generation 21 and `takedownctl stats` shows rx_packets still growing.
3. Corrupt snapshots sent straight to the socket (a Python AF_UNIX client): the newest stored
   snapshot with one byte flipped in the middle, cut in half, with another version number in its
   header, and a path that does not exist: each reply is ok:false with an error and the
   generation it still runs, and `status` agrees.
4. `takedownctl run -c A.yaml`: after its first log line, a name appended to one of A's list files
   is live (status shows more domains) within 2 s of the write.
5. Restart: takedownd stops on SIGTERM (exit 0, stats JSON on stdout) and starts again from A.yaml;
   it resumes from the newest file in the snapshot folder (status.snapshot.origin), and the
   still-running `takedownctl run` loads into the new process within 3 s (a "takedownd <pid> is
   up" log line naming the new pid). Both then stop on SIGTERM with exit 0.

On the first takedownd's final stats: the generation counts every load; rx_packets = tx_packets +
dropped + tx_errors; tx_errors, reply_errors and every port's rx_missed are 0; dropped_by.answer_udp
= replies_sent.answer_udp = the client port's tx = the frames in answers.pcap; `lists` holds set-a and set-b
with hits. In answers.pcap (pcap_frames.py): no answer to a W name, X answered NXDOMAIN only, Y
REFUSED only, Z either, every question a name of X, Y or Z, and answers of both RCODEs (so both
configs served traffic).

Prints a line per step. Exits 0 on success, 1 with the failures.

usage: reload_test.py --takedownd BIN --takedownctl BIN --source-dir DIR --work-dir DIR
"""
import collections
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcap_frames import decode, read_pcap  # noqa: E402
from takedownd_pcap_test import Failures, parse_dns  # noqa: E402
from suite_args import compile_snapshot, suite_parser  # noqa: E402

SETS = {  # list entries; the capture adds prefixes such as "www." and random upper case
    "X": ["x-one.reload-test.example", "x-two.reload-test.example", "x-three.reload-test.example"],
    "Y": ["y-one.reload-test.example", "y-two.reload-test.example", "y-three.reload-test.example"],
    "Z": ["z-one.reload-test.example", "z-two.reload-test.example"],
}
ALLOWED_RCODES = {"X": {3}, "Y": {5}, "Z": {3, 5}}
BENIGN_NAMES = 400          # W: the first names of tests/data/top-50k.txt
MIX_FRAMES = 2000           # of which FRAMES_PER_SET for each of X, Y and Z
FRAMES_PER_SET = 2
RELOADS = 20
LIVE_WITHIN = 2.0           # seconds from a list write to the new snapshot in takedownd
FOLLOW_WITHIN = 3.0         # seconds from a restarted takedownd answering to `run` loading into it
TIMEOUT = 60                # any single command
ADDED_NAME = "added-later.reload-test.example"

CONFIG = """# Written by reload_test.py.
lists:
{lists}
defaults: {{dns: nxdomain, http: reset, tls: reset, ttl: 60}}
control:
  socket: {work}/control.sock
  snapshot_dir: {work}/snapshots
dataplane:
  eal: [--no-huge, -m, "512", --no-pci, --no-shconf, --file-prefix, takedown-reload-test]
  ports:
    - name: client
      device: "net_pcap0,rx_pcap={work}/mix.pcap,infinite_rx=1,tx_pcap={work}/answers.pcap"
    - name: sink
      device: "net_null0,no-rx=1"
  pairs:
    - [client, sink]
  workers: 1
"""
LIST_A = "  - {name: set-a, format: domains, path: lists/a.txt}"
LIST_B = "  - {name: set-b, format: domains, path: lists/b.txt, response: {dns: refused}}"
LIST_BAD_REGEX = "  - {name: bad-regex, format: regex, path: lists/bad-regex.txt}"
LIST_MISSING = "  - {name: absent, format: domains, path: lists/absent.txt}"


class Fail(Exception):
    """A failure after which the remaining steps cannot run."""


# ---- the capture ---------------------------------------------------------------------------------

def question_name(payload):
    """The QNAME of a DNS message, lower case and dotted, or None when it cannot be read."""
    labels, at = [], 12
    while at < len(payload):
        length = payload[at]
        if length == 0:
            return ".".join(labels).lower()
        if length & 0xC0:
            return None
        labels.append(payload[at + 1:at + 1 + length].decode("ascii", "replace"))
        at += 1 + length
    return None


def name_set(name):
    """X, Y or Z when a list entry of that set decides `name` (itself or a parent), else W."""
    for key, entries in SETS.items():
        if any(name == e or name.endswith("." + e) for e in entries):
            return key
    return "W"


def write_mix(source, work):
    """generate_capture.py with X/Y/Z as the "blocked" names and W as the benign ones, then kept to
    MIX_FRAMES frames: FRAMES_PER_SET of each blocked set, the rest W."""
    top = os.path.join(source, "tests/data/top-50k.txt")
    benign = [l.strip() for l in open(top) if l.strip()][:BENIGN_NAMES]
    paths = {"blocked": os.path.join(work, "xyz-names.txt"), "benign": os.path.join(work, "w-names.txt")}
    with open(paths["blocked"], "w") as f:
        f.write("".join(n + "\n" for entries in SETS.values() for n in entries))
    with open(paths["benign"], "w") as f:
        f.write("".join(n + "\n" for n in benign))
    full = os.path.join(work, "generated.pcap")
    subprocess.run([sys.executable, os.path.join(source, "tests/integration/generate_capture.py"), full,
                    "--frames", str(MIX_FRAMES * 2), "--seed", "777", "--kinds", "dns-udp",
                    "--blocked", paths["blocked"], "--benign", paths["benign"]], check=True, timeout=TIMEOUT)
    kept, per_set = [], collections.Counter()
    for raw in read_pcap(full):
        frame = decode(raw)
        name = None if frame.error else question_name(frame.payload)
        key = name_set(name) if name else None
        if key is None or (key != "W" and per_set[key] >= FRAMES_PER_SET):
            continue
        if key == "W" and per_set["W"] >= MIX_FRAMES - FRAMES_PER_SET * len(SETS):
            continue
        per_set[key] += 1
        kept.append(raw)
    if len(kept) != MIX_FRAMES or any(per_set[k] != FRAMES_PER_SET for k in SETS):
        raise Fail(f"could not build the mix: kept {len(kept)} frames, per set {dict(per_set)}")
    with open(os.path.join(work, "mix.pcap"), "wb") as out:
        out.write(open(full, "rb").read(24))  # the generator's global header
        # The blocked frames spread through the mix rather than bunched where the generator put them.
        blocked = [r for r in kept if name_set(question_name(decode(r).payload)) != "W"]
        plain = [r for r in kept if r not in blocked]
        step = len(plain) // (len(blocked) + 1)
        for b in reversed(range(len(blocked))):
            plain.insert((b + 1) * step, blocked[b])
        for number, raw in enumerate(plain):
            out.write(struct.pack("<IIII", 1700000000 + number // 1000, number % 1000 * 1000, len(raw), len(raw)))
            out.write(raw)
    print(f"mix: {MIX_FRAMES} DNS/UDP queries, {FRAMES_PER_SET} each of X, Y, Z and "
          f"{MIX_FRAMES - FRAMES_PER_SET * len(SETS)} of W ({len(benign)} names)")


def write_configs(work):
    lists = os.path.join(work, "lists")
    os.makedirs(lists)
    files = {"a.txt": SETS["X"] + SETS["Z"], "b.txt": SETS["Y"] + SETS["Z"]}
    for file, names in files.items():
        with open(os.path.join(lists, file), "w") as f:
            f.write("".join(n + "\n" for n in names))
    with open(os.path.join(lists, "bad-regex.txt"), "w") as f:
        f.write("^ads[0-9]+\\.example$\n(unclosed\n")
    configs = {"A": [LIST_A], "B": [LIST_B], "bad-regex": [LIST_A, LIST_BAD_REGEX], "missing": [LIST_A, LIST_MISSING]}
    paths = {}
    for key, entries in configs.items():
        paths[key] = os.path.join(work, f"{key}.yaml")
        with open(paths[key], "w") as f:
            f.write(CONFIG.format(lists="\n".join(entries), work=work))
    return paths


# ---- processes -----------------------------------------------------------------------------------

def control_request(socket_path, request, timeout=10.0):
    """One JSON line to the control socket; the reply line as a dict."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(socket_path)
        s.sendall((json.dumps(request) + "\n").encode())
        reply = b""
        while b"\n" not in reply:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    return json.loads(reply.split(b"\n")[0])


def ctl(args, *command, config):
    """takedownctl COMMAND -c CONFIG: (exit code, stdout, stderr)."""
    run = subprocess.run([args.takedownctl, *command, "-c", config], capture_output=True, text=True,
                         timeout=TIMEOUT)
    return run.returncode, run.stdout, run.stderr


def ctl_json(args, command, config):
    code, out, err = ctl(args, command, config=config)
    if code != 0:
        raise Fail(f"takedownctl {command} exited {code}: {err.strip()}")
    try:
        return json.loads(out)
    except json.JSONDecodeError as e:
        raise Fail(f"takedownctl {command} printed no JSON object ({e}): {out[:300]!r}")


class Daemon:
    """A takedownd process: stdout (the stats JSON) and stderr to files in the work dir."""

    def __init__(self, args, config, socket_path, tag):
        self.args, self.config, self.socket, self.tag = args, config, socket_path, tag
        self.process = None

    def start(self):
        for attempt in (1, 2):
            self.out = os.path.join(self.args.work_dir, f"takedownd-{self.tag}.json")
            self.err = os.path.join(self.args.work_dir, f"takedownd-{self.tag}.stderr")
            with open(self.out, "w") as out, open(self.err, "w") as err:
                self.process = subprocess.Popen([self.args.takedownd, "-c", self.config], stdout=out, stderr=err,
                                                cwd=self.args.work_dir)
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    status = control_request(self.socket, {"command": "status"}, timeout=2.0)
                    if status.get("pid") == self.process.pid:
                        return status
                except (OSError, ValueError):
                    pass
                time.sleep(0.05)
            log = open(self.err).read().strip()
            if self.process.poll() is None:
                self.stop()
                raise Fail(f"takedownd ({self.tag}) did not answer on {self.socket} within {TIMEOUT} s: {log[-600:]}")
            if attempt == 1 and "EAL" in log:
                print(f"takedownd ({self.tag}) failed to start (exit {self.process.returncode}), EAL busy? "
                      f"retrying in 5 s: {log.splitlines()[-1] if log else ''}")
                time.sleep(5)
                continue
            raise Fail(f"takedownd ({self.tag}) exited {self.process.returncode} at start-up: {log[-600:]}")
        raise Fail("unreachable")

    def stop(self):
        """SIGTERM; the exit code and the stats JSON (None when it is not one object)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
            raise Fail(f"takedownd ({self.tag}) did not stop within {TIMEOUT} s of SIGTERM")
        try:
            return code, json.loads(open(self.out).read())
        except json.JSONDecodeError:
            return code, None


class Runner:
    """`takedownctl run -c CONFIG`, its stdout lines collected with their arrival times."""

    def __init__(self, args, config):
        self.err = os.path.join(args.work_dir, "takedownctl-run.stderr")
        with open(self.err, "w") as err:
            self.process = subprocess.Popen([args.takedownctl, "run", "-c", config], stdout=subprocess.PIPE,
                                            stderr=err, text=True, cwd=args.work_dir)
        self.lines, self.lock = [], threading.Lock()
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.process.stdout:
            with self.lock:
                self.lines.append((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, pattern, after=0, timeout=TIMEOUT):
        """The first line from index `after` on that matches: (index, time, line), or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for i in range(after, len(self.lines)):
                    if re.search(pattern, self.lines[i][1]):
                        return i, self.lines[i][0], self.lines[i][1]
            if self.process.poll() is not None and not self.reader.is_alive():
                return None
            time.sleep(0.02)
        return None

    def log(self):
        with self.lock:
            return "\n".join(l for _, l in self.lines) + "\n" + open(self.err).read()


def stop_leftover(process):
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# ---- the steps -----------------------------------------------------------------------------------

def reload_under_load(args, configs, socket_path, failures):
    """Step 1: 20 reloads alternating B and A while the mix streams through."""
    before = control_request(socket_path, {"command": "stats"})["stats"]["rx_packets"]
    started = time.monotonic()
    for n in range(RELOADS):
        which = "B" if n % 2 == 0 else "A"
        code, out, err = ctl(args, "reload", config=configs[which])
        match = re.match(r"generation (\d+):", out)
        if code != 0:
            failures.add("reload under load", f"reload {n + 1} ({which}.yaml) exited {code}: {err.strip()}")
        elif not match or int(match.group(1)) != n + 2:
            failures.add("reload under load", f"reload {n + 1} ({which}.yaml): expected 'generation {n + 2}: ...', "
                                              f"got {out.strip()!r}")
        time.sleep(0.4)  # let each generation serve traffic
    status = ctl_json(args, "status", configs["A"])
    after = control_request(socket_path, {"command": "stats"})["stats"]["rx_packets"]
    if status.get("generation") != RELOADS + 1:
        failures.add("reload under load", f"status generation after {RELOADS} reloads: expected {RELOADS + 1}, "
                                          f"got {status.get('generation')}")
    if after <= before:
        failures.add("reload under load", f"rx_packets did not grow during the reloads ({before} -> {after})")
    print(f"[1] {RELOADS} reloads in {time.monotonic() - started:.1f} s; generation {status.get('generation')}; "
          f"rx_packets {before:,} -> {after:,}")
    return status.get("generation")


def broken_lists(args, configs, generation, failures):
    """Step 2: a rejected regex and a missing list stop the reload; the data plane runs on."""
    cases = [("bad-regex", "bad-regex.txt:2"), ("missing", "absent.txt")]
    for key, wanted in cases:
        code, out, err = ctl(args, "reload", config=configs[key])
        if code != 1:
            failures.add("broken list", f"reload -c {key}.yaml: expected exit 1, got {code} (stdout {out.strip()!r})")
        if wanted not in err:
            failures.add("broken list", f"reload -c {key}.yaml: stderr does not name {wanted}: {err.strip()!r}")
        print(f"[2] reload -c {key}.yaml: exit {code}; stderr: {err.strip().splitlines()[-1] if err.strip() else ''}")
    status = ctl_json(args, "status", configs["A"])
    first = ctl_json(args, "stats", configs["A"])["rx_packets"]
    time.sleep(0.3)
    second = ctl_json(args, "stats", configs["A"])["rx_packets"]
    if status.get("generation") != generation:
        failures.add("broken list", f"generation after the refused reloads: expected {generation}, "
                                    f"got {status.get('generation')}")
    # Failed before takedownd saw a snapshot, and reported to it all the same.
    last = status.get("last_failure", {})
    if last.get("stage") != "compile" or "absent.txt" not in last.get("error", ""):
        failures.add("broken list", f"status.last_failure: expected the compile failure naming absent.txt, got {last}")
    if second <= first:
        failures.add("broken list", f"rx_packets stopped growing after the refused reloads ({first} -> {second})")
    print(f"[2] generation still {status.get('generation')}; rx_packets {first:,} -> {second:,} in 0.3 s")


def corrupt_snapshots(args, configs, socket_path, generation, failures):
    """Step 3: damaged snapshot files sent straight to the socket are refused."""
    folder = os.path.join(args.work_dir, "snapshots")
    newest = sorted(f for f in os.listdir(folder) if f.startswith("takedown-") and f.endswith(".snap"))[-1]
    good = open(os.path.join(folder, newest), "rb").read()
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    version = bytearray(good)
    old_version = struct.unpack_from("<I", good, 8)[0]
    struct.pack_into("<I", version, 8, old_version + 1)  # FileHeader: magic[8], then the version
    damaged = {"flipped": bytes(flipped), "truncated": good[:len(good) // 2], "version": bytes(version)}
    paths = {}
    for what, data in damaged.items():
        paths[what] = os.path.join(args.work_dir, f"corrupt-{what}.snap")  # not in the snapshot folder
        with open(paths[what], "wb") as f:
            f.write(data)
    paths["absent"] = os.path.join(args.work_dir, "no-such.snap")
    for what, path in paths.items():
        try:
            reply = control_request(socket_path, {"command": "load", "snapshot": path})
        except (OSError, ValueError) as e:
            failures.add("corrupt snapshot", f"{what}: no JSON reply from the socket ({e})")
            continue
        if reply.get("ok") is not False or not reply.get("error") or reply.get("generation") != generation:
            failures.add("corrupt snapshot", f"{what}: expected ok:false, an error and generation {generation}; "
                                             f"got {reply}")
        print(f"[3] load {what} ({os.path.basename(path)}): {json.dumps(reply)}")
    status = ctl_json(args, "status", configs["A"])
    if status.get("generation") != generation:
        failures.add("corrupt snapshot", f"generation after the refused loads: expected {generation}, "
                                         f"got {status.get('generation')}")


def run_goes_live(args, configs, runner, generation, failures):
    """Step 4: `takedownctl run` reloads within 2 s of a list write. Returns the generation."""
    first = runner.wait_for(r"^takedownctl run: generation \d+")
    if first is None:
        raise Fail(f"takedownctl run printed no 'generation N' line within {TIMEOUT} s:\n{runner.log()}")
    if f"generation {generation + 1}:" not in first[2]:
        failures.add("takedownctl run", f"first log line: expected generation {generation + 1}: {first[2]!r}")
    print(f"[4] {first[2]}")
    domains = ctl_json(args, "status", configs["A"])["snapshot"]["domains"]
    with open(os.path.join(args.work_dir, "lists", "a.txt"), "a") as f:
        f.write(ADDED_NAME + "\n")
    written = time.monotonic()
    status = None
    while time.monotonic() - written < LIVE_WITHIN + 3:
        status = ctl_json(args, "status", configs["A"])
        if status["snapshot"]["domains"] > domains:
            break
        time.sleep(0.02)
    live = time.monotonic() - written
    if status["snapshot"]["domains"] <= domains:
        failures.add("takedownctl run", f"{ADDED_NAME} appended to lists/a.txt: still {domains} domains after "
                                        f"{live:.1f} s; run's log:\n{runner.log()}")
        return status["generation"]
    if live > LIVE_WITHIN:
        failures.add("takedownctl run", f"the appended name went live {live:.2f} s after the write "
                                        f"(limit {LIVE_WITHIN} s)")
    if status["generation"] != generation + 2:
        failures.add("takedownctl run", f"generation after the list change: expected {generation + 2}, "
                                        f"got {status['generation']}")
    print(f"[4] appended {ADDED_NAME}: live after {live:.2f} s ({domains} -> {status['snapshot']['domains']} "
          f"domains, generation {status['generation']})")
    logged = runner.wait_for(rf"^takedownctl run: generation {status['generation']}: .*\[a file changed\]$",
                             after=first[0] + 1, timeout=5)
    if logged is None:
        failures.add("takedownctl run", f"no 'generation {status['generation']}: ... [a file changed]' log line; "
                                        f"run's log:\n{runner.log()}")
    return status["generation"]


def check_final_stats(stats, generation, answers, failures):
    check = "stats of the first takedownd"
    want = [("snapshot.generation", stats.get("snapshot", {}).get("generation"), generation),
            ("rx_packets", stats["rx_packets"], stats["tx_packets"] + stats["dropped"] + stats["tx_errors"]),
            ("tx_errors", stats["tx_errors"], 0), ("reply_errors", stats["reply_errors"], 0),
            ("dropped_by.answer_udp", stats["dropped_by"]["answer_udp"], stats["replies_sent"]["answer_udp"]),
            ("ports.client.tx", stats["ports"]["client"]["tx"], stats["replies_sent"]["answer_udp"]),
            ("frames in answers.pcap", answers, stats["replies_sent"]["answer_udp"])]
    want += [(f"ports.{name}.rx_missed", port["rx_missed"], 0) for name, port in stats["ports"].items()]
    for what, got, expected in want:
        if got != expected:
            failures.add(check, f"{what}: expected {expected}, got {got}")
    for name in ("set-a", "set-b"):
        if not stats.get("lists", {}).get(name):
            failures.add(check, f"lists.{name}: expected hits, got {stats.get('lists')}")
    print(f"[5] first takedownd: generation {stats.get('snapshot', {}).get('generation')}, rx {stats['rx_packets']:,}, "
          f"tx {stats['tx_packets']:,}, dropped {stats['dropped']:,}, responses {stats['replies_sent']['answer_udp']:,}, "
          f"lists {stats.get('lists')}, {stats.get('elapsed_seconds')} s")


def check_answers(path, failures):
    """Every answer is to an X/Y/Z name with an RCODE its sets allow; both RCODEs occur."""
    check = "answers.pcap"
    frames = read_pcap(path)
    by_set = collections.Counter()
    for raw, count in collections.Counter(frames).items():  # answers repeat: judge each once
        frame = decode(raw)
        dns = None if frame.error or frame.proto != 17 else parse_dns(frame.payload)
        name = question_name(frame.payload) if dns else None
        if name is None:
            failures.add(check, f"{count} frame(s) that are not a readable DNS answer: {raw[:64].hex()}")
            continue
        key, rcode = name_set(name), dns["flags"] & 15
        by_set[(key, rcode)] += count
        if key == "W":
            failures.add(check, f"{count} answer(s) to {name}, a name no list blocks (RCODE {rcode})")
        elif rcode not in ALLOWED_RCODES[key]:
            failures.add(check, f"{count} answer(s) to {name} (set {key}) with RCODE {rcode}, expected "
                                f"{' or '.join(map(str, sorted(ALLOWED_RCODES[key])))}")
        if not dns["flags"] >> 15:
            failures.add(check, f"{count} frame(s) for {name} without QR set")
    for key, rcode in (("X", 3), ("Y", 5)):
        if not by_set[(key, rcode)]:
            failures.add(check, f"no answer with RCODE {rcode} to a name of set {key}: generations of "
                                f"{'A' if key == 'X' else 'B'}.yaml served no blocked query")
    print(f"[5] answers.pcap: {len(frames):,} answers; (set, RCODE): "
          f"{dict(sorted(by_set.items()))}")
    return len(frames)


def restart(args, configs, socket_path, runner, failures):
    """Step 5, second half: a new takedownd resumes from the newest snapshot and `run` follows it."""
    folder = os.path.join(args.work_dir, "snapshots")
    newest = sorted(f for f in os.listdir(folder) if f.startswith("takedown-") and f.endswith(".snap"))[-1]
    mark = len(runner.lines)
    daemon = Daemon(args, configs["A"], socket_path, "restarted")
    status = daemon.start()
    up = time.monotonic()
    origin = status.get("snapshot", {}).get("origin", "")
    if os.path.realpath(origin) != os.path.realpath(os.path.join(folder, newest)):
        failures.add("restart", f"snapshot.origin: expected the newest stored snapshot {newest}, got {origin!r}")
    print(f"[5] restarted takedownd {daemon.process.pid}: generation {status.get('generation')}, "
          f"origin {origin}")
    followed = runner.wait_for(rf"takedownd {daemon.process.pid} is up", after=mark, timeout=FOLLOW_WITHIN + 10)
    if followed is None:
        failures.add("restart", f"takedownctl run did not load into takedownd {daemon.process.pid}; run's log:\n"
                                f"{runner.log()}")
    else:
        if followed[1] - up > FOLLOW_WITHIN:
            failures.add("restart", f"takedownctl run loaded {followed[1] - up:.1f} s after takedownd answered "
                                    f"(limit {FOLLOW_WITHIN} s)")
        print(f"[5] {followed[1] - up:.2f} s later: {followed[2]}")
        status = ctl_json(args, "status", configs["A"])
        if status.get("generation") != 2:
            failures.add("restart", f"generation after run's load: expected 2, got {status.get('generation')}")
    return daemon


def main():
    parser = suite_parser("takedownd", "takedownctl")
    args = parser.parse_args()
    for tool in (args.takedownd, args.takedownctl):
        if not os.access(tool, os.X_OK):
            print(f"FAIL: {tool} is not an executable (build the takedownd and takedownctl targets)")
            return 1
    args.takedownd, args.takedownctl = os.path.abspath(args.takedownd), os.path.abspath(args.takedownctl)
    args.work_dir = work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    started = time.monotonic()
    failures = Failures()
    socket_path = os.path.join(work, "control.sock")
    first = runner = second = None
    try:
        write_mix(os.path.abspath(args.source_dir), work)
        configs = write_configs(work)
        compile_snapshot(args.takedownctl, configs["A"])  # takedownd starts from a stored snapshot
        first = Daemon(args, configs["A"], socket_path, "first")
        status = first.start()
        print(f"takedownd {first.process.pid} up: generation {status.get('generation')}, "
              f"origin {status.get('snapshot', {}).get('origin')!r}")
        if status.get("generation") != 1:
            failures.add("start", f"generation at start: expected 1, got {status.get('generation')}")
        time.sleep(0.3)
        generation = reload_under_load(args, configs, socket_path, failures)
        broken_lists(args, configs, generation, failures)
        corrupt_snapshots(args, configs, socket_path, generation, failures)
        runner = Runner(args, configs["A"])
        generation = run_goes_live(args, configs, runner, generation, failures)
        code, stats = first.stop()
        if code != 0 or stats is None:
            raise Fail(f"the first takedownd exited {code} on SIGTERM; stats JSON: {stats is not None}; "
                       f"stderr: {open(first.err).read().strip()[-600:]}")
        answers_path = os.path.join(work, "answers-first.pcap")
        os.replace(os.path.join(work, "answers.pcap"), answers_path)  # the restart writes a new one
        second = restart(args, configs, socket_path, runner, failures)
        for name, process in (("takedownctl run", runner.process), ("restarted takedownd", second.process)):
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=TIMEOUT)
            if code != 0:
                failures.add("stop", f"{name} exited {code} on SIGTERM")
        answers = check_answers(answers_path, failures)
        check_final_stats(stats, generation, answers, failures)
    except Fail as e:
        failures.add("abort", str(e))
    except subprocess.TimeoutExpired as e:
        failures.add("abort", f"{' '.join(map(str, e.cmd))} did not finish within {e.timeout} s")
    finally:
        for leftover in (runner, first, second):
            stop_leftover(leftover.process if leftover is not None else None)
    if failures.count():
        failures.print()
        print(f"reload test: {failures.count()} failure(s) in {time.monotonic() - started:.0f} s; files in {work}")
        return 1
    print(f"reload test: all checks pass ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
