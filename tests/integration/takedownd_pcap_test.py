#!/usr/bin/env python3
"""End-to-end test of takedownd on net_pcap virtual devices, against an independent reference.

Generates a mixed capture (generate_capture.py: IPv4/IPv6, VLAN/QinQ, IPv4 options and IPv6
hop-by-hop headers, DNS over UDP and TCP with and without EDNS, HTTP, TLS, SYNs, ICMP, 5% malformed
or truncated frames). Splits the takedown list into five lists so that every action runs: NXDOMAIN
(the defaults), a sinkhole (two A, one AAAA, TTL 300; HTTP block page), REFUSED with HTTP reset and TLS drop, NODATA
with HTTP drop, and a shadow `action: log` list; an allow list holds some names of the capture that
the block lists also hold, and one parent of such a name; a few names of the capture go into the log
list under a blocking parent (the block must win) and into a later block list under a parent in an
earlier one (the more specific entry must win). takedownd replays the capture twice
through a [client, resolver] pair: `malformed: forward` from the snapshot `takedownctl compile`
stored in the snapshot folder and EDE "blocked" (15), then `malformed: drop` from a snapshot file
named by dataplane.snapshot, EDE "filtered" (17) (defaults.ede). The reference is this script's own: the names tshark extracts (dns.qry.name of queries,
http.host, tls.handshake.extensions_server_name), normalised, matched by suffix (allow > the most
specific block > log), and frames decoded by pcap_frames.py. It checks that:

- every blocked DNS/UDP query got exactly one answer out of the client port: addresses and ports
  swapped, VLAN tags kept, plain IP header, TTL 64, the same ID and question, the flags and RCODE
  of the spec, the sinkhole records (A for A, AAAA for AAAA), for NXDOMAIN and NODATA the SOA
  owned by the query name (takedown.invalid. hostmaster.takedown.invalid., one serial for the
  run, 3600 600 86400 300, TTL 300), an OPT with the EDE option and the text "blocked by <list>"
  when (and only when) the query had EDNS, nothing else, correct IPv4 and UDP checksums;
- every blocked DNS/TCP query (with ACK) got the same answer in its stream: one FIN|PSH|ACK
  segment back (swapped, seq = segment ack, ack = segment seq + payload length) holding the
  2-byte length and the message, and one RST|ACK on to the server;
- every blocked HTTP request of the sinkhole list (`http: page`, with ACK) got its block page in
  the stream: one FIN|PSH|ACK segment back, a 403 with Connection: close and a Content-Length
  that is its body, naming the list, and one RST|ACK on to the server;
- every other blocked TCP segment (HTTP, TLS) with `reset` produced one RST|ACK back to the
  client (swapped, seq = segment ack, ack = segment seq + payload length) out of the client port
  and one on to the server (same tuple, seq = segment seq) out of the resolver port, checksums
  correct; with `drop`, nothing;
- every other frame (pass, allow, log, no name, and malformed ones in forward mode) came out of the
  resolver port byte-identical and in order, and nothing else came out of it but those RSTs;
  malformed frames are absent in drop mode;
- tshark finds every IP/UDP/TCP checksum of both outputs good, and no malformed packet in them;
- takedownd exits 0, and its stats JSON equals the counts computed here and keeps the identities
  of the spec ("passed" counts every forwarded frame that no allow or log rule decided: no name,
  verdict pass, or malformed and forwarded).

Prints a summary per check. Exits 0 on success, 1 with the failures, 77 when tshark is missing.

usage: takedownd_pcap_test.py --takedownd BIN --source-dir DIR --work-dir DIR [--frames N] [--seed S]
"""
import collections
import ipaddress
import json
import os
import re
import shutil
import struct
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcap_frames import decode, ipv4_header_ok, read_pcap, transport_checksum_ok  # noqa: E402
from tshark_differential import tshark_names  # noqa: E402
from suite_args import suite_parser  # noqa: E402

TRUNCATED = {"ip-header-cut", "ip-length-long", "tcp-header-cut", "dns-header-short", "dns-name-cut",
             "http-no-host-cut", "http-request-line-cut", "tls-cut-before-sni"}
# The start of a request or ClientHello cut short is a name still being gathered, not a truncated
# frame: takedownd keeps the first bytes for the segments that follow (none do, here) and
# forwards the segment at once.
REASSEMBLING = {"http-no-host-cut", "http-request-line-cut", "tls-cut-before-sni"}
RCODES = {"nxdomain": 3, "nodata": 0, "refused": 5, "sinkhole": 0}
SINKHOLE_A = ["192.0.2.1", "192.0.2.2"]
SINKHOLE_AAAA = ["2001:db8::1"]
SINKHOLE_TTL = 300
NEGATIVE_TTL = 300  # the default negative_ttl: the SOA's TTL and MINIMUM
# name, file, extra YAML for the list, its policy (what the reference expects)
BLOCK_LISTS = [
    ("takedown-nxdomain", "nxdomain.txt", "", {"action": "block", "dns": "nxdomain", "http": "reset", "tls": "reset"}),
    ("takedown-sinkhole", "sinkhole.txt",
     "    response: {dns: sinkhole, a: [%s], aaaa: [%s], ttl: %d, http: page}\n"
     % (", ".join(SINKHOLE_A), ", ".join(f'"{a}"' for a in SINKHOLE_AAAA), SINKHOLE_TTL),
     {"action": "block", "dns": "sinkhole", "http": "page", "tls": "reset"}),
    ("takedown-refused", "refused.txt", "    response: {dns: refused, http: reset, tls: drop}\n",
     {"action": "block", "dns": "refused", "http": "reset", "tls": "drop"}),
    ("takedown-nodata", "nodata.txt", "    response: {dns: nodata, http: drop, tls: reset}\n",
     {"action": "block", "dns": "nodata", "http": "drop", "tls": "reset"}),
    ("takedown-shadow", "shadow.txt", "    action: log\n", {"action": "log"}),
]
ALLOW = ("operator-allow", "allow.txt")


