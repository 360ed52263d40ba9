#!/usr/bin/env python3
"""Prints a short human summary of one takedownd run for `make demo`.

Takes the replayed capture, the two captures takedownd wrote (client side: answers and RSTs back to
the clients; resolver side: what went on, plus RSTs to the servers) and the stats JSON it printed.
Shows packets in and out, the DNS queries seen, what was blocked and how (NXDOMAIN, REFUSED, NODATA,
sinkhole answers, TCP resets for DNS over TCP, HTTP and TLS, silent drops), the ten most blocked
names, the lists that decided most, and a ready-to-paste tshark command. The blocked names come from
the answers on the client side and, for each RST, from the input segment with the same 4-tuple
(its HTTP Host, TLS SNI or DNS question). Uses tshark when it is installed; without it, the summary
is built from the stats alone (stdlib only).

usage: demo_summary.py INPUT.pcap CLIENT_OUT.pcap RESOLVER_OUT.pcap STATS.json
       demo_summary.py --capture INPUT.pcap --client CLIENT_OUT.pcap --resolver RESOLVER_OUT.pcap --stats STATS.json
"""
import argparse
import collections
import json
import os
import shutil
import struct
import subprocess
import sys

RCODES = {"0": "NOERROR", "3": "NXDOMAIN", "5": "REFUSED"}


