#!/usr/bin/env python3
"""takedownd's event log: one EVE-style JSON line per block and log decision, rate limited, and
reopened on SIGHUP.

1. A generated capture through takedownd with no rate limit: one event per blocked frame (by
   app_proto, equal to stats.blocked) and per logged frame; every line has the EVE fields
   (timestamp, event_type, in_iface, src_ip, src_port, dest_ip, dest_port, proto, app_proto and
   the dns/http/tls object) and a takedown object whose source file:line holds the listed name
   the event's name matched; outcomes add up to stats.dropped_by.
2. The same capture replayed forever (net_pcap infinite_rx) with rate_limit 50: at most 50 a
   second are written, the rest are counted as rate_limited; halfway the file is renamed and
   SIGHUP sent: events go on in a new file, and the two files hold every event written.

usage: event_log_test.py --takedownd PATH --source-dir DIR --work-dir DIR
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite_args import compile_snapshot, suite_parser  # noqa: E402

EVE_FIELDS = ("timestamp", "event_type", "in_iface", "src_ip", "src_port", "dest_ip", "dest_port", "proto",
              "app_proto", "takedown")


def write_config(work, source, name, events, rx):
    path = os.path.join(work, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(f"""lists:
  - {{name: takedown-66k, format: domains, path: "{source}/conf/lists/takedown-66k.txt"}}
  - {{name: watch, format: domains, path: watch.txt, action: log}}
control: {{socket: "{work}/{name}.sock", snapshot_dir: "{work}/{name}-snapshots"}}
metrics: {{listen: ""}}
events: {events}
dataplane:
  eal: [--no-huge, -m, "512", --no-pci, --no-shconf, --no-telemetry, --log-level=warning]
  ports:
    - {{name: client, device: "net_pcap0,rx_pcap=in.pcap{rx}"}}
    - {{name: resolver, device: "net_null0,no-rx=1"}}
  pairs: [[client, resolver]]
""")
    return path


def read_events(*paths):
    events = []
    for path in paths:
        if os.path.exists(path):
            with open(path) as f:
                events += [json.loads(line) for line in f if line.strip()]
    return events


def main():
    args = suite_parser("takedownd", "takedownctl").parse_args()
    source, work = os.path.abspath(args.source_dir), os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    subprocess.run([sys.executable, os.path.join(source, "tests/integration/generate_capture.py"),
                    os.path.join(work, "in.pcap"), "--frames", "3000", "--seed", "5"], check=True, timeout=120)
    with open(os.path.join(source, "tests/data/top-50k.txt")) as top, open(os.path.join(work, "watch.txt"), "w") as f:
        f.writelines(line for _, line in zip(range(3000), top))
    listed = {}
    with open(os.path.join(source, "conf/lists/takedown-66k.txt")) as f:
        for number, line in enumerate(f, 1):
            listed[number] = line.strip().lower()
    problems = []

    # 1. Every decision, once.
    config = write_config(work, source, "all", f'{{path: "{work}/all.json", rate_limit: 0}}', "")
    compile_snapshot(args.takedownctl, config)
    r = subprocess.run([args.takedownd, "-c", config, "--exit-when-idle", "300"], capture_output=True,
                       text=True, timeout=120)
    if r.returncode != 0:
        print(f"FAIL: takedownd exited {r.returncode}: {r.stderr}")
        return 1
    stats = json.loads(r.stdout)
    events = read_events(os.path.join(work, "all.json"))
    by_proto = {}
    outcomes = {}
    for e in events:
        missing = [k for k in EVE_FIELDS if k not in e]
        if missing or e["event_type"] != "takedown" or e["app_proto"] not in e:
            problems.append(f"event without {missing or e['app_proto']}: {e}")
            continue
        t = e["takedown"]
        name = {"dns": lambda o: o["rrname"], "http": lambda o: o["hostname"], "tls": lambda o: o["sni"]}[
            e["app_proto"]](e[e["app_proto"]])
        if t["action"] == "block":
            by_proto[e["app_proto"]] = by_proto.get(e["app_proto"], 0) + 1
            outcomes[t["outcome"]] = outcomes.get(t["outcome"], 0) + 1
            line = int(t["source"].rsplit(":", 1)[1])
            entry = listed.get(line, "?")
            if t["list"] != "takedown-66k" or not (name == entry or name.endswith("." + entry)):
                problems.append(f"{name}: the event names {t['source']} ({entry!r}), which does not cover it")
    for proto in ("dns", "http", "tls"):
        if by_proto.get(proto, 0) != stats["blocked"][proto]:
            problems.append(f"{proto}: {by_proto.get(proto, 0)} block events, stats.blocked {stats['blocked'][proto]}")
    logged = sum(1 for e in events if e.get("takedown", {}).get("action") == "log")
    if logged != stats["logged"] or logged == 0:
        problems.append(f"{logged} log events, stats.logged {stats['logged']} (must be equal and not 0)")
    for outcome, key in (("answered", "answer_udp"), ("answered_tcp", "answer_tcp"), ("reset", "reset"),
                         ("dropped", "drop")):
        if outcomes.get(outcome, 0) != stats["dropped_by"][key]:
            problems.append(f"{outcome}: {outcomes.get(outcome, 0)} events, stats.dropped_by.{key} {stats['dropped_by'][key]}")
    if stats["events"]["written"] != len(events):
        problems.append(f"stats.events.written {stats['events']['written']}, lines {len(events)}")
    print(f"[1] {len(events)} events: {by_proto} blocked, {logged} logged, outcomes {outcomes}")

    # 2. Rate limit and SIGHUP.
    live, rotated = os.path.join(work, "limited.json"), os.path.join(work, "limited.json.1")
    config = write_config(work, source, "limited", f'{{path: "{live}", rate_limit: 50}}', ",infinite_rx=1")
    compile_snapshot(args.takedownctl, config)
    with open(os.path.join(work, "limited.out"), "w") as out, open(os.path.join(work, "limited.err"), "w") as err:
        proc = subprocess.Popen([args.takedownd, "-c", config, "--duration", "4"], stdout=out, stderr=err)
        time.sleep(2.0)
        os.rename(live, rotated)
        proc.send_signal(signal.SIGHUP)
        proc.wait(timeout=60)
    stats = json.load(open(os.path.join(work, "limited.out")))
    before, after = read_events(rotated), read_events(live)
    written = stats["events"]["written"]
    if len(before) + len(after) != written:
        problems.append(f"rotated {len(before)} + reopened {len(after)} lines != written {written}")
    if not before or not after:
        problems.append(f"SIGHUP: {len(before)} events before the rotation, {len(after)} after: both must be > 0")
    if written > 50 * 6 or stats["events"]["rate_limited"] == 0:
        problems.append(f"rate limit 50/s over ~4 s: {written} written, {stats['events']['rate_limited']} rate limited")
    print(f"[2] rate limit 50/s: {written} written ({len(before)} before SIGHUP, {len(after)} after), "
          f"{stats['events']['rate_limited']} rate limited, {stats['events']['dropped']} dropped")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