class Failures:
    """Collects failures per check; prints the first few of each."""

    def __init__(self):
        self.by_check = collections.OrderedDict()

    def add(self, check, message):
        self.by_check.setdefault(check, []).append(message)

    def count(self):
        return sum(len(v) for v in self.by_check.values())

    def print(self):
        for check, messages in self.by_check.items():
            print(f"FAIL {check}: {len(messages)} failure(s)")
            for m in messages[:12]:
                print(f"  {m}")
            if len(messages) > 12:
                print(f"  ... and {len(messages) - 12} more")


# ---- the reference matcher -------------------------------------------------------------------

class Reference:
    """Suffix matching as the README states it: any allow wins; else the most specific block (the
    name itself, then a longer parent, then list order); a log list decides only when nothing blocks."""

    def __init__(self, lists):
        self.entries = collections.defaultdict(list)  # domain -> [(list order, name, action)]
        for order, (name, action, domains) in enumerate(lists):
            for d in domains:
                self.entries[d].append((order, name, action))

    def verdict(self, name):
        labels = name.split(".")
        suffixes = [".".join(labels[i:]) for i in range(len(labels))]
        for s in suffixes:
            for _, list_name, action in self.entries.get(s, []):
                if action == "allow":
                    return "allow", list_name
        for wanted in ("block", "log"):
            for s in suffixes:  # longest first
                hits = sorted(e for e in self.entries.get(s, []) if e[2] == wanted)
                if hits:
                    return wanted, hits[0][1]
        return "pass", None


# ---- DNS -------------------------------------------------------------------------------------

def skip_name(m, at):
    while at < len(m):
        if m[at] == 0:
            return at + 1
        if m[at] & 0xC0 == 0xC0:
            return at + 2 if at + 2 <= len(m) else -1
        at += 1 + m[at]
    return -1


def parse_dns(m):
    """Header, question end and every record (name bytes, type, class, ttl, rdata); None if cut."""
    if len(m) < 12:
        return None
    ident, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
    at = 12
    for _ in range(qd):
        at = skip_name(m, at)
        if at < 0 or at + 4 > len(m):
            return None
        at += 4
    question_end, records = at, []
    for _ in range(an + ns + ar):
        start = at
        at = skip_name(m, at)
        if at < 0 or at + 10 > len(m):
            return None
        rtype, rclass, ttl, rdlength = struct.unpack("!HHIH", m[at:at + 10])
        if at + 10 + rdlength > len(m):
            return None
        records.append((m[start:at], rtype, rclass, ttl, m[at + 10:at + 10 + rdlength]))
        at += 10 + rdlength
    return {"id": ident, "flags": flags, "counts": (qd, an, ns, ar), "question_end": question_end,
            "records": records, "end": at}


def ip_bytes(text):
    return ipaddress.ip_address(text).packed


def soa_rdata(serial):
    wire = lambda name: b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return (wire("takedown.invalid") + wire("hostmaster.takedown.invalid") +
            struct.pack("!IIIII", serial, 3600, 600, 86400, NEGATIVE_TTL))