def count_records(path):
    """Frames in a classic pcap file (either byte order), or "no file" when it cannot be read."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return "no file"
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    count, at = 0, 24
    while at + 16 <= len(data):
        at += 16 + struct.unpack(endian + "I", data[at + 8:at + 12])[0]
        count += 1
    return count


def tshark_rows(path, fields):
    command = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in fields:
        command += ["-e", f]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [dict(zip(fields, (line.split("\t") + [""] * len(fields))[:len(fields)])) for line in output.splitlines()]


def clean(name):
    name = name.strip().lower()
    if ":" in name and not name.startswith("["):
        name = name.rsplit(":", 1)[0]
    return name[:-1] if name.endswith(".") else name


def address(row, side):
    return row.get(f"ip.{side}") or row.get(f"ipv6.{side}")


def from_captures(capture, client_out):
    """(how each blocked name was answered, DNS queries seen by transport), from the captures through tshark."""
    tuple_fields = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport"]
    rows = tshark_rows(capture, tuple_fields + ["udp.dstport", "dns.flags.response", "dns.qry.name", "http.host",
                                                "tls.handshake.extensions_server_name"])
    queries = collections.Counter("tcp" if r["tcp.dstport"] else "udp" for r in rows
                                  if r["dns.qry.name"] and r["dns.flags.response"] in ("0", "False"))
    segments = {}
    for r in rows:
        name = r["http.host"] or r["tls.handshake.extensions_server_name"] or (
            r["dns.qry.name"] if r["dns.flags.response"] in ("0", "False") else "")
        if r["tcp.srcport"] and name:
            proto = "http" if r["http.host"] else "tls" if r["tls.handshake.extensions_server_name"] else "dns/tcp"
            key = (address(r, "src"), address(r, "dst"), r["tcp.srcport"], r["tcp.dstport"])
            segments[key] = (clean(name), proto)
    blocked = collections.defaultdict(collections.Counter)  # name -> how -> count
    for r in tshark_rows(client_out, tuple_fields + ["tcp.flags.reset", "dns.qry.name", "dns.flags.rcode",
                                                      "dns.count.answers"]):
        if r["dns.qry.name"]:
            rcode = RCODES.get(r["dns.flags.rcode"], "RCODE " + r["dns.flags.rcode"])
            if rcode == "NOERROR":
                rcode = "sinkhole" if r["dns.count.answers"] not in ("", "0") else "NODATA"
            blocked[clean(r["dns.qry.name"])][rcode] += 1
        elif r["tcp.flags.reset"] in ("1", "True"):
            # The RST back to the client swaps the tuple of the segment it answers.
            key = (address(r, "dst"), address(r, "src"), r["tcp.dstport"], r["tcp.srcport"])
            name, proto = segments.get(key, ("(segment not found)", "tcp"))
            blocked[name][f"{proto} reset"] += 1
    return blocked, queries


def main():
    parser = argparse.ArgumentParser(description="Summary of one takedownd run for make demo.")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="INPUT.pcap CLIENT_OUT.pcap RESOLVER_OUT.pcap STATS.json")
    for option in ("capture", "client", "resolver", "stats"):
        parser.add_argument("--" + option)
    args = parser.parse_args()
    named = [args.capture, args.client, args.resolver, args.stats]
    if all(named) and not args.files:
        capture, client_out, resolver_out, stats_path = named
    elif len(args.files) == 4 and not any(named):
        capture, client_out, resolver_out, stats_path = args.files
    else:
        parser.error("give the four files, by position or as --capture --client --resolver --stats")
    try:
        with open(stats_path) as f:
            stats = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"demo summary: cannot read the stats {stats_path}: {e}", file=sys.stderr)
        return 1
    def get(*keys):  # a counter of the stats, 0 when it is missing
        value = stats
        for k in keys:
            value = value.get(k, 0) if isinstance(value, dict) else 0
        return value

    per_port = ", ".join(f"{name} port tx {p.get('tx', 0)}" for name, p in stats.get("ports", {}).items())
    print("== what takedownd did with the capture")
    print(f"packets in: {get('rx_packets')} ({os.path.basename(capture)} holds {count_records(capture)}); "
          f"out: {get('tx_packets')} forwarded, {get('replies_sent', 'answer_udp')} DNS answers, "
          f"{get('replies_sent', 'answer_tcp')} DNS answers over TCP, {get('replies_sent', 'http_page')} block pages, "
          f"{get('replies_sent', 'reset')} RSTs "
          f"({per_port}; the output captures hold {count_records(client_out)} and {count_records(resolver_out)})")
    dropped_by = stats.get("dropped_by", {})
    print(f"names seen: DNS {get('extracted', 'dns')}, HTTP {get('extracted', 'http')}, TLS {get('extracted', 'tls')}; "
          f"blocked: DNS {get('blocked', 'dns')}, HTTP {get('blocked', 'http')}, TLS {get('blocked', 'tls')} "
          f"({dropped_by.get('answer_udp', 0)} answered, {dropped_by.get('answer_tcp', 0)} answered over TCP, "
          f"{dropped_by.get('http_page', 0)} given the block page, {dropped_by.get('reset', 0)} reset, "
          f"{dropped_by.get('drop', 0)} dropped); allowed {get('allowed')}, logged {get('logged')}, "
          f"passed {get('passed')}; malformed {get('malformed')}, truncated {get('truncated')} "
          f"({dropped_by.get('malformed', 0)} of them dropped)")

    if shutil.which("tshark") is None:
        print("(tshark is not installed: the per-name breakdown needs it; scripts/install-deps.sh installs it)")
    else:
        try:
            blocked, queries = from_captures(capture, client_out)
        except (subprocess.CalledProcessError, OSError) as e:
            detail = (getattr(e, "stderr", "") or str(e)).strip().splitlines()
            print(f"(tshark could not read the captures: {detail[-1] if detail else e})")
        else:
            how = collections.Counter()
            for counts in blocked.values():
                how.update(counts)
            print(f"DNS queries in the capture: {sum(queries.values())} ({queries['udp']} over UDP, "
                  f"{queries['tcp']} over TCP)")
            print("blocked, by answer: " + (", ".join(f"{k} {v}" for k, v in how.most_common()) or "nothing"))
            print("top blocked names:")
            top = sorted(blocked.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:10]
            for name, counts in top:
                how_text = ", ".join(f"{k} {v}" for k, v in counts.most_common())
                print(f"  {sum(counts.values()):5d}  {name}  ({how_text})")
    lists = sorted(stats.get("lists", {}).items(), key=lambda item: (-item[1], item[0]))
    print("top lists (decided matches): " + (", ".join(f"{n} {h}" for n, h in lists[:10]) or "none"))
    print(f"client side (answers and RSTs back to the clients): {client_out}")
    print(f"resolver side (forwarded traffic, RSTs to the servers): {resolver_out}")
    print(f"try: tshark -r {client_out} -Y dns.flags.rcode==3")
    return 0


if __name__ == "__main__":
    sys.exit(main())
