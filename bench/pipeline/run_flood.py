#!/usr/bin/env python3
"""Flood run: half ClientHellos and junk QUIC Initials into one takedownd worker, beside normal traffic.

Two captures, replayed by `net_pcap0,...,infinite_rx=1` into one worker that forwards to net_null:
  normal  per unit: a post-quantum-sized ClientHello over two segments (SNI in the second) and two
          DNS queries, 10% of the names blocked;
  flood   the same units, each followed by a first ClientHello segment that never completes and a
          junk 1,250-byte Initial (a well-formed v1 header over bytes that do not decrypt), each
          from a source of its own: --units of each per pass, more than the flow table holds.
Each runs --seconds; takedownd's resident memory is sampled every half second. Reported: frames
per second, the flood frames sent (a million of each for the default run), flows evicted, QUIC
Initials failed and over budget, normal ClientHellos reassembled per second, and memory half way
through against the end. The run fails when takedownd dies, memory grows by more than 2%, a
flood adds no eviction, or a normal name goes unjudged (an allowed ClientHello not reassembled on
every pass, or no blocked flow's verdict applied).

This is a saturated replay: the worker runs flat out on whatever the capture holds, so the normal
names per second fall by the flood's share of the worker's time. The flood's cost to normal
traffic itself is flow_bench's BM_WebMixUnderFlood, which times normal frames alone.

usage: run_flood.py --takedownd BIN --takedownctl BIN [--units N] [--seconds S] [--work-dir DIR]
                    [--results-dir DIR] [--quick]
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from generate_capture import dns_message, ethernet_header, ipv4, udp, with_transport_checksum  # noqa: E402
from split_hello import client_hello  # noqa: E402

TCP, UDP = 6, 17
SERVER = bytes([10, 99, 0, 1])


def tcp_frame(src, sport, seq, payload):
    l4 = struct.pack("!HHIIBBHHH", sport, 443, seq, 1, 5 << 4, 0x18, 65535, 0, 0) + payload
    return ethernet_header(0x0800, []) + ipv4(TCP, src, SERVER, with_transport_checksum(TCP, src, SERVER, l4))


def udp_frame(src, sport, dport, payload):
    return ethernet_header(0x0800, []) + ipv4(UDP, src, SERVER, udp(sport, dport, payload))


def junk_initial(rng):
    header = bytes([0xC3, 0, 0, 0, 1, 8]) + rng.randbytes(8) + b"\x00\x00\x44\xd0"
    return header + rng.randbytes(1250 - len(header))


def write_captures(work, units, blocked, benign):
    rng = random.Random(20261202)
    random.seed(20261202)
    with open(os.path.join(work, "normal.pcap"), "wb") as normal, open(os.path.join(work, "flood.pcap"), "wb") as flood:
        for out in (normal, flood):
            out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        record = lambda out, frame: out.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
        for u in range(units):
            name = blocked[u % len(blocked)] if u % 10 == 0 else benign[u % len(benign)]
            src = bytes([10, 1 + (u >> 16) % 200, (u >> 8) & 0xFF, u & 0xFF])
            hello = client_hello(name)
            frames = [tcp_frame(src, 20000 + u % 40000, 1000, hello[:1000]),
                      tcp_frame(src, 20000 + u % 40000, 2000, hello[1000:]),
                      udp_frame(src, 30000 + u % 30000, 53, dns_message(name, 1, True)),
                      udp_frame(src, 30000 + u % 30000, 53, dns_message("www." + name, 28, False))]
            # The flood: sources of their own, never completed, never decrypting.
            fsrc = bytes([100, 64 + (u >> 16) % 64, (u >> 8) & 0xFF, u & 0xFF])
            half = tcp_frame(fsrc, 40000 + u % 20000, 7, client_hello("flood.example")[:600])
            junk = udp_frame(fsrc, 50000 + u % 10000, 443, junk_initial(rng))
            for frame in frames:
                record(normal, frame)
                record(flood, frame)
            record(flood, half)
            record(flood, junk)
    return os.path.join(work, "normal.pcap"), os.path.join(work, "flood.pcap")


def config(work, name, pcap, source):
    path = os.path.join(work, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(f"""lists:
  - {{name: takedown, format: domains, path: "{source}/conf/lists/takedown-66k.txt"}}
control: {{socket: "{work}/{name}.sock", snapshot_dir: "{work}/snapshots"}}
dataplane:
  eal: [--no-huge, -m, "2048", --no-pci, --no-shconf, --no-telemetry, --log-level=warning, --file-prefix, td-flood]
  ports:
    - {{name: mix, device: "net_pcap0,rx_pcap={pcap},infinite_rx=1"}}
    - {{name: sink, device: "net_null0,no-rx=1"}}
  pairs: [[mix, sink]]
  workers: 1