def check_message(qm, am, policy, ede, list_name, serials):
    """Differences between answer message am and what the spec says the answer to query qm is.
    `serials` collects the SOA serials seen: one snapshot, one serial."""
    problems = []
    query, answer = parse_dns(qm), parse_dns(am)
    if answer is None:
        return [f"DNS message unreadable: {am.hex()}"]
    qf, af = query["flags"], answer["flags"]
    rcode = RCODES[policy["dns"]]
    qtype = struct.unpack("!H", qm[query["question_end"] - 4:query["question_end"] - 2])[0]
    records = []
    if policy["dns"] == "sinkhole":
        if qtype == 1:
            records += [(1, ip_bytes(a)) for a in policy["a"]]
        if qtype == 28:
            records += [(28, ip_bytes(a)) for a in policy["aaaa"]]
    soa = 1 if not records and policy["dns"] != "refused" else 0
    opt = [rec for rec in query["records"] if rec[1] == 41]
    for what, got, want in [("id", answer["id"], query["id"]), ("QR", af >> 15, 1),
                            ("opcode", (af >> 11) & 15, (qf >> 11) & 15), ("TC", (af >> 9) & 1, 0),
                            ("RD", (af >> 8) & 1, (qf >> 8) & 1), ("RA", (af >> 7) & 1, 1),
                            ("CD", (af >> 4) & 1, (qf >> 4) & 1), ("RCODE", af & 15, rcode),
                            ("counts qd/an/ns/ar", answer["counts"], (1, len(records), soa, 1 if opt else 0)),
                            ("question", am[12:answer["question_end"]].hex(), qm[12:query["question_end"]].hex()),
                            ("bytes after the records", len(am) - answer["end"], 0)]:
        if got != want:
            problems.append(f"DNS {what}: expected {want}, got {got}")
    got_records = [(t, rdata) for name, t, c, ttl, rdata in answer["records"][:answer["counts"][1]]]
    if got_records != records:
        problems.append(f"answer records: expected {[(t, d.hex()) for t, d in records]}, "
                        f"got {[(t, d.hex()) for t, d in got_records]}")
    for name, t, c, ttl, rdata in answer["records"][:answer["counts"][1]]:
        if name != b"\xc0\x0c" or c != 1 or ttl != SINKHOLE_TTL:
            problems.append(f"answer record name/class/ttl: expected c00c/1/{SINKHOLE_TTL}, got {name.hex()}/{c}/{ttl}")
    if soa and answer["counts"][2] == 1:
        name, t, c, ttl, rdata = answer["records"][answer["counts"][1]]
        serial = struct.unpack("!I", rdata[-20:-16])[0] if len(rdata) >= 20 else 0
        serials.add(serial)
        if (name, t, c, ttl, rdata) != (b"\xc0\x0c", 6, 1, NEGATIVE_TTL, soa_rdata(serial)):
            problems.append(f"SOA: expected c00c/6/1/{NEGATIVE_TTL}/{soa_rdata(serial).hex()}, got "
                            f"{name.hex()}/{t}/{c}/{ttl}/{rdata.hex()}")
    got_opt = [rec for rec in answer["records"] if rec[1] == 41]
    if opt and got_opt:
        name, t, size, ttl, rdata = got_opt[0]
        want_ttl = opt[0][3] & 0x8000  # DO copied; extended RCODE, version and the other Z bits 0
        text = f"blocked by {list_name}".encode()
        want_rdata = struct.pack("!HHH", 15, 2 + len(text), ede) + text
        if (name, size, ttl, rdata) != (b"\0", 1232, want_ttl, want_rdata):
            problems.append(f"OPT: expected name 00, size 1232, ttl {want_ttl:#x}, rdata {want_rdata.hex()}; "
                            f"got {name.hex()}, {size}, {ttl:#x}, {rdata.hex()}")
        if answer["records"][-1][1] != 41:
            problems.append("OPT is not the last record")
    return problems


def check_answer(q, r, policy, ede, list_name, serials):
    """Differences between UDP answer frame r and what the spec says the answer to query q is."""
    problems = []
    if r.error:
        return [f"not a readable UDP frame ({r.error})"]
    expect = [("eth dst", r.eth_dst, q.eth_src), ("eth src", r.eth_src, q.eth_dst), ("vlan tags", r.tags, q.tags),
              ("ip version", r.version, q.version), ("ip header length", r.ip_header_length, 20 if q.version == 4 else 40),
              ("ttl", r.ttl, 64), ("protocol", r.proto, 17), ("ip src", r.src, q.dst), ("ip dst", r.dst, q.src),
              ("udp sport", r.sport, q.dport), ("udp dport", r.dport, q.sport), ("frame end", len(r.raw), r.ip_end)]
    problems += [f"{what}: expected {want.hex() if isinstance(want, bytes) else want}, "
                 f"got {got.hex() if isinstance(got, bytes) else got}" for what, got, want in expect if got != want]
    if r.version == 4 and struct.unpack("!H", r.raw[r.l3 + 6:r.l3 + 8])[0] & 0x3FFF:
        problems.append("IPv4 MF/fragment offset set")
    if not ipv4_header_ok(r):
        problems.append("bad IPv4 header checksum")
    if r.proto == 17 and not transport_checksum_ok(r):
        problems.append(f"bad UDP checksum {r.raw[r.l4 + 6:r.l4 + 8].hex()}")
    return problems + check_message(q.payload, r.payload, policy, ede, list_name, serials)


def check_tcp_answer(s, r, policy, ede, list_name, serials):
    """Differences between the in-stream answer r and the spec's answer to the TCP query segment s:
    a segment back as a RST back is framed, FIN|PSH|ACK, the 2-byte length and the message."""
    problems = check_segment(s, r, back=True, flags=0x19, payload=None)
    if r.error or len(r.payload) < 2:
        return problems + ["no length-prefixed message"]
    length = struct.unpack("!H", r.payload[:2])[0]
    if length != len(r.payload) - 2:
        problems.append(f"length prefix {length}, message {len(r.payload) - 2} bytes")
    query_length = struct.unpack("!H", s.payload[:2])[0]
    return problems + check_message(s.payload[2:2 + query_length], r.payload[2:], policy, ede, list_name, serials)


def check_page(s, r, list_name):
    """Differences between r and the block page of `list_name` in answer to HTTP request segment s:
    framed as a reply back, FIN|PSH|ACK, a 403 whose Content-Length is its body, naming the list."""
    problems = check_segment(s, r, back=True, flags=0x19, payload=None)
    head, _, body = r.payload.partition(b"\r\n\r\n")
    length = re.search(rb"\r\nContent-Length: (\d+)\r\n", head + b"\r\n")
    for what, ok in (("status line", head.startswith(b"HTTP/1.1 403 Forbidden\r\n")),
                     ("Connection: close", b"\r\nConnection: close" in head),
                     ("Content-Length = body", length is not None and int(length.group(1)) == len(body)),
                     ("the list named", f"<b>{list_name}</b>".encode() in body),
                     ("the text", f"blocked by {list_name}".encode() in body)):
        if not ok:
            problems.append(f"page: {what} wrong: {r.payload[:120]!r}")
    return problems


