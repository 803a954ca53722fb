#!/usr/bin/env python3
"""takeover-broker.py - a broker that accepts an MQTT 5 client and tells it
at once that another client took its session over (DISCONNECT with reason
0x8E), as a broker does when a second client connects with the same id.

Debian 12's mosquitto (2.0.11) closes such a connection without a word;
newer brokers say why with this reason code, and this stands in for them.

Usage: takeover-broker.py PORT LOG
Listens on 127.0.0.1:PORT without TLS (the bridge then needs
insecure_plaintext true) and writes one line per connection to LOG:
"connect <client id>".
"""
import socket
import sys

CONNACK_V5 = bytes([0x20, 0x03, 0x00, 0x00, 0x00])   # session present 0, success, no properties
DISCONNECT_TAKEN_OVER = bytes([0xE0, 0x02, 0x8E, 0x00])


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def varint(data, i):
    """An MQTT variable byte integer at data[i]: (value, next index)."""
    value, shift = 0, 0
    while True:
        b = data[i]
        value |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return value, i
        shift += 7


def read_packet(conn):
    first = read_exact(conn, 1)[0]
    length, shift = 0, 0
    while True:
        b = read_exact(conn, 1)[0]
        length |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return first, read_exact(conn, length)


def client_id(connect):
    """The client id of an MQTT 5 CONNECT's variable header and payload."""
    i = 2 + int.from_bytes(connect[0:2], "big")      # protocol name
    i += 1 + 1 + 2                                   # level, flags, keepalive
    props, i = varint(connect, i)
    i += props
    n = int.from_bytes(connect[i:i + 2], "big")
    return connect[i + 2:i + 2 + n].decode(errors="replace")


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                kind, body = read_packet(conn)
                if kind >> 4 != 1:
                    continue
                with open(log, "a") as f:
                    f.write(f"connect {client_id(body)}\n")
                conn.sendall(CONNACK_V5 + DISCONNECT_TAKEN_OVER)
                conn.settimeout(2)
                while conn.recv(4096):
                    pass
            except (EOFError, OSError):
                pass


if __name__ == "__main__":
    main()