""")
    return path


def resident_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return None


def run(args, work, name, pcap):
    cfg = config(work, name, pcap, REPO)
    subprocess.run([args.takedownctl, "compile", "-c", cfg], check=True, capture_output=True, timeout=300)
    out_path = os.path.join(work, f"{name}.json")
    with open(out_path, "w") as out, open(os.path.join(work, f"{name}.err"), "w") as err:
        p = subprocess.Popen([args.takedownd, "-c", cfg, "--duration", str(args.seconds)], stdout=out, stderr=err)
        samples = []
        while p.poll() is None:
            rss = resident_kib(p.pid)
            if rss:
                samples.append((time.monotonic(), rss))
            time.sleep(0.5)
        exited = time.monotonic()
    if p.returncode != 0:
        raise RuntimeError(f"takedownd exited {p.returncode} on the {name} capture (see {work}/{name}.err)")
    stats = json.load(open(out_path))
    # Memory from half way (start-up, the pool and the capture's load are long over) to the end,
    # leaving out the last 1.5 s: at the end of --duration takedownd frees its pools and rings
    # while it still runs, and a sample taken then showed a drop of a gigabyte.
    steady = [rss for t, rss in samples
              if t - samples[0][0] >= args.seconds / 2 and t <= exited - 1.5] if samples else []
    return stats, (steady[0], steady[-1]) if steady else (0, 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--takedownd", required=True)
    parser.add_argument("--takedownctl", required=True)
    parser.add_argument("--units", type=int, default=60000)
    parser.add_argument("--seconds", type=int, default=25)
    parser.add_argument("--work-dir", default="build/flood-bench")
    parser.add_argument("--results-dir", default="bench/results")
    parser.add_argument("--quick", action="store_true", help="a small capture for a few seconds")
    args = parser.parse_args()
    if args.quick:
        args.units, args.seconds = 5000, 4
    work = os.path.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.results_dir, exist_ok=True)
    blocked = [l.strip() for l in open(os.path.join(REPO, "conf/lists/takedown-66k.txt")) if l.strip()][::7]
    benign = [l.strip() for l in open(os.path.join(REPO, "tests/data/top-50k.txt")) if l.strip()]
    normal_pcap, flood_pcap = write_captures(work, args.units, blocked, benign)

    results, failures = {}, []
    for name, pcap in (("normal", normal_pcap), ("flood", flood_pcap)):
        stats, (rss_start, rss_end) = run(args, work, name, pcap)
        seconds = stats["elapsed_seconds"]
        frames_per_pass = args.units * (6 if name == "flood" else 4)
        passes = stats["rx_packets"] / frames_per_pass
        r = {"rx_pps": stats["rx_packets"] / seconds, "passes": passes,
             "flood_half_hellos": int(passes * args.units) if name == "flood" else 0,
             "flood_initials": int(passes * args.units) if name == "flood" else 0,
             "evicted": stats["flows"]["evicted"], "reassembled_per_s": stats["reassembly"]["completed"] / seconds,
             "reassembled_per_pass": stats["reassembly"]["completed"] / max(passes, 1e-9),
             "quic_failed": stats["quic"]["failed"], "quic_over_budget": stats["quic"]["over_budget"],
             "rss_kib_start": rss_start, "rss_kib_end": rss_end, "tx_errors": stats["tx_errors"]}
        results[name] = r
        print(f"{name}: {r['rx_pps'] / 1e6:.3f} Mpps over {seconds:.1f} s, {passes:.1f} passes; flood "
              f"{r['flood_half_hellos']:,} half ClientHellos and {r['flood_initials']:,} junk Initials; evicted "
              f"{r['evicted']:,}; QUIC failed {r['quic_failed']:,}, over budget {r['quic_over_budget']:,}; normal "
              f"ClientHellos reassembled {r['reassembled_per_s']:,.0f}/s ({r['reassembled_per_pass']:,.0f} per pass "
              f"of {args.units:,}); memory {rss_start:,} -> {rss_end:,} KiB", flush=True)
        if rss_end > rss_start * 1.02:
            failures.append(f"{name}: memory grew from {rss_start} to {rss_end} KiB")
        # Allowed ClientHellos are reassembled on every pass; blocked ones (every tenth) on the
        # first, then their flows' verdicts stand.
        allowed = args.units - (args.units + 9) // 10
        if r["reassembled_per_pass"] < allowed * 0.999 or stats["flows"]["verdicts"] == 0:
            failures.append(f"{name}: {r['reassembled_per_pass']:.0f} allowed ClientHellos reassembled per pass "
                            f"of {allowed}, {stats['flows']['verdicts']} blocked-flow verdicts")
    if results["flood"]["evicted"] <= results["normal"]["evicted"]:
        failures.append("the flood evicted no flow")
    ratio = results["flood"]["reassembled_per_s"] / results["normal"]["reassembled_per_s"]
    results["normal_names_ratio_saturated"] = ratio
    print(f"normal ClientHellos per second with the flood / without: {ratio:.3f} (saturated replay; the "
          f"flood is a third of the frames)")
    with open(os.path.join(args.results_dir, "flood.json"), "w") as f:
        json.dump(results, f, indent=1)
    for message in failures:
        print(f"FAIL {message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