# ---- TCP resets ------------------------------------------------------------------------------

def check_reset(s, r, back):
    """Differences between RST frame r and the spec's RST for segment s (back: to the client)."""
    return check_segment(s, r, back, flags=0x14, payload=b"")


def check_segment(s, r, back, flags, payload):
    """Differences between reply segment r and the spec's reply to segment s (back: to the client):
    addresses, ports, sequence numbers, `flags`, `payload` (None: any), checksums."""
    if r.error:
        return [f"not a readable TCP frame ({r.error})"]
    if back:
        want = [("eth dst", r.eth_dst, s.eth_src), ("eth src", r.eth_src, s.eth_dst), ("ip src", r.src, s.dst),
                ("ip dst", r.dst, s.src), ("sport", r.sport, s.dport), ("dport", r.dport, s.sport),
                ("seq", r.seq, s.ack), ("ack", r.ack, (s.seq + len(s.payload)) & 0xFFFFFFFF)]
    else:
        want = [("eth dst", r.eth_dst, s.eth_dst), ("eth src", r.eth_src, s.eth_src), ("ip src", r.src, s.src),
                ("ip dst", r.dst, s.dst), ("sport", r.sport, s.sport), ("dport", r.dport, s.dport),
                ("seq", r.seq, s.seq), ("ack", r.ack, s.ack)]
    want += [("vlan tags", r.tags, s.tags), ("ip version", r.version, s.version),
             ("ip header length", r.ip_header_length, 20 if s.version == 4 else 40), ("ttl", r.ttl, 64),
             ("protocol", r.proto, 6), ("flags", r.tcp_flags, flags)]
    if payload is not None:
        want.append(("payload length", len(r.payload), len(payload)))
    problems = [f"{what}: expected {w.hex() if isinstance(w, bytes) else w}, got {g.hex() if isinstance(g, bytes) else g}"
                for what, g, w in want if g != w]
    padding = r.raw[r.ip_end:]
    if padding and (len(r.raw) != 60 or padding.strip(b"\0")):
        problems.append(f"{len(padding)} bytes after the IP packet: {padding.hex()}")
    if not ipv4_header_ok(r):
        problems.append("bad IPv4 header checksum")
    if r.proto == 6 and not transport_checksum_ok(r):
        problems.append(f"bad TCP checksum {r.raw[r.l4 + 16:r.l4 + 18].hex()}")
    return problems


# ---- expectations ----------------------------------------------------------------------------

def expected_outcomes(frames, labels, names, reference, policies):
    """Per input frame: (what, detail), what in malformed/forward/answer/reset/drop."""
    out = []
    for number, f in enumerate(frames, 1):
        kind, broken = labels[number]
        if broken in REASSEMBLING:
            out.append(("forward", "reassembling", None))
            continue
        if broken != "-":
            out.append(("malformed", "truncated" if broken in TRUNCATED else "malformed", None))
            continue
        if number not in names:
            out.append(("forward", "no name", None))
            continue
        proto, name = names[number]
        decision, list_name = reference.verdict(name)
        if decision != "block":
            out.append(("forward", decision, list_name))
            continue
        policy = policies[list_name]
        if proto == "dns" and f.proto == 17:
            out.append(("drop" if policy["dns"] == "drop" else "answer", proto, list_name))
        elif proto == "dns":
            # DNS over TCP is answered in its stream unless its list drops DNS; a segment without
            # ACK (data on a SYN) has no stream to answer in and is reset.
            out.append(("drop" if policy["dns"] == "drop" else "tcp_answer" if f.tcp_flags & 0x10 else "reset",
                        proto, list_name))
        elif policy[proto] == "page":
            # The block page goes back in the stream; a segment without ACK is reset instead.
            out.append(("page" if f.tcp_flags & 0x10 else "reset", proto, list_name))
        else:
            # HTTP and TLS follow their own key.
            out.append(("reset" if policy[proto] == "reset" else "drop", proto, list_name))
    return out


