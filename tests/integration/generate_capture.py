#!/usr/bin/env python3
"""Writes a realistic, varied pcap for the tshark differential test, the takedownd tests and the demo
(stdlib only).

Frames: IPv4 and IPv6; untagged, 802.1Q and QinQ; DNS queries over UDP and TCP, with and without
EDNS, plus some DNS responses (which must not count as queries); HTTP/1.0 and 1.1 requests with
odd casing, optional whitespace, ports and absolute-form targets; TLS 1.2 and 1.3 ClientHellos with
GREASE, ALPN and ECH extensions; TCP SYNs; a little ICMP (ICMPv6 over IPv6). Names come from the
takedown list (about 10%) and the top-50k list, with realistic prefixes, random upper case and
trailing dots. IPv4, UDP, TCP and ICMP checksums are correct; data segments are ACK|PSH with a
nonzero acknowledgement number, and about half carry a TCP timestamp option.

Options for the data-plane tests:
  --kinds LIST           only these kinds (dns-udp,dns-tcp,dns-response,http,tls,syn,icmp), with the
                         default weights renormalised; e.g. --kinds dns-udp for a DNS-only benchmark.
  --malformed-share F    that share of frames is broken in one of several ways that a decoder must
                         call truncated or malformed (IP header cut, IP length past the frame, bad
                         IHL, bad UDP length, bad TCP offset, DNS header cut, forward compression
                         pointer, TLS ClientHello cut before the SNI, HTTP request without Host cut
                         mid-line, ...). Every record stays a valid pcap record.
  --ip-options-share F   that share of IP packets carries an IPv4 option (router alert) or an IPv6
                         hop-by-hop header.
  --labels FILE          writes "frame<TAB>kind<TAB>malformation" per frame ("-" when intact),
                         frames numbered from 1 as in tshark.

Traffic knobs (bench/trafficgen/trafficgen.py is the documented front end for benchmarks; the
defaults are the mix described above, so a capture made without them is the same, byte for byte,
as before the knobs existed):
  --blocked-ratio F      share of frames whose name comes from the blocked list (default 0.10).
  --mix MIX              protocol weights, "dns-udp=38,dns-tcp=10,http=20,..." (kinds left out get
                         none), or a preset: "isp" (the default mix above) or "dns" (DNS/UDP queries
                         only). --kinds then keeps only the kinds it names.
  --ipv6-ratio F         share of IPv6 frames (default 0.5).
  --vlan-ratio F         share of tagged frames, half 802.1Q and half QinQ (default 0.4).
  --edns-share F         share of DNS messages with an OPT record (default 0.5).
  --list LIST            the same as --blocked: the blocked-name list; a bigger list is the list-size
                         knob.

usage: generate_capture.py OUT.pcap [--frames N] [--seed S] [--blocked LIST] [--benign LIST]
                           [--kinds LIST] [--malformed-share F] [--ip-options-share F] [--labels FILE]
                           [--blocked-ratio F] [--mix MIX] [--ipv6-ratio F] [--vlan-ratio F]
                           [--edns-share F]
"""
import argparse
import collections
import os
import random
import struct

PREFIXES = ["", "", "www.", "api.", "cdn-12.", "mail.", "login.", "m.", "static.", "edge-7.eu."]
KIND_WEIGHTS = {"dns-udp": 0.38, "dns-tcp": 0.10, "dns-response": 0.05, "http": 0.20, "tls": 0.22,
                "syn": 0.02, "icmp": 0.03}
MIX_PRESETS = {"isp": KIND_WEIGHTS, "dns": {"dns-udp": 1.0}}
DEFAULT_VLAN_RATIO = 0.4  # two of five frames: one 802.1Q, one QinQ
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UDP, TCP, ICMP, ICMPV6 = 17, 6, 1, 58


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def with_transport_checksum(proto, src, dst, l4):
    """Fills the UDP/TCP/ICMPv6 checksum over the IPv4 or IPv6 pseudo-header (ICMPv4: none)."""
    offset = {UDP: 6, TCP: 16, ICMP: 2, ICMPV6: 2}[proto]
    l4 = l4[:offset] + b"\0\0" + l4[offset + 2:]
    if proto == ICMP:
        pseudo = b""
    elif len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", len(l4), proto)
    value = checksum(pseudo + l4)
    if proto == UDP and value == 0:
        value = 0xFFFF  # 0 means "no checksum" in UDP
    return l4[:offset] + struct.pack("!H", value) + l4[offset + 2:]


