#!/usr/bin/env python3
"""Writes a capture that mixes every encapsulation an ISP wire carries, for the tshark differential
test (tshark_differential.py --wrapped). Stdlib only; the DNS, HTTP and TLS payloads, the IPv4,
IPv6, UDP and TCP builders (correct checksums) and the name picking are generate_capture.py's.

The output is a pcapng file with one interface per link type used: Ethernet (1), raw IP (101),
IPv4 (228), IPv6 (229), Linux SLL (113), SLL2 (276), Cisco HDLC (104), BSD null (0, the address
family in host order, little-endian here) and loop (108, network order); AF_INET6 is written as
10, 24, 28 and 30 (Linux, NetBSD/OpenBSD, FreeBSD, macOS). With --pcap-linktype N it is a classic
pcap instead, all frames of that one link type.

Each frame carries one name: a DNS query over UDP or TCP, an HTTP request to port 80 or a TLS
ClientHello to port 443, named from the blocked list (10%) or the benign list. Around it, up to
three wrappers (12% three, 28% two, 45% one, 15% none):
  - Ethernet untagged, 802.1Q or QinQ (every Ethernet header, outer or inner; a tag is not a wrapper);
  - PPPoE session (0x8864) carrying PPP IPv4 (0x0021) or IPv6 (0x0057);
  - MPLS (0x8847), 1 to 4 labels, then IPv4, IPv6, or an Ethernet pseudowire behind a control word
    (bottom label PW_LABEL, so that tshark can be told with -d; see TSHARK_OPTIONS);
  - GRE over IPv4 or IPv6 with any of checksum (correct), key and sequence number, carrying IPv4,
    IPv6, Ethernet (0x6558) or MPLS (0x8847);
  - VXLAN: UDP 49152-65535 -> 4789 (checksum zero on a third of the IPv4 ones, else correct),
    flags 0x08, a VNI, an inner Ethernet frame;
  - GTP-U G-PDU: UDP 2152 -> 2152, flags 0x30, or 0x34 with sequence/N-PDU/next-extension and a PDU
    session container (0x85), sometimes behind a PDCP PDU number (0xC0), carrying IPv4 or IPv6;
  - IP in IP: 4in4, 6in4, 6in6, 4in6.
The non-Ethernet links carry what their protocol field allows: SLL, SLL2 and Cisco HDLC an
EtherType (IP, PPPoE, MPLS); raw, ipv4, ipv6, null and loop an IP packet (which may be a tunnel).
About 5% of the frames carry no name: a GTP-U echo request (message type 1), a PPPoE LCP
echo request (0xC021), or GRE with a protocol Takedown does not open (0x88BE, ERSPAN) around a DNS
query. All lengths and all IPv4, UDP, TCP and GRE checksums are correct.

--labels FILE writes "frame<TAB>wrapper description<TAB>proto<TAB>name" per frame, frames numbered
from 1 as tshark does; proto and name are what the frame must yield ("-" and "-" for none; the
name lowercased, without a trailing dot or port). The description lists the layers from the
outside in, space-separated: the link type (null and loop then "af2", "af10", ...: the family
word), then "vlan"/"qinq", "eth" (an inner Ethernet header), "pppoe", "mpls/N" (N labels), "pw",
"ipv4"/"ipv6", "gre[csum,key,seq]", "vxlan", "gtpu" or "gtpu[ext]", "4in4"/"6in4"/"6in6"/"4in6"
(between the outer and the inner IP), and last the payload kind (dns-udp, dns-tcp, http, tls, or
gtpu-echo, pppoe-lcp, gre-88be for the frames without a name). Example:
"linux_sll2 ipv6 gre[key] eth vlan ipv4 vxlan eth ipv6 tls".

tshark (4.0) decodes all of it given TSHARK_OPTIONS, except PPPoE over Cisco HDLC and AF_INET6 10
on null and loop (tshark_cannot_decode): tshark_differential.py judges those frames by the labels.

With --rewrap PCAP (a classic pcap of Ethernet frames, such as tests/data/captures/browsers-sample.pcap)
nothing is generated: the capture is written again as a pcapng, every frame kept in its order (so
that frame numbers line up), each flow's IP packets, byte for byte, inside the wrappers of one
recipe (REWRAP_RECIPES): plain, pppoe (over QinQ on half the Ethernet flows), mpls (1 to 3 labels),
gre (with a key; over IPv4 or IPv6), vxlan (inner Ethernet, sometimes 802.1Q-tagged), gtpu (G-PDU
with sequence number and a PDU session container), ipip4 (4in4/6in4), ipip6 (4in6/6in6), and two
nested: gre+vxlan (VXLAN in GRE) and mpls+gtpu (GTP-U over MPLS). Every outer length and checksum is
computed. The flows of each kind (QUIC, ClientHellos whose server_name needs the next segment, other
ClientHellos, other TCP) are dealt the recipes in turn, ordered by a hash of their 5-tuple with the
ends sorted, so each recipe gets its share of names spanning packets. Both directions of a flow
get the same outer headers mirrored (see Rewrap). A flow's frames are on one interface: Ethernet,
Linux SLL2 or raw IP (the last only for recipes that start with an IP header); frames that are not
IPv4 or IPv6 (ARP, ...) or that the snap length cut stay as they were, on the Ethernet interface.
--labels then writes "frame<TAB>recipe<TAB>description" per frame, the description in the tokens
above ("linux_sll2 ipv6 gre[key] ipv4 vxlan eth ipv4"); recipe "untouched" for the frames kept as
they were.

usage: generate_wrapped_capture.py OUT [--frames N] [--seed S] [--blocked LIST] [--benign LIST]
                                   [--labels FILE] [--pcap-linktype N]
       generate_wrapped_capture.py OUT --rewrap PCAP [--seed S] [--labels FILE]
"""
import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_capture as gc  # noqa: E402
from generate_capture import TCP, UDP  # noqa: E402

