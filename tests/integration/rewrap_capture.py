#!/usr/bin/env python3
"""--rewrap of generate_wrapped_capture.py: a real capture (a classic pcap of Ethernet frames, such
as tests/data/captures/browsers-sample.pcap) written again with each flow's IP packets inside one
wrapper recipe, both directions of a flow with the same outer headers mirrored, every outer length
and checksum recomputed and the inner packets unchanged (frame count, order and times kept), so a
flow-by-flow differential against tshark covers names that span packets inside wrappers. Stdlib
only; the wrapper builders are generate_wrapped_capture.py's.
"""
import hashlib
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_capture as gc  # noqa: E402
from generate_capture import TCP, UDP  # noqa: E402
from generate_wrapped_capture import (IPV4, IPV6, MAC, MPLS, PPPOE, ethertype_of, gre, ip_packet,  # noqa: E402
                                      pppoe)


# --- --rewrap: a real capture, each flow's packets inside a wrapper ---------------------------------
# The recipes, one per flow: what wraps its IP packets (Rewrap.wrapped builds them, Rewrap.description
# names their layers).
REWRAP_RECIPES = ("plain", "pppoe", "mpls", "gre", "vxlan", "gtpu", "ipip4", "ipip6", "gre+vxlan", "mpls+gtpu")
# The links each recipe may sit on: an EtherType-carrying link for the ones that start below IP,
# any (raw IP too) for the ones that start with an IP header.
REWRAP_LINKS = {"plain": ("ethernet", "linux_sll2", "raw"), "pppoe": ("ethernet", "linux_sll2"),
                "mpls": ("ethernet", "linux_sll2"), "mpls+gtpu": ("ethernet", "linux_sll2")}
VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)


