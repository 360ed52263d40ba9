"""Reads pcap files and decodes frames for the integration tests (stdlib only, no DPDK, no tshark).

read_pcap() returns the frames of a classic pcap file (micro- or nanosecond, either byte order).
decode() walks Ethernet, up to two VLAN tags, IPv4 (with options) or IPv6 (with hop-by-hop,
routing, destination-options and fragment headers), then UDP or TCP, and returns a Frame with the
offsets and fields the tests compare; `error` is set instead when the frame is not one it can read.
The checksum helpers recompute the IPv4 header and the UDP/TCP checksums over the pseudo-header.
This is the tests' own independent reading of the bytes, written from the RFCs, not from filters/.
"""
import struct
from dataclasses import dataclass, field


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: not a pcap file ({len(data)} bytes)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file (magic {magic.hex()})")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected Ethernet (1)")
    frames, at = [], 24
    while at + 16 <= len(data):
        caplen, wirelen = struct.unpack(endian + "II", data[at + 8:at + 16])
        frames.append(data[at + 16:at + 16 + caplen])
        at += 16 + caplen
    if at != len(data):
        raise ValueError(f"{path}: {len(data) - at} trailing bytes after the last record")
    return frames


def checksum(data, initial=0):
    if len(data) % 2:
        data += b"\0"
    total = initial + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@dataclass
class Frame:
    raw: bytes
    error: str = ""
    eth_dst: bytes = b""
    eth_src: bytes = b""
    tags: bytes = b""          # the VLAN tags as on the wire (TPID + TCI each)
    l3: int = 0                # offset of the IP header
    version: int = 0
    ip_header_length: int = 0  # IPv4 IHL * 4, or 40 + the IPv6 extension headers
    ip_end: int = 0            # where the IP packet ends (its length field says so)
    ttl: int = 0
    src: bytes = b""
    dst: bytes = b""
    proto: int = 0             # UDP 17, TCP 6, or the last next header
    l4: int = 0
    sport: int = 0
    dport: int = 0
    seq: int = 0
    ack: int = 0
    tcp_flags: int = 0
    payload: bytes = b""
    extra: dict = field(default_factory=dict)

    def tuple(self):
        return (self.src, self.dst, self.sport, self.dport)


def decode(raw):
    f = Frame(raw=raw)
    if len(raw) < 14:
        f.error = "ethernet cut"
        return f
    f.eth_dst, f.eth_src = raw[0:6], raw[6:12]
    at, ethertype = 12, struct.unpack("!H", raw[12:14])[0]
    while ethertype in (0x8100, 0x88A8):
        if len(raw) < at + 6:
            f.error = "vlan cut"
            return f
        at += 4
        ethertype = struct.unpack("!H", raw[at:at + 2])[0]
    f.tags = raw[12:at]
    f.l3 = at = at + 2
    if ethertype == 0x0800:
        if len(raw) < at + 20 or raw[at] >> 4 != 4 or (raw[at] & 15) < 5:
            f.error = "ipv4 header"
            return f
        f.version, f.ip_header_length = 4, (raw[at] & 15) * 4
        total = struct.unpack("!H", raw[at + 2:at + 4])[0]
        f.ip_end = at + total
        if total < f.ip_header_length or f.ip_end > len(raw):
            f.error = "ipv4 length"
            return f
        f.ttl, f.proto = raw[at + 8], raw[at + 9]
        f.src, f.dst = raw[at + 12:at + 16], raw[at + 16:at + 20]
        f.l4 = at + f.ip_header_length
    elif ethertype == 0x86DD:
        if len(raw) < at + 40 or raw[at] >> 4 != 6:
            f.error = "ipv6 header"
            return f
        f.version = 6
        f.ip_end = at + 40 + struct.unpack("!H", raw[at + 4:at + 6])[0]
        if f.ip_end > len(raw):
            f.error = "ipv6 length"
            return f
        f.proto, f.ttl = raw[at + 6], raw[at + 7]
        f.src, f.dst = raw[at + 8:at + 24], raw[at + 24:at + 40]
        f.l4 = at + 40
        while f.proto in (0, 43, 44, 60):
            if f.l4 + 8 > f.ip_end:
                f.error = "ipv6 extension"
                return f
            length = 8 if f.proto == 44 else (raw[f.l4 + 1] + 1) * 8
            f.proto, f.l4 = raw[f.l4], f.l4 + length
        f.ip_header_length = f.l4 - at
    else:
        f.error = f"ethertype {ethertype:#06x}"
        return f
    if f.proto == 17:
        if f.l4 + 8 > f.ip_end:
            f.error = "udp cut"
            return f
        f.sport, f.dport, length = struct.unpack("!HHH", raw[f.l4:f.l4 + 6])
        if length < 8 or f.l4 + length > f.ip_end:
            f.error = "udp length"
            return f
        f.payload = raw[f.l4 + 8:f.l4 + length]
    elif f.proto == 6:
        if f.l4 + 20 > f.ip_end:
            f.error = "tcp cut"
            return f
        f.sport, f.dport, f.seq, f.ack, offset, f.tcp_flags = struct.unpack("!HHIIBB", raw[f.l4:f.l4 + 14])
        if (offset >> 4) < 5 or f.l4 + (offset >> 4) * 4 > f.ip_end:
            f.error = "tcp offset"
            return f
        f.payload = raw[f.l4 + (offset >> 4) * 4:f.ip_end]
    return f


def ipv4_header_ok(f):
    return f.version != 4 or checksum(f.raw[f.l3:f.l3 + f.ip_header_length]) == 0


def transport_checksum_ok(f):
    """True when the UDP/TCP checksum over the pseudo-header is right (a UDP 0 is not accepted)."""
    segment = f.raw[f.l4:f.ip_end] if f.proto == 6 else f.raw[f.l4:f.l4 + 8] + f.payload
    if f.proto == 17 and segment[6:8] == b"\0\0":
        return False
    if f.version == 4:
        pseudo = f.src + f.dst + struct.pack("!BBH", 0, f.proto, len(segment))
    else:
        pseudo = f.src + f.dst + struct.pack("!IxxxB", len(segment), f.proto)
    return checksum(pseudo + segment) == 0