LINKTYPES = {"ethernet": 1, "raw": 101, "ipv4": 228, "ipv6": 229, "linux_sll": 113, "linux_sll2": 276,
             "c_hdlc": 104, "null": 0, "loop": 108}
LINK_WEIGHTS = {"ethernet": 0.40, "raw": 0.075, "ipv4": 0.075, "ipv6": 0.075, "linux_sll": 0.075,
                "linux_sll2": 0.075, "c_hdlc": 0.075, "null": 0.075, "loop": 0.075}
ETHERTYPE_LINKS = ("ethernet", "linux_sll", "linux_sll2", "c_hdlc")
KIND_WEIGHTS = {"dns-udp": 0.40, "dns-tcp": 0.10, "http": 0.25, "tls": 0.25}
LAYER_WEIGHTS = [0.15, 0.45, 0.28, 0.12]  # frames with 0, 1, 2, 3 wrappers
CONTROL_SHARE = 0.05
PW_LABEL = 24001  # the bottom label of every Ethernet pseudowire, and of nothing else
# What tshark needs beyond its defaults to decode this capture (tshark_differential.py passes it):
# after the bottom label, a first nibble 0 is a control word or an Ethernet address beginning 0x0
# (signalling tells them apart), and tshark's guess (pwethheuristic) calls it no control word when
# the bytes read as two known OUIs, which a CW (00 00 + sequence) before our 02:00:00:00:00:01 does
# (00:00:xx are registered, 00:00:00 is Xerox's). So the pseudowire label is bound to "Ethernet PW
# with CW".
TSHARK_OPTIONS = ["-d", f"mpls.label=={PW_LABEL},pwethcw"]
AF_INET6 = (10, 24, 28, 30)


def tshark_cannot_decode(description):
    """Whether tshark 4.0 cannot reach the name of a frame with this label description: PPPoE over
    Cisco HDLC (no chdlc.protocol binding for 0x8864, and no Decode As for that table) and the
    Linux AF_INET6 (10) on null and loop (null.type knows 24, 28 and 30, and has no Decode As)."""
    tokens = description.split()
    return tokens[:2] == ["c_hdlc", "pppoe"] or "af10" in tokens[1:2]


IPV4, IPV6, PPPOE, MPLS, TEB = 0x0800, 0x86DD, 0x8864, 0x8847, 0x6558
MAC = b"\x02\x00\x00\x00\x00\x02"


def ethertype_of(v6):
    return IPV6 if v6 else IPV4


def pick(weights):
    return random.choices(list(weights), list(weights.values()))[0]


