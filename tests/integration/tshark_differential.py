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

With --wrapped the capture is generate_wrapped_capture.py's instead (a pcapng of every link type,
the names inside PPPoE, MPLS, GRE, VXLAN, GTP-U and IP in IP, up to three deep; then a classic
pcap of --frames/10 frames per link type), compared frame by frame with the tshark options that
generator names (TSHARK_OPTIONS), with figures per link type and wrapper from its labels. A frame
tshark cannot decode (PPPoE over Cisco HDLC, AF_INET6 10 on null and loop: tshark 4.0 has no
dissector binding for them, nor Decode As) must carry the generator's name instead. Last, the real
capture (--rewrap, by default tests/data/captures/browsers-sample.pcap under --source-dir) rewrapped
by generate_wrapped_capture.py --rewrap, each flow in one wrapper recipe (PPPoE, MPLS, GRE, VXLAN,
GTP-U, IP in IP, two nested, or none), compared flow by flow (compare_flows) with figures per recipe;
and each frame's names by takedownctl and by tshark must be those of the same frame unwrapped.

--rewrap PCAP without --wrapped runs only that last comparison, on PCAP.

usage: tshark_differential.py --takedownctl BIN --config CONF --source-dir DIR --work-dir DIR [--frames N]
                              [--capture PCAP | --wrapped] [--rewrap PCAP]
"""
import json
import os
import shutil
import subprocess
import sys
from generate_wrapped_capture import LINKTYPES, TSHARK_OPTIONS, tshark_cannot_decode
from suite_args import suite_parser


def normalise(name, proto):
    name = name.strip()
    if proto == "http" and not name.startswith("[") and ":" in name:
        name = name.rsplit(":", 1)[0]
    if name.endswith("."):
        name = name[:-1]
    return name.lower()


def tshark_names(capture, options=()):
    """{frame: (proto, name)} by tshark, which reassembles TCP and decrypts QUIC Initials itself:
    a name spread over segments or Initials is on the frame that completed it. `options`: more
    tshark arguments (preferences, decode-as)."""
    fields = ["frame.number", "dns.flags.response", "dns.qry.name", "http.host",
              "tls.handshake.extensions_server_name", "frame.protocols"]
    command = ["tshark", "-n", "-r", capture, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f",
               *options]
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


def inspect_names(takedownctl, config, capture, records=None):
    """{frame: (proto, name)} by `takedownctl inspect`, and its stderr summary. `records`: a list
    to append inspect's records (the parsed JSON lines) to."""
    inspected = subprocess.run([takedownctl, "inspect", "-c", config, capture], check=True,
                               capture_output=True, text=True)
    ours = {}
    for line in inspected.stdout.splitlines():
        record = json.loads(line)
        ours[record["frame"]] = (record["proto"], record["name"])
        if records is not None:
            records.append(record)
    return ours, inspected.stderr.strip()


def flows_of_frames(capture, options=()):
    """{frame: "tcp:N" | "udp:N"}, tshark's stream numbers. Of the last TCP or UDP layer: inside a
    tunnel over UDP (VXLAN, GTP-U) the first udp.stream is the tunnel's, the last the flow's."""
    out = subprocess.run(["tshark", "-n", "-r", capture, "-T", "fields", "-E", "occurrence=l", *options,
                          "-e", "frame.number", "-e", "tcp.stream", "-e", "udp.stream"],
                         check=True, capture_output=True, text=True).stdout
    flows = {}
    for line in out.splitlines():
        frame, tcp, udp = (line.split("\t") + ["", ""])[:3]
        flows[int(frame)] = f"tcp:{tcp}" if tcp else f"udp:{udp}" if udp else ""
    return flows


