#!/usr/bin/env python3
"""make-seeds.py - write the seed inputs of the payload and config fuzz
targets into tests/fuzz/corpus/ (the command and properties seeds are
written by hand).

The seeds are in the targets' input formats (see the header comments of
fuzz-payload.c and fuzz-config.c), so that the fuzzer starts from inputs
that reach deep: accepted plain and signed commands, replays, tampering,
status lines, good and bad configurations, key files. Run it again after
changing a format; regression inputs from crashes are added beside these,
by hand, and are left alone here.

Usage: tests/fuzz/make-seeds.py
"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# fuzz-payload.c's flags byte.
SIGNED, WINDOW5, CUSTOM_WORDS, FRESH_START, UNSYNCED_START = 1, 0x10, 8, 0x20, 0x40
MAX_PAYLOAD = {256: 0, 32: 2, 4096: 4, 160: 6}
RETAIN = 0x80


def rec(kind, data=b""):
    return struct.pack("<BH", kind, len(data)) + data


def raw(payload, retain=False):
    return rec(0 | (RETAIN if retain else 0), payload)


def signed(word=0, flags=0, dt=0, pos=0, xor=0, nonce=b"\x01\x23\x45\x67\x89\xab\xcd\xef"):
    return rec(1, struct.pack("<BBhHBB", word, flags, dt, pos, xor, len(nonce) - 8) + nonce)


def word(idx=0, case=0, blanks=0, fill=b""):
    return rec(2, bytes([idx, case, blanks]) + fill)


def clock(dt, synced=True):
    return rec(3, struct.pack("<hB", dt, 0 if synced else 1))


def replay_state(body):
    """A replay state file's text (bridge/replay.h) with its checksum."""
    return rec(6, body + b"sha256 " + hashlib.sha256(body).hexdigest().encode() + b"\n")


def status(line):
    return rec(4, line)


def driver_status(state, pulse10, angle, pulsing, opens):
    return rec(5, struct.pack("<BBBBH", state, pulse10, angle, pulsing, opens))


PAYLOAD = {
    "plain-words": bytes([0]) + b"".join(raw(w) for w in
                                          [b"open", b"UNLOCK", b"Press", b"on", b"close", b"LOCK", b"off"]),
    "plain-blanks": bytes([0]) + raw(b" open\r\n") + raw(b"\tclose ") + word(3, 0x55, 0x0f, b"\n\t \r"),
    "plain-bad": bytes([0]) + b"".join(raw(w) for w in
                                        [b"", b"open now", b"op\0en", b"opem", b"\xc3\x28", b"\xff\xfe",
                                         b"open\xed\xa0\x80", b"o" * 300]),
    "plain-retained": bytes([0]) + raw(b"open", retain=True) + word(0, 0, 0) + rec(2 | RETAIN, b"\x01"),
    "plain-small-cap": bytes([MAX_PAYLOAD[32]]) + raw(b"open") + raw(b" " * 31 + b"open"),
    "custom-words": bytes([CUSTOM_WORDS]) + raw(b"sesam") + raw(b"OPEN-1") + raw(b"zu") + raw(b"open"),
    "signed-open": bytes([SIGNED]) + signed(0) + signed(4, dt=5),
    "signed-replay": bytes([SIGNED]) + signed(0) + signed(0) + clock(31) + signed(0),
    "signed-stale": bytes([SIGNED]) + signed(0, dt=-31) + signed(0, dt=31) + signed(0, dt=30),
    "signed-window5": bytes([SIGNED | WINDOW5]) + signed(0, dt=5) + signed(1, dt=-6),
    "signed-tampered": bytes([SIGNED]) + signed(0, pos=0, xor=0x20) + signed(0, pos=12, xor=1)
                       + signed(0, pos=60, xor=0x20),
    "signed-other-topic": bytes([SIGNED]) + signed(0, flags=1),
    "signed-forms": bytes([SIGNED]) + signed(0, flags=2) + signed(0, flags=4)
                    + signed(0, nonce=bytes(range(32))),
    "signed-unsigned-word": bytes([SIGNED]) + raw(b"open") + raw(b"open\n") + word(1),
    "signed-retained": bytes([SIGNED]) + rec(1 | RETAIN, bytes(8)),
    # One key per opener: alice (0x10), bob (0x20), mallory unknown (0x30),
    # bob revoked (0x40), and a replay across openers.
    "named-openers": bytes([SIGNED]) + signed(0, flags=0x10) + signed(1, flags=0x20)
                     + signed(0, flags=0x30) + signed(0, flags=0x60) + signed(0, flags=0x10),
    "named-tampered": bytes([SIGNED]) + signed(0, flags=0x10, pos=50, xor=0x20)
                      + signed(0, flags=0x20, pos=52, xor=0x01) + raw(b"open 1700000000 0011223344556677 a/b " + b"0" * 64),
    "signed-many": bytes([SIGNED]) + b"".join(signed(i % 7, flags=8) for i in range(300)),
    "signed-raw-forms": bytes([SIGNED]) + b"".join(raw(p) for p in [
        b"open 1700000000 00112233445566778899aabbccddeeff " + b"0" * 64,
        b"open  1700000000 00112233445566778899aabbccddeeff " + b"0" * 64,
        b"open 1700000000 0011223344556677889 " + b"0" * 64,
        b"open 99999999999999999999 00112233445566778899aabbccddeeff " + b"0" * 64,
        b"open 1700000000 00112233445566778899aabbccddeeff " + b"A" * 64,
        b"open 1700000000 00112233445566778899aabbccddeeff " + b"0" * 64 + b" x"]),
    "signed-unsynced": bytes([SIGNED]) + clock(0, synced=False) + signed(0) + clock(0) + signed(0),
    "signed-clock-steps": bytes([SIGNED]) + signed(0) + clock(3600) + signed(1, flags=8)
                          + clock(-3600) + signed(0) + signed(2, flags=8) + clock(-120) + signed(3, flags=8),
    "signed-fresh-start": bytes([SIGNED | FRESH_START]) + signed(0) + clock(1) + signed(0, flags=8),
    "signed-fresh-unsynced": bytes([SIGNED | FRESH_START | UNSYNCED_START]) + signed(0)
                             + clock(20, synced=True) + signed(0, dt=-30) + signed(1, flags=8),
    "replay-states": bytes([0]) + replay_state(b"sesame-replay 1\nfloor 1700000000 accepted\n")
                     + replay_state(b"sesame-replay 1\nfloor 5 start\nnonce 6 0123456789abcdef\n"
                                    b"nonce 7 0123456789ABCDEF0123456789abcdef\n")
                     + replay_state(b"sesame-replay 1\nfloor 5 full\nnonce 5 0123456789abcdef\n")
                     + rec(6, b"sesame-replay 1\nfloor 5 start\n"),
    "status": bytes([0]) + b"".join(status(s) for s in [
        b"state=open pulse_us=2000 angle=135 pulsing=1 opens=3\n",
        b"state=unknown pulse_us=0 angle=-1 pulsing=0 opens=0",
        b"state=jammed future_key=x\n", b"pulse_us=1000\n", b"state=open  x=1\n",
        b"state=open x=1 \n", b"state=open state=closed\n", b"state=o=pen\n"])
              + driver_status(1, 200, 135, 1, 3) + driver_status(0, 0, 0, 0, 0),
}


