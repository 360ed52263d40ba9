#!/usr/bin/env python3
"""RPZ by zone transfer: takedownctl against a Knot DNS primary with TSIG, and Unbound beside it.

Knot (Debian's knotd, started here on 127.0.0.1) serves the policy zone rpz.test: every name of
conf/lists/takedown-66k.txt as "name CNAME ." (66,000), plus "*.name" for every 50th name, under
a TSIG key made by keymgr (hmac-sha256). It sends NOTIFY (Knot: over TCP) to takedownctl run's
control.notify. Unbound (a secondary of the same primary, unsigned: Unbound has no TSIG for zone
transfers) serves the zone as RPZ and forwards what the policy lets through to a second Unbound
that answers every name with 192.0.2.1. The checks:

1. `takedownctl fetch`: an AXFR of the 66k zone, its bytes and time; `fetch` again: up to date.
2. takedownd (net_null ports, /metrics) with `takedownctl run`: a name added on the primary
   (knotc zone-set, zone-commit) is blocked by takedownd (status domains + 1) within 2 s of the
   commit, through NOTIFY and an IXFR; the time is printed.
3. 100 changes in one commit (50 names added, 50 removed): the IXFR's bytes and time against an
   AXFR of the same zone (fetch into an empty state folder), both printed; status agrees.
4. Agreement: 2,000 names (blocked, below wildcards, below exact entries, removed, benign
   top-50k) judged by `takedownctl check` and answered by the Unbound secondary: the same verdict
   for every one.
5. Refusals, nothing changes: a wrong TSIG secret (BADSIG) and an unknown key name (BADKEY) on
   fetch; NOTIFYs sent from here unsigned (NOTAUTH) and for another zone (REFUSED), answered and
   logged by run; a fake primary that cuts its answer short, and one that sends garbage.
6. /metrics: takedown_source_serial is the primary's serial, takedown_source_up 1, and
   takedown_source_failures_total counts run's failures; knot stopped and run restarted: the
   transfer fails and the last good copy is loaded.

usage: zone_transfer_test.py --takedownd BIN --takedownctl BIN --source-dir DIR --work-dir DIR
"""
import os
import re
import shutil
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from source_support import (Daemon, Fail, Runner, control_request, dataplane_yaml, source_metrics,  # noqa: E402
                            stop_all, suite_parser, verdict)

KNOT_PORT = 15353
NOTIFY_PORT = 15300
UNBOUND_RPZ_PORT = 15354
UNBOUND_PLAIN_PORT = 15355
METRICS = "127.0.0.1:19912"
ZONE = "rpz.test"
ADDED = "added-on-primary.zone-transfer-test.example"

CONFIG = """# Written by zone_transfer_test.py.
# {{socket}}: the configs of the refusal checks name a socket nobody serves, so that their fetches
# do not report their sources to the takedownd under test.
lists:
  - name: rpz
    format: rpz
    transfer:
      primary: 127.0.0.1
      port: {port}
      zone: {zone}
      tsig: {{name: {key_name}, algorithm: hmac-sha256, secret_file: {secret}}}
control:
  socket: {work}/{socket}
  snapshot_dir: {state}
  notify: "127.0.0.1:{notify}"
""" + dataplane_yaml("takedown-zone-transfer-test", METRICS).replace("{", "{{").replace("}", "}}")


def run(argv, timeout=120, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)


def knot_config(work):
    knot = os.path.join(work, "knot")
    for d in ("zones", "db", "run"):
        os.makedirs(os.path.join(knot, d), exist_ok=True)
    key = run(["keymgr", "-t", "xfr-key", "hmac-sha256"]).stdout
    with open(os.path.join(work, "xfr.key"), "w") as f:
        f.write(key)
    with open(os.path.join(work, "wrong.key"), "w") as f:
        f.write("secret: " + "A" * 43 + "=\n")
    path = os.path.join(knot, "knot.conf")
    with open(path, "w") as f:
        # tcp-io-timeout: Knot gives each message of an outgoing transfer 500 ms by default; a
        # takedownctl under ASan on a busy 2-core machine once took longer to read one of the 2 MB
        # AXFR's 134 messages and was cut mid-message. The cut itself has its own check below.
        f.write(f"""server:
    rundir: {knot}/run
    listen: 127.0.0.1@{KNOT_PORT}
    tcp-io-timeout: 10000
log:
  - target: {knot}/knot.log
    any: info
database:
    storage: {knot}/db
control:
    listen: {knot}/run/knot.sock
include: {work}/xfr.key
acl:
  - id: signed
    address: 127.0.0.1
    key: xfr-key
    action: transfer
  - id: unbound
    address: 127.0.0.1
    action: transfer
remote:
  - id: takedownctl
    address: 127.0.0.1@{NOTIFY_PORT}
    key: xfr-key
  - id: unbound
    address: 127.0.0.1@{UNBOUND_RPZ_PORT}
template:
  - id: default
    storage: {knot}/zones
    zonefile-sync: -1
    journal-content: changes
    zonefile-load: difference
    serial-policy: increment
zone:
  - domain: {ZONE}
    file: {ZONE}.zone
    acl: [signed, unbound]
    notify: [takedownctl, unbound]
""")
    return path