def ethernet_header(ethertype, tags):
    header = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    for tpid, vid in tags:
        header += struct.pack("!HH", tpid, vid)
    return header + struct.pack("!H", ethertype)


def ipv4(proto, src, dst, l4, options=b""):
    ihl = 5 + len(options) // 4
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(l4), random.getrandbits(16), 0x4000, 64,
                         proto, 0, src, dst) + options
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + l4


def ipv6(next_header, src, dst, l4, hop_by_hop=False):
    if hop_by_hop:  # PadN only: 8 bytes that a decoder must skip
        l4 = struct.pack("!BB", next_header, 0) + b"\x01\x04\0\0\0\0" + l4
        next_header = 0
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), next_header, 64, src, dst) + l4


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, payload, flags=0x18):
    options = b""
    if flags == 0x02:  # a SYN: MSS, SACK permitted, timestamps, window scale
        options = (b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + struct.pack("!II", random.getrandbits(32), 0)
                   + b"\x01\x03\x03\x07")
    elif random.random() < 0.5:
        options = b"\x01\x01\x08\x0a" + struct.pack("!II", random.getrandbits(32), random.getrandbits(32))
    ack = 0 if flags == 0x02 else random.randrange(1, 1 << 32)
    return struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32), ack, (5 + len(options) // 4) << 4, flags,
                       65535, 0, 0) + options + payload


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_message(name, qtype, edns, response=False):
    flags = 0x0100 if random.random() < 0.9 else 0  # RD
    flags |= 0x0020 if random.random() < 0.2 else 0  # AD
    flags |= 0x0010 if random.random() < 0.1 else 0  # CD
    if response:
        flags |= 0x8180
    message = struct.pack("!HHHHHH", random.getrandbits(16), flags, 1, 1 if response else 0, 0, 1 if edns else 0)
    message += wire_name(name) + struct.pack("!HH", qtype, 1)
    if response:
        message += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, random.randrange(256)])
    if edns:
        message += b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000 if random.random() < 0.5 else 0, 0)
    return message


def http_request(host, method, version):
    path = random.choice(["/", "/index.html", "/login.php?next=%2Faccount", "/wp-admin/", "/a/b/c.js"])
    target = path
    if random.random() < 0.1:
        target = "http://" + host + path
    header_name = random.choice(["Host", "host", "HOST", "hOsT"])
    spacing = random.choice([" ", "", "  ", "\t"])
    port = random.choice(["", "", "", ":80", ":8080"])
    lines = [f"{method} {target} HTTP/1.{version}", f"User-Agent: Mozilla/5.0", f"{header_name}:{spacing}{host}{port}",
             "Accept: */*"]
    random.shuffle(lines[1:])
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def extension(kind, body):
    return struct.pack("!HH", kind, len(body)) + body


def client_hello(sni, tls13):
    """Returns the TLS record and the offset of its server_name extension."""
    grease = lambda: random.choice([0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0xFAFA])
    name = sni.encode()
    entry = b"\0" + struct.pack("!H", len(name)) + name
    extensions = [extension(0, struct.pack("!H", len(entry)) + entry)]
    extensions.append(extension(16, b"\x00\x0c\x02h2\x08http/1.1"))
    if tls13:
        extensions.append(extension(43, b"\x04\x03\x04\x03\x03"))
        extensions.append(extension(51, struct.pack("!H", 36) + struct.pack("!HH", 29, 32) + random.randbytes(32)))
        if random.random() < 0.3:
            extensions.append(extension(0xFE0D, random.randbytes(80)))  # ECH: the outer SNI stays
    if random.random() < 0.7:
        extensions.insert(0, extension(grease(), b""))
        extensions.append(extension(grease(), b"\0"))
    sni_index = next(i for i, e in enumerate(extensions) if e[:2] == b"\0\0")
    body = b"".join(extensions)
    suites = struct.pack("!H", grease()) + b"\x13\x01\x13\x02\xc0\x2f"
    hello = struct.pack("!H", 0x0303) + random.randbytes(32) + b"\x20" + random.randbytes(32)
    hello += struct.pack("!H", len(suites)) + suites + b"\x01\x00" + struct.pack("!H", len(body))
    sni_offset = 9 + len(hello) + sum(len(e) for e in extensions[:sni_index])
    hello += body
    handshake = b"\x01" + struct.pack("!I", len(hello))[1:] + hello
    return b"\x16" + struct.pack("!HH", 0x0301 if tls13 else 0x0303, len(handshake)) + handshake, sni_offset


