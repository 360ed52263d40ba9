#!/usr/bin/env python3
"""Counts the datagrams that reach ADDRESS:PORT, one line each in LOG ("length first-byte-hex"),
and answers none: the server side of the forced-QUIC visits (Debian 12's nginx has no HTTP/3, and
what arrives is what the test looks at).

usage: udp_sink.py ADDRESS PORT LOG
"""
import socket
import sys


def main():
    address, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, port))
    with open(log, "a", buffering=1) as out:
        while True:
            data, _ = s.recvfrom(65535)
            out.write(f"{len(data)} {data[:1].hex()}\n")


if __name__ == "__main__":
    main()
