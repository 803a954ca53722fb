#!/usr/bin/env python3
"""stand-in-broker.py - a plaintext MQTT broker that behaves as some real
brokers do, where Debian's mosquitto cannot be made to:

  takeover     accepts an MQTT 5 client and tells it at once that another
               client took its session over (DISCONNECT with reason 0x8E),
               as newer brokers do when a second client connects with the
               same id (Debian 12's mosquitto 2.0.11 closes without a word)
  v311-close   speaks MQTT 3.1.1 only and closes the connection at an MQTT
               5 CONNECT without answering, as RabbitMQ 3.10 does
  v311-refuse  speaks MQTT 3.1.1 only and answers an MQTT 5 CONNECT with a
               3.1.1 CONNACK "unacceptable protocol version", as aedes does
  deaf         closes the connection at every CONNECT without answering, as
               brokers do to a login they refuse without saying so

A 3.1.1 client of v311-* is accepted, and its SUBSCRIBE and PINGREQ are
answered; what it publishes is dropped.

Usage: stand-in-broker.py MODE PORT LOG
Listens on 127.0.0.1:PORT without TLS (the bridge then needs
insecure_plaintext true) and writes one line per CONNECT to LOG:
"connect <protocol level> <client id>".
"""
import socket
import sys

CONNACK_V5 = bytes([0x20, 0x03, 0x00, 0x00, 0x00])   # session present 0, success, no properties
CONNACK_V311 = bytes([0x20, 0x02, 0x00, 0x00])
CONNACK_V311_BAD_VERSION = bytes([0x20, 0x02, 0x00, 0x01])
DISCONNECT_TAKEN_OVER = bytes([0xE0, 0x02, 0x8E, 0x00])
PINGRESP = bytes([0xD0, 0x00])
MODES = ("takeover", "v311-close", "v311-refuse", "deaf")


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


def level_and_client_id(connect):
    """The protocol level and client id of a CONNECT's variable header and payload."""
    i = 2 + int.from_bytes(connect[0:2], "big")      # protocol name
    level = connect[i]
    i += 1 + 1 + 2                                   # level, flags, keepalive
    if level == 5:
        props, i = varint(connect, i)
        i += props
    n = int.from_bytes(connect[i:i + 2], "big")
    return level, connect[i + 2:i + 2 + n].decode(errors="replace")


def serve_v311(conn):
    """An accepted 3.1.1 session: SUBACKs and PINGRESPs until it ends."""
    conn.sendall(CONNACK_V311)
    while True:
        kind, body = read_packet(conn)
        if kind >> 4 == 8:                             # SUBSCRIBE: grant QoS 1
            conn.sendall(bytes([0x90, 0x03]) + body[0:2] + bytes([0x01]))
        elif kind >> 4 == 12:
            conn.sendall(PINGRESP)
        elif kind >> 4 == 14:
            return


def session(conn, mode, log):
    kind, body = read_packet(conn)
    if kind >> 4 != 1:
        return
    level, client = level_and_client_id(body)
    with open(log, "a") as f:
        f.write(f"connect {level} {client}\n")
    if mode == "takeover":
        conn.sendall(CONNACK_V5 + DISCONNECT_TAKEN_OVER)
    elif mode == "deaf" or (mode == "v311-close" and level != 4):
        return
    elif level != 4:
        conn.sendall(CONNACK_V311_BAD_VERSION)
        return
    else:
        serve_v311(conn)
        return
    conn.settimeout(2)
    while conn.recv(4096):
        pass


def main():
    mode, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode not in MODES:
        sys.exit(f"usage: stand-in-broker.py {'|'.join(MODES)} PORT LOG")
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                session(conn, mode, log)
            except (EOFError, OSError):
                pass


if __name__ == "__main__":
    main()
