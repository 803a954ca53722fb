#!/usr/bin/env python3
"""soak.py - sesame-bridge under faults, against a real mosquitto with TLS.

The bridge reaches the broker through a TCP proxy of the test's own; the
test's clients reach it directly. For a fixed time, rounds of faults:

  kill      the broker killed (SIGKILL) and started again, with a command
            in flight; then again while the proxy keeps the bridge away,
            with commands published while it is away
  cut       every connection through the proxy reset, the same two ways
  stall     the proxy forwards nothing for 1-2 s (the connection lives on)
            and, once a round, for 12 s (the keepalive gives up on it)
  handshake a reconnection whose TLS handshake is held back: 3 s, and
            once a round past the bridge's own limit (20 s)
  refused   every new connection reset for 4 s: at once, and in the
            middle of its TLS handshake
  device    /dev/sesame unplugged and plugged again (the module reloaded),
            also while the connection is stalled, back while it is down

with signed commands (a fresh nonce each) before, during and after each.

What "accepted" means here: the bridge logs "command WORD accepted" once
the device has taken the command (bridge.c: act(), then report()); its
B/event says the same but goes out at QoS 0, so it can be lost with the
connection, and is not what is counted. The test checks:

  - the bridge never crashed: one process all through, and SIGTERM at
    the end makes it exit 0;
  - every accepted command reached the device exactly once, in the order
    accepted, and nothing else reached it (the device's log and the
    bridge's accepted commands are the same list at every checkpoint);
  - a command published while everything was up was accepted, once;
  - a command published while the bridge was disconnected (the broker
    had dropped its session) never fired, not even after the bridge came
    back: it is lost by design (clean session, sesame-bridge(8));
  - a command queued for a connection that then survived a stall arrived
    once it flowed again; one in flight when a fault struck was applied
    at most once;
  - no command was rejected as a replay: no message was delivered twice;
  - resident memory stayed flat.

The cases (tests/lib/cases.py runs them): bridge-online-through-proxy,
soak-of-faults, then what the soak must have kept true:
bridge-never-crashed, commands-exactly-once,
disconnected-commands-never-fire, no-message-twice, memory-stays-flat.

Usage: soak.py [--seconds N] [--bridge PATH] [--keep]
               [--list] [--only NAME|PATTERN]... [NAME|PATTERN...]
Exit status: 0 all passed, 1 a case failed, 4 cannot run here (no FUSE).
"""
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bridge, Broker, Client, Device, Failure, Proxy,  # noqa: E402
                     Signer, World, check, messages, run_suite, wait_until)

SETTLE_S = 45       # for the bridge to be back after a fault (20 s handshake limit + backoff)
ACCEPT_S = 10       # for a command to be accepted while all is up (generous: no timing test)
# Resident memory may grow this much after the first round (allocator
# caches settling), and not more.
RSS_SLACK_KIB = 256


