#!/usr/bin/env python3
"""abuse.py - sesame-bridge under abuse, against a real mosquitto with TLS.

A client that may publish anything (the ACL lets it) sends at the bridge
(once both bridges are online: bridges-online-commands-timed):

  junk-flood-refused
      a flood of 100,000 junk messages on the command topic (5,000 a
      second): random bytes and invalid UTF-8, near-miss words, unsigned
      words, signed-looking payloads with wrong MACs, stale and replayed
      signed commands, and payloads over max_payload;
  full-speed-burst-queued
      a burst of 20,000 of them as fast as one client can send;
  oversized-payloads-refused
      oversized payloads, up to 16 MiB, to an MQTT 5 bridge (the broker
      holds them back: the bridge's CONNECT sets a maximum packet size)
      and to an MQTT 3.1.1 one (they arrive, and are refused);
  invalid-utf8-moves-nothing
      invalid UTF-8: in payloads, in a payload that declares itself UTF-8
      (MQTT 5), and in topics (a raw client of the test's own: the broker
      must drop it);
  unexpected-topics-move-nothing
      commands on unexpected topics, and Home Assistant's birth message
      a hundred times over.

Through all of it (legit-commands-through-it-all) a legitimate signed
command, sent every quarter second from a publisher kept connected, must
still be accepted, once, within its usual latency: measured from the
publish to the device's write, printed, and only bounded generously (the
median of each phase under 1 s, none over 5 s: on a busy machine any
process of the chain can lose the CPU for a while): timing belongs to
bench/. Behind a full-speed burst it waits its turn in the broker's queue
(the broker delivers in order): there it must get through, once, within
5 s. Nothing but those commands may move the door, the bridge must not
crash, and its memory must stay flat.

Usage: abuse.py [--flood N] [--rate N] [--rss 0|1] [--bridge PATH] [--keep]
                [--list] [--only NAME|PATTERN]... [NAME|PATTERN...]
The runner is tests/lib/cases.py.
Exit status: 0 all passed, 1 a case failed, 4 cannot run here (no FUSE).
"""
import json
import os
import random
import re
import socket
import ssl
import statistics
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bridge, Broker, Client, Device, Signer, World,  # noqa: E402
                     check, messages, run_suite, wait_until)

# Generous bounds, not a benchmark: the median of each phase within
# LATENCY_BOUND_S (the flood does not delay commands as a rule), each
# command within STARVE_BOUND_S (on a busy machine any process of the chain
# can lose the CPU for a while; none may starve). A full-speed burst queues
# at the broker, ahead of the command, and drains at the bridge's pace:
# there the command waits its turn, within the same STARVE_BOUND_S.
LATENCY_BOUND_S = 1.0
STARVE_BOUND_S = 5.0
FLOOD_RATE = 5000         # junk messages a second, for the 100,000 (--rate)
RSS_SLACK_KIB = 256


class Legit:
    """Legitimate signed commands from a publisher kept connected; each is
    timed from the publish to the device's write."""

    def __init__(self, client, device, bridge, world):
        self.device, self.bridge = device, bridge
        self.signer = Signer(world.hmac_key, bridge.topic + "/set")
        self.pub = client.publisher(bridge.topic + "/set")
        self.latencies = {}
        self.missed = []
        time.sleep(0.5)     # its connection

    def send(self, phase, word="open"):
        """Publishes one command; returns its latency, or None (missed)."""
        before = os.path.getsize(self.device.log)
        line = (self.signer.sign(word) + "\n").encode()
        t0 = time.monotonic()
        self.pub.stdin.write(line)
        self.pub.stdin.flush()
        while os.path.getsize(self.device.log) == before:
            if time.monotonic() - t0 > 5:
                self.missed.append(phase)
                return None
            time.sleep(0.0002)
        lat = time.monotonic() - t0
        self.latencies.setdefault(phase, []).append(lat)
        return lat

    def every(self, phase, period, stop):
        """Sends one now, then every PERIOD s until STOP is set (in a thread)."""
        def run():
            while True:
                self.send(phase)
                if stop.wait(period):
                    break
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t

    def summary(self):
        out = []
        for phase, lats in self.latencies.items():
            ms = sorted(x * 1000 for x in lats)
            out.append(f"{phase}: n={len(ms)} median {statistics.median(ms):.2f} ms, "
                       f"max {ms[-1]:.2f} ms")
        return out