class Frame:
    """One frame under construction: the payload kind and name at its core, and the layer tokens
    (outside in) that the builders append as they go in."""

    def __init__(self, kind, name):
        self.kind, self.name, self.tokens = kind, name, []

    # --- the innermost packet -------------------------------------------------------------------
    def leaf(self, v6):
        """The IP packet at the core: the named payload, or the no-name packet of a control kind."""
        if v6:
            src, dst = b"\xfd\x00" + random.randbytes(14), b"\xfd\x00" + random.randbytes(14)
        else:
            src, dst = bytes([10, 0, random.randrange(256), random.randrange(1, 255)]), \
                bytes([192, 0, 2, random.randrange(1, 255)])
        self.tokens.append("ipv6" if v6 else "ipv4")
        if self.kind == "gtpu-echo":
            echo = struct.pack("!BBHIHBB", 0x32, 1, 4, 0, random.getrandbits(16), 0, 0)
            return ip_packet(v6, UDP, src, dst, gc.udp(2152, 2152, echo))
        if self.kind == "gre-88be":  # GRE around a DNS query, but of a protocol nobody opens
            inner = Frame("dns-udp", self.name).leaf(False)
            return ip_packet(v6, 47, src, dst, gre(0x88BE, inner, random.random() < 0.5, False, False))
        sport = random.randrange(32768, 61000)
        if self.kind == "dns-udp":
            message = gc.dns_message(self.name, random.choice([1, 28, 15, 16, 65, 255]), random.random() < 0.5)
            l4 = gc.udp(sport, 53, message)
        elif self.kind == "dns-tcp":
            message = gc.dns_message(self.name, random.choice([1, 28]), random.random() < 0.5)
            l4 = gc.tcp(sport, 53, struct.pack("!H", len(message)) + message)
        elif self.kind == "http":
            host = self.name + ("." if random.random() < 0.05 else "")
            method = random.choice(["GET", "GET", "POST", "HEAD", "PUT", "OPTIONS"])
            l4 = gc.tcp(sport, 80, gc.http_request(host, method, random.choice([0, 1])))
        else:
            l4 = gc.tcp(sport, 443, gc.client_hello(self.name, random.random() < 0.6)[0])
        return ip_packet(v6, UDP if self.kind == "dns-udp" else TCP, src, dst, l4)

    # --- contexts: what the layer outside expects -------------------------------------------------
    def ip(self, layers, v6=None):
        """An IPv4 or IPv6 packet (`v6` None: either) with `layers` wrappers inside it."""
        if v6 is None:
            v6 = random.random() < 0.5
        if layers == 0:
            return self.leaf(v6)
        src, dst = tunnel_addresses(v6)
        self.tokens.append("ipv6" if v6 else "ipv4")
        tunnel = pick({"ip-in-ip": 0.25, "gre": 0.30, "vxlan": 0.20, "gtpu": 0.25})
        if tunnel == "ip-in-ip":
            inner_v6 = random.random() < 0.5
            self.tokens.append(f"{6 if inner_v6 else 4}in{6 if v6 else 4}")
            return ip_packet(v6, 41 if inner_v6 else 4, src, dst, self.ip(layers - 1, inner_v6))
        if tunnel == "gre":
            csum, key, seq = (random.random() < 0.5 for _ in range(3))
            self.tokens.append("gre" + ("[" + ",".join(n for n, on in (("csum", csum), ("key", key), ("seq", seq))
                                                       if on) + "]" if csum or key or seq else ""))
            carried = pick({"ip": 0.45, "eth": 0.30, "mpls": 0.25} if layers > 1 else {"ip": 0.6, "eth": 0.4})
            if carried == "ip":
                inner_v6 = random.random() < 0.5
                proto, payload = ethertype_of(inner_v6), self.ip(layers - 1, inner_v6)
            elif carried == "eth":
                proto, payload = TEB, self.ethernet(layers - 1, inner=True)
            else:
                proto, payload = MPLS, self.mpls(layers - 2)  # GRE and the label stack
            return ip_packet(v6, 47, src, dst, gre(proto, payload, csum, key, seq))
        if tunnel == "vxlan":
            self.tokens.append("vxlan")
            vxlan = struct.pack("!B3xI", 0x08, random.randrange(1, 1 << 24) << 8)
            l4 = gc.udp(random.randrange(49152, 65536), 4789, vxlan + self.ethernet(layers - 1, inner=True))
            if v6 or random.random() < 2 / 3:
                l4 = gc.with_transport_checksum(UDP, src, dst, l4)
            return ip_packet(v6, UDP, src, dst, l4, transport_checksum=False)
        extended = random.random() < 0.5
        self.tokens.append("gtpu[ext]" if extended else "gtpu")
        payload = self.ip(layers - 1)
        if extended:
            qfi = random.randrange(64)
            container = bytes([1, random.choice([0x00, 0x10]), qfi, 0])  # DL or UL PDU session information
            chain = bytes([0x85]) if random.random() < 0.6 else bytes([0xC0])
            if chain[0] == 0xC0:  # PDCP PDU number, then the container
                chain += bytes([1]) + struct.pack("!H", random.getrandbits(15)) + bytes([0x85])
            payload = struct.pack("!HB", random.getrandbits(16), 0) + chain + container + payload
        gtp = struct.pack("!BBHI", 0x34 if extended else 0x30, 0xFF, len(payload), random.getrandbits(32))
        return ip_packet(v6, UDP, src, dst, gc.udp(2152, 2152, gtp + payload))

    def ethertype(self, layers):
        """(EtherType, payload) with `layers` wrappers: IP, PPPoE or MPLS."""
        if self.kind == "pppoe-lcp":
            self.tokens += ["pppoe"]
            lcp = struct.pack("!BBHI", 9, random.randrange(256), 8, random.getrandbits(32))  # echo request
            return PPPOE, pppoe(0xC021, lcp)
        carried = "ip" if layers == 0 else pick({"ip": 0.5, "pppoe": 0.25, "mpls": 0.25})
        if carried == "pppoe":
            self.tokens.append("pppoe")
            v6 = random.random() < 0.5
            return PPPOE, pppoe(0x0057 if v6 else 0x0021, self.ip(layers - 1, v6))
        if carried == "mpls":
            return MPLS, self.mpls(layers - 1)
        v6 = random.random() < 0.5
        return ethertype_of(v6), self.ip(layers, v6)

    def ethernet(self, layers, inner=False):
        """An Ethernet frame, maybe tagged, with `layers` wrappers inside."""
        tags = gc.vlan_tags(0.3 if inner else gc.DEFAULT_VLAN_RATIO)
        self.tokens += ["eth"] if inner else []
        self.tokens += ["qinq"] if len(tags) == 2 else ["vlan"] if tags else []
        ethertype, payload = self.ethertype(layers)
        return gc.ethernet_header(ethertype, tags) + payload

    def mpls(self, layers):
        """An MPLS label stack (one wrapper, already counted) and what it carries: IP with `layers`
        wrappers, or an Ethernet pseudowire (control word) around an Ethernet frame with them."""
        depth = random.randint(1, 4)
        self.tokens.append(f"mpls/{depth}")
        pw = random.random() < 0.4
        labels = [random.randrange(16, 1 << 20) for _ in range(depth)]
        labels = [l if l != PW_LABEL else l + 1 for l in labels]
        if pw:
            labels[-1] = PW_LABEL
        stack = b"".join(struct.pack("!I", label << 12 | random.randrange(8) << 9 | (i == depth - 1) << 8
                                     | random.randrange(1, 256)) for i, label in enumerate(labels))
        if pw:
            self.tokens.append("pw")
            control_word = struct.pack("!HH", 0, random.getrandbits(16))  # first nibble 0, sequence number
            return stack + control_word + self.ethernet(layers, inner=True)
        return stack + self.ip(layers)