def expected_stats(outcomes, names, mode):
    count = collections.Counter(o[0] for o in outcomes)
    forwarded = count["forward"] + (count["malformed"] if mode == "forward" else 0)
    dropped_by = {"answer_udp": count["answer"], "answer_tcp": count["tcp_answer"], "http_page": count["page"],
                  "reset": count["reset"], "drop": count["drop"], "malformed": count["malformed"] if mode == "drop" else 0}
    blocked = collections.Counter(o[1] for o in outcomes if o[0] in ("answer", "tcp_answer", "page", "reset", "drop"))
    decisions = collections.Counter(o[1] for o in outcomes if o[0] == "forward")
    extracted = collections.Counter(names[n][0] for n, o in enumerate(outcomes, 1) if o[0] != "malformed" and n in names)
    lists = collections.Counter(o[2] for o in outcomes if o[0] != "malformed" and o[2])
    statuses = collections.Counter(o[1] for o in outcomes if o[0] == "malformed")
    return {
        "rx_packets": len(outcomes), "tx_packets": forwarded, "dropped": sum(dropped_by.values()), "tx_errors": 0,
        "dropped_by": dropped_by, "reply_errors": 0,
        "replies_sent": {"answer_udp": count["answer"], "answer_tcp": count["tcp_answer"], "http_page": count["page"],
                         "reset": 2 * count["reset"] + count["tcp_answer"] + count["page"]},
        "blocked": {p: blocked[p] for p in ("dns", "http", "tls")},
        # passed: every forwarded frame that no allow or log rule decided (no name, pass, forwarded malformed).
        "allowed": decisions["allow"], "logged": decisions["log"],
        "passed": forwarded - decisions["allow"] - decisions["log"],
        "malformed": statuses["malformed"], "truncated": statuses["truncated"],
        "extracted": {p: extracted[p] for p in ("dns", "http", "tls")},
        "lists": dict(lists),
        "ports": {"client": {"rx": len(outcomes),
                             "tx": count["answer"] + count["tcp_answer"] + count["page"] + count["reset"]},
                  "resolver": {"rx": 0, "tx": forwarded + count["reset"] + count["tcp_answer"] + count["page"]}},
        "workers": 1,
    }


def compare_stats(got, want, path, failures, check):
    for key, value in want.items():
        where = f"{path}.{key}" if path else key
        if key not in got:
            failures.add(check, f"{where} missing (expected {value})")
        elif isinstance(value, dict) and key == "lists":
            for name in set(value) | set(got[key]):
                if got[key].get(name, 0) != value.get(name, 0):
                    failures.add(check, f"{where}.{name}: expected {value.get(name, 0)}, got {got[key].get(name, 0)}")
        elif isinstance(value, dict):
            compare_stats(got[key], value, where, failures, check)
        elif got[key] != value:
            failures.add(check, f"{where}: expected {value}, got {got[key]}")


def check_identities(s, failures, check):
    try:
        rules = [("rx_packets = tx_packets + dropped + tx_errors", s["rx_packets"], s["tx_packets"] + s["dropped"] + s["tx_errors"]),
                 ("dropped = sum(dropped_by)", s["dropped"], sum(s["dropped_by"].values())),
                 ("replies_sent.answer_udp = dropped_by.answer_udp", s["replies_sent"]["answer_udp"],
                  s["dropped_by"]["answer_udp"]),
                 ("replies_sent.answer_tcp = dropped_by.answer_tcp", s["replies_sent"]["answer_tcp"],
                  s["dropped_by"]["answer_tcp"]),
                 ("replies_sent.reset = 2 * dropped_by.reset + dropped_by.answer_tcp + dropped_by.http_page",
                  s["replies_sent"]["reset"], 2 * s["dropped_by"]["reset"] + s["dropped_by"]["answer_tcp"]
                  + s["dropped_by"]["http_page"]),
                 ("sum(ports.tx) = tx_packets + sum(replies_sent)",
                  sum(p["tx"] for p in s["ports"].values()), s["tx_packets"] + sum(s["replies_sent"].values())),
                 ("sum(ports.rx) = rx_packets", sum(p["rx"] for p in s["ports"].values()), s["rx_packets"]),
                 ("blocked.dns+http+tls = answer_udp + answer_tcp + http_page + reset + drop",
                  sum(s["blocked"].values()),
                  sum(s["dropped_by"][k] for k in ("answer_udp", "answer_tcp", "http_page", "reset", "drop")))]
    except (KeyError, TypeError, AttributeError) as e:
        failures.add(check, f"stats JSON lacks a field the identities need: {e!r}")
        return
    for rule, left, right in rules:
        if left != right:
            failures.add(check, f"{rule}: {left} != {right}")
    if not s.get("elapsed_seconds", 0) > 0:
        failures.add(check, f"elapsed_seconds is {s.get('elapsed_seconds')}")


# ---- outputs ---------------------------------------------------------------------------------

def first_difference(a, b):
    at = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return f"lengths {len(a)}/{len(b)}, first difference at byte {at}: expected {a[at:at + 8].hex()}, got {b[at:at + 8].hex()}"