def compare_flows(takedownctl, config, capture, options=(), recipes=None):
    """tshark against `takedownctl inspect` on a capture of real clients, flow by flow: the same
    names per flow, and ours on a frame no later than tshark's. tshark names a ClientHello on the
    frame that completes it; we name it on the frame that completes the SNI, which may be earlier.
    `recipes`: {frame: recipe} (generate_wrapped_capture.py --rewrap's labels), for figures per
    recipe ({recipe: [flows, agree, http, tls, quic, reassembled]} in figures["recipes"]: the flows
    tshark names each protocol in, and those we named only from several packets). Returns
    (disagreeing flows as text lines, figures); figures["ours"] and ["theirs"] are the names per frame."""
    records = []
    ours, summary = inspect_names(takedownctl, config, capture, records)
    theirs = tshark_names(capture, options)
    flow = flows_of_frames(capture, options)

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
               "inspect": summary, "ours": ours, "theirs": theirs, "recipes": {}}
    recipe_of = {}
    for frame, key in flow.items():
        if recipes and frame in recipes:
            recipe_of.setdefault(key, set()).add(recipes[frame])
    recipe_of = {k: "/".join(sorted(v)) for k, v in recipe_of.items()}  # one each, unless the generator erred
    several = {flow.get(r["frame"]) for r in records if r.get("packets", 1) > 1}
    for k in set(ours_by) | set(theirs_by):
        row = figures["recipes"].setdefault(recipe_of.get(k, "-"), [0] * 6)
        protos = {proto for proto, _ in theirs_by.get(k, ([], 0))[0]}
        for i, value in enumerate((1, k not in bad, "http" in protos, "tls" in protos, "quic" in protos,
                                   k in several)):
            row[i] += value
    lines = [f"  {k}{' (' + recipe_of[k] + ')' if k in recipe_of else ''}: takedownctl {ours_by.get(k)} tshark "
             f"{theirs_by.get(k)}" for k in bad]
    return lines, figures


WRAPPERS = ("vlan", "qinq", "pppoe", "mpls", "pw", "gre", "vxlan", "gtpu", "4in4", "6in4", "6in6", "4in6")


def wrapped_groups(description, expected):
    """The figure rows a frame of generate_wrapped_capture.py counts in, from its label: its link
    type (with the address family for null and loop), each wrapper it has or "unwrapped", and
    "no name" for the frames that must not yield one."""
    tokens = description.split()
    found = {t.split("[")[0].split("/")[0] for t in tokens[1:]} & set(WRAPPERS)
    groups = ["link " + " ".join([tokens[0]] + [t for t in tokens[1:2] if t.startswith("af")])]
    return groups + sorted(found or {"unwrapped"}) + ([] if expected else ["no name"])


def compare_wrapped(takedownctl, config, capture, labels, options):
    """takedownctl inspect against tshark (with `options`) on a capture of generate_wrapped_capture.py,
    frame by frame. Where tshark cannot decode the frame (tshark_cannot_decode) and so misses the
    name the generator put in, ours must be that name instead. Returns (disagreeing frames as text
    lines, figures: {group: [frames, named, tshark, ours, agree, tshark blind]}, inspect summary)."""
    ours, summary = inspect_names(takedownctl, config, capture)
    theirs = tshark_names(capture, options)
    lines, figures = [], {}
    for line in open(labels):
        frame, description, proto, name = line.rstrip("\n").split("\t")
        frame, expected = int(frame), None if proto == "-" else (proto, name)
        blind = theirs.get(frame) != expected and tshark_cannot_decode(description)
        agree = ours.get(frame) == (expected if blind else theirs.get(frame))
        if not agree:
            lines.append(f"  frame {frame} ({description}): takedownctl {ours.get(frame)} tshark {theirs.get(frame)}"
                         f" generated {expected}")
        for group in wrapped_groups(description, expected):
            row = figures.setdefault(group, [0] * 6)
            for i, value in enumerate((1, expected is not None, frame in theirs, frame in ours, agree, blind)):
                row[i] += value
    return lines, figures, summary


def run_rewrap(args, pcap):
    """The real capture `pcap` rewrapped (generate_wrapped_capture.py --rewrap), flow by flow against
    tshark with figures per recipe; and frame by frame against the same capture unwrapped: the
    wrappers must change no name, nor the frame it is on, for takedownctl nor for tshark."""
    generator = os.path.join(args.source_dir, "tests/integration/generate_wrapped_capture.py")
    os.makedirs(args.work_dir, exist_ok=True)
    capture = os.path.join(args.work_dir, "rewrapped-" + os.path.splitext(os.path.basename(pcap))[0] + ".pcapng")
    labels = capture + ".labels"
    subprocess.run([sys.executable, generator, capture, "--rewrap", pcap, "--labels", labels], check=True)
    recipes, descriptions = {}, {}
    for line in open(labels):
        frame, recipe, description = line.rstrip("\n").split("\t")
        recipes[int(frame)], descriptions[int(frame)] = recipe, description
    lines, figures = compare_flows(args.takedownctl, args.config, capture, TSHARK_OPTIONS, recipes)
    plain_ours, _ = inspect_names(args.takedownctl, args.config, pcap)
    plain_theirs = tshark_names(pcap)
    changed = []
    for side, plain, wrapped in (("takedownctl", plain_ours, figures["ours"]),
                                 ("tshark", plain_theirs, figures["theirs"])):
        for frame in sorted(set(plain) | set(wrapped)):
            if plain.get(frame) != wrapped.get(frame):
                changed.append(f"  frame {frame} ({descriptions.get(frame)}): {side} {wrapped.get(frame)}, "
                               f"unwrapped {plain.get(frame)}")
    print(f"tshark differential on {os.path.basename(capture)} ({os.path.basename(pcap)} rewrapped): tshark names "
          f"{figures['flows']} flows ({figures['tshark']}); {figures['flows'] - figures['disagree']} agree with "
          f"takedownctl inspect, ours on an earlier frame in {figures['ours_earlier']}; {len(changed)} frame names "
          f"differ from the unwrapped capture")
    columns = ("flows", "agree", "http", "tls", "quic", "reasm")
    print(f"  {'recipe':12} {'frames':>7} " + " ".join(f"{c:>7}" for c in columns)
          + "   (reasm: flows named by takedownctl from several packets)")
    frames_of = {}
    for recipe in recipes.values():
        frames_of[recipe] = frames_of.get(recipe, 0) + 1
    for recipe, row in sorted(figures["recipes"].items()):
        print(f"  {recipe:12} {frames_of.get(recipe, 0):7d} " + " ".join(f"{value:7d}" for value in row))
    print("\n".join(lines[:20] + changed[:20]))
    print(figures["inspect"])
    return 1 if lines or changed or not figures["tshark"].get("quic") or not figures["tshark"].get("tls") else 0