def junk_lines(n, signer, seed=7, good=None):
    """N junk payloads, none a valid command (GOOD, a signed command among
    them, is to be accepted once before: it comes back as replays)."""
    rnd = random.Random(seed)
    good = good or signer.sign("open")
    stale = signer.sign("open", when=time.time() - 3600)
    out = []
    for i in range(n):
        k = i % 10
        if k == 0:
            p = bytes(rnd.randrange(1, 256) for _ in range(rnd.randrange(1, 200)))
            p = p.replace(b"\n", b"\xff")
        elif k == 1:
            p = rnd.choice([b"opem", b"OPEN!", b"op en", b"unlock please", b"\xc3\xb6ffnen",
                            b"open\xed\xa0\x80", b"\xc0\xafopen", b"clos\xe9"])
        elif k == 2:
            p = rnd.choice([b"open", b"UNLOCK", b"close", b"on"])   # unsigned
        elif k == 3:
            t = int(time.time())
            p = f"open {t} {rnd.getrandbits(128):032x} {rnd.getrandbits(256):064x}".encode()
        elif k == 4:
            p = good.encode()           # replayed: accepted once, before the flood
        elif k == 5:
            p = stale.encode()
        elif k == 6:
            p = b"o" * rnd.randrange(257, 700)     # over max_payload
        elif k == 7:
            p = f"open {rnd.getrandbits(64)} xyz {'g' * 64}".encode()
        elif k == 8:
            p = b" ".join(bytes([rnd.randrange(33, 127)]) * rnd.randrange(1, 20) for _ in range(4))
        else:
            p = bytes(rnd.choice(b"\x80\xbf\xc0\xc1\xf5\xfe\xff\xed\xa0") for _ in range(rnd.randrange(1, 40)))
        out.append(p)
    return good, out


def events_since(mon, topic, t0):
    """The bridge's B/event objects recorded since t0. (Anything else on
    that topic comes from the test itself, publishing on wrong topics.)"""
    out = []
    for _, payload in messages(mon, topic, t0):
        try:
            e = json.loads(payload)
        except ValueError:
            continue
        if isinstance(e, dict) and "accepted" in e:
            out.append(e)
    return out


def rejections(evs):
    """Rejections the events account for: reported ones, plus the ones
    counted as suppressed (reported in the next event)."""
    return sum(1 for e in evs if e.get("accepted") is False) + sum(e.get("suppressed", 0) for e in evs)


class RawMQTT:
    """A minimal MQTT 3.1.1 client over TLS, to send what real clients
    refuse to (topics that are not valid UTF-8), and floods that are all
    delivered: mosquitto_pub -l at QoS 1 disconnects at the end of its
    input before its queue is sent (2.0.11 delivered a third of 100,000)."""

    def __init__(self, world, port):
        ctx = ssl.create_default_context(cafile=f"{world.pki}/ca.crt")
        ctx.load_cert_chain(f"{world.pki}/tester.crt", f"{world.pki}/tester.key")
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s = ctx.wrap_socket(raw, server_hostname="localhost")
        cid = b"sesame-abuse-raw"
        var = b"\x00\x04MQTT\x04\x02\x00\x3c" + struct.pack(">H", len(cid)) + cid
        self.s.sendall(self.packet(0x10, var))
        check(self.s.recv(4)[:1] == b"\x20", "the broker did not CONNACK the raw client")

    @staticmethod
    def packet(kind, body):
        n, rl = len(body), b""
        while True:
            b, n = n % 128, n // 128
            rl += bytes([b | (0x80 if n else 0)])
            if not n:
                return bytes([kind]) + rl + body

    def publish(self, topic, payload):
        self.s.sendall(self.packet(0x30, struct.pack(">H", len(topic)) + topic + payload))

    def flood(self, topic, payloads, rate=None, window=200):
        """Every payload at QoS 1, WINDOW in flight, at most RATE a second
        (None: as fast as it goes); returns once the broker has acknowledged
        each (so it has queued each for its subscribers)."""
        head = struct.pack(">H", len(topic)) + topic
        acked, sent, buf = 0, 0, b""
        start = time.monotonic()
        self.s.settimeout(30)
        while acked < len(payloads):
            if rate and sent > acked:
                ahead = start + sent / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            batch = []
            while sent < len(payloads) and sent - acked < window:
                mid = sent % 65535 + 1
                batch.append(self.packet(0x32, head + struct.pack(">H", mid) + payloads[sent]))
                sent += 1
            if batch:
                self.s.sendall(b"".join(batch))
            data = self.s.recv(65536)
            check(data, "the broker closed the flooding client")
            buf += data
            while len(buf) >= 4 and buf[0] == 0x40:
                acked += 1
                buf = buf[4:]
            check(not buf or buf[0] == 0x40, f"the broker sent {buf[:8]!r} to the flooding client")

    def dropped(self, timeout=5):
        """Whether the broker closed the connection within TIMEOUT s."""
        self.s.settimeout(timeout)
        try:
            return self.s.recv(1) == b""
        except (ConnectionError, ssl.SSLError):
            return True
        except socket.timeout:
            return False


