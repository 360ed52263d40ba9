#!/usr/bin/env python3
"""Differential test: takedownctl inspect against tshark's dissectors, frame by frame.

Generates a varied capture (generate_capture.py), runs `takedownctl inspect` on it, and asks tshark
for dns.qry.name (queries only), http.host and tls.handshake.extensions_server_name. tshark keeps
the name as it was on the wire, so its values are normalised the way Takedown states it
(lowercase, one trailing dot removed, an HTTP port removed) before comparing. Every frame must
agree: the same protocol and name, or no name on both sides.
Exits 77 (ctest's skip code) with a message when tshark is not installed.

With --capture PCAP (a capture of real clients, such as tests/data/captures/browsers-sample.pcap)
the comparison is flow by flow instead: the same names per TCP or UDP flow, ours on a frame no
later than tshark's (see compare_flows).

usage: tshark_differential.py --takedownctl BIN --config CONF --source-dir DIR --work-dir DIR [--frames N]
                              [--capture PCAP]
"""
import json
import os
import shutil
import subprocess
import sys
from suite_args import suite_parser


def normalise(name, proto):
    name = name.strip()
    if proto == "http" and not name.startswith("[") and ":" in name:
        name = name.rsplit(":", 1)[0]
    if name.endswith("."):
        name = name[:-1]
    return name.lower()


def tshark_names(capture):
    """{frame: (proto, name)} by tshark, which reassembles TCP and decrypts QUIC Initials itself:
    a name spread over segments or Initials is on the frame that completed it."""
    fields = ["frame.number", "dns.flags.response", "dns.qry.name", "http.host",
              "tls.handshake.extensions_server_name", "frame.protocols"]
    command = ["tshark", "-n", "-r", capture, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in fields:
        command += ["-e", f]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    names = {}
    for line in output.splitlines():
        frame, response, qname, host, sni, protocols = (line.split("\t") + [""] * 6)[:6]
        if qname and response in ("0", "False", "false"):
            names[int(frame)] = ("dns", normalise(qname, "dns"))
        elif host:
            names[int(frame)] = ("http", normalise(host, "http"))
        elif sni:
            proto = "quic" if ":quic" in protocols else "tls"
            names[int(frame)] = (proto, normalise(sni, proto))
    return names


def inspect_names(takedownctl, config, capture):
    """{frame: (proto, name)} by `takedownctl inspect`, and its stderr summary."""
    inspected = subprocess.run([takedownctl, "inspect", "-c", config, capture], check=True,
                               capture_output=True, text=True)
    ours = {}
    for line in inspected.stdout.splitlines():
        record = json.loads(line)
        ours[record["frame"]] = (record["proto"], record["name"])
    return ours, inspected.stderr.strip()


def flows_of_frames(capture):
    """{frame: "tcp:N" | "udp:N"}, tshark's stream numbers."""
    out = subprocess.run(["tshark", "-n", "-r", capture, "-T", "fields", "-e", "frame.number", "-e",
                          "tcp.stream", "-e", "udp.stream"], check=True, capture_output=True, text=True).stdout
    flows = {}
    for line in out.splitlines():
        frame, tcp, udp = (line.split("\t") + ["", ""])[:3]
        flows[int(frame)] = f"tcp:{tcp}" if tcp else f"udp:{udp}" if udp else ""
    return flows


def compare_flows(takedownctl, config, capture):
    """tshark against `takedownctl inspect` on a capture of real clients, flow by flow: the same
    names per flow, and ours on a frame no later than tshark's. tshark names a ClientHello on the
    frame that completes it; we name it on the frame that completes the SNI, which may be earlier.
    Returns (disagreeing flows as text lines, figures)."""
    ours, summary = inspect_names(takedownctl, config, capture)
    theirs = tshark_names(capture)
    flow = flows_of_frames(capture)

    def by_flow(names):
        grouped = {}
        for frame in sorted(names):
            names_, first = grouped.setdefault(flow.get(frame), (set(), frame))
            names_.add(names[frame])
        return {k: (sorted(v[0]), v[1]) for k, v in grouped.items()}

    ours_by, theirs_by = by_flow(ours), by_flow(theirs)
    bad = [k for k in sorted(set(ours_by) | set(theirs_by), key=str)
           if k not in ours_by or k not in theirs_by or ours_by[k][0] != theirs_by[k][0]
           or ours_by[k][1] > theirs_by[k][1]]
    by_proto = {}
    for names_, _ in theirs_by.values():
        for proto, _ in names_:
            by_proto[proto] = by_proto.get(proto, 0) + 1
    earlier = sum(1 for k in ours_by if k in theirs_by and ours_by[k][1] < theirs_by[k][1])
    figures = {"flows": len(theirs_by), "disagree": len(bad), "tshark": by_proto, "ours_earlier": earlier,
               "inspect": summary}
    lines = [f"  {k}: takedownctl {ours_by.get(k)} tshark {theirs_by.get(k)}" for k in bad]
    return lines, figures


def main():
    parser = suite_parser("takedownctl")
    parser.add_argument("--config", required=True)
    parser.add_argument("--frames", type=int, default=6000)
    parser.add_argument("--capture", help="a capture of real clients, compared flow by flow instead")
    args = parser.parse_args()
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed (scripts/install-deps.sh installs it)")
        return 77
    if args.capture:
        lines, figures = compare_flows(args.takedownctl, args.config, args.capture)
        print(f"tshark differential on {os.path.basename(args.capture)}: tshark names {figures['flows']} flows "
              f"({figures['tshark']}); {figures['flows'] - figures['disagree']} agree with takedownctl inspect, "
              f"ours on an earlier frame in {figures['ours_earlier']}")
        print("\n".join(lines[:20]))
        print(figures["inspect"])
        return 1 if lines or not figures["tshark"].get("quic") or not figures["tshark"].get("tls") else 0

    os.makedirs(args.work_dir, exist_ok=True)
    capture = os.path.join(args.work_dir, "differential.pcap")
    subprocess.run([sys.executable, os.path.join(args.source_dir, "tests/integration/generate_capture.py"), capture,
                    "--frames", str(args.frames),
                    "--blocked", os.path.join(args.source_dir, "conf/lists/takedown-66k.txt"),
                    "--benign", os.path.join(args.source_dir, "tests/data/top-50k.txt")], check=True)
    ours, summary = inspect_names(args.takedownctl, args.config, capture)
    theirs = tshark_names(capture)

    frames = sorted(set(ours) | set(theirs))
    disagreements = [f for f in frames if ours.get(f) != theirs.get(f)]
    by_proto = {}
    for proto, _ in theirs.values():
        by_proto[proto] = by_proto.get(proto, 0) + 1
    print(f"tshark differential: {args.frames} frames, {len(theirs)} names by tshark "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_proto.items()))}), {len(ours)} by takedownctl, "
          f"{len(frames) - len(disagreements)} of {len(frames)} named frames agree")
    for f in disagreements[:20]:
        print(f"  frame {f}: takedownctl {ours.get(f)} tshark {theirs.get(f)}")
    print(summary)
    if disagreements or len(theirs) < args.frames // 2:  # too few names: the generator or tshark went wrong
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