def run_wrapped(args):
    """--wrapped: the pcapng of every link type and wrapper, then a classic pcap per link type."""
    generator = os.path.join(args.source_dir, "tests/integration/generate_wrapped_capture.py")
    lists = ["--blocked", os.path.join(args.source_dir, "conf/lists/takedown-66k.txt"),
             "--benign", os.path.join(args.source_dir, "tests/data/top-50k.txt")]
    os.makedirs(args.work_dir, exist_ok=True)
    failed = False
    runs = [("wrapped.pcapng", args.frames, [])]
    runs += [(f"wrapped-{name}.pcap", max(args.frames // 10, 50), ["--pcap-linktype", str(number)])
             for name, number in LINKTYPES.items()]
    for file, frames, extra in runs:
        capture = os.path.join(args.work_dir, file)
        labels = capture + ".labels"
        subprocess.run([sys.executable, generator, capture, "--frames", str(frames), "--labels", labels, *lists,
                        *extra], check=True)
        lines, figures, summary = compare_wrapped(args.takedownctl, args.config, capture, labels, TSHARK_OPTIONS)
        total = [sum(row[i] for group, row in figures.items() if group.startswith("link ")) for i in range(6)]
        print(f"tshark differential on {file} (tshark {' '.join(TSHARK_OPTIONS)}): {frames} frames, {total[1]} "
              f"named by the generator, {total[2]} by tshark, {total[3]} by takedownctl; {total[4]} frames agree, "
              f"{total[5]} that tshark cannot decode judged by the generator's name")
        if not extra:
            print(f"  {'':24} {'frames':>7} {'named':>7} {'tshark':>7} {'ours':>7} {'agree':>7} {'blind':>7}")
            for group, row in sorted(figures.items(), key=lambda item: (not item[0].startswith("link"), item[0])):
                print(f"  {group:24} " + " ".join(f"{value:7d}" for value in row))
        print("\n".join(lines[:20] + [summary]))
        failed |= bool(lines) or total[2] < total[1] // 2  # too few by tshark: the generator or tshark went wrong
    rewrap = args.rewrap or os.path.join(args.source_dir, "tests/data/captures/browsers-sample.pcap")
    if os.path.exists(rewrap):
        failed |= bool(run_rewrap(args, rewrap))
    else:
        print(f"no {rewrap}: the rewrapped real capture is not compared")
    return 1 if failed else 0


def main():
    parser = suite_parser("takedownctl")
    parser.add_argument("--config", required=True)
    parser.add_argument("--frames", type=int, help="frames to generate (default 6000, with --wrapped 3000)")
    parser.add_argument("--capture", help="a capture of real clients, compared flow by flow instead")
    parser.add_argument("--wrapped", action="store_true",
                        help="the capture of every wrapper and link type (generate_wrapped_capture.py) instead")
    parser.add_argument("--rewrap", help="a classic pcap of Ethernet frames (default, with --wrapped: "
                        "tests/data/captures/browsers-sample.pcap) to compare flow by flow rewrapped")
    args = parser.parse_args()
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed (scripts/install-deps.sh installs it)")
        return 77
    if args.wrapped:
        args.frames = args.frames or 3000
        return run_wrapped(args)
    if args.rewrap:
        return run_rewrap(args, args.rewrap)
    args.frames = args.frames or 6000
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
