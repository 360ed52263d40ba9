#!/usr/bin/env python3
"""takedownd's replies through every wrapper, checked by tshark.

generate_wrapped_capture.py writes a capture of names in every wrapper (PPPoE in QinQ, MPLS and
Ethernet pseudowires, GRE with checksum/key/sequence, VXLAN, GTP-U, IP in IP, up to three deep)
as a classic pcap of one link type; every name it carries goes on a block list (NXDOMAIN, HTTP and
TLS reset), so every named frame is blocked. takedownd replays it through net_pcap, once per link
type (Ethernet; raw IP and SLL2, which the port takes from the capture and writes back into its tx
files), and tshark reads both outputs. Checks, frame by frame in arrival order:

- every blocked DNS query over UDP gets one answer back out of the client port, every blocked DNS
  query over TCP one answer in its stream (FIN, no RST), and every other blocked TCP segment one
  RST back, unless MPLS or GTP-U wraps it (no return path: nothing comes back);
- every blocked TCP segment gets one RST onwards out of the resolver port, MPLS and GTP-U included,
  and every frame without a name is forwarded there as it came;
- a reply back has the query's wrappers with their ids (VLAN ids, PPPoE session, GRE key, VXLAN
  VNI) and every Ethernet and IP address pair swapped at every layer; a tunnel's UDP ports are kept
  and the inner ports swapped; an answer, over UDP or TCP, has the query's DNS ID and RCODE 3;
- a reset onwards keeps every address, port, label and TEID of the segment;
- tshark finds no bad IP, UDP, TCP or GRE checksum and no malformed frame in either output;
- every blocked frame has an event whose "wrappers" name its wrappers outermost first (up to three)
  with the PPPoE session and VXLAN VNI tshark reads, and the outcome "dropped" through MPLS/GTP-U;
- takedownd's stats: answer_udp, answer_tcp, reset and no_return_path drops as counted here.

usage: wrapper_replies_test.py --takedownd BIN --source-dir DIR --work-dir DIR [--frames N]
"""
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_wrapped_capture import TSHARK_OPTIONS  # noqa: E402
from suite_args import suite_parser  # noqa: E402

FIELDS = ["frame.number", "eth.src", "eth.dst", "vlan.id", "pppoe.session_id", "mpls.label", "ip.src",
          "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
          "gre.key", "vxlan.vni", "gtp.teid", "dns.id", "dns.flags.response", "dns.flags.rcode",
          "tcp.flags.reset", "tcp.flags.fin", "ip.checksum.status", "udp.checksum.status", "tcp.checksum.status",
          "gre.checksum.status", "_ws.malformed", "_ws.expert.severity"]
BAD = "0"  # tshark's PROTO_CHECKSUM_E_BAD
LINKTYPES = (("ethernet", 1), ("raw", 101), ("linux_sll2", 276))


def tshark_frames(path):
    """[{field: [values]}] per frame, every occurrence outermost first."""
    command = ["tshark", "-n", "-r", path, *TSHARK_OPTIONS, "-o", "ip.check_checksum:TRUE",
               "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-T", "fields",
               "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|"]
    for f in FIELDS:
        command += ["-e", f]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    frames = []
    for line in out.splitlines():
        values = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        frames.append({f: (v.split("|") if v else []) for f, v in zip(FIELDS, values)})
    return frames


def read_labels(path):
    """[(description tokens, proto, name)] by frame."""
    rows = []
    for line in open(path).read().splitlines():
        _, description, proto, name = line.split("\t")
        tokens = description.split()
        # The last token is the payload kind: dns-udp, dns-tcp, http, tls (or one without a name).
        rows.append((tokens, tokens[-1], None if name == "-" else name))
    return rows


def no_return(tokens):
    return any(t.startswith("mpls") or t.startswith("gtpu") for t in tokens)


