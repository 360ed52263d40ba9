#!/usr/bin/env python3
"""takedownd's Prometheus endpoint and DPDK telemetry commands against its stats JSON.

A generated capture (DNS, HTTP, TLS, some malformed frames) goes through takedownd on net_pcap;
once it is through, /metrics is scraped and must agree with the stats JSON takedownd prints at
exit: packets and bytes per port and direction, verdicts by protocol and action against the
blocked and extracted counts, hits per list, drops by reason, replies, errors, malformed and
truncated, and the snapshot. The exposition itself is checked too: HELP and TYPE before every
family's samples, `_total` on every counter, numbers that parse, 404 off /metrics. Then
/takedown/stats, /takedown/lists and /takedown/snapshot are read through DPDK's own
dpdk-telemetry.py and must agree with the same JSON.

usage: metrics_test.py --takedownd PATH --source-dir DIR --work-dir DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite_args import compile_snapshot, suite_parser  # noqa: E402

LISTEN = "127.0.0.1:19910"
PREFIX = "takedown-metrics-test"


def telemetry(commands):
    """{command: reply} from dpdk-telemetry.py, which reads commands from stdin."""
    r = subprocess.run(["dpdk-telemetry.py", "-f", PREFIX], input="\n".join(commands) + "\n",
                       capture_output=True, text=True, timeout=30)
    replies = {}
    for line in r.stdout.splitlines():
        if line.startswith("{\"/takedown/"):
            replies.update(json.loads(line))
    return replies
SAMPLE = re.compile(r'^([a-z_:][a-z0-9_:]*)(\{(.*)\})? (\S+)$')


def parse(text, problems):
    """{(name, frozenset(labels)): value}, checking the exposition's shape on the way."""
    samples, types, current = {}, {}, None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            current = line.split()[2]
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            if name != current:
                problems.append(f"TYPE {name} without its HELP line first")
            types[name] = kind
            if kind == "counter" and not name.endswith("_total"):
                problems.append(f"counter {name} does not end in _total")
            continue
        m = SAMPLE.match(line)
        if not m:
            problems.append(f"not a sample line: {line!r}")
            continue
        name, labels, value = m.group(1), m.group(3) or "", m.group(4)
        if name not in types:
            problems.append(f"{name}: sample before its TYPE line")
        pairs = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels))
        samples[(name, pairs)] = float(value)
    return samples


