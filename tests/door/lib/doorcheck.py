"""doorcheck.py - what the whole-door tests and the demo share on the host:
the boot of the emulated Pi with the door's tree, and what its trace says
about MQTT (messages, publishes) and the servo (latency of a command).

Times are trace times (CLOCK_MONOTONIC in the guest, ns). door-mqtt marks
"door-mqtt TOPIC: publish PAYLOAD" just before a publish leaves, and
"door-mqtt TOPIC: got PAYLOAD[ (retained)]" when a message arrives;
guest/door-lib.sh's pub_as marks "mosquitto_pub WHO: TOPIC ARGS" before
Debian's client starts and "mosquitto_pub WHO: -> STATUS" after it exits.
"""

import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DOOR = os.path.dirname(HERE)
TESTS = os.path.dirname(DOOR)
sys.path.insert(0, os.path.join(TESTS, "system", "lib"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
from systest import BUILD, st  # noqa: E402

TOPIC = "sesame/door"
# rig/stage.sh's tree: build/door's, or another release's (make passes it)
STAGE = os.path.join(os.environ.get("SESAME_DOOR") or os.path.join(BUILD, "door"), "root")
MODULE_DTBO = os.path.join(BUILD, "dts", "sesame.dtbo")
SYSTEM_LIB = os.path.join(TESTS, "system", "guest", "sesame-lib.sh")
DOOR_LIB = os.path.join(DOOR, "guest", "door-lib.sh")

WRITE_RE = re.compile(r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+\[\d+\]\s+\S+\s+(?P<sec>\d+)\.(?P<usec>\d{6}): "
                      r"sys_write\(fd: (?P<fd>[0-9a-f]+), buf: [0-9a-f]+, count: (?P<count>[0-9a-f]+)\)")
PUB_RE = re.compile(r"^mosquitto_pub (?P<who>\S+): (?P<what>.*)$")
GOT_RE = re.compile(r"^door-mqtt (?P<topic>\S+): got (?P<payload>.*?)(?P<retained> \(retained\))?$")
PUBLISH_RE = re.compile(r"^door-mqtt (?P<topic>\S+): publish (?P<payload>.*)$")


def guest_files():
    """The -f list of rig/initramfs.sh for the staged tree: its top-level
    folders as they are, and /lib's entries one by one (the rig has a
    /lib of its own), plus the guest libraries of the tests."""
    if not os.path.isdir(STAGE):
        raise SystemExit(f"no {STAGE}: run make door-guest (make check-door does)")
    files = []
    for top in sorted(os.listdir(STAGE)):
        if top.startswith("."):
            continue
        if top == "lib":
            for sub in sorted(os.listdir(os.path.join(STAGE, "lib"))):
                if sub == "modules":
                    for kver in sorted(os.listdir(os.path.join(STAGE, "lib", "modules"))):
                        files.append(f"{STAGE}/lib/modules/{kver}:/lib/modules/{kver}")
                else:
                    files.append(f"{STAGE}/lib/{sub}:/lib/{sub}")
        else:
            files.append(f"{STAGE}/{top}:/{top}")
    return files + [SYSTEM_LIB, DOOR_LIB]


def boot_spec(script, limit):
    """A systest boot of the door: the overlay, the staged tree, guest time
    counting instructions, and the host's clock for the guest's."""
    return {
        "script": script,
        "overlays": [MODULE_DTBO],
        "files": guest_files(),
        "limit": limit,
        "icount": True,
        "args": lambda: f"door.time={int(time.time())}",
    }


class Message:
    """An MQTT message the monitor received (ts: when, in trace time)."""
    __slots__ = ("ts", "topic", "payload", "retained")

    def __init__(self, ts, topic, payload, retained):
        self.ts, self.topic, self.payload, self.retained = ts, topic, payload, retained

    def __repr__(self):
        return f"{st.fmt_s(self.ts)} {self.topic} {self.payload}{' (retained)' if self.retained else ''}"


def messages(trace, topic=None, start=0, end=None):
    """What the monitor received, in order; only one topic's when given."""
    out = []
    for ts, text in trace.markers():
        m = GOT_RE.match(text)
        if not m or ts < start or (end is not None and ts > end):
            continue
        if topic is None or m.group("topic") == topic:
            out.append(Message(ts, m.group("topic"), m.group("payload"), bool(m.group("retained"))))
    return out


def publishes(trace, start=0, end=None):
    """(ts, topic, payload) of every door-mqtt publish."""
    out = []
    for ts, text in trace.markers():
        m = PUBLISH_RE.match(text)
        if m and ts >= start and (end is None or ts <= end):
            out.append((ts, m.group("topic"), m.group("payload")))
    return out


def pub_runs(trace, who=None, start=0, end=None):
    """Each run of Debian's mosquitto_pub (pub_as in door-lib.sh):
    (started, ended, who, arguments, exit status), in trace time."""
    out, pending = [], {}
    for ts, text in trace.markers():
        m = PUB_RE.match(text)
        if not m or ts < start or (end is not None and ts > end):
            continue
        if who is not None and m.group("who") != who:
            continue
        what = m.group("what")
        if what.startswith("-> "):
            if m.group("who") in pending:
                t0, args = pending.pop(m.group("who"))
                out.append((t0, ts, m.group("who"), args, int(what[3:])))
        else:
            pending[m.group("who")] = (ts, what)
    return out


def device_writes(trace_path, pid, fd):
    """(ts, bytes) of each write() a process made to one file descriptor,
    from the raw trace (the syscall events' lines do not have the form
    sesame_trace.Trace reads)."""
    out = []
    with open(trace_path, errors="replace") as f:
        for text in f:
            m = WRITE_RE.match(text)
            if m and int(m.group("pid")) == pid and int(m.group("fd"), 16) == fd:
                ts = int(m.group("sec")) * st.NS_PER_S + int(m.group("usec")) * st.NS_PER_US
                out.append((ts, int(m.group("count"), 16)))
    return out


def command_us(cfg, payload):
    """The pulse width a command word asks for (the bridge writes open or
    close to the device)."""
    return int(cfg["open_pulse_us" if payload == "open" else "closed_pulse_us"])


class Command:
    """A command door-mqtt published (ts), the bridge's write() of it to the
    device (write, None when not traced), and the first pulse of the width
    it asks for (pulse, None when none came before the next command)."""
    __slots__ = ("ts", "payload", "write", "pulse")

    def __init__(self, ts, payload, write, pulse):
        self.ts, self.payload, self.write, self.pulse = ts, payload, write, pulse


def commands(line, cfg, start, end, writes=()):
    """Each command door-mqtt published to the door between start and end,
    with what followed it before the next one (see Command). writes: the
    bridge's device writes, (ts, bytes)."""
    pubs = [p for p in publishes(line.trace, start, end) if p[1] == f"{TOPIC}/set"]
    out = []
    for i, (ts, _, payload) in enumerate(pubs):
        until = pubs[i + 1][0] if i + 1 < len(pubs) else end
        width = command_us(cfg, payload)
        pulse = next((p for p in line.pulses if ts < p.rise <= until and p.cmd_us == width), None)
        write = next((w for w, n in writes if ts < w <= until and n == len(payload)), None)
        out.append(Command(ts, payload, write, pulse))
    return out


def _fig(values):
    if not values:
        return "none"
    return f"median {statistics.median(values):.2f} ms, worst {max(values):.2f} ms"


def latency_report(cmds):
    """The latency figures of commands(), in ms of guest time, as lines."""
    def ms(a, b):
        return (b - a) / 1e6

    def part(rows, label):
        total = [ms(c.ts, c.pulse.rise) for c in rows if c.pulse]
        bridge = [ms(c.ts, c.write) for c in rows if c.pulse and c.write]
        driver = [ms(c.write, c.pulse.rise) for c in rows if c.pulse and c.write]
        return [f"{label} (n={len(total)}): {_fig(total)}",
                f"    publish -> the bridge's write(): {_fig(bridge)}",
                f"    write() -> the pulse:            {_fig(driver)}"]
    opens = [c for c in cmds if c.payload == "open"]
    closes = [c for c in cmds if c.payload != "open"]
    total = [ms(c.ts, c.pulse.rise) for c in cmds if c.pulse]
    return ([f"publish -> first pulse of the new width, {len(total)} commands: {_fig(total)}"]
            + part(opens, "  open, the servo at rest")
            + part(closes, "  close, while the open is held (waits for the next 20 ms period)"))