def write_zone(work, names):
    lines = [f"$ORIGIN {ZONE}.", "$TTL 300",
             f"@ IN SOA ns.{ZONE}. hostmaster.{ZONE}. 1 3600 600 86400 300", f"@ IN NS ns.{ZONE}."]
    lines += [f"{n} CNAME ." for n in names]
    lines += [f"*.{n} CNAME ." for n in names[::50]]
    os.makedirs(os.path.join(work, "knot", "zones"), exist_ok=True)
    with open(os.path.join(work, "knot", "zones", f"{ZONE}.zone"), "w") as f:
        f.write("\n".join(lines) + "\n")


def knotc(work, *args):
    r = run(["knotc", "-s", os.path.join(work, "knot", "run", "knot.sock"), *args])
    if r.returncode != 0:
        raise Fail(f"knotc {' '.join(args[:3])}...: {r.stdout}{r.stderr}")


def change_zone(work, add=(), remove=()):
    """One knotc transaction: Knot bumps the serial, journals the diff and sends NOTIFY."""
    knotc(work, "zone-begin", ZONE)
    for n in add:
        knotc(work, "zone-set", ZONE, n, "300", "CNAME", ".")
    for n in remove:
        knotc(work, "zone-unset", ZONE, n, "CNAME")
    knotc(work, "zone-commit", ZONE)