def read_pcap(path):
    """[(microseconds, captured bytes, original length)] of a classic pcap of Ethernet frames (either
    byte order, microsecond or nanosecond timestamps)."""
    data = open(path, "rb").read()
    magic = data[:4]
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
             b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if order is None:
        raise SystemExit(f"{path}: not a classic pcap (a pcapng? convert it with editcap -F pcap)")
    nanoseconds = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, --rewrap reads Ethernet (1) only")
    records, offset = [], 24
    while offset + 16 <= len(data):
        seconds, fraction, caplen, length = struct.unpack(order + "IIII", data[offset:offset + 16])
        offset += 16
        records.append((seconds * 1000000 + (fraction // 1000 if nanoseconds else fraction),
                        data[offset:offset + caplen], length))
        offset += caplen
    return records


def ip_of_ethernet(frame):
    """(MAC header without its EtherType, VLAN tags [(tpid, vid)], IP packet) of an Ethernet frame
    carrying IPv4 or IPv6, the packet cut at its own length (no Ethernet padding); None otherwise."""
    offset, tags = 12, []
    while len(frame) >= offset + 4 and struct.unpack("!H", frame[offset:offset + 2])[0] in VLAN_TPIDS:
        tags.append(struct.unpack("!HH", frame[offset:offset + 4]))
        offset += 4
    if len(frame) < offset + 2:
        return None
    ethertype, packet = struct.unpack("!H", frame[offset:offset + 2])[0], frame[offset + 2:]
    if ethertype == IPV4 and len(packet) >= 20 and packet[0] >> 4 == 4:
        length = struct.unpack("!H", packet[2:4])[0]
    elif ethertype == IPV6 and len(packet) >= 40 and packet[0] >> 4 == 6:
        length = 40 + struct.unpack("!H", packet[4:6])[0]
    else:
        return None
    if length > len(packet):  # cut short by the snap length: not rewrapped (its lengths would lie)
        return None
    return frame[:12], tags, packet[:length]


def flow_key(packet):
    """(key, forward): the flow's 5-tuple with its two ends sorted, so that both directions have the
    same key, and whether this packet goes from the first end to the second."""
    if packet[0] >> 4 == 4:
        proto, src, dst, l4 = packet[9], packet[12:16], packet[16:20], packet[(packet[0] & 15) * 4:]
        if struct.unpack("!H", packet[6:8])[0] & 0x1FFF:  # a later fragment: no ports in it
            l4 = b""
    else:
        proto, src, dst, l4 = packet[6], packet[8:24], packet[24:40], packet[40:]
    ports = struct.unpack("!HH", l4[:4]) if proto in (TCP, UDP) and len(l4) >= 4 else (0, 0)
    ends = [(src, ports[0]), (dst, ports[1])]
    return (proto, *sorted(ends)), ends[0] <= ends[1]


class Rewrap:
    """The outer headers of one flow, drawn once from a hash of its key (so that a capture is
    rewrapped the same way every time, and both directions alike): tunnel addresses, MACs, labels,
    key, VNI, TEIDs, session id, link. The client is the end that sent the flow's first packet; the
    server->client direction (to_server False) gets the headers mirrored: outer addresses and inner
    MACs swapped (VXLAN keeps its source port and destination port 4789, GTP-U is 2152 both ways),
    its own TEID and sequence numbers and a DL rather than UL PDU session container."""

    def __init__(self, key, seed, recipe):
        r = random.Random(flow_hash(key, seed))
        self.recipe = recipe
        self.link = r.choice(REWRAP_LINKS.get(self.recipe, ("ethernet", "linux_sll2", "raw")))
        self.ifindex = r.randrange(1, 64)
        self.qinq = [(0x88A8, r.randrange(1, 4095)), (0x8100, r.randrange(1, 4095))] if r.random() < 0.5 else []
        self.session = r.randrange(1, 0xFFFF)
        self.labels = [r.randrange(16, 1 << 20) for _ in range(r.randint(1, 3))]
        self.label_bits = [r.randrange(8) << 9 | r.randrange(1, 256) for _ in self.labels]  # TC, TTL
        self.outer_v6, self.middle_v6 = r.random() < 0.4, r.random() < 0.4
        self.outer = tunnel_ends(r, self.outer_v6)
        self.middle = tunnel_ends(r, self.middle_v6)
        self.gre_key = r.getrandbits(32)
        self.vni = r.randrange(1, 1 << 24)
        self.vxlan_port = r.randrange(49152, 65536)
        self.inner_macs = (b"\x02" + r.randbytes(5), b"\x02" + r.randbytes(5))
        self.inner_tag = [(0x8100, r.randrange(1, 4095))] if r.random() < 0.3 else []
        self.teids = (r.getrandbits(32) | 1, r.getrandbits(32) & ~1)  # two, one per direction
        self.qfi = r.randrange(64)
        self.sequence = [r.getrandbits(16), r.getrandbits(16)]  # GTP-U sequence numbers, per direction

    def description(self, packet):
        """The label: the layers from the outside in, in the tokens of the generated frames."""
        inner = "ipv6" if packet[0] >> 4 == 6 else "ipv4"
        outer, middle = ("ipv6" if self.outer_v6 else "ipv4"), ("ipv6" if self.middle_v6 else "ipv4")
        link = [self.link] + (["qinq"] if self.link == "ethernet" and self.recipe == "pppoe" and self.qinq else [])
        tokens = {
            "plain": [],
            "pppoe": ["pppoe"],
            "mpls": [f"mpls/{len(self.labels)}"],
            "gre": [outer, "gre[key]"],
            "vxlan": [outer, "vxlan", "eth"] + (["vlan"] if self.inner_tag else []),
            "gtpu": [outer, "gtpu[ext]"],
            "ipip4": ["ipv4", inner[-1] + "in4"],
            "ipip6": ["ipv6", inner[-1] + "in6"],
            "gre+vxlan": [outer, "gre[key]", middle, "vxlan", "eth"] + (["vlan"] if self.inner_tag else []),
            "mpls+gtpu": [f"mpls/{len(self.labels)}", middle, "gtpu[ext]"],
        }[self.recipe]
        return " ".join(link + tokens + [inner])

    def wrapped(self, packet, to_server):
        """(EtherType, bytes) of the IP packet `packet` inside this flow's wrappers."""
        inner_type = ethertype_of(packet[0] >> 4 == 6)
        recipe = self.recipe
        if recipe == "plain":
            return inner_type, packet
        if recipe == "pppoe":
            ppp = 0x0057 if inner_type == IPV6 else 0x0021
            return PPPOE, struct.pack("!BBHHH", 0x11, 0x00, self.session, 2 + len(packet), ppp) + packet
        if recipe in ("mpls", "mpls+gtpu"):
            inner = packet if recipe == "mpls" else self.gtpu(self.middle, self.middle_v6, packet, to_server)
            stack = b"".join(struct.pack("!I", label << 12 | bits | (i == len(self.labels) - 1) << 8)
                             for i, (label, bits) in enumerate(zip(self.labels, self.label_bits)))
            return MPLS, stack + inner
        v6 = self.outer_v6
        if recipe == "gre":
            return ethertype_of(v6), self.gre(packet, inner_type, to_server)
        if recipe == "vxlan":
            return ethertype_of(v6), self.vxlan(self.outer, v6, packet, inner_type, to_server)
        if recipe == "gtpu":
            return ethertype_of(v6), self.gtpu(self.outer, v6, packet, to_server)
        if recipe in ("ipip4", "ipip6"):
            v6 = recipe == "ipip6"
            src, dst = mirrored(self.outer if v6 == self.outer_v6 else self.middle, to_server)
            return ethertype_of(v6), ip_packet(v6, 41 if inner_type == IPV6 else 4, src, dst, packet)
        # gre+vxlan: GRE (outer addresses) carrying IP (middle addresses) carrying VXLAN
        middle = self.vxlan(self.middle, self.middle_v6, packet, inner_type, to_server)
        return ethertype_of(v6), self.gre(middle, ethertype_of(self.middle_v6), to_server)

    def gre(self, payload, proto, to_server):
        src, dst = mirrored(self.outer, to_server)
        header = struct.pack("!HHI", 1 << 13, proto, self.gre_key)  # K bit, the key
        return ip_packet(self.outer_v6, 47, src, dst, header + payload)

    def vxlan(self, ends, v6, packet, inner_type, to_server):
        src, dst = mirrored(ends, to_server)
        macs = self.inner_macs if to_server else self.inner_macs[::-1]
        ethernet = macs[0] + macs[1] + b"".join(struct.pack("!HH", *t) for t in self.inner_tag)
        payload = struct.pack("!B3xI", 0x08, self.vni << 8) + ethernet + struct.pack("!H", inner_type) + packet
        return ip_packet(v6, UDP, src, dst, gc.udp(self.vxlan_port, 4789, payload))

    def gtpu(self, ends, v6, packet, to_server):
        """A G-PDU with sequence number and a PDU session container: UL (type 1) from the client,
        DL (type 0) to it, each direction with its TEID and its own run of sequence numbers."""
        src, dst = mirrored(ends, to_server)
        direction = 0 if to_server else 1
        sequence = self.sequence[direction]
        self.sequence[direction] = (sequence + 1) & 0xFFFF
        container = bytes([1, 0x10 if to_server else 0x00, self.qfi, 0])
        payload = struct.pack("!HBB", sequence, 0, 0x85) + container + packet
        gtp = struct.pack("!BBHI", 0x34, 0xFF, len(payload), self.teids[direction])
        return ip_packet(v6, UDP, src, dst, gc.udp(2152, 2152, gtp + payload))


def flow_hash(key, seed):
    return hashlib.sha256(repr((seed, key)).encode()).digest()


def sni_in_segment(payload):
    """Whether the server_name extension of the ClientHello that `payload` (a TCP segment) starts
    ends within the segment; False if it does not, or the segment is no ClientHello."""
    if len(payload) < 44 or payload[0] != 0x16 or payload[5] != 1:
        return False
    offset = 43  # record header, handshake header, version, random
    offset += 1 + payload[offset]  # session id
    if offset + 2 > len(payload):
        return False
    offset += 2 + struct.unpack("!H", payload[offset:offset + 2])[0]  # cipher suites
    if offset + 1 > len(payload):
        return False
    offset += 1 + payload[offset] + 2  # compression methods, extensions length
    while offset + 4 <= len(payload):
        kind, length = struct.unpack("!HH", payload[offset:offset + 4])
        offset += 4 + length
        if kind == 0:
            return offset <= len(payload)
    return False


def flow_class(packet, key, seen):
    """What a flow carries, as far as its first packets tell, so that every recipe gets some of each:
    "quic" (UDP to or from port 443); for TCP, by its first payload: "tls-late-sni" (a ClientHello
    whose server_name is not all in that segment: naming it takes reassembly), "tls" (a ClientHello
    whose name is), "tcp" (anything else); "other". `seen`: the class so far (None at the flow's
    first packet, "tcp?" before its first payload)."""
    proto, (_, port_a), (_, port_b) = key
    if proto == UDP:
        return "quic" if 443 in (port_a, port_b) else "other"
    if proto != TCP:
        return "other"
    if seen not in (None, "tcp?"):  # decided at its first payload
        return seen
    l4 = packet[(packet[0] & 15) * 4:] if packet[0] >> 4 == 4 else packet[40:]
    payload = l4[(l4[12] >> 4) * 4:] if len(l4) >= 20 else b""
    if not payload:
        return "tcp?"
    if payload[:1] != b"\x16":
        return "tcp"
    return "tls" if sni_in_segment(payload) else "tls-late-sni"


def deal_recipes(classes, seed):
    """{flow key: recipe}: the flows of each class in the order of the hash of their key, dealt the
    recipes in turn (carrying on from one class to the next), so that each recipe gets its share of
    QUIC flows and of ClientHellos named only after reassembly, the same for a capture and seed every time."""
    recipes, turn = {}, 0
    for kind in ("quic", "tls-late-sni", "tls", "tcp", "tcp?", "other"):
        for key in sorted((k for k, c in classes.items() if c == kind), key=lambda k: flow_hash(k, seed)):
            recipes[key] = REWRAP_RECIPES[turn % len(REWRAP_RECIPES)]
            turn += 1
    return recipes


def tunnel_ends(r, v6):
    if v6:
        return b"\x20\x01\x0d\xb8" + r.randbytes(12), b"\x20\x01\x0d\xb8" + r.randbytes(12)
    return bytes([100, 64, r.randrange(256), r.randrange(1, 255)]), bytes([203, 0, 113, r.randrange(1, 255)])


def mirrored(ends, to_server):
    return ends if to_server else ends[::-1]


def rewrap(path, seed):
    """([(link, microseconds, frame)], [label lines]) of the capture at `path`, every frame kept in
    order: each flow's IP packets in its recipe's wrappers, on its link; the rest (ARP, anything not
    IPv4 or IPv6, frames cut short) as they were, on the Ethernet interface."""
    records = [(us, data, ip_of_ethernet(data) if len(data) == length else None)
               for us, data, length in read_pcap(path)]
    classes = {}
    for _, _, parts in records:
        if parts:
            key, _ = flow_key(parts[2])
            classes[key] = flow_class(parts[2], key, classes.get(key))
    recipes = deal_recipes(classes, seed)
    flows, frames, labels = {}, [], []
    for number, (us, data, parts) in enumerate(records, 1):
        if parts is None:
            frames.append(("ethernet", us, data))
            labels.append(f"{number}\tuntouched\tethernet\n")
            continue
        macs, tags, packet = parts
        key, forward = flow_key(packet)
        if key not in flows:  # its first packet goes from the client
            flows[key] = Rewrap(key, seed, recipes[key]), forward
        flow, client_forward = flows[key]
        to_server = forward == client_forward
        ethertype, payload = flow.wrapped(packet, to_server)
        if flow.link == "raw":
            if ethertype not in (IPV4, IPV6):
                raise AssertionError(f"recipe {flow.recipe} on raw IP")
            data = payload
        elif flow.link == "linux_sll2":  # EtherType, reserved, ifindex, ARPHRD_ETHER, packet type
            # (outgoing to the server, to us from it: as if captured at the client), the source MAC
            data = struct.pack("!HHIHBB8s", ethertype, 0, flow.ifindex, 1, 4 if to_server else 0, 6,
                               macs[6:12] + b"\0\0") + payload
        else:  # the frame's own MAC addresses and tags (QinQ added around PPPoE when it had none)
            tags = tags or (flow.qinq if flow.recipe == "pppoe" else [])
            data = macs + b"".join(struct.pack("!HH", *t) for t in tags) + struct.pack("!H", ethertype) + payload
        frames.append((flow.link, us, data))
        labels.append(f"{number}\t{flow.recipe}\t{flow.description(packet)}\n")
    return frames, labels