class Fixture:
    """What every case shares: the broker, the stand-in device, the test's
    MQTT client and monitor, the two bridges (MQTT 5 and 3.1.1), and what
    the cases hand on to each other (the legitimate sender, memory
    samples, the command the flood replays)."""

    def __init__(self, args, w):
        self.args, self.w = args, w
        self.broker = Broker(w)
        self.device = Device(w)
        self.client = Client(w, self.broker)
        self.mon = self.client.subscribe("monitor", "sesame/+/event", "sesame/+/availability",
                                         "homeassistant/#")
        self.bridge = Bridge(w, self.broker.bridge_port, self.device, name="abuse",
                             binary=args.bridge)
        self.old = Bridge(w, self.broker.bridge_port, self.device, name="abuse311",
                          binary=args.bridge, extra=["mqtt_version 3.1.1", "ha_discovery false"])
        self.ev_topic = self.bridge.topic + "/event"
        self.legit = None       # case 1 makes it
        self.rss = {}
        self.replayed = []      # case 2's accepted command, replayed in case 3's junk


def case_setup(fx):
    w, device, client, mon, bridge, old = fx.w, fx.device, fx.client, fx.mon, fx.bridge, fx.old
    rss = fx.rss
    for b in (bridge, old):
        check(wait_until(lambda b=b: "online" in [p for _, p in messages(
            mon, b.topic + "/availability")], 15), f"{b.name} did not come online")
    fx.legit = legit = Legit(client, device, bridge, w)
    for _ in range(10):
        check(legit.send("before any abuse") is not None, "a legitimate command was missed")
    rss["start"] = bridge.rss()


def case_flood(fx):
    args, w, broker, device, client, mon, bridge, ev_topic = (
        fx.args, fx.w, fx.broker, fx.device, fx.client, fx.mon, fx.bridge, fx.ev_topic)
    legit = fx.legit
    rss = fx.rss
    replayed = fx.replayed
    good, junk = junk_lines(args.flood, Signer(w.hmac_key, bridge.topic + "/set"))
    replayed.append(good)
    # The replayed one is accepted once, before the flood.
    writes = len(device.writes())
    check(client.publish(bridge.topic + "/set", good), "the broker refused a command")
    check(wait_until(lambda: len(device.writes()) > writes, 5), "the command to replay failed")
    topic = (bridge.topic + "/set").encode()
    RawMQTT(w, broker.test_port).flood(topic, junk[:5000])
    legit.send("after a warm-up flood")
    rss["warm"] = bridge.rss()
    time.sleep(0.5)     # the last event before the flood is in
    t0 = time.monotonic()
    writes = len(device.writes())
    stop = threading.Event()
    sender = legit.every("during the flood", 0.25, stop)
    RawMQTT(w, broker.test_port).flood(topic, junk, rate=args.rate)
    flood_s = time.monotonic() - t0
    stop.set()
    sender.join()
    # The last event carries the count of the rejections not yet reported.
    legit.send("right after the flood")
    sent = len(legit.latencies["during the flood"]) + 1

    def accepted_events():
        return sum(1 for e in events_since(mon, ev_topic, t0) if e.get("accepted") is True)
    # The device's write comes before the bridge's event: wait for
    # the event of the last command too, not only for the count.
    check(wait_until(lambda: rejections(events_since(mon, ev_topic, t0)) >= args.flood
                     and accepted_events() >= sent, 30),
          f"the bridge judged {rejections(events_since(mon, ev_topic, t0))} of "
          f"{args.flood} junk messages, and reported {accepted_events()} of {sent} "
          "legitimate commands")
    evs = events_since(mon, ev_topic, t0)
    accepted = sum(1 for e in evs if e.get("accepted") is True)
    moved = len(device.writes()) - writes
    print(f"# flood: {args.flood} junk messages published in {flood_s:.1f} s "
          f"({args.flood / flood_s:.0f}/s); the bridge judged "
          f"{rejections(evs)} rejections ({sum(1 for e in evs if e.get('accepted') is False)} "
          f"reported as events, the rest counted); {accepted} accepted; "
          f"log {len(bridge.log.since(t0))} lines", flush=True)
    check(rejections(evs) == args.flood,
          f"{rejections(evs)} rejections for {args.flood} junk messages")
    check(moved == sent and accepted == sent,
          f"the device moved {moved} times, {accepted} accepted, for {sent} legitimate commands")
    check(len(bridge.log.since(t0)) < 2000, "the flood filled the log")
    rss["flood"] = bridge.rss()
    if args.rss:
        check(rss["flood"] <= rss["warm"] + RSS_SLACK_KIB,
              f"resident memory grew from {rss['warm']} KiB to {rss['flood']} KiB")


