#!/usr/bin/env python3
"""Two DNS queries on one kept-alive TCP connection, the second for a blocked name.

Sends the first query, reads its answer, sends the second on the same connection, reads its
answer, then waits up to 3 s for the connection's end. Prints one JSON object: each answer's
RCODE and ANSWER count (or the error that ended it), and how the connection ended: "fin" (EOF),
"reset", or "open".

usage: tcp_keepalive_probe.py SERVER FIRST_NAME SECOND_NAME
"""
import json
import socket
import struct
import sys


def query(ident, name):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split("."))
    # RD, one question, an OPT (EDNS, 1232 bytes) so that the answer carries its EDE.
    message = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 1) + labels + b"\0" + struct.pack("!HH", 1, 1)
    message += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return struct.pack("!H", len(message)) + message


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"connection ended after {len(data)} of {n} bytes")
        data += chunk
    return data


def answer(sock):
    try:
        length = struct.unpack("!H", read_exact(sock, 2))[0]
        message = read_exact(sock, length)
        flags, _, ancount = struct.unpack("!HHH", message[2:8])
        return {"id": struct.unpack("!H", message[:2])[0], "rcode": flags & 15, "answers": ancount}
    except (OSError, EOFError) as e:
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    server, first, second = sys.argv[1:4]
    sock = socket.create_connection((server, 53), timeout=3)
    result = {}
    sock.sendall(query(1, first))
    result["first"] = answer(sock)
    sock.sendall(query(2, second))
    result["second"] = answer(sock)
    try:
        result["end"] = "fin" if sock.recv(1) == b"" else "data"
    except ConnectionResetError:
        result["end"] = "reset"
    except socket.timeout:
        result["end"] = "open"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