def check_client_side(frames, outcomes, out, ede, failures, mode):
    """Answers, TCP answers and RSTs back to the client: each kind in input order, free to interleave."""
    queues = {kind: collections.deque(n for n, o in enumerate(outcomes, 1) if o[0] == kind)
              for kind in ("answer", "tcp_answer", "page", "reset")}
    expected = {kind: len(q) for kind, q in queues.items()}
    serials = set()
    ok = collections.Counter()
    for k, raw in enumerate(out, 1):
        r = decode(raw)
        fin = r.proto == 6 and r.tcp_flags & 0x01
        kind = ("reset" if r.proto == 6 and r.tcp_flags & 0x04 else "tcp_answer" if fin and r.sport == 53
                else "page" if fin else "answer" if r.proto == 17 else None)
        if kind is None or not queues[kind]:
            failures.add(f"{mode}: client port", f"output frame {k}: unexpected {kind or 'frame'}: {raw[:64].hex()}")
            continue
        back = lambda m: (frames[m - 1].dst, frames[m - 1].src, frames[m - 1].dport, frames[m - 1].sport)
        later = next((i for i, m in enumerate(queues[kind]) if back(m) == r.tuple()), 0)
        for _ in range(later):  # this reply belongs to a later input frame: the ones before it got none
            failures.add(f"{mode}: client port", f"input frame {queues[kind].popleft()}: no {kind} came out of "
                                                f"the client port before output frame {k} (missing or out of order)")
        n = queues[kind][0]
        s = frames[n - 1]
        queues[kind].popleft()
        list_name = outcomes[n - 1][2]
        policy = dict(POLICIES[list_name])
        problems = (check_answer(s, r, policy, ede, list_name, serials) if kind == "answer" else
                    check_tcp_answer(s, r, policy, ede, list_name, serials) if kind == "tcp_answer" else
                    check_page(s, r, list_name) if kind == "page" else
                    check_reset(s, r, back=True))
        for p in problems:
            failures.add(f"{mode}: {kind}s to the client", f"input frame {n} -> client output frame {k}: {p}")
        ok[kind] += not problems
    for kind, q in queues.items():
        for n in q:
            failures.add(f"{mode}: client port", f"input frame {n}: no {kind} came out of the client port")
    if len(serials) > 1:
        failures.add(f"{mode}: client port", f"the SOAs of one snapshot carry several serials: {sorted(serials)}")
    return expected, ok


def check_resolver_side(frames, outcomes, out, failures, mode):
    """Forwarded originals byte-identical and in order; RSTs on to the server in order."""
    forwards = collections.deque(n for n, o in enumerate(outcomes, 1)
                                 if o[0] == "forward" or (o[0] == "malformed" and mode == "forward"))
    resets = collections.deque(n for n, o in enumerate(outcomes, 1) if o[0] in ("reset", "tcp_answer", "page"))
    expected_forwards, expected_resets = len(forwards), len(resets)
    position = {}
    for n in forwards:
        position.setdefault(frames[n - 1].raw, []).append(n)
    identical = resets_ok = 0
    check = f"{mode}: resolver port"
    for k, raw in enumerate(out, 1):
        if forwards and raw == frames[forwards[0] - 1].raw:
            forwards.popleft()
            identical += 1
            continue
        r = decode(raw)
        if resets and r.proto == 6 and r.tcp_flags & 0x04 and r.tuple() == frames[resets[0] - 1].tuple():
            n = resets.popleft()
            problems = check_reset(frames[n - 1], r, back=False)
            for p in problems:
                failures.add(f"{mode}: RSTs to the server", f"input frame {n} -> resolver output frame {k}: {p}")
            resets_ok += not problems
            continue
        later = [n for n in position.get(raw, []) if forwards and n > forwards[0]]
        if later:
            skipped = [m for m in forwards if m < later[0]]
            failures.add(check, f"output frame {k} is input frame {later[0]}, but input frame(s) "
                                f"{skipped[:5]} should have come out before it (missing or out of order)")
            while forwards and forwards[0] != later[0]:
                forwards.popleft()
            forwards.popleft()
            continue
        source = next((n for n in range(1, len(frames) + 1) if frames[n - 1].raw == raw), None)
        if source is not None:
            failures.add(check, f"output frame {k} is input frame {source}, expected {outcomes[source - 1][0]} "
                                f"({outcomes[source - 1][1]}, list {outcomes[source - 1][2]})")
        elif forwards and len(raw) == len(frames[forwards[0] - 1].raw):
            failures.add(check, f"output frame {k}: input frame {forwards[0]} altered: "
                                f"{first_difference(frames[forwards[0] - 1].raw, raw)}")
            forwards.popleft()
        else:
            failures.add(check, f"output frame {k}: unexpected frame {raw[:64].hex()}")
    for n in forwards:
        failures.add(check, f"input frame {n} ({outcomes[n - 1][0]}, {outcomes[n - 1][1]}) never came out")
    for n in resets:
        failures.add(check, f"input frame {n}: no RST came out of the resolver port")
    return expected_forwards, identical, expected_resets, resets_ok


def tshark_check(path, failures, check):
    """tshark's own verdict on the IP/UDP/TCP checksums and the dissection of an output capture."""
    command = ["tshark", "-n", "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
               "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-E", "separator=\t", "-e", "frame.number",
               "-e", "ip.checksum.status", "-e", "udp.checksum.status", "-e", "tcp.checksum.status",
               "-e", "_ws.malformed"]
    bad, total = 0, 0
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        frame, ip, udp, tcp, malformed = (line.split("\t") + [""] * 5)[:5]
        total += 1
        statuses = [s for field in (ip, udp, tcp) for s in field.split(",") if s]
        if "0" in statuses or malformed:
            bad += 1
            failures.add(check, f"{os.path.basename(path)} frame {frame}: tshark says checksum status ip={ip} "
                                f"udp={udp} tcp={tcp}{' malformed' if malformed else ''}")
    return total, bad


# ---- set-up and runs -------------------------------------------------------------------------

POLICIES = {}