def case_burst(fx):
    args, w, broker, device, mon, bridge, ev_topic = (
        fx.args, fx.w, fx.broker, fx.device, fx.mon, fx.bridge, fx.ev_topic)
    legit = fx.legit
    replayed = fx.replayed
    n = args.flood // 5
    _, junk = junk_lines(n, Signer(w.hmac_key, bridge.topic + "/set"), seed=11,
                         good=replayed[0])
    time.sleep(0.5)
    t0 = time.monotonic()
    writes = len(device.writes())
    stop = threading.Event()
    sender = legit.every("during a full-speed burst", 0.25, stop)
    RawMQTT(w, broker.test_port).flood((bridge.topic + "/set").encode(), junk)
    burst_s = time.monotonic() - t0
    stop.set()
    sender.join()
    legit.send("right after the burst")
    check(wait_until(lambda: rejections(events_since(mon, ev_topic, t0)) >= n, 30),
          f"the bridge judged {rejections(events_since(mon, ev_topic, t0))} of {n}")
    lats = legit.latencies.get("during a full-speed burst", [])
    sent = len(lats) + 1
    print(f"# burst: {n} junk messages in {burst_s:.1f} s ({n / burst_s:.0f}/s), all judged; "
          f"{len(lats)} legitimate commands meanwhile, slowest {max(lats or [0]) * 1000:.0f} ms",
          flush=True)
    check(rejections(events_since(mon, ev_topic, t0)) == n, "a junk message was not judged")
    check(len(device.writes()) - writes == sent, "the door moved for something else")
    check(lats, "no legitimate command was sent during the burst")
    check(max(lats) < STARVE_BOUND_S,
          f"a legitimate command waited {max(lats):.1f} s behind the burst")


def case_oversized(fx):
    args, w, broker, device, client, mon, bridge, old, ev_topic = (
        fx.args, fx.w, fx.broker, fx.device, fx.client, fx.mon, fx.bridge, fx.old, fx.ev_topic)
    legit = fx.legit
    rss = fx.rss
    t0 = time.monotonic()
    writes = len(device.writes())
    before = {b.name: b.rss() for b in (bridge, old)}
    sizes = [257, 4096, 65536, 1 << 20, 16 << 20]
    for size in sizes:
        f = w.path(f"big-{size}", "o" * size)
        for b in (bridge, old):
            check(client.publish(b.topic + "/set", file=f), f"the broker refused {size} bytes")
        legit.send("among oversized payloads")
    evs5 = events_since(mon, ev_topic, t0)
    evs3 = events_since(mon, old.topic + "/event", t0)
    over = [e for e in evs5 + evs3 if "over max_payload" in e.get("detail", "")]
    print(f"# oversized: MQTT 5 bridge saw {len([e for e in evs5 if 'over' in e.get('detail', '')])}"
          f" of {len(sizes)} (the broker held back those over its maximum packet size), "
          f"MQTT 3.1.1 bridge refused {len([e for e in evs3 if 'over' in e.get('detail', '')])}; "
          f"resident memory {before} KiB before, "
          f"{ {b.name: b.rss() for b in (bridge, old)} } KiB after", flush=True)
    check(wait_until(lambda: len([e for e in events_since(mon, old.topic + "/event", t0)
                                  if "over max_payload" in e.get("detail", "")]) == len(sizes), 20),
          "the MQTT 3.1.1 bridge did not refuse every oversized payload")
    check(len([e for e in evs5 if "over max_payload" in e.get("detail", "")]) == 1,
          "the MQTT 5 bridge did not get just the one payload that fits its packet size")
    check(len(over) >= 1 and all(e.get("accepted") is False for e in over), "an oversized one was accepted")
    check(len(device.writes()) - writes == len(legit.latencies["among oversized payloads"]),
          "something but the legitimate commands moved the door")
    if args.rss:
        for b in (bridge, old):
            check(b.rss() <= before[b.name] + RSS_SLACK_KIB,
                  f"{b.name}: resident memory grew from {before[b.name]} to {b.rss()} KiB")