def part(*parts):
    return b"\xff".join(parts)


GOOD = b"""# a bridge
host broker.example.org
port 8883
cafile /etc/sesame/ca.crt
certfile /etc/sesame/door.crt
keyfile /etc/sesame/door.key
tls_version tlsv1.3
client_id sesame-frontdoor
keepalive 30
mqtt_version 5
reconnect_max 60
username door
password_file /etc/sesame/password
topic sesame/frontdoor
device /dev/sesame-front
open_words open unlock Press
close_words close LOCK
rate_limit 6/60
max_payload 256
hmac_key_file /etc/sesame/hmac.key
signature_window 30
ha_discovery true
ha_prefix homeassistant
log_level info
"""

CONFIG = {
    "empty": part(b"door", b""),
    "example": part(b"door.lan", GOOD),
    "crlf-tabs": part(b"pi", b"\tcapath\t/etc/ssl/certs\r\n  # comment\r\n\r\ntopic a/b\r\n"),
    "insecure": part(b"lab", b"insecure_plaintext true\nport 1883\nmqtt_version 3.1.1\n"),
    "insecure-with-tls": part(b"lab", b"insecure_plaintext true\ncafile /x\n"),
    "cluster": part(b"door", b"cafile /ca\nhost n1:8883,n2.example,[fd00::2]:8884,10.1.1.4\n"
                    b"port 8885\nmqtt_version auto\nrepublish_interval 10\n"),
    "cluster-twice": part(b"door", b"cafile /ca\nhost n1,n1:8883\n"),
    "overrides": part(b"door", b"capath /etc/ssl/certs\n", b"port 1\nkeepalive 5\nlog_level debug\n"),
    "override-bad": part(b"door", b"capath /etc/ssl/certs\n", b"port 0\n"),
    "errors": part(b"door", b"capath /c\nport 65536\n"),
    "duplicate": part(b"door", b"capath /c\nport 1\nport 2\n"),
    "unknown-key": part(b"door", b"capath /c\ncolour blue\n"),
    "no-value": part(b"door", b"capath /c\nhost\n"),
    "nul": part(b"door", b"capath /c\nhost a\0b\n"),
    "long-line": part(b"door", b"capath /c\nhost " + b"h" * 1100 + b"\n"),
    "topic-wildcard": part(b"door", b"capath /c\ntopic sesame/+/x\n"),
    "topic-dollar": part(b"door", b"capath /c\ntopic $SYS/x\n"),
    "words-overlap": part(b"door", b"capath /c\nopen_words open shut\nclose_words SHUT\n"),
    "words-many": part(b"door", b"capath /c\nopen_words a b c d e f g h i\n"),
    "rate-bad": part(b"door", b"capath /c\nrate_limit 0/60\n"),
    "signed-small": part(b"door", b"capath /c\nhmac_key_file /k\nmax_payload 64\n"),
    "cert-no-key": part(b"door", b"capath /c\ncertfile /c.crt\n"),
    "password-no-user": part(b"door", b"capath /c\npassword_file /p\n"),
    "host-odd": part(b"my host+#/.example", b"capath /c\n"),
    "host-utf8": part("tür-pi".encode(), b"capath /c\nusername \xc3\xa9t\xc3\xa9\n"),
    "key-good": part(b"door", b"capath /c\n", b"", b"00" * 32 + b"\n"),
    "key-short": part(b"door", b"capath /c\n", b"", b"00" * 31 + b"\n"),
    "key-long": part(b"door", b"capath /c\n", b"", b"ab" * 129),
    "key-odd": part(b"door", b"capath /c\n", b"", b"0" * 65 + b"\n"),
    "key-two-lines": part(b"door", b"capath /c\n", b"", b"00" * 32 + b"\n00\n"),
    "key-crlf": part(b"door", b"capath /c\n", b"", b"AbCd" * 16 + b"\r\n"),
}


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(seeds)} seeds in {d}")


write("payload", PAYLOAD)
write("config", CONFIG)