def ip_packet(v6, proto, src, dst, l4, transport_checksum=True):
    if transport_checksum and proto in (UDP, TCP):
        l4 = gc.with_transport_checksum(proto, src, dst, l4)
    return gc.ipv6(proto, src, dst, l4) if v6 else gc.ipv4(proto, src, dst, l4)


def tunnel_addresses(v6):
    if v6:
        return b"\x20\x01\x0d\xb8" + random.randbytes(12), b"\x20\x01\x0d\xb8" + random.randbytes(12)
    return bytes([100, 64, random.randrange(256), random.randrange(1, 255)]), \
        bytes([203, 0, 113, random.randrange(1, 255)])


def gre(proto, payload, csum, key, seq):
    """A GRE version 0 header (RFC 2784/2890) with the optional fields asked for, and the payload."""
    header = struct.pack("!HH", csum << 15 | key << 13 | seq << 12, proto)
    header += b"\0\0\0\0" if csum else b""
    header += struct.pack("!I", random.getrandbits(32)) if key else b""
    header += struct.pack("!I", random.getrandbits(32)) if seq else b""
    if csum:  # over the GRE header and payload, the checksum field zero
        header = header[:4] + struct.pack("!H", gc.checksum(header + payload)) + header[6:]
    return header + payload


def pppoe(ppp_protocol, payload):
    """A PPPoE session header (RFC 2516); its length counts the PPP protocol field and payload."""
    return struct.pack("!BBHHH", 0x11, 0x00, random.randrange(1, 0xFFFF), 2 + len(payload), ppp_protocol) + payload