class Soak:
    def __init__(self, w, broker, device, proxy, client, bridge, mon):
        self.w, self.broker, self.device, self.proxy = w, broker, device, proxy
        self.client, self.bridge, self.mon = client, bridge, mon
        self.signer = Signer(w.hmac_key, bridge.topic + "/set")
        self.faults = {}
        self.sent = {"while up": 0, "in flight at a fault": 0, "queued behind a stall": 0,
                     "while disconnected": 0, "to a missing device": 0}
        self.fired = {k: 0 for k in self.sent}
        self.problems = []
        self.rss = []
        self.latency = []
        self.round_rss = []
        self.cpu_refused = []
        self.stop_sampling = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self):
        while not self.stop_sampling.wait(0.5):
            if self.bridge.alive():
                self.rss.append((time.monotonic(), self.bridge.rss()))

    # --- observations ------------------------------------------------------

    def availability(self, t0):
        """Availability messages the monitor got since t0."""
        return [p for _, p in messages(self.mon, self.bridge.topic + "/availability", t0)]

    def counted(self):
        """(accepted by the bridge, taken by the device), both in order."""
        return self.bridge.accepted(), self.device.writes()

    def publish(self, word, what):
        ok = self.client.publish(self.bridge.topic + "/set", self.signer.sign(word))
        if ok:
            self.sent[what] += 1
        return ok

    def fault(self, name):
        self.faults[name] = self.faults.get(name, 0) + 1

    def problem(self, text):
        self.problems.append(f"{time.strftime('%H:%M:%S')} {text}")

    # --- the steps every fault ends with -----------------------------------

    def back(self, t0, what):
        """Waits until the bridge is subscribed again after a fault: it
        publishes online on B/availability right after it subscribes, on
        the same connection, so the broker has the subscription by then."""
        if not wait_until(lambda: "online" in self.availability(t0), SETTLE_S, 0.05):
            raise Failure(f"{what}: the bridge was not back within {SETTLE_S} s; its log:\n"
                          + "\n".join(self.bridge.log.since(t0)[-8:]))

    def command_while_up(self):
        """A command while all is up: accepted once, within ACCEPT_S."""
        before = self.bridge.accepted().count("open")
        t = time.monotonic()
        check(self.publish("open", "while up"), "the broker did not take a command")
        if not wait_until(lambda: self.bridge.accepted().count("open") > before, ACCEPT_S, 0.005):
            raise Failure("a command published while all was up was not accepted; log:\n"
                          + "\n".join(self.bridge.log.since(t)[-6:]))
        self.latency.append(time.monotonic() - t)
        self.fired["while up"] += 1

    def checkpoint(self, what, before, closes_at_most, closes_exactly=None):
        """After a fault: a command while up, then the books. BEFORE is
        counted() when the fault began; the fault's own commands were all
        "close", the ones while up "open"."""
        self.command_while_up()
        time.sleep(0.3)
        acc, dev = self.counted()
        if acc != dev:
            self.problem(f"{what}: accepted {len(acc)} commands, the device got {len(dev)}: "
                         f"accepted {acc[-6:]}, device {dev[-6:]}")
        closes = acc[len(before[0]):].count("close")
        opens = acc[len(before[0]):].count("open")
        if opens != 1:
            self.problem(f"{what}: {opens} opens accepted, one was sent")
        if closes_exactly is not None and closes != closes_exactly:
            self.problem(f"{what}: {closes} of its commands fired, {closes_exactly} should have")
        elif closes > closes_at_most:
            self.problem(f"{what}: {closes} of its commands fired, at most {closes_at_most} may")
        if not self.bridge.alive():
            raise Failure(f"{what}: the bridge died (exit {self.bridge.proc.returncode})")
        # What a new subscriber (Home Assistant) learns: it is online.
        avail = self.client.retained(self.bridge.topic + "/availability")
        if avail != "online":
            self.problem(f"{what}: the retained availability is '{avail}' after it came back")
        return closes

    # --- the faults --------------------------------------------------------

    def in_flight(self, strike):
        """A command published while a fault strikes: it may or may not have
        reached the bridge first. Returns whether the broker may have taken it."""
        result = []

        def publish():
            try:
                result.append(self.client.publish(self.bridge.topic + "/set",
                                                  self.signer.sign("close")))
            except subprocess.TimeoutExpired:
                # mosquitto_pub hung on the dying broker (seen once in a
                # 10 min soak): whether its command got through is unknown,
                # so it may fire, at most once.
                result.append(None)
        t = threading.Thread(target=publish)
        t.start()
        time.sleep(random.uniform(0, 0.03))
        strike()
        t.join()
        if result[0]:
            self.sent["in flight at a fault"] += 1
        return result[0] is not False

    def kill_in_flight(self):
        before, t0 = self.counted(), time.monotonic()
        self.fault("broker killed")
        took = self.in_flight(self.broker.kill)
        self.broker.start()
        self.back(t0, "broker killed")
        self.fired["in flight at a fault"] += self.checkpoint("broker killed", before, int(took))

    def disconnected(self, what, strike, k=3):
        """The bridge kept away (the proxy refuses it) once its session is
        gone; K commands published then must never fire."""
        before, t0 = self.counted(), time.monotonic()
        starts = self.broker.starts
        self.proxy.set_mode("refuse")
        strike()
        # Its session is gone once the broker published its will (after a
        # kill, with the broker: nothing survives a restart).
        if not wait_until(lambda: "offline" in self.availability(t0) or
                          self.broker.starts > starts, 15, 0.05):
            raise Failure(f"{what}: the broker never noticed the bridge was gone")
        for _ in range(k):
            check(self.publish("close", "while disconnected"),
                  f"{what}: the broker did not take a command")
        time.sleep(0.5)
        self.proxy.set_mode("pass")
        self.back(t0, what)
        self.fired["while disconnected"] += self.checkpoint(what, before, 0, 0)

    def kill_disconnected(self):
        self.fault("broker killed")

        def strike():
            self.broker.kill()
            self.broker.start()
        self.disconnected("broker killed, bridge kept away", strike)

    def cut_in_flight(self):
        before, t0 = self.counted(), time.monotonic()
        self.fault("connection cut")
        took = self.in_flight(self.proxy.cut)
        self.back(t0, "connection cut")
        self.fired["in flight at a fault"] += self.checkpoint("connection cut", before, int(took))

    def cut_disconnected(self):
        self.fault("connection cut")
        self.disconnected("connection cut, bridge kept away", self.proxy.cut)

    def stall(self, seconds, k=2):
        """Nothing flows for SECONDS. Commands the broker queued for the
        bridge's connection arrive when it flows again, if it survived."""
        name = f"stall of {seconds} s"
        before, t0 = self.counted(), time.monotonic()
        self.fault(name)
        self.proxy.set_mode("stall")
        for _ in range(k):
            check(self.publish("close", "queued behind a stall"),
                  f"{name}: the broker did not take a command")
        time.sleep(max(0, seconds - (time.monotonic() - t0)))
        self.proxy.set_mode("pass")
        time.sleep(1)
        lost = self.bridge.log.count("lost the connection", t0) > 0
        if lost or "offline" in self.availability(t0):
            self.back(t0, name)
        fired = self.checkpoint(name, before, k, None if lost else k)
        self.fired["queued behind a stall"] += fired
        return lost

    def handshake(self, hold_s):
        """The bridge's next connection: its TLS handshake gets no answer
        for HOLD_S. Commands published meanwhile must never fire."""
        name = f"TLS handshake held {hold_s} s"
        before, t0 = self.counted(), time.monotonic()
        self.fault(name)
        accepted = self.proxy.accepted
        self.proxy.set_mode("hold", hold_s)
        self.proxy.cut()
        check(wait_until(lambda: "offline" in self.availability(t0), 15, 0.05),
              f"{name}: the broker never noticed the cut")
        check(wait_until(lambda: self.proxy.accepted > accepted, 15, 0.02),
              f"{name}: the bridge did not try again")
        held_at = time.monotonic()
        self.proxy.set_mode("pass")
        for _ in range(2):
            check(self.publish("close", "while disconnected"), f"{name}: the broker refused")
        self.back(t0, name)
        took = time.monotonic() - held_at
        if hold_s > 20 and not self.bridge.log.count("timed out", t0):
            self.problem(f"{name}: the bridge did not give up on the held handshake")
        if took < min(hold_s, 20) - 1:
            self.problem(f"{name}: online after {took:.1f} s, before the hold could end")
        self.fired["while disconnected"] += self.checkpoint(name, before, 0, 0)

    def refused(self, mode, seconds=4):
        """For SECONDS, every new connection is reset by the proxy: at once
        (mode refuse: a broker going down, a firewall), or in the middle of
        its TLS handshake (mode break). The bridge must back off and try
        again, not spin, and be back soon after."""
        name = {"refuse": "connections reset at once",
                "break": "connections reset in the TLS handshake"}[mode]
        before, t0 = self.counted(), time.monotonic()
        self.fault(name)
        self.proxy.set_mode(mode)
        self.proxy.cut()
        cpu = self.bridge.cpu_s()
        time.sleep(seconds)
        cpu = self.bridge.cpu_s() - cpu
        self.cpu_refused.append(cpu)
        if cpu > 0.5:
            self.problem(f"{name}: the bridge used {cpu:.1f} s of CPU in {seconds} s of refusals")
        self.proxy.set_mode("pass")
        t1 = time.monotonic()
        self.back(t0, name)
        if time.monotonic() - t1 > 10:
            self.problem(f"{name}: back {time.monotonic() - t1:.0f} s after the refusals ended; "
                         "reconnect_max is 2 s")
        self.checkpoint(name, before, 0, 0)

    def device_gone_while_stalled(self):
        """The device goes while nothing gets through (its offline is stuck
        on the way), comes back while the bridge is disconnected: once back,
        the retained availability must say online, not the stuck offline."""
        name = "device unplugged in a stall"
        before, t0 = self.counted(), time.monotonic()
        self.fault(name)
        self.proxy.set_mode("stall")
        self.device.unplug()
        check(wait_until(lambda: self.bridge.log.count("went away", t0), 10, 0.02),
              f"{name}: the bridge did not notice")
        time.sleep(0.3)
        self.proxy.set_mode("refuse")
        self.proxy.cut()
        self.device.plug()
        check(wait_until(lambda: self.bridge.log.count("opened", t0), 10, 0.02),
              f"{name}: the bridge did not open it again")
        time.sleep(0.5)
        self.proxy.set_mode("pass")
        self.back(t0, name)
        self.checkpoint(name, before, 0, 0)

    def device_gone(self):
        """The device unplugged (module reloaded): a command meanwhile is a
        device error, never a late write; then it works again."""
        before, t0 = self.counted(), time.monotonic()
        self.fault("device unplugged")
        self.device.unplug()
        check(wait_until(lambda: self.bridge.log.count("went away", t0), 10, 0.02),
              "device unplugged: the bridge did not notice")
        check(self.publish("close", "to a missing device"), "the broker refused a command")
        check(wait_until(lambda: self.bridge.log.count("rejected: device error", t0), 10, 0.02),
              "device unplugged: no device error for the command sent meanwhile")
        self.device.plug()
        check(wait_until(lambda: self.bridge.log.count("opened", t0), 10, 0.02),
              "device plugged: the bridge did not open it again")
        self.fired["to a missing device"] += self.checkpoint("device unplugged", before, 0, 0)

    def run(self, seconds):
        end = time.monotonic() + seconds
        rounds = 0
        long_ones = [lambda: self.stall(12), lambda: self.handshake(25)]
        while rounds == 0 or time.monotonic() < end:
            rounds += 1
            steps = [self.kill_in_flight, self.kill_disconnected, self.cut_in_flight,
                     self.cut_disconnected, lambda: self.stall(random.choice((1, 2))),
                     self.device_gone, lambda: self.handshake(3),
                     lambda: self.refused("refuse"), lambda: self.refused("break"),
                     self.device_gone_while_stalled]
            random.shuffle(steps)
            # The long faults once a round in a long soak; once in a short one.
            if rounds == 1 or seconds >= 300:
                steps += long_ones
            for step in steps:
                for _ in range(3):
                    self.command_while_up()
                step()
                if rounds > 1 and time.monotonic() >= end:
                    break
            self.round_rss.append(self.bridge.rss())
        self.stop_sampling.set()
        return rounds