def swapped_ports(query, reply, proto):
    """The inner (last) pair of `proto` ports swapped, the outer ones kept."""
    src, dst = query[f"{proto}.srcport"], query[f"{proto}.dstport"]
    return reply[f"{proto}.srcport"] == src[:-1] + dst[-1:] and reply[f"{proto}.dstport"] == dst[:-1] + src[-1:]


def check_back(query, reply, proto, failures, where):
    """A reply back: ids kept, addresses swapped at every layer, inner ports swapped."""
    for f in ("vlan.id", "pppoe.session_id", "gre.key", "vxlan.vni"):
        if query[f] != reply[f]:
            failures.append(f"{where}: {f} {reply[f]}, expected {query[f]} (the query's)")
    for a, b in (("eth.src", "eth.dst"), ("ip.src", "ip.dst"), ("ipv6.src", "ipv6.dst")):
        if reply[a] != query[b] or reply[b] != query[a]:
            failures.append(f"{where}: {a}/{b} {reply[a]}/{reply[b]}, expected the query's swapped "
                            f"{query[b]}/{query[a]}")
    if proto == "dns-udp":
        if query["udp.srcport"][:-1] != reply["udp.srcport"][:-1] or not swapped_ports(query, reply, "udp"):
            failures.append(f"{where}: UDP ports {reply['udp.srcport']}->{reply['udp.dstport']}, expected the "
                            f"tunnels' kept and the inner pair of {query['udp.srcport']}->{query['udp.dstport']} swapped")
        if reply["dns.id"] != query["dns.id"] or reply["dns.flags.rcode"][-1:] != ["3"]:
            failures.append(f"{where}: DNS id {reply['dns.id']} rcode {reply['dns.flags.rcode']}, expected "
                            f"{query['dns.id']} and NXDOMAIN")
    else:
        if reply["udp.srcport"] != query["udp.srcport"] or not swapped_ports(query, reply, "tcp"):
            failures.append(f"{where}: ports {reply['tcp.srcport']}->{reply['tcp.dstport']}, expected the "
                            f"query's swapped")
        if proto == "dns-tcp":
            # Answered in the stream: the answer, then FIN; no RST.
            if (reply["tcp.flags.fin"][-1:] not in (["1"], ["True"]) or
                    reply["tcp.flags.reset"][-1:] in (["1"], ["True"])):
                failures.append(f"{where}: not an answer with FIN ({reply['tcp.flags.fin']}, "
                                f"RST {reply['tcp.flags.reset']})")
            if reply["dns.id"] != query["dns.id"] or reply["dns.flags.rcode"][-1:] != ["3"]:
                failures.append(f"{where}: DNS id {reply['dns.id']} rcode {reply['dns.flags.rcode']}, expected "
                                f"{query['dns.id']} and NXDOMAIN")
        elif reply["tcp.flags.reset"][-1:] not in (["1"], ["True"]):
            failures.append(f"{where}: not a RST ({reply['tcp.flags.reset']})")


def check_onwards(segment, reset, failures, where, is_reset=True):
    for f in ("eth.src", "eth.dst", "vlan.id", "pppoe.session_id", "mpls.label", "ip.src", "ip.dst", "ipv6.src",
              "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "gre.key", "vxlan.vni",
              "gtp.teid"):
        if segment[f] != reset[f]:
            failures.append(f"{where}: {f} {reset[f]}, expected the segment's {segment[f]}")
    if is_reset and reset["tcp.flags.reset"][-1:] not in (["1"], ["True"]):
        failures.append(f"{where}: not a RST")


def check_tshark(frames, side, failures):
    for f in frames:
        where = f"{side} frame {f['frame.number'][0]}"
        for field in ("ip.checksum.status", "udp.checksum.status", "tcp.checksum.status", "gre.checksum.status"):
            if BAD in f[field]:
                failures.append(f"{where}: tshark finds a bad {field.split('.')[0]} checksum")
        # Expert errors (PI_ERROR, 0x00800000): malformed fields, bad lengths. Warnings are left out:
        # tshark warns of every RST ("Connection reset").
        if f["_ws.malformed"] or "8388608" in f["_ws.expert.severity"]:
            failures.append(f"{where}: tshark reports a malformed frame or an expert error")


