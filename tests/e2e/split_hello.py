#!/usr/bin/env python3
"""Sends a browser-sized TLS 1.3 ClientHello over two TCP segments, as Chrome, Firefox and
OpenSSL 3.5 clients do since their post-quantum key shares (X25519MLKEM768, 1,216 bytes): the
first segment ends inside the key share, so the SNI is in the second. Runs in the client
namespace, one connection per name on stdin's lines; prints "name<TAB>outcome" per name:
  answered  the server's handshake came back (0x16 record)
  alert:XX  the server read the ClientHello and answered with a TLS alert (XX: its description)
  reset     the connection was reset (the filter's block)
  closed    the server closed without answering
  timeout   nothing within 3 s
usage: split_hello.py SERVER PORT FIRST_SEGMENT_BYTES < names
"""
import os
import socket
import struct
import sys
import time


def ext(kind, body):
    return struct.pack("!HH", kind, len(body)) + body


def client_hello(name):
    host = name.encode()
    sni = ext(0, struct.pack("!HBH", len(host) + 3, 0, len(host)) + host)
    shares = struct.pack("!HH", 0x11EC, 1216) + os.urandom(1216) + struct.pack("!HH", 0x001D, 32) + os.urandom(32)
    extensions = b"".join([
        ext(0x0A0A, b""),                                        # GREASE
        ext(10, struct.pack("!HHH", 4, 0x11EC, 0x001D)),         # supported_groups
        ext(51, struct.pack("!H", len(shares)) + shares),        # key_share: PQ hybrid, then X25519
        ext(43, b"\x02\x03\x04"),                                # supported_versions: TLS 1.3
        ext(13, struct.pack("!HHHH", 6, 0x0804, 0x0403, 0x0401)),  # signature_algorithms
        sni,                                                     # after the key share, as Chrome often has it
        ext(16, b"\x00\x0c\x02h2\x08http/1.1"),                  # ALPN, as browsers offer it
    ])
    body = (b"\x03\x03" + os.urandom(32) + b"\x20" + os.urandom(32) + struct.pack("!HH", 2, 0x1301) +
            b"\x01\x00" + struct.pack("!H", len(extensions)) + extensions)
    handshake = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def visit(server, port, name, first):
    hello = client_hello(name)
    s = socket.create_connection((server, port), timeout=3)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(hello[:first])
        time.sleep(0.03)  # two segments, not one coalesced write
        s.sendall(hello[first:])
        data = s.recv(5)
        if not data:
            return "closed"
        if data[0] == 0x16:
            return "answered"
        # An alert still says the server's TLS stack read the whole ClientHello.
        return f"alert:{s.recv(2)[-1:].hex() or '?'}" if data[0] == 0x15 else "closed"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except socket.timeout:
        return "timeout"
    finally:
        s.close()


def main():
    server, port, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for line in sys.stdin:
        name = line.strip()
        if name:
            try:
                outcome = visit(server, port, name, first)
            except OSError as e:
                outcome = f"error:{e.errno}"
            print(f"{name}\t{outcome}", flush=True)


if __name__ == "__main__":
    main()