def link_frame(link, frame, layers):
    """The whole frame on `link`, with `layers` wrappers in it."""
    if link == "ethernet":
        return frame.ethernet(layers)
    if link in ("linux_sll", "linux_sll2", "c_hdlc"):
        ethertype, payload = frame.ethertype(layers)
        if link == "linux_sll":  # packet type (to us / outgoing), ARPHRD_ETHER, address length, address
            return struct.pack("!HHH8sH", random.choice([0, 4]), 1, 6, MAC + b"\0\0", ethertype) + payload
        if link == "linux_sll2":
            return struct.pack("!HHIHBB8s", ethertype, 0, random.randrange(1, 8), 1, random.choice([0, 4]), 6,
                               MAC + b"\0\0") + payload
        return struct.pack("!BBH", 0x0F, 0x00, ethertype) + payload
    packet = frame.ip(layers, {"ipv4": False, "ipv6": True}.get(link))
    if link in ("null", "loop"):
        family = random.choice(AF_INET6) if packet[0] >> 4 == 6 else 2
        frame.tokens.insert(0, f"af{family}")
        return struct.pack("<I" if link == "null" else ">I", family) + packet
    return packet


def build_frame(link, blocked, benign):
    """(frame bytes, description, proto, expected name) of one random frame on `link`."""
    on_list = random.random() < 0.1
    name = gc.odd_case(random.choice(gc.PREFIXES) + random.choice(blocked if on_list else benign))
    if random.random() < CONTROL_SHARE:
        kind = random.choice(["gtpu-echo", "gre-88be"] + (["pppoe-lcp"] if link in ETHERTYPE_LINKS else []))
        layers = 0 if kind == "pppoe-lcp" else random.choice([0, 1])
        proto = "-"
    else:
        kind = pick(KIND_WEIGHTS)
        layers = random.choices(range(len(LAYER_WEIGHTS)), LAYER_WEIGHTS)[0]
        proto = kind.split("-")[0]
    frame = Frame(kind, name)
    data = link_frame(link, frame, layers)
    return data, " ".join([link] + frame.tokens + [kind]), proto, name.lower() if proto != "-" else "-"


def pcapng_block(block_type, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", block_type, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def pcapng_option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def write_pcapng(out, frames):
    """frames: [(link, microseconds, data)]; one interface per link type, in order of first use."""
    interfaces = {}
    for link, _, _ in frames:
        interfaces.setdefault(link, len(interfaces))
    out.write(pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
                           + pcapng_option(4, b"generate_wrapped_capture.py") + pcapng_option(0, b"")))
    for link in interfaces:  # if_name, if_tsresol 6 (microseconds, the default, said anyway)
        out.write(pcapng_block(1, struct.pack("<HHI", LINKTYPES[link], 0, 65535) + pcapng_option(2, link.encode())
                               + pcapng_option(9, b"\x06") + pcapng_option(0, b"")))
    for link, us, data in frames:
        out.write(pcapng_block(6, struct.pack("<IIIII", interfaces[link], us >> 32, us & 0xFFFFFFFF, len(data),
                                              len(data)) + data))


def write_pcap(out, linktype, frames):
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
    for _, us, data in frames:
        out.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(data), len(data)) + data)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="the pcapng (or, with --pcap-linktype, pcap) file to write")
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20251126)
    parser.add_argument("--blocked", default=os.path.join(gc.REPO, "conf", "lists", "takedown-66k.txt"))
    parser.add_argument("--benign", default=os.path.join(gc.REPO, "tests", "data", "top-50k.txt"))
    parser.add_argument("--labels", help='writes "frame<TAB>description<TAB>proto<TAB>name" per frame')
    parser.add_argument("--pcap-linktype", type=int, choices=sorted(LINKTYPES.values()),
                        help="a classic pcap of this one link type instead of the pcapng of all")
    parser.add_argument("--rewrap", metavar="PCAP",
                        help="rewrites this classic pcap of Ethernet frames, each flow wrapped, instead")
    args = parser.parse_args(argv)
    random.seed(args.seed)
    if args.rewrap:
        from rewrap_capture import rewrap  # it imports this module's builders
        frames, labels = rewrap(args.rewrap, args.seed)
        with open(args.out, "wb") as out:
            write_pcapng(out, frames)
        if args.labels:
            with open(args.labels, "w") as f:
                f.writelines(labels)
        return 0
    blocked = [l.strip() for l in open(args.blocked) if l.strip()]
    benign = [l.strip() for l in open(args.benign) if l.strip()]
    only = next((k for k, v in LINKTYPES.items() if v == args.pcap_linktype), None)
    frames, labels = [], []
    for i in range(args.frames):
        link = only or pick(LINK_WEIGHTS)
        data, description, proto, name = build_frame(link, blocked, benign)
        frames.append((link, 1700000000 * 1000000 + i * 10000, data))
        labels.append(f"{i + 1}\t{description}\t{proto}\t{name}\n")
    with open(args.out, "wb") as out:
        if only:
            write_pcap(out, args.pcap_linktype, frames)
        else:
            write_pcapng(out, frames)
    if args.labels:
        with open(args.labels, "w") as f:
            f.writelines(labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