def case_bad_utf8(fx):
    w, broker, device, client, mon, bridge, ev_topic = (
        fx.w, fx.broker, fx.device, fx.client, fx.mon, fx.bridge, fx.ev_topic)
    legit = fx.legit
    t0 = time.monotonic()
    writes = len(device.writes())
    payloads = [b"\xc0\xaf", b"\xed\xa0\x80", b"\xf5\x80\x80\x80", b"\x80", b"\xe2\x82",
                b"op\xffen", b"\xef\xbb\xbfopen", b"open\x00"]
    for i, p in enumerate(payloads):
        f = w.path(f"utf8-{i}", None)
        with open(f, "wb") as fh:
            fh.write(p)
        check(client.publish(bridge.topic + "/set", file=f), "the broker refused a payload")
        # Declared UTF-8 (MQTT 5): the broker may refuse it; it must not move anything.
        client.publish(bridge.topic + "/set", file=f,
                       extra=["-V", "mqttv5", "-D", "publish", "payload-format-indicator", "1"])
    legit.send("after invalid UTF-8")
    check(wait_until(lambda: rejections(events_since(mon, ev_topic, t0)) >= len(payloads), 10),
          f"{rejections(events_since(mon, ev_topic, t0))} rejections for {len(payloads)} payloads")
    # Topics that are not UTF-8, or hold U+0000: the broker drops the client.
    raws = 0
    for topic in (bridge.topic.encode() + b"/set\xff", bridge.topic.encode() + b"/s\x00et",
                  b"\xed\xa0\x80/set"):
        raw = RawMQTT(w, broker.test_port)
        raw.publish(topic, legit.signer.sign("open").encode())
        check(raw.dropped(), f"the broker kept a client that sent the topic {topic!r}")
        raws += 1
    legit.send("after invalid UTF-8")
    check(len(device.writes()) - writes == len(legit.latencies["after invalid UTF-8"]),
          "something but the legitimate commands moved the door")
    print(f"# invalid UTF-8: {len(payloads)} payloads refused as malformed "
          f"(and again declared UTF-8), {raws} clients with bad topics dropped by the broker",
          flush=True)


def case_topics(fx):
    w, broker, device, client, mon, bridge, ev_topic = (
        fx.w, fx.broker, fx.device, fx.client, fx.mon, fx.bridge, fx.ev_topic)
    legit = fx.legit
    time.sleep(0.5)     # the events of the cases before are in
    t0 = time.monotonic()
    writes = len(device.writes())
    b = bridge.topic
    wrong = [f"{b}/set/x", f"{b}/SET", f"{b}/set/", b, f"{b}/state", f"{b}/event",
             f"{b}/availability", f"{b}//set", f"/{b}/set", "sesame/other/set",
             f"{b}/set ", "homeassistant/lock/sesame-abuse/set", "sesame/set"]
    stop = threading.Event()
    sender = legit.every("during the other floods", 0.5, stop)
    raw = RawMQTT(w, broker.test_port)
    for topic in wrong:
        # A correctly signed command, for the real topic, sent to the wrong one.
        raw.publish(topic.encode(), legit.signer.sign("open").encode())
        raw.publish(topic.encode(), b"open")
    for i in range(200):
        raw.publish(f"{b}/set/{i}".encode(), b"open")
    for i in range(100):
        raw.publish(b"homeassistant/status", b"online" if i % 2 else b"offline")
        time.sleep(0.01)
    check(not raw.dropped(1), "the broker dropped a client that sent valid topics")
    stop.set()
    sender.join()
    time.sleep(0.5)
    evs = events_since(mon, ev_topic, t0)
    legit_n = len(legit.latencies.get("during the other floods", []))
    check(all(e.get("accepted") is True for e in evs) and len(evs) == legit_n,
          f"{len(evs)} events for {legit_n} legitimate commands: the bridge took "
          f"messages on other topics as commands: {evs[:3]}")
    check(len(device.writes()) - writes == legit_n,
          "something but the legitimate commands moved the door")
    elapsed = time.monotonic() - t0
    disc = len(messages(mon, "homeassistant/lock/sesame-abuse/config", t0))
    print(f"# unexpected topics: {len(wrong)} topics x2 and 200 subtopics moved nothing; "
          f"100 Home Assistant births in {elapsed:.1f} s gave {disc} discovery messages",
          flush=True)
    check(disc <= elapsed / 1.0 + 2, f"{disc} discovery messages in {elapsed:.1f} s")