class Rig:
    """What the soak's cases share: the world and its parts, the bridge's
    first process id, and how long and how many rounds the faults ran."""

    def __init__(self, args):
        self.w = World("soak", keep=args.keep)
        self.proxy = None
        try:
            self.broker = Broker(self.w)
            self.device = Device(self.w)
            self.proxy = Proxy(self.broker.bridge_port)
            self.client = Client(self.w, self.broker)
            self.mon = self.client.subscribe("monitor", "sesame/soak/availability", "sesame/soak/event")
            self.bridge = Bridge(self.w, self.proxy.port, self.device, name="soak", binary=args.bridge)
            self.soak = Soak(self.w, self.broker, self.device, self.proxy, self.client, self.bridge,
                             self.mon)
        except BaseException:
            self.close()
            raise
        self.pid = self.bridge.proc.pid
        self.soaked, self.rounds = 0.0, 0

    def figures(self):
        """The figures for the report."""
        soak, bridge = self.soak, self.bridge
        samples = [r for _, r in soak.rss]
        print(f"# soaked {self.soaked:.0f} s in {self.rounds} rounds; faults: "
              + ", ".join(f"{k} x{v}" for k, v in sorted(soak.faults.items())))
        print("# commands sent: " + ", ".join(f"{k} {v}" for k, v in soak.sent.items())
              + "; fired: " + ", ".join(f"{k} {v}" for k, v in soak.fired.items()))
        print(f"# accepted {len(soak.counted()[0])}, device writes {len(soak.counted()[1])}, "
              f"bridge reconnections {bridge.log.count('connected to') - 1}, "
              f"replays {bridge.log.count('rejected: replay')}")
        if samples:
            print(f"# resident memory: {samples[0]} KiB at start, {min(samples)}..{max(samples)} "
                  f"KiB over the run, {samples[-1]} KiB at the end; after each round "
                  f"{soak.round_rss}")
        if soak.cpu_refused:
            print(f"# CPU used by the bridge while its connections were refused: "
                  f"max {max(soak.cpu_refused):.2f} s in 4 s")
        if soak.latency:
            print(f"# publish to accepted while up: median {statistics.median(soak.latency) * 1000:.1f} ms,"
                  f" max {max(soak.latency) * 1000:.1f} ms (n={len(soak.latency)})")

    def close(self):
        if self.proxy:
            self.proxy.close()
        self.w.close()


