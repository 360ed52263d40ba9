#!/usr/bin/env python3
"""Asks one DNS server about many names (A queries over UDP) and classifies each answer.

Classes: nxdomain, nodata (NOERROR, no answer), refused, servfail, a:<address> (the first A
record), timeout. Up to --window queries are in flight; an unanswered query is sent again up to
--tries times. Writes "name<TAB>class" lines to stdout, in input order. Stdlib only; runs inside
a network namespace (ip netns exec td-client ...).

usage: dns_probe.py SERVER PORT NAMES_FILE [--window 200] [--timeout 1.0] [--tries 3]
"""
import argparse
import select
import socket
import struct
import time


def query(qid, name):
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    wire = b"".join(bytes([len(label)]) + label.encode() for label in name.rstrip(".").split(".")) + b"\0"
    return header + wire + struct.pack("!HH", 1, 1)


def skip_name(message, at):
    while at < len(message):
        length = message[at]
        if length == 0:
            return at + 1
        if length & 0xC0 == 0xC0:
            return at + 2
        at += 1 + length
    return at


def classify(message):
    flags, qd, an = struct.unpack("!HHH", message[2:8])
    rcode = flags & 0x0F
    if rcode == 3:
        return "nxdomain"
    if rcode == 5:
        return "refused"
    if rcode != 0:
        return "servfail" if rcode == 2 else f"rcode{rcode}"
    at = 12
    for _ in range(qd):
        at = skip_name(message, at) + 4
    for _ in range(an):
        at = skip_name(message, at)
        rtype, _cls, _ttl, length = struct.unpack("!HHIH", message[at:at + 10])
        at += 10
        if rtype == 1 and length == 4:
            return "a:" + socket.inet_ntoa(message[at:at + 4])
        at += length
    return "nodata"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("port", type=int)
    parser.add_argument("names")
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--tries", type=int, default=3)
    args = parser.parse_args()
    names = [line.strip() for line in open(args.names) if line.strip()]
    results = ["timeout"] * len(names)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    pending = {}  # id -> (index, sent_at, tries)
    next_index = 0
    qid = 0
    done = 0
    while done < len(names):
        while len(pending) < args.window and next_index < len(names):
            qid = (qid + 1) & 0xFFFF
            while qid in pending:
                qid = (qid + 1) & 0xFFFF
            sock.sendto(query(qid, names[next_index]), (args.server, args.port))
            pending[qid] = (next_index, time.monotonic(), 1)
            next_index += 1
        ready, _, _ = select.select([sock], [], [], 0.05)
        while ready:
            message, _ = sock.recvfrom(4096)
            entry = pending.pop(struct.unpack("!H", message[:2])[0], None)
            if entry is not None:
                results[entry[0]] = classify(message)
                done += 1
            ready, _, _ = select.select([sock], [], [], 0)
        now = time.monotonic()
        for key, (index, sent, tries) in list(pending.items()):
            if now - sent < args.timeout:
                continue
            if tries >= args.tries:
                del pending[key]
                done += 1
            else:
                sock.sendto(query(key, names[index]), (args.server, args.port))
                pending[key] = (index, now, tries + 1)
    for name, result in zip(names, results):
        print(f"{name}\t{result}")


if __name__ == "__main__":
    main()