def write_lists(work, blocked_file, labels, names):
    """Splits the takedown list into the block lists, then adds names seen in the capture: to the allow
    list (some entries a block list decides, and one parent of such an entry), to the shadow list
    (full names under a blocking parent: the block must still win), and to the next block list
    (full names under a parent in another list: the more specific entry must win over list order)."""
    os.makedirs(os.path.join(work, "lists"), exist_ok=True)
    domains = [l.strip().lower() for l in open(blocked_file) if l.strip() and not l.startswith("#")]
    parts = [domains[i::len(BLOCK_LISTS)] for i in range(len(BLOCK_LISTS))]
    before = Reference([(name, policy["action"], part) for (name, _, _, policy), part in zip(BLOCK_LISTS, parts)])
    seen = sorted({(entry, name) for n, (proto, name) in names.items() if labels[n][1] == "-"
                   for entry in [matching_entry(before, name)] if entry})
    decided = sorted({entry for entry, _ in seen})
    allow = decided[::max(1, len(decided) // 6)][:6]
    parents = [d.split(".", 1)[1] for d in decided if d.count(".") >= 2 and d not in allow]
    parent = max(parents, key=lambda p: (p.count("."), len(p), p), default=None)
    allow += [parent] if parent else []
    below = [(entry, name) for entry, name in seen if name != entry and entry not in allow
             and not any(name.endswith("." + a) or name == a for a in allow)]
    shadowed, specific = below[0:9:3], below[1:13:3]
    block_parts = [i for i, b in enumerate(BLOCK_LISTS) if b[3]["action"] == "block"]
    shadow_part = next(i for i, b in enumerate(BLOCK_LISTS) if b[3]["action"] == "log")
    for entry, name in shadowed:
        parts[shadow_part].append(name)
    for entry, name in specific:
        home = next(i for i, b in enumerate(BLOCK_LISTS) if entry in before.entries and
                    before.entries[entry][0][1] == b[0])
        parts[block_parts[(block_parts.index(home) + 1) % len(block_parts)]].append(name)
    lists = []
    for (name, file, _, policy), part in zip(BLOCK_LISTS, parts):
        with open(os.path.join(work, "lists", file), "w") as f:
            f.write("".join(d + "\n" for d in part))
        lists.append((name, policy["action"], part))
        POLICIES[name] = dict(policy, a=SINKHOLE_A, aaaa=SINKHOLE_AAAA)
    with open(os.path.join(work, "lists", ALLOW[1]), "w") as f:
        f.write("".join(d + "\n" for d in allow))
    POLICIES[ALLOW[0]] = {"action": "allow"}
    print(f"lists: allow {allow}; log entries under a blocking parent {[n for _, n in shadowed]}; "
          f"more specific block entries in another list {[n for _, n in specific]}")
    return lists + [(ALLOW[0], "allow", allow)]


def matching_entry(reference, name):
    """The block-list entry that decides `name`, if one does."""
    labels = name.split(".")
    for i in range(len(labels)):
        suffix = ".".join(labels[i:])
        if any(e[2] == "block" for e in reference.entries.get(suffix, [])):
            return suffix
    return None


def write_config(work, mode, ede, snapshot):
    lines = ["# Written by takedownd_pcap_test.py: every action of takedownd on one capture.", "lists:"]
    for name, file, extra, _ in BLOCK_LISTS:
        lines.append(f"  - name: {name}\n    format: domains\n    path: lists/{file}\n{extra}".rstrip("\n"))
    lines.append(f"  - name: {ALLOW[0]}\n    format: domains\n    path: lists/{ALLOW[1]}\n    action: allow")
    lines += [f"defaults: {{dns: nxdomain, http: reset, tls: reset, ttl: 60, ede: {ede}}}",
              f'control: {{socket: "{work}/control.sock", snapshot_dir: "{work}/snapshots"}}',
              "dataplane:",
              '  eal: [--no-huge, -m, "512", --no-pci, --no-shconf, --file-prefix, takedownd-pcap-test]',
              "  ports:",
              "    - name: client",
              f"      device: net_pcap0,rx_pcap=in.pcap,tx_pcap={mode}-client-out.pcap",
              "    - name: resolver",
              f"      device: net_pcap1,tx_pcap={mode}-resolver-out.pcap",
              "  pairs:", "    - [client, resolver]",
              "  workers: 1", f"  malformed: {mode}"]
    if snapshot:
        lines.append(f"  snapshot: {snapshot}")
    path = os.path.join(work, f"{mode}.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def main():
    parser = suite_parser("takedownd")
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=4242)
    args = parser.parse_args()
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed (scripts/install-deps.sh installs it)")
        return 77
    if not os.access(args.takedownd, os.X_OK):
        print(f"FAIL: {args.takedownd} is not an executable (build the takedownd target)")
        return 1
    args.takedownd = os.path.abspath(args.takedownd)
    takedownctl = os.path.join(os.path.dirname(args.takedownd), "takedownctl")
    if not os.access(takedownctl, os.X_OK):
        print(f"FAIL: {takedownctl} is not an executable (build the takedownctl target)")
        return 1
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    source = os.path.abspath(args.source_dir)
    capture, label_file = os.path.join(work, "in.pcap"), os.path.join(work, "in.labels")
    blocked_file = os.path.join(source, "conf/lists/takedown-66k.txt")
    subprocess.run([sys.executable, os.path.join(source, "tests/integration/generate_capture.py"), capture,
                    "--frames", str(args.frames), "--seed", str(args.seed), "--blocked", blocked_file,
                    "--benign", os.path.join(source, "tests/data/top-50k.txt"), "--malformed-share", "0.05",
                    "--ip-options-share", "0.05", "--labels", label_file], check=True)
    frames = [decode(raw) for raw in read_pcap(capture)]
    labels = {int(n): (kind, broken) for n, kind, broken in (l.split("\t") for l in open(label_file).read().split("\n") if l)}
    names = tshark_names(capture)
    reference = Reference(write_lists(work, blocked_file, labels, names))
    outcomes = expected_outcomes(frames, labels, names, reference, POLICIES)

    count = collections.Counter(o[0] for o in outcomes)
    decisions = collections.Counter(reference.verdict(names[n][1])[0] for n, o in enumerate(outcomes, 1)
                                    if o[0] != "malformed" and n in names)
    print(f"capture: {len(frames)} frames, {len(names)} named by tshark, {count['malformed']} malformed/truncated; "
          f"reference verdicts {dict(sorted(decisions.items()))}")
    print(f"expected: {count['answer']} DNS answers, {count['tcp_answer']} in TCP streams, {count['page']} block "
          f"pages, {count['reset']} resets, "
          f"{count['drop']} blocked drops, "
          f"{count['forward']} forwards (+ malformed in forward mode)")

    failures = Failures()
    # takedownd compiles no lists: the first run starts from the snapshot folder, where
    # `takedownctl compile` stores one; the second from a file named by dataplane.snapshot.
    # The EDE code is the lists' (defaults.ede), so each snapshot is compiled from its run's config.
    snapshot, domains = None, None
    forward_config = write_config(work, "forward", "blocked", None)
    drop_config = write_config(work, "drop", "filtered", None)
    for argv in (["compile", "-c", forward_config],
                 ["compile", "-c", drop_config, "-o", os.path.join(work, "lists.snap")]):
        compiled = subprocess.run([takedownctl] + argv, capture_output=True, text=True)
        if compiled.returncode != 0:
            failures.add("config", f"takedownctl {' '.join(argv)} failed: {compiled.stdout}{compiled.stderr}")
        else:
            snapshot = "lists.snap"
            match = re.search(r"compiled (\d+) domains", compiled.stdout)
            domains = int(match.group(1)) if match else None

    for mode, ede_name, ede, snap in (("forward", "blocked", 15, None), ("drop", "filtered", 17, snapshot)):
        config = write_config(work, mode, ede_name, snap)
        try:
            run = subprocess.run([args.takedownd, "-c", config, "--exit-when-idle", "500"], capture_output=True,
                                 text=True, timeout=180, cwd=work)
        except subprocess.TimeoutExpired:
            failures.add(f"{mode}: run", "takedownd did not exit within 180 s")
            continue
        with open(os.path.join(work, f"{mode}.stderr"), "w") as f:
            f.write(run.stderr)
        if run.returncode != 0:
            failures.add(f"{mode}: run", f"takedownd exited {run.returncode}; stderr: {run.stderr.strip()[-600:]}")
            continue
        try:
            stats = json.loads(run.stdout)
        except json.JSONDecodeError as e:
            failures.add(f"{mode}: stats", f"stdout is not one JSON object ({e}): {run.stdout[:300]!r}")
            stats = None
        client = read_pcap(os.path.join(work, f"{mode}-client-out.pcap"))
        resolver = read_pcap(os.path.join(work, f"{mode}-resolver-out.pcap"))
        expected, ok = check_client_side(frames, outcomes, client, ede, failures, mode)
        forwards, identical, server_resets, server_ok = check_resolver_side(frames, outcomes, resolver, failures, mode)
        # Forwarded malformed frames keep their broken bytes: tshark judges the resolver side in drop mode only.
        sides = ("client", "resolver") if mode == "drop" else ("client",)
        checked = [tshark_check(os.path.join(work, f"{mode}-{side}-out.pcap"), failures, f"{mode}: tshark checksums")
                   for side in sides]
        print(f"[{mode}, ede {ede}] exit 0; client port: {len(client)} frames, answers {ok['answer']}/"
              f"{expected['answer']} right, TCP answers {ok['tcp_answer']}/{expected['tcp_answer']} right, "
              f"pages {ok['page']}/{expected['page']} right, "
              f"RSTs {ok['reset']}/{expected['reset']} right; resolver port: {len(resolver)} frames, "
              f"{identical}/{forwards} forwards identical and in order, RSTs {server_ok}/{server_resets} right; "
              f"tshark: {sum(c[1] for c in checked)} bad of {sum(c[0] for c in checked)} frames ({', '.join(sides)})")
        if stats is not None:
            want = expected_stats(outcomes, names, mode)
            if domains is not None:
                want["snapshot"] = {"generation": 1, "domains": domains}
            before = failures.count()
            compare_stats(stats, want, "", failures, f"{mode}: stats")
            check_identities(stats, failures, f"{mode}: stats identities")
            print(f"[{mode}] stats: {'match the capture' if failures.count() == before else 'MISMATCH'} "
                  f"(rx {stats.get('rx_packets')}, tx {stats.get('tx_packets')}, dropped {stats.get('dropped')}, "
                  f"replies {stats.get('replies_sent')})")
    if failures.count():
        failures.print()
        print(f"takedownd pcap test: {failures.count()} failure(s); files in {work}")
        return 1
    print("takedownd pcap test: all checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