def case_through_it_all(fx):
    bridge, old = fx.bridge, fx.old
    legit = fx.legit
    replayed = fx.replayed
    check(not legit.missed, f"legitimate commands missed: {legit.missed}")
    worst = max(max(v) for v in legit.latencies.values())
    check(worst < STARVE_BOUND_S, f"a legitimate command took {worst * 1000:.0f} ms")
    for phase, lats in legit.latencies.items():
        if "burst" not in phase:
            check(statistics.median(lats) < LATENCY_BOUND_S,
                  f"{phase}: legitimate commands took {statistics.median(lats) * 1000:.0f} ms "
                  "(median)")
    acc = bridge.accepted()
    check(acc.count("open") == sum(len(v) for v in legit.latencies.values()) + 1,
          f"{acc.count('open')} accepted for {sum(len(v) for v in legit.latencies.values())} "
          "legitimate commands and one replayed")
    for b in (bridge, old):
        check(b.alive(), f"{b.name} died (exit {b.proc.returncode})")
        rc = b.stop()
        check(rc == 0, f"SIGTERM: {b.name} exited {rc}")
        bad = [l for l in b.log.since() if re.search(r"Sanitizer|runtime error", l)]
        check(not bad, "sanitizer reports:\n" + "\n".join(bad[:10]))


def declare(cases, args):
    """The cases, in the order they build on each other: each later case
    uses what the earlier ones left (the legitimate sender's figures, the
    command the flood replays), so one selected alone judges less."""

    @cases.fixture("abuse-rig")
    def abuse_rig():
        """The broker, the device stand-in, the test's client and both
        bridges, online and taking legitimate commands (case_setup: the
        first case's checks, which every other case needs to have held).
        The latency and memory figures are printed after the last case."""
        w = World("abuse", keep=args.keep)
        try:
            fx = Fixture(args, w)
            case_setup(fx)
        except BaseException:
            w.close()
            raise
        try:
            yield fx
            for line in fx.legit.summary():
                print(f"# latency, publish to device write, {line}")
            print(f"# resident memory of the MQTT 5 bridge: {fx.rss}")
        finally:
            w.close()

    @cases.case("bridges-online-commands-timed",
                "both bridges online; legitimate signed commands accepted, timed", "abuse-rig")
    def _(fx):
        pass    # its checks are abuse-rig's set-up (case_setup)

    @cases.case("junk-flood-refused",
                f"a flood of {args.flood} junk messages ({args.rate}/s): each judged "
                "and refused, nothing moves, the log stays short", "abuse-rig")
    def _(fx):
        case_flood(fx)

    @cases.case("full-speed-burst-queued",
                f"a full-speed burst of {args.flood // 5} junk messages: queued ahead of "
                f"legitimate commands, which still go through, once, within {STARVE_BOUND_S:.0f} s",
                "abuse-rig")
    def _(fx):
        case_burst(fx)

    @cases.case("oversized-payloads-refused",
                "oversized payloads up to 16 MiB: held back by the broker (MQTT 5) or "
                "refused (MQTT 3.1.1); memory comes back", "abuse-rig")
    def _(fx):
        case_oversized(fx)

    @cases.case("invalid-utf8-moves-nothing", "invalid UTF-8 in payloads and topics moves nothing",
                "abuse-rig")
    def _(fx):
        case_bad_utf8(fx)

    @cases.case("unexpected-topics-move-nothing",
                "commands on unexpected topics move nothing; Home Assistant births "
                "do not flood discovery", "abuse-rig")
    def _(fx):
        case_topics(fx)

    @cases.case("legit-commands-through-it-all",
                "through all of it, each legitimate command accepted once (median under "
                f"{LATENCY_BOUND_S:.0f} s, none over {STARVE_BOUND_S:.0f} s); no crash, clean exit",
                "abuse-rig")
    def _(fx):
        case_through_it_all(fx)


def options(ap):
    ap.add_argument("--flood", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=FLOOD_RATE, help="junk messages a second")
    ap.add_argument("--rss", type=int, default=1, help="0: no memory checks (ASan)")


def main():
    return run_suite(__doc__, options, declare)


if __name__ == "__main__":
    sys.exit(main())