def get(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def main():
    args = suite_parser("takedownd", "takedownctl").parse_args()
    source, work = os.path.abspath(args.source_dir), os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    capture = os.path.join(work, "in.pcap")
    subprocess.run([sys.executable, os.path.join(source, "tests/integration/generate_capture.py"), capture,
                    "--frames", "4000", "--seed", "99", "--malformed-share", "0.03"], check=True, timeout=120)
    with open(os.path.join(source, "tests/data/top-50k.txt")) as top, open(os.path.join(work, "allow.txt"), "w") as f:
        f.writelines(line for _, line in zip(range(2000), top))  # popular names: some frames will carry one
    config = os.path.join(work, "takedown.yaml")
    with open(config, "w") as f:
        f.write(f"""lists:
  - {{name: takedown-66k, format: domains, path: "{source}/conf/lists/takedown-66k.txt"}}
  - {{name: allow-popular, format: domains, path: allow.txt, action: allow}}
control: {{socket: "{work}/control.sock", snapshot_dir: "{work}/snapshots"}}
metrics: {{listen: "{LISTEN}"}}
dataplane:
  eal: [--no-huge, -m, "256", --no-pci, --no-shconf, --file-prefix, {PREFIX}, --log-level=warning]
  ports:
    - {{name: client, device: "net_pcap0,rx_pcap=in.pcap,tx_pcap=client-out.pcap"}}
    - {{name: resolver, device: "net_pcap1,tx_pcap=resolver-out.pcap"}}
  pairs: [[client, resolver]]
""")
    compile_snapshot(args.takedownctl, config)
    with open(os.path.join(work, "stats.json"), "w") as out, open(os.path.join(work, "stderr.txt"), "w") as err:
        proc = subprocess.Popen([args.takedownd, "-c", config, "--duration", "4"], stdout=out, stderr=err)
        text, status_404, telemetry_replies = None, None, {}
        deadline = time.monotonic() + 60
        while text is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.3)
            try:
                first = urllib.request.urlopen(f"http://{LISTEN}/metrics", timeout=5).read().decode()
                time.sleep(1.0)  # the capture is through in well under a second: the counters have settled
                text = urllib.request.urlopen(f"http://{LISTEN}/metrics", timeout=5).read().decode()
                packets = lambda t: [l for l in t.splitlines() if l.startswith("takedown_packets_total")]
                if packets(first) != packets(text):
                    text = None  # still moving; scrape again
                try:
                    urllib.request.urlopen(f"http://{LISTEN}/", timeout=5)
                except urllib.error.HTTPError as e:
                    status_404 = e.code
                time.sleep(0.3)  # the main lcore republishes telemetry every 100 ms
                telemetry_replies = telemetry(["/takedown/stats", "/takedown/lists", "/takedown/snapshot"])
            except (urllib.error.URLError, ConnectionError):
                continue
        proc.wait(timeout=60)
    if text is None:
        print(f"FAIL: never scraped /metrics on {LISTEN} (stderr: {open(os.path.join(work, 'stderr.txt')).read()})")
        return 1
    stats = json.load(open(os.path.join(work, "stats.json")))
    problems = []
    samples = parse(text, problems)

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: metrics {got}, stats {want}")

    for port, p in stats["ports"].items():
        expect(f"packets rx {port}", get(samples, "takedown_packets_total", port=port, direction="rx"), p["rx"])
        expect(f"packets tx {port}", get(samples, "takedown_packets_total", port=port, direction="tx"), p["tx"])
        expect(f"rx_missed {port}", get(samples, "takedown_rx_missed_total", port=port), p["rx_missed"])
        if get(samples, "takedown_bytes_total", port=port, direction="rx") is None:
            problems.append(f"no bytes for port {port}")
    rx_bytes = sum(get(samples, "takedown_bytes_total", port=p, direction="rx") for p in stats["ports"])
    with open(capture, "rb") as f:
        data, at, captured = f.read(), 24, 0
        while at + 16 <= len(data):
            length = int.from_bytes(data[at + 8:at + 12], "little")
            captured += length
            at += 16 + length
    expect("bytes received = bytes in the capture", rx_bytes, captured)
    verdicts = {(dict(k[1])["protocol"], dict(k[1])["action"]): v for k, v in samples.items()
                if k[0] == "takedown_verdicts_total"}
    for proto in ("dns", "http", "tls"):
        expect(f"{proto} blocked", verdicts.get((proto, "block")), stats["blocked"][proto])
        named = sum(v for (p, a), v in verdicts.items() if p == proto and a != "pass") + verdicts.get((proto, "pass"), 0)
        if named < stats["extracted"][proto]:
            problems.append(f"{proto}: {named} verdicts for {stats['extracted'][proto]} names")
    expect("all verdicts = rx", sum(verdicts.values()), stats["rx_packets"])
    expect("allow verdicts", sum(v for (p, a), v in verdicts.items() if a == "allow"), stats["allowed"])
    for name, hits in stats["lists"].items():
        expect(f"hits {name}", get(samples, "takedown_list_hits_total", list=name), hits)
    for reason, n in stats["dropped_by"].items():
        expect(f"dropped {reason}", get(samples, "takedown_dropped_total", reason=reason), n)
    for kind, n in stats["replies_sent"].items():
        expect(f"replies {kind}", get(samples, "takedown_replies_total", kind=kind), n)
    for metric, key in (("takedown_tx_errors_total", "tx_errors"), ("takedown_reply_errors_total", "reply_errors")):
        expect(metric, get(samples, metric), stats[key])
    for metric, key in (("takedown_malformed_total", "malformed"), ("takedown_truncated_total", "truncated")):
        by_reason = {dict(k[1]).get("reason"): v for k, v in samples.items() if k[0] == metric}
        expect(f"{metric} summed over reasons", sum(by_reason.values()), stats[key])
        if None in by_reason or len(by_reason) < 2:
            problems.append(f"{metric}: expected several reason labels, got {sorted(map(str, by_reason))}")
    expect("generation", get(samples, "takedown_snapshot_generation"), stats["snapshot"]["generation"])
    expect("domains", get(samples, "takedown_snapshot_domains"), stats["snapshot"]["domains"])
    busy = get(samples, "takedown_worker_busy_ratio", worker="0")
    if busy is None or not 0 <= busy <= 1:
        problems.append(f"worker busy ratio {busy}")
    if stats["allowed"] == 0 or stats["blocked"]["dns"] == 0 or stats["malformed"] + stats["truncated"] == 0:
        problems.append(f"the capture did not exercise allow, block and malformed: {stats}")
    expect("GET / status", status_404, 404)
    t_stats = telemetry_replies.get("/takedown/stats", {})
    for key in ("rx_packets", "tx_packets", "tx_errors", "dropped", "malformed", "truncated", "allowed", "passed"):
        expect(f"telemetry {key}", t_stats.get(key), stats[key])
    # Telemetry keys are the counter fields; the stats JSON groups the replies by kind.
    for field, kind in (("responses_sent", "answer_udp"), ("tcp_answers_sent", "answer_tcp"),
                        ("pages_sent", "http_page"), ("resets_sent", "reset")):
        expect(f"telemetry {field}", t_stats.get(field), stats["replies_sent"][kind])
    for proto in ("dns", "http", "tls"):
        expect(f"telemetry blocked_{proto}", t_stats.get(f"blocked_{proto}"), stats["blocked"][proto])
    t_lists = telemetry_replies.get("/takedown/lists", {})
    for name, hits in stats["lists"].items():
        expect(f"telemetry list {name}", t_lists.get(re.sub(r"[^A-Za-z0-9_/]", "_", name)), hits)
    t_snapshot = telemetry_replies.get("/takedown/snapshot", {})
    expect("telemetry generation", t_snapshot.get("generation"), stats["snapshot"]["generation"])
    expect("telemetry domains", t_snapshot.get("domains"), stats["snapshot"]["domains"])
    for p in problems:
        print("FAIL:", p)
    print(f"metrics_test: {len(samples)} samples, {len(telemetry_replies)} telemetry replies, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
