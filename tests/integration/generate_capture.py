#!/usr/bin/env python3
"""Writes a realistic, varied pcap for the tshark differential test and the demo (stdlib only).

Frames: IPv4 and IPv6; untagged, 802.1Q and QinQ; DNS queries over UDP and TCP, with and without
EDNS, plus some DNS responses (which must not count as queries); HTTP/1.0 and 1.1 requests with
odd casing, optional whitespace, ports and absolute-form targets; TLS 1.2 and 1.3 ClientHellos with
GREASE, ALPN and ECH extensions; a little ARP and ICMP. Names come from the takedown list (about
10%) and the top-50k list, with realistic prefixes, random upper case and trailing dots.

usage: generate_capture.py OUT.pcap [--frames N] [--seed S] [--blocked LIST] [--benign LIST]
"""
import argparse
import random
import struct

PREFIXES = ["", "", "www.", "api.", "cdn-12.", "mail.", "login.", "m.", "static.", "edge-7.eu."]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ethernet(ethertype, payload, tags):
    header = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    for tpid, vid in tags:
        header += struct.pack("!HH", tpid, vid)
    return header + struct.pack("!H", ethertype) + payload


def ipv4(proto, src, dst, l4):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), random.getrandbits(16), 0, 64, proto, 0, src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + l4


def ipv6(next_header, src, dst, l4):
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), next_header, 64, src, dst) + l4


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, payload, flags=0x18):
    return struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32), random.getrandbits(32), 5 << 4, flags,
                       65535, 0, 0) + payload


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_message(name, qtype, edns, response=False):
    flags = 0x0100 | (0x8180 if response else 0)
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
    grease = lambda: random.choice([0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0xFAFA])
    name = sni.encode()
    entry = b"\0" + struct.pack("!H", len(name)) + name
    extensions = [extension(0, struct.pack("!H", len(entry)) + entry)]
    extensions.append(extension(16, b"\x00\x0c\x02h2\x08http/1.1"))
    if tls13:
        extensions.append(extension(43, b"\x04\x03\x04\x03\x03"))
        extensions.append(extension(51, struct.pack("!H", 38) + struct.pack("!HH", 29, 32) + random.randbytes(32)))
        if random.random() < 0.3:
            extensions.append(extension(0xFE0D, random.randbytes(80)))  # ECH: the outer SNI stays
    if random.random() < 0.7:
        extensions.insert(0, extension(grease(), b""))
        extensions.append(extension(grease(), b"\0"))
    body = b"".join(extensions)
    suites = struct.pack("!H", grease()) + b"\x13\x01\x13\x02\xc0\x2f"
    hello = struct.pack("!H", 0x0303) + random.randbytes(32) + b"\x20" + random.randbytes(32)
    hello += struct.pack("!H", len(suites)) + suites + b"\x01\x00" + struct.pack("!H", len(body)) + body
    handshake = b"\x01" + struct.pack("!I", len(hello))[1:] + hello
    return b"\x16" + struct.pack("!HH", 0x0301 if tls13 else 0x0303, len(handshake)) + handshake


def odd_case(name):
    if random.random() < 0.3:
        return "".join(c.upper() if random.random() < 0.3 else c for c in name)
    return name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20251125)
    parser.add_argument("--blocked", default="conf/lists/takedown-66k.txt")
    parser.add_argument("--benign", default="tests/data/top-50k.txt")
    args = parser.parse_args()
    random.seed(args.seed)
    blocked = [l.strip() for l in open(args.blocked) if l.strip()]
    benign = [l.strip() for l in open(args.benign) if l.strip()]

    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for frame in range(args.frames):
            base = random.choice(blocked) if random.random() < 0.1 else random.choice(benign)
            name = odd_case(random.choice(PREFIXES) + base)
            v6 = random.random() < 0.5
            tags = random.choice([[], [], [], [(0x8100, random.randrange(1, 4095))],
                                  [(0x88A8, random.randrange(1, 4095)), (0x8100, random.randrange(1, 4095))]])
            kind = random.random()
            sport = random.randrange(1024, 65535)
            if kind < 0.38:
                l4, proto = udp(sport, 53, dns_message(name, random.choice([1, 28, 15, 16, 65]), random.random() < 0.5)), 17
            elif kind < 0.48:
                message = dns_message(name, random.choice([1, 28]), random.random() < 0.5)
                l4, proto = tcp(sport, 53, struct.pack("!H", len(message)) + message), 6
            elif kind < 0.53:
                l4, proto = udp(53, sport, dns_message(name, 1, random.random() < 0.5, response=True)), 17
            elif kind < 0.73:
                host = name + ("." if random.random() < 0.05 else "")
                method = random.choice(["GET", "GET", "POST", "HEAD", "PUT", "OPTIONS"])
                l4, proto = tcp(sport, random.choice([80, 80, 8080]), http_request(host, method, random.choice([0, 1]))), 6
            elif kind < 0.95:
                l4, proto = tcp(sport, 443, client_hello(name, random.random() < 0.6)), 6
            elif kind < 0.97:
                l4, proto = tcp(sport, 443, b"", flags=0x02), 6  # a SYN
            else:
                l4, proto = b"\x08\x00\x00\x00" + random.randbytes(12), 1  # ICMP echo
            if v6:
                packet = ethernet(0x86DD, ipv6(proto, random.randbytes(16), random.randbytes(16), l4), tags)
            else:
                packet = ethernet(0x0800, ipv4(proto, bytes([10, 0, random.randrange(256), random.randrange(1, 255)]),
                                              bytes([192, 0, 2, 53]), l4), tags)
            out.write(struct.pack("<IIII", 1700000000 + frame // 100, (frame % 100) * 10000, len(packet), len(packet)))
            out.write(packet)


if __name__ == "__main__":
    main()