def odd_case(name):
    if random.random() < 0.3:
        return "".join(c.upper() if random.random() < 0.3 else c for c in name)
    return name


def payload_malformations(kind):
    """Breakages of the application payload that apply to this kind (queries to the DNS port only)."""
    return {"dns-udp": ["dns-header-short", "dns-forward-pointer", "dns-bad-label", "dns-name-cut"],
            "dns-tcp": ["dns-header-short", "dns-forward-pointer", "dns-name-cut"],
            "http": ["http-no-host-cut", "http-request-line-cut", "http-bad-version"],
            "tls": ["tls-cut-before-sni", "tls-bad-session-id"]}.get(kind, [])


def break_payload(how, payload, kind, sni_offset):
    """Returns the payload broken in the way `how` names. DNS over TCP keeps its length prefix."""
    prefix = b""
    if kind == "dns-tcp":
        prefix, payload = payload[:2], payload[2:]
    if how == "dns-header-short":
        payload = payload[:random.randrange(1 if kind == "dns-tcp" else 0, 12)]
    elif how == "dns-forward-pointer":  # the QNAME starts with a pointer to itself or later
        payload = payload[:12] + struct.pack("!H", 0xC000 | random.randrange(12, 40)) + b"\0\x01\0\x01"
    elif how == "dns-bad-label":  # 0x40/0x80 label types are not allowed
        payload = payload[:12] + bytes([random.choice([0x40, 0x80]) | 3]) + payload[13:]
    elif how == "dns-name-cut":
        payload = payload[:13 + random.randrange(max(1, payload[12]))]
    elif how == "http-no-host-cut":
        line = random.choice(["User-Agent: Mozilla/5.0 (X11; Linux x86_64)", "Accept: text/html,application/xh",
                              "Cookie: session=8f2b1c"])
        payload = f"GET /index.html HTTP/1.1\r\n{line[:random.randrange(1, len(line))]}".encode()
    elif how == "http-request-line-cut":
        payload = b"GET /login.php?next=%2F"[:random.randrange(5, 23)]
    elif how == "http-bad-version":
        payload = payload.replace(b"HTTP/1.", b"HTTP/7.", 1)
    elif how == "tls-cut-before-sni":
        payload = payload[:random.randrange(1, sni_offset + 4)]
    elif how == "tls-bad-session-id":
        payload = payload[:43] + bytes([random.randrange(33, 256)]) + payload[44:]
    if kind == "dns-tcp" and how != "dns-header-short":
        prefix = struct.pack("!H", len(payload)) if random.random() < 0.5 else prefix
    return prefix + payload


def break_frame(how, eth, l3):
    """Breaks the IP or transport layer of an intact IP packet `l3` behind Ethernet header `eth`."""
    v4 = l3[0] >> 4 == 4
    ihl = (l3[0] & 0x0F) * 4 if v4 else 40
    if how == "ip-header-cut":
        return eth + l3[:random.randrange(1, ihl)]
    if how == "ip-length-long":  # the IP length says more than the frame holds
        if v4:
            header = bytearray(l3[:ihl])
            header[2:4] = struct.pack("!H", len(l3) + random.randrange(1, 200))
            header[10:12] = b"\0\0"
            header[10:12] = struct.pack("!H", checksum(bytes(header)))
            return eth + bytes(header) + l3[ihl:]
        return eth + l3[:4] + struct.pack("!H", len(l3) - 40 + random.randrange(1, 200)) + l3[6:]
    if how == "ip-bad-header":  # IPv4 IHL below 5, or an IPv6 header whose version is not 6
        if v4:
            header = bytearray(l3[:ihl])
            header[0] = 0x40 | random.randrange(0, 5)
            header[10:12] = b"\0\0"
            header[10:12] = struct.pack("!H", checksum(bytes(header)))
            return eth + bytes(header) + l3[ihl:]
        return eth + bytes([random.choice([0x40, 0x50, 0x70])]) + l3[1:]
    raise ValueError(how)


