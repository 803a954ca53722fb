#!/usr/bin/env python3
"""demo.py - `make demo`: the whole door in the emulated Raspberry Pi 3.

Boots the emulated Pi with the overlay, Debian's arm64 mosquitto and udev,
sesame-bridge and sesame.ko (the tree of tests/door/rig/stage.sh), lets a
phone open the door over MQTT (cases/demo.sh), then tells from the guest's
kernel trace what happened when, measures the latency of 20 more commands,
and plots the GPIO waveform around the open.

Usage: demo.py [OUTDIR]     (default build/demo; `make demo` builds all
                             it needs first)
Writes OUTDIR/sesame-demo.png (the plot), timeline.txt (every pulse train
of the boot), and OUTDIR/run/results/ (what the guest left: trace, logs).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import doorcheck as dc  # noqa: E402
from systest import BUILD, Results, boot, st  # noqa: E402

NS_PER_MS = 1000000
KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\]")


def console():
    """Shows the guest script's own output, not the kernel's, as it comes."""
    state = {"on": False}

    def show(text):
        if text.startswith("init: running the test"):
            state["on"] = True
        elif text.startswith("init: results sent"):
            state["on"] = False
        elif state["on"] and not KERNEL_LINE.match(text) and not text.startswith("== step "):
            print(f"  {text}", flush=True)
    return show


def window(trace, start, end):
    """The part of a trace between two times, as a trace of its own."""
    part = st.Trace.__new__(st.Trace)
    part.path, part.lost = trace.path, trace.lost
    part.events = [e for e in trace.events if start <= e.ts <= end]
    return part


def at(t0, ts):
    return f"t={(ts - t0) / 1e9:6.3f} s"


class Untold(Exception):
    """The trace does not show what the account needs."""


def first(items, what):
    for item in items:
        return item
    raise Untold(f"the trace shows no {what}")


def account(res, out):
    """What happened when, from the trace; returns the lines to print."""
    line = res.lines["sesame"]
    cfg = res.devices["sesame"]
    start, end = res.step("open")
    t0 = first(dc.pub_runs(res.trace, "phone", start, end), "mosquitto_pub of the phone")[0]
    pid = int(res.read("bridge.pid"))
    fd = re.search(r" (\d+) -> /dev/sesame$", res.read("bridge-fd.out"), re.M)
    writes = dc.device_writes(os.path.join(res.dir, "trace"), pid, int(fd.group(1))) if fd else []
    write = next((w for w, n in writes if w > t0), None)
    pulses = [p for p in line.pulses if start <= p.rise <= end]
    opened = first((p for p in pulses if p.cmd_us == int(cfg["open_pulse_us"])), "open pulse")
    closed = first((p for p in pulses if p.rise > opened.rise
                    and p.cmd_us == int(cfg["closed_pulse_us"])), "closed pulse after the open")
    last = [p for p in pulses if p.rise >= closed.rise][-1]
    states = [m for m in dc.messages(res.trace, f"{dc.TOPIC}/state", start, end) if m.ts > t0]
    lines = [f"{at(t0, t0)}  the phone runs mosquitto_pub -m open (it connects with TLS, "
             "logs in, publishes)"]
    if write is not None:
        lines.append(f"{at(t0, write)}  sesame-bridge writes \"open\" to /dev/sesame")
    lines.append(f"{at(t0, opened.rise)}  GPIO18: the first {opened.cmd_us} us pulse (open), "
                 f"{(opened.rise - t0) / NS_PER_MS:.1f} ms after the command was sent")
    for m in states[:1]:
        lines.append(f"{at(t0, m.ts)}  MQTT: {m.topic} {m.payload}")
    lines.append(f"{at(t0, closed.rise)}  GPIO18: {closed.cmd_us} us (closed) by itself, "
                 f"hold_ms {cfg['hold_ms']} after the first open pulse")
    for m in states[1:2]:
        lines.append(f"{at(t0, m.ts)}  MQTT: {m.topic} {m.payload}")
    lines.append(f"{at(t0, last.fall)}  GPIO18: the pulses stop, the servo rests "
                 f"(idle_ms {cfg['idle_ms']})")

    # The plot: from just before the command to just after the rest.
    part = window(res.trace, t0 - 200 * NS_PER_MS, last.fall + 300 * NS_PER_MS)
    pline = st.Line(part, line.gpio, period_us=int(cfg["period_us"]),
                    busy_us=int(cfg["busy_wait_us"]), name="sesame", widths=line.widths, pin=18)
    marks = [(t0, "mosquitto_pub -m open")]
    if write is not None:
        marks.append((write, "bridge: write open"))
    marks += [(m.ts, f"MQTT state {m.payload}") for m in states[1:2]]
    png = os.path.join(out, "sesame-demo.png")
    st.plot(part, [pline], png, origin=t0, markers=marks,
            title="sesame: the phone opens the door; GPIO18 of the emulated Pi (time from the command)",
            zoom=(t0 - 5 * NS_PER_MS, opened.rise + 3 * int(cfg["period_us"]) * 1000))

    lstart, lend = res.step("latency")
    cmds = dc.commands(line, cfg, lstart, lend, writes)
    return lines, dc.latency_report(cmds), png


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(BUILD, "demo")
    os.makedirs(out, exist_ok=True)
    spec = dc.boot_spec(os.path.join(HERE, "cases", "demo.sh"), 240)
    print("== Booting the emulated Raspberry Pi 3 (qemu raspi3b, Debian's arm64 kernel); "
          "about a minute")
    rundir, rc, secs = boot(spec, out, console=console())
    if rc != 0:
        print(f"demo: the emulated Pi failed (status {rc}); see {rundir}/console.log "
              f"and {rundir}/results/test.log", file=sys.stderr)
        return 1
    res = Results(rundir)
    with open(os.path.join(out, "timeline.txt"), "w") as f:
        f.write(st.timeline(res.trace, list(res.lines.values()),
                            show_markers=lambda t: t.startswith("step ")) + "\n")
    try:
        events, latency, png = account(res, out)
    except Untold as e:
        print(f"demo: {e}; see {rundir}/results/ (test.log, trace)", file=sys.stderr)
        return 1
    print("\n== What happened, from the Pi's kernel trace (guest time; qemu counts "
          "instructions, 1 ns each)")
    for text in events:
        print(f"  {text}")
    print("\n== Latency of 20 more commands")
    for text in latency:
        print(f"  {text}")
    print(f"\nPlot of GPIO18 around the open: {png}")
    print(f"Every pulse train of the boot: {out}/timeline.txt; what the Pi left: {rundir}/results/")
    print(f"(The emulated Pi took {secs:.0f} s. The whole story with its checks: make check-door.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