WRAPPER_OF_TOKEN = {"pppoe": "pppoe", "mpls": "mpls", "gre": "gre", "vxlan": "vxlan", "gtpu": "gtpu",
                    "4in4": "ipip", "6in4": "ipip", "6in6": "ipip", "4in6": "ipip"}


def expected_wrappers(tokens):
    kinds = [WRAPPER_OF_TOKEN.get(t.split("[")[0].split("/")[0]) for t in tokens]
    return [k for k in kinds if k][:3]


def check_event(event, tokens, query, unroutable, failures, where):
    got = [next(iter(w)) for w in event.get("wrappers", [])]
    want = expected_wrappers(tokens)
    if got != want:
        failures.append(f"{where}: event wrappers {event.get('wrappers')}, expected {want}")
        return
    seen = {}
    for w in event.get("wrappers", []):
        kind, value = next(iter(w.items()))
        nth = seen[kind] = seen.get(kind, -1) + 1  # the n-th of its kind, as tshark lists them
        tshark_field = {"pppoe": "pppoe.session_id", "vxlan": "vxlan.vni"}.get(kind)
        if tshark_field and nth < len(query[tshark_field]) and value != int(query[tshark_field][nth], 0):
            failures.append(f"{where}: event {kind} id {value}, tshark reads {query[tshark_field][nth]}")
            break
    outcome = event.get("takedown", {}).get("outcome")
    if unroutable and outcome != "dropped":
        failures.append(f"{where}: event outcome {outcome}, expected dropped (no return path)")