def vlan_tags(ratio):
    """No tag, an 802.1Q tag or a QinQ pair: `ratio` of the frames are tagged, half of them QinQ."""
    dot1q = [(0x8100, random.randrange(1, 4095))]
    qinq = [(0x88A8, random.randrange(1, 4095)), (0x8100, random.randrange(1, 4095))]
    if ratio == DEFAULT_VLAN_RATIO:  # the original draw, so that default captures stay the same
        return random.choice([[], [], [], dot1q, qinq])
    if random.random() >= ratio:
        return []
    return dot1q if random.random() < 0.5 else qinq


def parse_mix(text):
    """A preset name or "kind=weight,..." -> {kind: weight} in the order given, zero weights left out."""
    if text in MIX_PRESETS:
        return dict(MIX_PRESETS[text])
    weights = {}
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        kind, sep, value = item.partition("=")
        kind = kind.strip()
        if not sep or kind not in KIND_WEIGHTS:
            raise ValueError(f"{item!r} is not KIND=WEIGHT with a kind of {','.join(KIND_WEIGHTS)} "
                             f"(or a preset: {','.join(MIX_PRESETS)})")
        try:
            weight = float(value)
        except ValueError:
            raise ValueError(f"{item!r}: the weight is not a number")
        if weight < 0:
            raise ValueError(f"{item!r}: a weight cannot be negative")
        if weight > 0:
            weights[kind] = weight
    if not weights:
        raise ValueError("no kind has a weight above 0")
    return weights


def share(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def build_parser(prog=None, description=None):
    parser = argparse.ArgumentParser(prog=prog, description=description or __doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="the pcap file to write")
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20251125)
    parser.add_argument("--blocked", "--list", dest="blocked",
                        default=os.path.join(REPO, "conf", "lists", "takedown-66k.txt"),
                        help="the blocked-name list (a name a line), default the 66k takedown list")
    parser.add_argument("--benign", default=os.path.join(REPO, "tests", "data", "top-50k.txt"),
                        help="names not on the list, default the top-50k list")
    parser.add_argument("--kinds", help=f"keep only these kinds of the mix ({','.join(KIND_WEIGHTS)})")
    parser.add_argument("--mix", default="isp", help="KIND=WEIGHT,... or a preset: " + ", ".join(MIX_PRESETS))
    parser.add_argument("--blocked-ratio", type=share, default=0.1, help="share of frames named from the list")
    parser.add_argument("--ipv6-ratio", type=share, default=0.5, help="share of IPv6 frames")
    parser.add_argument("--vlan-ratio", type=share, default=DEFAULT_VLAN_RATIO,
                        help="share of tagged frames, half of them QinQ")
    parser.add_argument("--edns-share", type=share, default=0.5, help="share of DNS messages with EDNS")
    parser.add_argument("--malformed-share", type=float, default=0.0)
    parser.add_argument("--ip-options-share", type=float, default=0.0)
    parser.add_argument("--labels")
    return parser


def parse_args(parser, argv=None):
    """Parses and checks the command line; args.kinds becomes the list of kinds, args.weights theirs."""
    args = parser.parse_args(argv)
    try:
        mix = parse_mix(args.mix)
    except ValueError as e:
        parser.error(f"--mix: {e}")
    if args.kinds is None:
        kinds = list(mix)
    else:
        kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
        unknown = [k for k in kinds if k not in KIND_WEIGHTS]
        if unknown or not kinds:
            parser.error(f"--kinds: unknown kind(s) {','.join(unknown) or '(none given)'}; "
                         f"choose from {','.join(KIND_WEIGHTS)}")
        absent = [k for k in kinds if k not in mix]
        if absent:
            parser.error(f"--kinds: {','.join(absent)} not in the mix {args.mix!r}")
    args.kinds, args.weights = kinds, [mix[k] for k in kinds]
    return args


def main(argv=None, prog=None, description=None):
    args = parse_args(build_parser(prog, description), argv)
    return generate(args)