def wait_port(port, udp=False, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = run(["ss", "-lnu" if udp else "-lnt"]).stdout
        if f"127.0.0.1:{port} " in out:
            return True
        time.sleep(0.1)
    return False


def unbound_configs(work):
    plain = os.path.join(work, "unbound-plain.conf")
    common = ["server:", f"  directory: \"{work}\"", "  chroot: \"\"", "  username: \"\"",
              "  do-daemonize: no", "  use-syslog: no", "  interface: 127.0.0.1", "  num-threads: 1",
              "  access-control: 127.0.0.0/8 allow", "  do-not-query-localhost: no", "  verbosity: 1"]
    with open(plain, "w") as f:
        f.write("\n".join(common + [f"  port: {UNBOUND_PLAIN_PORT}", f"  pidfile: \"{work}/ub-plain.pid\"",
                                    f"  logfile: \"{work}/ub-plain.log\"", "  local-zone: \".\" redirect",
                                    "  local-data: \". 300 IN A 192.0.2.1\""]) + "\n")
    secondary = os.path.join(work, "unbound-rpz.conf")
    with open(secondary, "w") as f:
        f.write("\n".join(common + [f"  port: {UNBOUND_RPZ_PORT}", f"  pidfile: \"{work}/ub-rpz.pid\"",
                                    f"  logfile: \"{work}/ub-rpz.log\"", "  module-config: \"respip iterator\"",
                                    "forward-zone:", "  name: \".\"",
                                    f"  forward-addr: 127.0.0.1@{UNBOUND_PLAIN_PORT}",
                                    "rpz:", f"  name: {ZONE}.", f"  primary: 127.0.0.1@{KNOT_PORT}",
                                    f"  allow-notify: 127.0.0.1", f"  zonefile: \"{work}/unbound-rpz.zone\"",
                                    "  rpz-log: no"]) + "\n")
    return plain, secondary


def probe(source, port, names, work):
    path = os.path.join(work, "probe-names.txt")
    with open(path, "w") as f:
        f.write("\n".join(names) + "\n")
    r = run([sys.executable, os.path.join(source, "tests/e2e/dns_probe.py"), "127.0.0.1", str(port), path],
            timeout=300)
    return dict(line.split("\t") for line in r.stdout.splitlines() if "\t" in line)


def verdicts(args, config, names):
    r = run([args.takedownctl, "check", "-c", config, "-"], input="\n".join(names) + "\n", timeout=300)
    return {line.split("\t")[0]: line.split("\t")[1] for line in r.stdout.splitlines() if "\t" in line}


def notify_message(zone, qid=0x4242):
    header = struct.pack("!HHHHHH", qid, 0x2400, 1, 0, 0, 0)  # opcode NOTIFY, AA
    wire = b"".join(bytes([len(l)]) + l.encode() for l in zone.split(".")) + b"\0"
    return header + wire + struct.pack("!HH", 6, 1)


def send_notify(zone):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(notify_message(zone), ("127.0.0.1", NOTIFY_PORT))
        reply = s.recv(512)
    return reply[3] & 0x0F


class FakePrimary(socketserver.BaseRequestHandler):
    """Reads the query, then: "cut" sends a 500-byte frame with 20 bytes in it; "garbage" a
    framed message whose header promises three questions and whose body is noise."""
    mode = "cut"

    def handle(self):
        self.request.recv(4096)
        if self.mode == "cut":
            self.request.sendall(struct.pack("!H", 500) + b"\x12\x34\x84\x00" + b"\0" * 16)
        else:
            noise = struct.pack("!HHHHHH", 0, 0x8400, 3, 0, 0, 0) + bytes(range(7, 35))  # 3 questions: none
            self.request.sendall(struct.pack("!H", len(noise)) + noise)


def figures(line):
    m = re.search(r"(\d+) bytes in (\d+) messages, ([\d.]+) ms", line)
    return (int(m.group(1)), int(m.group(2)), float(m.group(3))) if m else None


def metric(name, problems):
    return source_metrics(METRICS, problems).get((name, "rpz"))


def main():
    parser = suite_parser("takedownd", "takedownctl")
    # The product's bound is 2 s (the Release tree); under ASan the compile and the IXFR run 2-3x
    # slower, and the sanitizer tree checks the path, not the product's latency.
    parser.add_argument("--live-within", type=float, default=2.0,
                        help="seconds from the primary's commit to takedownd blocking the name")
    args = parser.parse_args()
    source, work = os.path.abspath(args.source_dir), os.path.abspath(args.work_dir)
    args.work_dir = work
    for tool in ("knotd", "knotc", "keymgr", "unbound"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed (scripts/install-deps.sh installs knot and unbound)")
            return 77
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    names = [l.strip() for l in open(os.path.join(source, "conf/lists/takedown-66k.txt")) if l.strip()]
    write_zone(work, names)
    state = os.path.join(work, "state")
    config = os.path.join(work, "takedown.yaml")
    with open(config, "w") as f:
        f.write(CONFIG.format(port=KNOT_PORT, zone=ZONE, key_name="xfr-key", secret="xfr.key", work=work,
                              socket="control.sock", state=state, notify=NOTIFY_PORT))
    problems, procs = [], []
    daemon = runner = None
    try:
        knot = subprocess.Popen(["knotd", "-c", knot_config(work)], stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(work, "knotd.out"), "w"))
        procs.append(knot)
        if not wait_port(KNOT_PORT):
            raise Fail(f"knotd did not listen: {open(os.path.join(work, 'knotd.out')).read()}")

        # 1. AXFR, then up to date
        r = run([args.takedownctl, "fetch", "-c", config])
        axfr = figures(r.stdout)
        if r.returncode != 0 or "AXFR to serial 1" not in r.stdout or f"{len(names) + len(names[::50])} entries" not in r.stdout:
            raise Fail(f"first fetch: exit {r.returncode}: {r.stdout}{r.stderr}")
        print(f"AXFR of {len(names)} names (+{len(names[::50])} wildcards): {axfr[0]} bytes in {axfr[1]} messages, {axfr[2]:.0f} ms")
        r = run([args.takedownctl, "fetch", "-c", config])
        if r.returncode != 0 or "serial 1 is current" not in r.stdout:
            problems.append(f"second fetch: {r.stdout}{r.stderr}")

        # 2. NOTIFY -> IXFR -> live
        if run([args.takedownctl, "compile", "-c", config]).returncode != 0:
            raise Fail("compile from the zone copy failed")
        daemon = Daemon(args, config, os.path.join(work, "control.sock"), "zone")
        daemon.start()
        runner = Runner(args, config)
        if runner.wait_for(r"\[start\]") is None:
            raise Fail(f"takedownctl run did not start: {runner.log()}")
        status = lambda: control_request(os.path.join(work, "control.sock"), {"command": "status"})
        before = status()["snapshot"]["domains"]
        committed = time.monotonic()
        change_zone(work, add=[ADDED])
        live = None
        while time.monotonic() < committed + 10:
            if status()["snapshot"]["domains"] == before + 1:
                live = time.monotonic() - committed
                break
            time.sleep(0.02)
        if live is None or live > args.live_within:
            problems.append(f"a name added on the primary was not live within {args.live_within} s "
                            f"({live}): {runner.log()}")
        notified = runner.wait_for(r"NOTIFY for rpz\.test from 127\.0\.0\.1 \(TSIG xfr-key\): accepted", timeout=5)
        transferred = runner.wait_for(r"IXFR to serial 2 from 1, \+1 -0 records", timeout=5)
        loaded = runner.wait_for(r"generation \d+: .*\[new copy of rpz\]", timeout=5)
        if notified is None or transferred is None or loaded is None:
            problems.append(f"no NOTIFY, IXFR and load in run's log: {runner.log()}")
        elif live is not None:
            ms = lambda t: (t - committed) * 1000
            print(f"NOTIFY -> live: {live * 1000:.0f} ms from knotc zone-commit to takedownd's new snapshot "
                  f"(NOTIFY taken at {ms(notified[1]):.0f} ms, IXFR done at {ms(transferred[1]):.0f} ms, "
                  f"loaded at {ms(loaded[1]):.0f} ms)")

        # 3. 100 changes: IXFR against AXFR
        added = [f"change-{i:02d}.zone-transfer-test.example" for i in range(50)]
        removed = names[1000:1050]
        wildcards = set(names[::50])  # a removed name whose "*." entry stays is still a domain
        mark = len(runner.lines)
        change_zone(work, add=added, remove=removed)
        line = runner.wait_for(r"IXFR to serial 3 from 2, \+50 -50 records", after=mark, timeout=10)
        if line is None:
            problems.append(f"no IXFR of the 100 changes: {runner.log()}")
        else:
            ixfr = figures(line[2])
            with open(os.path.join(work, "axfr.yaml"), "w") as f:
                f.write(CONFIG.format(port=KNOT_PORT, zone=ZONE, key_name="xfr-key", secret="xfr.key", work=work,
                                      socket="nobody.sock", state=os.path.join(work, "state-axfr"), notify=NOTIFY_PORT))
            r = run([args.takedownctl, "fetch", "-c", os.path.join(work, "axfr.yaml")])
            full = figures(r.stdout)
        if line is not None and full is None:
            problems.append(f"takedownctl fetch (AXFR of the same zone) gave no figures, exit {r.returncode}: "
                            f"{r.stdout.strip()} {r.stderr.strip()}")
        elif line is not None:
            print(f"100 changes: IXFR {ixfr[0]} bytes in {ixfr[1]} messages, {ixfr[2]:.1f} ms; AXFR of the same "
                  f"zone {full[0]} bytes in {full[1]} messages, {full[2]:.0f} ms "
                  f"(IXFR is {full[0] / ixfr[0]:.0f}x fewer bytes)")
            if open(os.path.join(state, "sources", "rpz.list")).read().count("\n") != \
                    open(os.path.join(work, "state-axfr", "sources", "rpz.list")).read().count("\n"):
                problems.append("the zone after IXFRs and the zone by AXFR differ in size")
            elif open(os.path.join(state, "sources", "rpz.list")).read().split("\n", 1)[1] != \
                    open(os.path.join(work, "state-axfr", "sources", "rpz.list")).read().split("\n", 1)[1]:
                problems.append("the zone after IXFRs and the zone by AXFR differ")
        deadline = time.monotonic() + 5
        domains = before + 1 + sum(1 for n in removed if n in wildcards)
        while time.monotonic() < deadline and status()["snapshot"]["domains"] != domains:
            time.sleep(0.05)
        if status()["snapshot"]["domains"] != domains:
            problems.append(f"after +50 -50, takedownd has {status()['snapshot']['domains']} domains, "
                            f"expected {domains}")

        # 4. agreement with Unbound as a secondary of the same primary
        plain, secondary = unbound_configs(work)
        for conf, port in ((plain, UNBOUND_PLAIN_PORT), (secondary, UNBOUND_RPZ_PORT)):
            procs.append(subprocess.Popen(["unbound", "-d", "-c", conf], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
            if not wait_port(port, udp=True):
                raise Fail(f"unbound ({conf}) did not listen on {port}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and probe(source, UNBOUND_RPZ_PORT, [ADDED], work).get(ADDED) != "nxdomain":
            time.sleep(0.5)
        sample = names[::40][:1000]
        judged = (sample + [f"www.{n}" for n in names[::50][:300]] + [f"www.{n}" for n in names[1::50][:200]]
                  + removed + added + [ADDED])
        listed = set(names)
        benign = [l.strip() for l in open(os.path.join(source, "tests/data/top-50k.txt"))][:600]
        judged += [n for n in benign if n not in listed][:450]
        ours = verdicts(args, config, judged)
        theirs = probe(source, UNBOUND_RPZ_PORT, judged, work)
        disagree = [(n, ours.get(n), theirs.get(n)) for n in judged
                    if (ours.get(n) == "block") != (theirs.get(n) == "nxdomain")
                    or theirs.get(n) not in ("nxdomain", "a:192.0.2.1")]
        blocked = sum(1 for n in judged if ours.get(n) == "block")
        print(f"agreement with Unbound as secondary: {len(judged) - len(disagree)} of {len(judged)} names "
              f"({blocked} blocked, {len(judged) - blocked} passed)")
        if disagree:
            problems.append(f"{len(disagree)} names judged differently from Unbound, e.g. {disagree[:5]}")

        # 5. refusals
        for key_name, secret, reason in (("xfr-key", "wrong.key", "BADSIG"), ("no-such-key", "xfr.key", "BADKEY")):
            bad = os.path.join(work, f"bad-{key_name}.yaml")
            with open(bad, "w") as f:
                f.write(CONFIG.format(port=KNOT_PORT, zone=ZONE, key_name=key_name, secret=secret, work=work,
                                      socket="nobody.sock", state=os.path.join(work, f"state-{reason}"), notify=NOTIFY_PORT))
            r = run([args.takedownctl, "fetch", "-c", bad])
            if r.returncode != 1 or reason not in r.stderr or \
                    os.path.exists(os.path.join(work, f"state-{reason}", "sources", "rpz.list")):
                problems.append(f"a transfer with {reason} was not refused: {r.stdout}{r.stderr}")
            else:
                print(f"refused: {r.stderr.strip().split(': ', 2)[-1]}")
        for zone, rcode, name in ((ZONE, 9, "NOTAUTH"), ("other.test", 5, "REFUSED")):
            got = send_notify(zone)
            if got != rcode:
                problems.append(f"an unsigned NOTIFY for {zone} got RCODE {got}, expected {name}")
        for mode, reason in (("cut", "in the middle of a message"), ("garbage", "is not a DNS message")):
            FakePrimary.mode = mode
            server = socketserver.TCPServer(("127.0.0.1", 0), FakePrimary)
            threading.Thread(target=server.handle_request, daemon=True).start()
            fake = os.path.join(work, f"fake-{mode}.yaml")
            with open(fake, "w") as f:
                f.write(CONFIG.format(port=server.server_address[1], zone=ZONE, key_name="xfr-key", secret="xfr.key",
                                      work=work, socket="nobody.sock", state=os.path.join(work, f"state-{mode}"), notify=NOTIFY_PORT))
            r = run([args.takedownctl, "fetch", "-c", fake])
            server.server_close()
            if r.returncode != 1 or reason not in r.stderr:
                problems.append(f"a fake primary ({mode}) was not refused as expected: {r.stderr.strip()}")
            else:
                print(f"fake primary ({mode}): refused: {r.stderr.strip().split(': ', 2)[-1]}")
        time.sleep(0.3)
        log = open(runner.err).read()
        for expected in ("refused (NOTAUTH): not signed with TSIG key xfr-key", "refused (REFUSED): no list transfers"):
            if expected not in log:
                problems.append(f"run did not log '{expected}': {log[-500:]}")

        # 6. metrics, then the primary down
        serial = metric("takedown_source_serial", problems)
        if serial != 3 or metric("takedown_source_up", problems) != 1 or \
                metric("takedown_source_age_seconds", problems) is None:
            problems.append(f"/metrics for the zone: serial {serial}, up {metric('takedown_source_up', problems)}")
        knot.terminate()
        knot.wait(timeout=20)
        runner.process.terminate()
        runner.process.wait(timeout=20)
        runner = Runner(args, config)
        if runner.wait_for(rf"generation \d+: 1 lists, {domains} domains.*\[start\]") is None:
            problems.append(f"with the primary down, run did not load the last good copy: {runner.log()}")
        elif "the copy at serial 3 stays" not in open(runner.err).read():
            problems.append(f"with the primary down, run logged no failure: {open(runner.err).read()}")
        else:
            time.sleep(0.3)
            print(f"primary down: the copy at serial 3 loaded; takedown_source_failures_total "
                  f"{metric('takedown_source_failures_total', problems)}, up {metric('takedown_source_up', problems)}")
    except Fail as e:
        problems.append(str(e))
    finally:
        stop_all(runner, daemon, *procs)
    return verdict("zone_transfer_test", problems)


if __name__ == "__main__":
    sys.exit(main())