def run_one(args, link_name, linktype, work, failures):
    source = os.path.abspath(args.source_dir)
    capture, labels = os.path.join(work, f"{link_name}.pcap"), os.path.join(work, f"{link_name}.labels")
    subprocess.run([sys.executable, os.path.join(source, "tests/integration/generate_wrapped_capture.py"), capture,
                    "--frames", str(args.frames), "--seed", "515", "--pcap-linktype", str(linktype),
                    "--labels", labels], check=True)
    rows = read_labels(labels)
    with open(os.path.join(work, f"{link_name}.txt"), "w") as f:
        f.write("\n".join(sorted({name for _, _, name in rows if name})) + "\n")
    config = os.path.join(work, f"{link_name}.yaml")
    with open(config, "w") as f:
        f.write(f"""# Written by wrapper_replies_test.py
lists:
  - {{name: wrapped, format: domains, path: {link_name}.txt, match: exact}}
defaults: {{dns: nxdomain, http: reset, tls: reset}}
control: {{socket: "{work}/{link_name}.sock", snapshot_dir: "{work}/snapshots-{link_name}"}}
flows: {{quic_hold_ms: 0}}
events: {{path: "{work}/{link_name}-events.json", rate_limit: 0}}
dataplane:
  eal: [--no-huge, -m, "512", --no-pci, --no-shconf, --file-prefix, wrapper-replies-test]
  ports:
    - {{name: client, device: "net_pcap0,rx_pcap={capture},tx_pcap={work}/{link_name}-client.pcap"}}
    - {{name: resolver, device: "net_pcap1,tx_pcap={work}/{link_name}-resolver.pcap"}}
  pairs: [[client, resolver]]
  workers: 1
  snapshot: {work}/{link_name}.snap
""")
    takedownctl = os.path.join(os.path.dirname(args.takedownd), "takedownctl")
    compiled = subprocess.run([takedownctl, "compile", "-c", config, "-o", os.path.join(work, f"{link_name}.snap")],
                              capture_output=True, text=True)
    if compiled.returncode != 0:
        failures.append(f"{link_name}: takedownctl compile failed: {compiled.stderr.strip()}")
        return
    run = subprocess.run([args.takedownd, "-c", config, "--exit-when-idle", "500"], capture_output=True, text=True,
                         timeout=180, cwd=work)
    if run.returncode != 0:
        failures.append(f"{link_name}: takedownd exited {run.returncode}: {run.stderr.strip()[-600:]}")
        return
    stats = json.loads(run.stdout)
    queries = tshark_frames(capture)
    client = tshark_frames(os.path.join(work, f"{link_name}-client.pcap"))
    resolver = tshark_frames(os.path.join(work, f"{link_name}-resolver.pcap"))
    before = len(failures)
    check_tshark(client, f"{link_name} client", failures)
    check_tshark(resolver, f"{link_name} resolver", failures)

    events = [json.loads(line) for line in open(os.path.join(work, f"{link_name}-events.json"))]
    event_i = 0
    back_i = onwards_i = 0
    counts = {"answered": 0, "answered_tcp": 0, "reset": 0, "no_return": 0, "forwarded": 0}
    for n, ((tokens, proto, name), query) in enumerate(zip(rows, queries), 1):
        where = f"{link_name} frame {n} ({' '.join(tokens)})"
        if name is None:
            counts["forwarded"] += 1
            if onwards_i >= len(resolver):
                failures.append(f"{where}: not forwarded")
                continue
            check_onwards(query, resolver[onwards_i], failures, where + ", forwarded", is_reset=False)
            onwards_i += 1
            continue
        unroutable = no_return(tokens)
        if event_i < len(events):
            check_event(events[event_i], tokens, query, unroutable, failures, where + ", event")
        event_i += 1
        counts["no_return" if unroutable else {"dns-udp": "answered", "dns-tcp": "answered_tcp"}.get(proto, "reset")] += 1
        if not unroutable:
            if back_i >= len(client):
                failures.append(f"{where}: no reply back")
            else:
                check_back(query, client[back_i], proto, failures, where + ", reply back")
                back_i += 1
        if proto != "dns-udp":
            if onwards_i >= len(resolver):
                failures.append(f"{where}: no reset onwards")
            else:
                check_onwards(query, resolver[onwards_i], failures, where + ", reset onwards")
                onwards_i += 1
    if back_i != len(client) or onwards_i != len(resolver):
        failures.append(f"{link_name}: {len(client)} frames back and {len(resolver)} onwards, expected {back_i} and "
                        f"{onwards_i}")
    if event_i != len(events):
        failures.append(f"{link_name}: {len(events)} events, expected one per blocked frame ({event_i})")
    dropped = stats.get("dropped_by", {})
    for key, want in (("answer_udp", counts["answered"]), ("answer_tcp", counts["answered_tcp"]),
                      ("reset", counts["reset"]), ("no_return_path", counts["no_return"])):
        if dropped.get(key) != want:
            failures.append(f"{link_name}: stats dropped_by.{key} {dropped.get(key)}, expected {want}")
    print(f"{link_name}: {len(rows)} frames; {counts['answered']} answered, {counts['answered_tcp']} answered in "
          f"their TCP stream and {counts['reset']} reset through their "
          f"wrappers, {counts['no_return']} through MPLS or GTP-U dropped (reset onwards only), "
          f"{counts['forwarded']} without a name forwarded; client port {len(client)} frames, resolver port "
          f"{len(resolver)}; wrapped {stats.get('wrapped')}; {len(failures) - before} failure(s)")


def main():
    parser = suite_parser("takedownd")
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args()
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed (scripts/install-deps.sh installs it)")
        return 77
    args.takedownd = os.path.abspath(args.takedownd)
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    failures = []
    for link_name, linktype in LINKTYPES:
        run_one(args, link_name, linktype, work, failures)
    for f in failures[:40]:
        print(f"FAIL {f}")
    if failures:
        print(f"wrapper replies test: {len(failures)} failure(s); files in {work}")
        return 1
    print("wrapper replies test: all checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