def generate(args):
    """Writes the capture that parsed arguments describe; returns counts of what it wrote (frames,
    kinds, blocked, ipv6, tagged, edns)."""
    kinds, weights = args.kinds, args.weights
    random.seed(args.seed)
    blocked = [l.strip() for l in open(args.blocked) if l.strip()]
    benign = [l.strip() for l in open(args.benign) if l.strip()]
    labels = open(args.labels, "w") if args.labels else None
    counts = collections.Counter()

    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for frame in range(args.frames):
            on_list = random.random() < args.blocked_ratio
            base = random.choice(blocked) if on_list else random.choice(benign)
            name = odd_case(random.choice(PREFIXES) + base)
            v6 = random.random() < args.ipv6_ratio
            tags = vlan_tags(args.vlan_ratio)
            kind = random.choices(kinds, weights)[0]
            counts.update({"frames": 1, "kind " + kind: 1, "blocked": on_list, "ipv6": v6, "tagged": bool(tags)})
            broken = "-"
            if args.malformed_share > 0 and random.random() < args.malformed_share:
                choices = ["ip-header-cut", "ip-length-long", "ip-bad-header"]
                choices += ["udp-bad-length"] if kind in ("dns-udp", "dns-response") else []
                choices += ["tcp-bad-offset", "tcp-header-cut"] if kind in ("dns-tcp", "http", "tls", "syn") else []
                choices += payload_malformations(kind) * 2
                broken = random.choice(choices)
            sport = random.randrange(32768, 61000)  # Linux ephemeral ports: above every server port here
            sni_offset, edns = 0, False
            if kind == "dns-udp":
                qtype = random.choice([1, 28, 15, 16, 65, 255])
                edns = random.random() < args.edns_share
                proto, dport, payload = UDP, 53, dns_message(name, qtype, edns)
            elif kind == "dns-tcp":
                qtype = random.choice([1, 28])
                edns = random.random() < args.edns_share
                message = dns_message(name, qtype, edns)
                proto, dport, payload = TCP, 53, struct.pack("!H", len(message)) + message
            elif kind == "dns-response":
                edns = random.random() < args.edns_share
                proto, dport, payload = UDP, sport, dns_message(name, 1, edns, response=True)
                sport = 53
            elif kind == "http":
                host = name + ("." if random.random() < 0.05 else "")
                method = random.choice(["GET", "GET", "POST", "HEAD", "PUT", "OPTIONS"])
                proto, dport, payload = TCP, random.choice([80, 80, 8080]), http_request(host, method,
                                                                                         random.choice([0, 1]))
            elif kind == "tls":
                proto, dport = TCP, 443
                payload, sni_offset = client_hello(name, random.random() < 0.6)
            elif kind == "syn":
                proto, dport, payload = TCP, 443, b""
            else:
                proto = ICMPV6 if v6 else ICMP
                dport, payload = 0, b""
            if broken in payload_malformations(kind):
                payload = break_payload(broken, payload, kind, sni_offset)
            if proto == UDP:
                l4 = udp(sport, dport, payload)
            elif proto == TCP:
                l4 = tcp(sport, dport, payload, flags=0x02 if kind == "syn" else 0x18)
            else:  # an echo request: type, code, checksum, identifier, sequence, data
                l4 = bytes([128 if v6 else 8, 0, 0, 0]) + random.randbytes(12)
            if v6:
                src, dst = random.randbytes(16), random.randbytes(16)
            else:
                src, dst = bytes([10, 0, random.randrange(256), random.randrange(1, 255)]), bytes([192, 0, 2, 53])
            l4 = with_transport_checksum(proto, src, dst, l4)
            if broken == "udp-bad-length":
                length = random.choice([random.randrange(0, 8), len(l4) + random.randrange(1, 99)])
                l4 = l4[:4] + struct.pack("!H", length) + l4[6:]
            elif broken == "tcp-bad-offset":
                l4 = l4[:12] + bytes([random.randrange(0, 5) << 4]) + l4[13:]
            elif broken == "tcp-header-cut":
                l4 = l4[:random.randrange(1, 20)]
            options = args.ip_options_share > 0 and random.random() < args.ip_options_share
            if v6:
                l3 = ipv6(proto, src, dst, l4, hop_by_hop=options)
            else:
                l3 = ipv4(proto, src, dst, l4, options=b"\x94\x04\0\0" if options else b"")
            eth = ethernet_header(0x86DD if v6 else 0x0800, tags)
            packet = break_frame(broken, eth, l3) if broken.startswith("ip-") else eth + l3
            out.write(struct.pack("<IIII", 1700000000 + frame // 100, (frame % 100) * 10000, len(packet), len(packet)))
            out.write(packet)
            if labels:
                labels.write(f"{frame + 1}\t{kind}\t{broken}\n")
            counts.update({"edns": edns, "malformed": broken != "-"})
    if labels:
        labels.close()
    return counts


if __name__ == "__main__":
    main()