def declare(cases, args):
    """The cases, in order: the soak itself, then what it must have kept
    true (judged on what the soak left: selected without soak-of-faults,
    they judge a bridge that met no faults)."""

    @cases.fixture("soak-rig")
    def soak_rig():
        """The rig, with the bridge online through the proxy and taking a
        signed command (the first case's checks, which every other case
        needs to have held); the figures are printed after the last case."""
        rig = Rig(args)
        try:
            rig.soak.back(0, "start")
            rig.soak.command_while_up()
            yield rig
            rig.figures()
        finally:
            rig.close()

    @cases.case("bridge-online-through-proxy",
                "the bridge comes online through the proxy and takes a signed command", "soak-rig")
    def _(rig):
        pass    # its checks are soak-rig's set-up

    @cases.case("soak-of-faults",
                f"{args.seconds} s of faults: broker killed, connections cut and stalled, "
                "TLS handshakes held, device unplugged", "soak-rig")
    def _(rig):
        began = time.monotonic()
        try:
            rig.rounds = rig.soak.run(args.seconds)
        finally:
            rig.soaked = time.monotonic() - began

    @cases.case("bridge-never-crashed",
                "the bridge never crashed: one process all through; SIGTERM exits 0", "soak-rig")
    def _(rig):
        bridge = rig.bridge
        check(bridge.alive() and bridge.proc.pid == rig.pid,
              f"the bridge is gone (exit {bridge.proc.returncode})")
        rc = bridge.stop()
        check(rc == 0, f"SIGTERM: the bridge exited {rc}")
        check(bridge.log.count("going offline"), "it did not say it goes offline")
        bad = [l for l in bridge.log.since() if re.search(r"Sanitizer|runtime error|LeakSanitizer", l)]
        check(not bad, "sanitizer reports:\n" + "\n".join(bad[:10]))

    @cases.case("commands-exactly-once",
                "every accepted command reached the device exactly once, in order, "
                "and nothing else did", "soak-rig")
    def _(rig):
        soak = rig.soak
        acc, dev = soak.counted()
        check(acc == dev, f"accepted {len(acc)} commands, the device got {len(dev)}")
        check(acc, "nothing was accepted at all")
        check(soak.fired["while up"] == soak.sent["while up"],
              f"{soak.sent['while up']} commands sent while up, "
              f"{soak.fired['while up']} accepted")

    @cases.case("disconnected-commands-never-fire",
                "commands sent while disconnected never fired; ones queued behind a "
                "surviving stall all arrived; ones in flight at most once", "soak-rig")
    def _(rig):
        check(not rig.soak.problems, "\n".join(rig.soak.problems[:30]))

    @cases.case("no-message-twice", "no message was delivered twice (no replay rejections)",
                "soak-rig")
    def _(rig):
        replays = rig.bridge.log.count("rejected: replay")
        check(replays == 0, f"{replays} commands were delivered twice (rejected as replays)")

    @cases.case("memory-stays-flat", "resident memory stayed flat", "soak-rig")
    def _(rig):
        soak = rig.soak
        rss = soak.round_rss
        check(rss, "no memory figures")
        check(max(rss) <= rss[0] + RSS_SLACK_KIB,
              f"resident memory grew from {rss[0]} KiB after round 1 to {max(rss)} KiB")
        samples = [r for _, r in soak.rss]
        start = samples[:max(1, len(samples) // 5)]
        late = samples[-max(1, len(samples) // 5):]
        check(max(late) <= max(start) + RSS_SLACK_KIB,
              f"resident memory grew from {max(start)} KiB (first fifth of the run) "
              f"to {max(late)} KiB (last fifth)")


def options(ap):
    ap.add_argument("--seconds", type=int, default=60)


def main():
    return run_suite(__doc__, options, declare)


if __name__ == "__main__":
    sys.exit(main())
