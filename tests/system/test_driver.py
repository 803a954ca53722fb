#!/usr/bin/env python3
"""test_driver.py - the driver's system tests, in the emulated Raspberry Pi.

Boots the emulated Pi (tests/system/rig/), each time with a guest script
from tests/system/cases/ that does what a user would do with /dev/sesame
and records what it saw; then checks the results and the GPIO trace here,
as named cases, each prefixed with the name of its boot (--list lists
them):

  boot "overlay": dts/sesame-overlay.dts + tests/system/dts/more-servos.dtso
  boot "params":  the overlay with properties changed by fdtput, as the
                  overlay's parameters in config.txt would change them
  boot "smoke":   the overlay alone: open, auto-close, idle stop, rmmod,
                  with the function tracer watching for sleeping locks in
                  the hard timer callback (the one boot of the kernels
                  make check only smoke-tests; Pi 3 or Pi 2)
  boot "taken":   Pi 2 only: Debian's tree keeps the overlay's GPIO18 for
                  I2S; sesame must refuse it, say what to do, touch nothing

The kernel is SESAME_KERNEL's (default bookworm-arm64; scripts/
fetch-guest.sh lists them); make check-kernel-NAME sets it.

Timing is checked exactly where it is exact: the edge times the driver
programmed (hrtimer expiries, in ns) must lie on the period grid, and the
width, hold and idle times must come out to the microsecond. Observed edges
are bounded loosely, since an emulated edge can come hundreds of
microseconds late. The guest results, a timeline, statistics (JSON) and a
plot of each boot stay in the output folder.

Usage: test_driver.py [--out DIR] [--boot NAME]... [--reuse] [-v]
                      [--list] [--only NAME|PATTERN]... [NAME|PATTERN...]
  --boot   the cases of this boot, beside any named (repeatable); without
           it or names, those of the boots this board runs by default
  --reuse  check the results already in DIR instead of booting (for
           working on the checks)
  --only   these cases (fnmatch globs, e.g. 'smoke-*'); only their boots
           are booted
Exit status: 0 when every case passed (or was skipped, except under
CI=true, where a skip fails), 1 otherwise.
The runner is lib/systest.py (on tests/lib/cases.py), the pulse checks
lib/pulsecheck.py.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "dts"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import binding  # noqa: E402
from systest import (BUILD, DEVIO, GUEST, KERNEL, MODULE, STALL,  # noqa: E402
                     Skip, case, check, guest_arch, line_out, run, st)
from pulsecheck import (MS, US, SHORT_TOLERANCE_US,  # noqa: E402
                        callback_of, expect_grid, expect_hold_idle, expect_idle_stop,
                        expect_no_burst, expect_no_gap, expect_programmed, expect_reads,
                        expect_runs, expect_whole, handled_after,
                        line_level_at, no_oops, pulses_between, skipped_over, status,
                        status_text)

DTBO = os.path.join(BUILD, "dts", "sesame.dtbo")
GUEST_FILES = [DEVIO, os.path.join(HERE, "guest", "sesame-lib.sh")]

# The median observed width may exceed the commanded one by this much:
# emulated falling edges come 50-300 us late on a quiet host.
MEDIAN_LATE_US = 600
# A host this slow to run the emulated timer (median callback lateness)
# leaves nothing to judge in observed edges: their case is skipped.
STARVED_CALLBACK_US = 1000
# Once its callback runs, a falling edge is a busy-wait and a GPIO write
# away; the median delay past max(due time, callback start) stays under
# this even on a busy host (the timer's own lateness is not counted: it is
# the host's, and can reach hundreds of milliseconds).
FALL_AFTER_CALLBACK_US = 300
# Observed rise-to-rise of neighbouring periods, median.
PERIOD_TOLERANCE_US = 500
# Time given to a poll() wake-up or a boot-to-boot step beyond its nominal
# value (emulation is slow and noisy).
POLL_SLACK_MS = 900

# The binding's defaults, which the overlay and the driver must match
# (tests/dts/check-defaults.py).
DEFAULTS = binding.defaults()

# Debian's Pi 2 tree hands GPIO18-21 to I2S in the GPIO controller's own
# pin setup; the README's troubleshooting frees them with these commands
# (the same text), which the smoke boot on the Pi 2 runs on its tree.
FREE_I2S = """\
node=/soc/gpio@7e200000
i2s=$(fdtget -t x "$1" $node/i2s_alt0 phandle)
fdtput -t x "$1" $node pinctrl-0 $(fdtget -t x "$1" $node pinctrl-0 | tr ' ' '\\n' | grep -vx "$i2s")
"""

BOOTS = {
    "overlay": {
        "script": os.path.join(HERE, "cases", "driver.sh"),
        "overlays": [DTBO, os.path.join(HERE, "dts", "more-servos.dtso")],
        "kos": [MODULE, STALL],
        "files": GUEST_FILES,
    },
    "params": {
        "script": os.path.join(HERE, "cases", "params.sh"),
        "overlays": [DTBO],
        "kos": [MODULE],
        "files": GUEST_FILES,
        # What `dtoverlay=sesame,gpiopin=23,label=front,period_us=10000,
        # open_us=1800,hold_ms=500,idle_ms=200` sets (see __overrides__).
        "props": [
            "u /soc/gpio@7e200000/sesame-pins brcm,pins 23",
            "u /sesame servo-gpios &gpio 23 0",
            "s /sesame label front",
            "u /sesame sesame,period-us 10000",
            "u /sesame sesame,open-pulse-us 1800",
            "u /sesame sesame,hold-ms 500",
            "u /sesame sesame,idle-ms 200",
        ],
    },
    "smoke": {
        "script": os.path.join(HERE, "cases", "smoke.sh"),
        "overlays": [DTBO],
        "kos": [MODULE],
        "files": GUEST_FILES,
        "dtb_fix": FREE_I2S if guest_arch() == "armhf" else None,
        # The function tracer makes the trace grow faster.
        "limit": 180,
    },
    "taken": {
        "script": os.path.join(HERE, "cases", "taken.sh"),
        "overlays": [DTBO],
        "kos": [MODULE],
        "files": GUEST_FILES,
    },
}


# --- the cases ----------------------------------------------------------------------

def claimed(dbg, gpio, pin, consumer, state=r"out lo"):
    """The line of debugfs' GPIO list for a claimed GPIO. Up to 6.x it is
    named by its global number (gpio-530), since 7.x by its offset on the
    chip (gpio-18), padded; each chip's lines follow its header."""
    return re.search(rf"^ gpio-({gpio}|{pin})\s+\(GPIO{pin}\s+\|{consumer}\s*\) {state}", dbg, re.M)


def on_bcm2835(dbg, pin, consumer):
    """The claimed line is listed under pinctrl-bcm2835's chip (header
    "gpiochipN: GPIOs A-B, parent: ..." up to 6.x, "gpiochipN: 54 GPIOs,
    parent: ..." since 7.x)."""
    chips = re.split(r"^(?=gpiochip\d+: )", dbg, flags=re.M)
    return any(c.startswith("gpiochip") and "parent: platform/3f200000.gpio, pinctrl-bcm2835:" in c
               and re.search(rf"\(GPIO{pin}\s+\|{consumer}\s*\)", c) for c in chips)


@case("overlay-binds-gpio18-via-pinctrl",
      "the overlay binds sesame.ko to GPIO18 through pinctrl-bcm2835", "overlay")
def c_probe(res):
    check(res.rc("insmod") == 0, "insmod failed: " + res.read("insmod.out"))
    bound = res.read("bound.out").split()
    check("sesame" in bound, f"no device bound to the driver: {bound}")
    nodes = res.read("nodes.out")
    check("/dev/sesame 600 0 0 character special file" in nodes,
          f"/dev/sesame is not a root-only (0600) character device:\n{nodes}")
    gpio = int(res.devices["sesame"]["gpio"])
    dbg = res.read("gpio-probe.out")
    check(on_bcm2835(dbg, 18, "sesame"), f"GPIO {gpio} is not on pinctrl-bcm2835:\n{dbg[:400]}")
    check(claimed(dbg, gpio, 18, "sesame"),
          f"GPIO18 (gpio-{gpio}) is not claimed by sesame as a low output")
    check(re.search(r"sesame sesame: /dev/sesame: 20000 us period, 500\.\.2500 us, "
                    r"closed 1000 us, open 2000 us", res.dmesg()),
          "no probe message with the overlay's calibration in dmesg")
    for key, val in DEFAULTS.items():
        check(res.devices["sesame"].get(key) == str(val),
              f"sysfs {key} is {res.devices['sesame'].get(key)}, the binding's default {val}")


@case("overlay-quiet-until-first-command",
      "no edge on the line from probe until the first command", "overlay")
def c_quiet(res):
    writes = [ts for ts, t in res.trace.markers() if st.WRITE_RE.match(t)]
    check(writes, "no device writes in the trace")
    first_write = min(writes)
    probe = res.step("probe")[0]
    for dev in ("sesame", "sesame-side"):
        line = res.lines[dev]
        before = [(ts, lv) for ts, lv, _ in line.sets if probe <= ts < first_write]
        check(all(lv == 0 for _, lv in before),
              f"{dev}: the line went high before the first command: {before[:4]}")
    check(res.step("quiet")[1] - res.step("quiet")[0] >= 900 * MS, "the quiet step was too short")


@case("overlay-widths-as-commanded",
      "periods on the grid and widths as commanded (raw, angle 0/180/90)", "overlay")
def c_widths(res):
    line = res.lines["sesame"]
    start, end = res.step("widths")
    expect_grid(line, start, end, "widths")
    pulses = pulses_between(line, start, end)
    expect_runs(pulses, [1500, 500, 2500, 1500, 1234], "widths")
    expect_whole(line, pulses, "widths")
    expect_no_burst(line, pulses, "widths")
    # Each write takes effect at a boundary: pulses whose callback ran
    # after the write returned have the new width.
    writes = res.writes(start, end)
    check([w[2] for w in writes] == ["1500us", "0", "180", "angle 90", "1234us"],
          f"writes: {writes}")
    for i, (before, after, text, result) in enumerate(writes):
        check(result.isdigit(), f"write {text!r} failed: {result}")
        until = writes[i + 1][0] if i + 1 < len(writes) else end
        width = st.command_width(text, res.devices["sesame"])
        for p in pulses:
            if after < p.rise < until:
                expect_programmed(p, width, f"after writing {text!r}")
        expect_no_gap(line, after + line.period_ns, until, width, f"after writing {text!r}")
    out = line_out(res, "widths.out")
    check(out[-1] == "read = " + status("angle", 1234, 66, 1, 0),
          f"status after the moves: {out[-1]}")


@case("overlay-idle-stop-exact",
      "the idle stop ends the train exactly idle-ms after the last move", "overlay")
def c_idle(res):
    line = res.lines["sesame"]
    start, end = res.step("widths")
    last_write = res.writes(start, end)[-1]
    expect_idle_stop(line, handled_after(line, last_write), end, 1000, "idle stop")
    check(line_level_at(line, end) == 0, "the line is not low after the idle stop")


def open_hold_close(res, no_burst=False):
    """The guest's "open" step: the write, then on the period grid the open
    width held 3 s, the auto-close 1 s, the idle stop, whole pulses (and no
    burst, if asked), the status reads at each change. Return: the six
    lines of open.out (reads and poll() wakes)."""
    line = res.lines["sesame"]
    start, end = res.step("open")
    writes = res.writes(start, end)
    check(writes and writes[0][2] == "open" and writes[0][3] == "4", f"write open: {writes[:1]}")
    expect_grid(line, start, end, "open")
    pulses, close_b, stop_b = expect_hold_idle(line, handled_after(line, writes[0]), end,
                                               2000, 1000, 3000, 1000, "open")
    expect_whole(line, pulses, "open")
    if no_burst:
        expect_no_burst(line, pulses, "open")
    expect_reads(res, line, "sesame", start, end, [
        (start, status_text("open", 2000, 135, 1, 1)),
        (callback_of(line, close_b), status_text("closed", 1000, 45, 1, 1)),
        (callback_of(line, stop_b), status_text("closed", 1000, 45, 0, 1))], "open")
    out = line_out(res, "open.out")
    check(len(out) == 6, "open.out: " + " / ".join(out))
    return out


@case("overlay-open-hold-close-poll",
      "open, hold 3 s, auto-close, idle stop 1 s later, in order, exactly; poll() wakes for each", "overlay")
def c_open(res):
    out = open_hold_close(res)
    # poll() wakes when the status changes: at the auto-close and at the
    # idle stop; the status reads after each wake show the change.
    m = re.match(r"poll 6000 = POLLIN after (\d+) ms$", out[2])
    check(m and 2800 - POLL_SLACK_MS <= int(m.group(1)) <= 2800 + POLL_SLACK_MS,
          f"poll() should wake at the auto-close, ~2800 ms after the read: {out[2]}")
    check(out[3] == "read = " + status("closed", 1000, 45, 1, 1), f"status after auto-close: {out[3]}")
    m = re.match(r"poll 4000 = POLLIN after (\d+) ms$", out[4])
    check(m and 1000 - POLL_SLACK_MS <= int(m.group(1)) <= 1000 + POLL_SLACK_MS,
          f"poll() should wake at the idle stop, ~1000 ms later: {out[4]}")
    check(out[5] == "read = " + status("closed", 1000, 45, 0, 1), f"status after idle stop: {out[5]}")


@case("overlay-bad-writes-change-nothing",
      "every bad write fails with EINVAL and changes nothing (train, status, idle clock)", "overlay")
def c_badwrites(res):
    line = res.lines["sesame"]
    start, end = res.step("badwrites")
    out = line_out(res, "badwrites.out")
    check(out[0] == 'write "1500us" = 6', f"the good write: {out[0]}")
    bad = [l for l in out if l.startswith("write ")][1:]
    check(len(bad) == 29, f"expected 29 bad writes, the guest made {len(bad)}")
    for l in bad:
        check(l.endswith(" = EINVAL"), f"a bad write did not fail with EINVAL: {l}")
    reads = [l for l in out if l.startswith("read = ")]
    want = "read = " + status("angle", 1500, 90, 1, 1)
    check(reads == [want, want], f"status before/after the bad writes: {reads}")
    pulses = pulses_between(line, start, end)
    for p in pulses:
        expect_programmed(p, 1500, "during the bad writes")
    expect_whole(line, pulses, "bad writes")
    bs = expect_grid(line, start, end, "bad writes")
    # One train, and it stops when the good write's idle clock says: the
    # bad writes did not restart it.
    good = res.writes(start, end)[0]
    check(bs[0] >= good[0], "the train did not start at the good write")
    expect_idle_stop(line, handled_after(line, good), end, 1000, "idle stop of the good write")


@case("overlay-stop-at-period-boundary",
      "stop ends the train at a period boundary, the last pulse whole, the line low", "overlay")
def c_stop(res):
    line = res.lines["sesame"]
    start, end = res.step("stop")
    writes = res.writes(start, end)
    check([w[2] for w in writes] == ["2000us", "stop"] and all(w[3].isdigit() for w in writes),
          f"writes: {writes}")
    stop_before, stop_after = writes[1][0], writes[1][1]
    pulses = pulses_between(line, start, end)
    check(pulses, "no pulses before stop")
    for p in pulses:
        expect_programmed(p, 2000, "before stop")
    expect_whole(line, pulses, "stop")
    late = [p for p in pulses if p.rise_due >= stop_after]
    check(not late, f"pulses from boundaries after stop: {late}")
    bs = expect_grid(line, start, end, "stop")
    # The engine's last boundary: the first one the callback met after the
    # write, so at most a period after it, unless periods were skipped.
    last = bs[-1]
    check(stop_before - line.period_ns <= last <= stop_after + line.period_ns
          or skipped_over(bs, line.period_ns, stop_after, last),
          f"the engine stopped at {st.fmt_s(last)} s; stop was written at {st.fmt_s(stop_before)} s")
    check(line_level_at(line, end) == 0, "the line is not low after stop")
    out = line_out(res, "stop.out")
    check(out[-1] == "read = " + status("angle", 2000, 135, 0, 1), f"status after stop: {out[-1]}")


@case("overlay-second-servo-side",
      "a second, labelled servo: /dev/sesame-side on GPIO17, beside /dev/sesame", "overlay")
def c_side(res):
    nodes = res.read("nodes.out")
    check("/dev/sesame-side 600 0 0 character special file" in nodes,
          f"no root-only /dev/sesame-side:\n{nodes}")
    gpio = int(res.devices["sesame-side"]["gpio"])
    check(claimed(res.read("gpio-probe.out"), gpio, 17, "sesame-side"),
          "GPIO17 is not claimed by sesame-side")
    start, end = res.step("side")
    side, main = res.lines["sesame-side"], res.lines["sesame"]
    check(side.timers and not side.timers & main.timers, "the two servos do not have timers of their own")
    sp = pulses_between(side, start, end)
    for p in sp:
        expect_programmed(p, 1000, "side at 45 degrees")
    expect_whole(side, sp, "side")
    expect_grid(side, start, end, "side")
    mp = pulses_between(main, start, end)
    for p in mp:
        expect_programmed(p, 2000, "main, open, at the same time")
    check(line_out(res, "side.out")[-1] == "read = " + status("angle", 1000, 45, 1, 0),
          "side status: " + line_out(res, "side.out")[-1])
    check(line_out(res, "side-main.out")[-1] == "read = " + status("open", 2000, 135, 1, 2),
          "main status: " + line_out(res, "side-main.out")[-1])


@case("overlay-late-callbacks-skip-periods",
      "timer callbacks whole periods late: missed periods skipped, no burst, grid kept", "overlay")
def c_stall(res):
    start, end = res.step("stall")
    for i in (1, 2, 3):
        check(res.rc(f"stall{i}") == 0, f"the stall module did not run: {res.read(f'stall{i}.out')}")
    side = res.lines["sesame-side"]
    late = [(now - b) / US for ts, b, now in side.boundary_calls if start <= ts <= end]
    check(late and max(late) >= 50000,
          f"the stalls did not hold the timer back (latest callback {max(late or [0]):.0f} us): "
          "the case proves nothing")
    for name in ("sesame-side", "sesame"):
        line = res.lines[name]
        pulses = pulses_between(line, start, end)
        expect_grid(line, start, end, f"{name} through the stalls")
        expect_no_burst(line, pulses, f"{name} through the stalls")
        for p in pulses:
            check(p.rise_due is not None and p.rise - p.rise_due < line.period_ns,
                  f"{name}: the pulse at {st.fmt_s(p.rise)} s was sent for the boundary at "
                  f"{st.fmt_s(p.rise_due)} s, a period or more late (a catch-up pulse)")
    missed = int(res.read("missed-after-stall.out").strip())
    check(missed > 0, "sysfs missed_periods did not count the skipped periods")


BAD_NODES = [
    ("bad-min-max", "sesame,max-pulse-us (2500) must be above sesame,min-pulse-us (2500)", 5),
    ("bad-open", "sesame,open-pulse-us (3000) must be within min..max pulse", 6),
    ("bad-period", "sesame,period-us is 200000; it must be 2500..100000", 12),
    ("bad-max-period", "sesame,max-pulse-us (2500) must be below sesame,period-us (2500)", 13),
    ("bad-cells", "sesame,idle-ms", 16),
    ("bad-label", 'label "front door"', 19),
    ("bad-sleeping-gpio", "servo-gpios: this GPIO can sleep", None),
    ("bad-no-gpio", "servo-gpios", None),
]


@case("overlay-bad-properties-fail-probe",
      "each bad property fails the probe with a message naming it; nothing pulses", "overlay")
def c_bad_props(res):
    dmesg = res.dmesg().splitlines()
    base = int(res.devices["sesame"]["gpio"]) - 18
    # Every node is looked at before failing, so that one run shows all.
    missing = []
    for node, text, pin in BAD_NODES:
        hits = [l for l in dmesg if f" {node}: " in l and text in l]
        if not hits:
            missing.append(f"{node}: no probe failure naming '{text}' in dmesg; its lines:")
            missing += [l for l in dmesg if f" {node}:" in l]
        if pin is not None and res.trace.gpio_sets(base + pin):
            missing.append(f"{node}: GPIO{pin} was driven")
        if pin is not None and claimed(res.read("gpio-probe.out"), base + pin, pin, r"[^)]*", ""):
            missing.append(f"{node}: GPIO{pin} is claimed")
    check(not missing, "\n".join(missing))
    nodes = res.read("nodes.out")
    check(not re.search(r"/dev/sesame-bad", nodes), f"a bad node got a device:\n{nodes}")
    # Two nodes with one label: one probes, the other is refused by name.
    twins = [l for l in dmesg if re.search(r" twin-[ab]: ", l)]
    refused = [l for l in twins if "label: /dev/sesame-twin is taken" in l]
    bound = [l for l in twins if "/dev/sesame-twin: 20000 us period" in l]
    check(len(refused) == 1 and len(bound) == 1,
          "two nodes labelled twin: expected one bound and one refused naming the label:\n"
          + "\n".join(twins))


@case("overlay-rmmod-refused-while-open",
      "rmmod with a file held open is refused and the pulses go on", "overlay")
def c_rmmod_busy(res):
    check(res.rc("rmmod-busy") != 0, "rmmod succeeded with /dev/sesame-side held open")
    check(res.read("module-after-busy.out").strip() == "present", "the module is gone")
    side = res.lines["sesame-side"]
    start, end = res.step("rmmod-busy")
    held = res.step("held")[0]
    expect_grid(side, held, end, "held")
    armed = [ts for ts, _, _ in side.starts if start <= ts <= end]
    check(armed, "the engine was not running after the refused rmmod")
    pulses = pulses_between(side, start, end)
    check(pulses, "no pulses after the refused rmmod")
    for p in pulses:
        expect_programmed(p, 2000, "after the refused rmmod")


@case("overlay-unbind-while-open",
      "unbind with a file held open: line low at a period boundary, ENODEV, POLLHUP|POLLERR, no oops", "overlay")
def c_unbind(res):
    check(res.rc("unbind") == 0, "unbind failed: " + res.read("unbind.out"))
    check("No such file" in res.read("node-after-unbind.out"), "/dev/sesame-side is still there")
    held = line_out(res, "held.out")
    want = ['write "2000us" = 6', "ready", 'write "1500us" = ENODEV', "read = ENODEV"]
    check(held[:4] == want, f"the holder saw {held[:4]}, expected {want}")
    check(re.match(r"poll 100 = POLLHUP\|POLLERR after \d+ ms$", held[4]), f"poll after unbind: {held[4]}")
    check(held[-1] == "holder exit 0", f"the holder: {held[-1]}")
    side = res.lines["sesame-side"]
    start, end = res.step("unbind")
    held_start = res.step("held")[0]
    pulses = pulses_between(side, held_start, end)
    expect_whole(side, pulses, "up to unbind")
    after = [e for e in side.edges if res.step("after-unbind")[0] <= e[0] < res.step("rebind")[0]]
    check(not after, f"edges after unbind: {after[:4]}")
    check(line_level_at(side, res.step("after-unbind")[0]) == 0, "the line is not low after unbind")
    # The engine ended on the grid, after the unbind began.
    bs = expect_grid(side, held_start, end, "unbind")
    check(bs[-1] >= start - side.period_ns, f"the engine stopped at {st.fmt_s(bs[-1])} s, before unbind")
    no_oops(res)


@case("overlay-rebind-works-again", "bound again, the servo works again", "overlay")
def c_rebind(res):
    check(res.rc("rebind") == 0, "bind failed: " + res.read("rebind.out"))
    out = line_out(res, "rebind.out")
    check(out[0] == 'write "135" = 3', f"write after rebind: {out[0]}")
    check(out[-1] == "read = " + status("angle", 2000, 135, 1, 0), f"status after rebind: {out[-1]}")
    side = res.lines["sesame-side"]
    start, end = res.step("rebind")
    pulses = pulses_between(side, start, end)
    for p in pulses:
        expect_programmed(p, 2000, "after rebind")
    expect_whole(side, pulses, "after rebind")


@case("overlay-rmmod-while-pulsing",
      "rmmod while both servos pulse: whole last pulses, lines low, devices gone", "overlay")
def c_rmmod(res):
    check(res.rc("rmmod") == 0, "rmmod failed: " + res.read("rmmod.out"))
    check("No such file" in res.read("nodes-after-rmmod.out") or not res.read("nodes-after-rmmod.out").strip(),
          "device nodes left after rmmod: " + res.read("nodes-after-rmmod.out"))
    dbg = res.read("gpio-after-rmmod.out")
    check(not re.search(r"\|sesame", dbg), "a GPIO is still claimed by sesame after rmmod")
    start, end = res.step("rmmod")
    for dev in ("sesame", "sesame-side"):
        line = res.lines[dev]
        pulses = pulses_between(line, start, end)
        check(pulses, f"{dev}: no pulses before rmmod")
        expect_whole(line, pulses, f"{dev} up to rmmod")
        check(line.final_level == 0, f"{dev}: the line is high at the end")
    no_oops(res)


@case("overlay-no-runt-burst-lost-event",
      "over the whole boot: no runt, no burst, no lost trace event", "overlay")
def c_invariants(res):
    check(res.trace.lost == 0, f"the trace lost {res.trace.lost} events")
    for dev, line in res.lines.items():
        expect_whole(line, line.pulses, dev)
        expect_no_burst(line, line.pulses, dev)


@case("overlay-observed-timing-loose",
      "observed widths and periods as commanded, loosely (skipped when the host starves qemu)", "overlay")
def c_observed(res):
    """Only here are observed edges held to bounds: the emulated timer's
    lateness comes from the host, and on a host too busy to run qemu in
    time nothing can be judged from them. Such a run is reported as a skip,
    with its figures, never as a pass."""
    lines = list(res.lines.values())
    cb = sorted((now - b) / US for l in lines for _, b, now in l.boundary_calls)
    check(cb, "no timer callbacks in the trace")
    cb_median = cb[len(cb) // 2]
    if cb_median > STARVED_CALLBACK_US:
        raise Skip(f"the host starved qemu: timer callbacks {cb_median:.0f} us late (median), "
                   f"over {STARVED_CALLBACK_US} us")
    for line in lines:
        pulses = line.complete_pulses()
        errs = sorted(p.width / US - p.cmd_us for p in pulses if p.cmd_us is not None)
        check(errs, f"{line.name}: no pulses")
        med = errs[len(errs) // 2]
        check(-SHORT_TOLERANCE_US <= med <= MEDIAN_LATE_US,
              f"{line.name}: pulses {med:.0f} us off their commanded width (median)")
        deltas = sorted((b.rise - a.rise) / US - line.period_ns / US
                        for a, b in zip(pulses, pulses[1:]) if b.rise_due - a.rise_due == line.period_ns)
        med = deltas[len(deltas) // 2]
        check(abs(med) <= PERIOD_TOLERANCE_US,
              f"{line.name}: periods {med:.0f} us off the configured {line.period_ns / US:.0f} us (median)")
        own = sorted((p.fall - max(p.fall_due, p.fall_cb_now)) / US for p in pulses
                     if p.fall_due is not None and p.fall_cb_now is not None)
        med = own[len(own) // 2]
        check(med <= FALL_AFTER_CALLBACK_US,
              f"{line.name}: falls {med:.0f} us after their callback could lower the line (median)")


@case("params-fdtput-changes-behaviour",
      "properties changed with fdtput (gpiopin, label, period, open, hold, idle) change behaviour", "params")
def c_params(res):
    check(res.rc("insmod") == 0, "insmod failed: " + res.read("insmod.out"))
    nodes = res.read("nodes.out")
    check("/dev/sesame-front 600 0 0" in nodes and "/dev/sesame " not in nodes,
          f"expected only /dev/sesame-front:\n{nodes}")
    dev = res.devices["sesame-front"]
    for key, val in {"period_us": 10000, "open_pulse_us": 1800, "hold_ms": 500, "idle_ms": 200,
                     "closed_pulse_us": 1000}.items():
        check(dev.get(key) == str(val), f"sysfs {key} is {dev.get(key)}, expected {val}")
    check(claimed(res.read("gpio-probe.out"), dev["gpio"], 23, "sesame-front", "out"),
          "GPIO23 is not claimed by sesame-front")
    line = res.lines["sesame-front"]
    start, end = res.step("open")
    writes = res.writes(start, end, dev="sesame-front")
    check(writes and writes[0][2:] == ("open", "4"), f"write open: {writes[:1]}")
    bs = expect_grid(line, start, end, "params")
    check(all((b - bs[0]) % (10 * MS) == 0 for b in bs), "boundaries not on a 10 ms grid")
    pulses, close_b, stop_b = expect_hold_idle(line, handled_after(line, writes[0]), end,
                                               1800, 1000, 500, 200, "params")
    expect_whole(line, pulses, "params")
    expect_no_burst(line, pulses, "params")
    gpio18 = int(dev["gpio"]) - 23 + 18
    check(not [s for s in res.trace.gpio_sets(gpio18) if s[1]], "GPIO18 went high")
    expect_reads(res, line, "sesame-front", start, end, [
        (start, status_text("open", 1800, 117, 1, 1)),
        (callback_of(line, close_b), status_text("closed", 1000, 45, 1, 1)),
        (callback_of(line, stop_b), status_text("closed", 1000, 45, 0, 1))], "params")
    no_oops(res)


# --- smoke: the one boot of every further kernel and board --------------------------

SLEEPING_RE = re.compile(r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?P<flags>\S+)\s+"
                         r"(?P<sec>\d+)\.(?P<usec>\d{6}):\s+(?P<fn>\w+) <-(?P<parent>\S+)$")
EXPIRE_RE = re.compile(r"^\s*.*?-\d+\s+\[(?P<cpu>\d+)\]\s+\S+\s+\d+\.\d{6}:\s+"
                       r"hrtimer_expire_(?P<what>entry|exit): hrtimer=(?P<timer>\S+)(?: function=(?P<fn>\S+))?")


@case("smoke-binds-gpio18",
      f"{KERNEL}: the overlay binds sesame.ko to GPIO18, a root-only /dev/sesame", "smoke")
def c_smoke_probe(res):
    check(res.rc("insmod") == 0, "insmod failed: " + res.read("insmod.out"))
    check("/dev/sesame 600 0 0 character special file" in res.read("nodes.out"),
          f"no root-only /dev/sesame:\n{res.read('nodes.out')}")
    check(claimed(res.read("gpio-probe.out"), res.devices["sesame"]["gpio"], 18, "sesame"),
          "GPIO18 is not claimed by sesame as a low output:\n" + res.read("gpio-probe.out")[:600])
    check(re.search(r"sesame sesame: /dev/sesame: 20000 us period", res.dmesg()),
          "no probe message in dmesg")


@case("smoke-open-hold-close-poll",
      f"{KERNEL}: open, held 3 s, closed by itself, stopped 1 s later, exactly; poll() wakes for each", "smoke")
def c_smoke_open(res):
    out = open_hold_close(res, no_burst=True)
    check(out[3] == "read = " + status("closed", 1000, 45, 1, 1)
          and out[5] == "read = " + status("closed", 1000, 45, 0, 1), "open.out: " + " / ".join(out))


@case("smoke-observed-widths",
      f"{KERNEL}: observed pulse widths from the trace: 2000 us open, 1000 us closed "
      "(median within bounds; skipped when the host starves qemu)", "smoke")
def c_smoke_widths(res):
    line = res.lines["sesame"]
    cb = sorted((now - b) / US for _, b, now in line.boundary_calls)
    check(cb, "no timer callbacks in the trace")
    if cb[len(cb) // 2] > STARVED_CALLBACK_US:
        raise Skip(f"the host starved qemu: timer callbacks {cb[len(cb) // 2]:.0f} us late (median)")
    for want in (2000, 1000):
        widths = sorted(p.width / US for p in line.complete_pulses() if p.cmd_us == want)
        check(len(widths) >= 10, f"only {len(widths)} pulses of {want} us")
        med = widths[len(widths) // 2]
        check(want - SHORT_TOLERANCE_US <= med <= want + MEDIAN_LATE_US,
              f"{want} us pulses came out {med:.0f} us (median of {len(widths)}): "
              + ", ".join(f"{w:.0f}" for w in widths[:12]))


@case("smoke-rmmod-line-low", f"{KERNEL}: rmmod: the line ends low, /dev/sesame is gone", "smoke")
def c_smoke_rmmod(res):
    check(res.rc("rmmod") == 0, "rmmod failed: " + res.read("rmmod.out"))
    check("No such file" in res.read("nodes-after-rmmod.out"), "nodes left: " + res.read("nodes-after-rmmod.out"))
    check(res.lines["sesame"].final_level == 0, "the line is high at the end")


@case("smoke-no-sleeping-lock-in-timer",
      f"{KERNEL}: no sleeping lock and no schedule() inside the hard timer callback (function tracer)", "smoke")
def c_smoke_no_sleeping_lock(res):
    """Debian's RT kernel has no might_sleep() debugging: a spinlock_t
    (a sleeping rt_spin_lock there) or a mutex in the hard hrtimer callback
    would go unreported. The function tracer logs every call of the
    sleeping locks and schedule(); none may fall inside a run of sesame's
    callback on its CPU. So that this cannot pass by seeing nothing, the
    tracer must have logged sesame's own mutex in its write() path."""
    filt = res.read("ftrace-filter.out").split()
    check("schedule" in filt and any(f.startswith("mutex_lock") for f in filt),
          f"the function tracer's filter did not take: {filt}")
    rt = "PREEMPT_RT" in res.read("uname.out")
    if rt:
        check("rt_spin_lock" in filt, f"PREEMPT_RT kernel without rt_spin_lock in the filter: {filt}")
    # After rmmod the trace names the module's functions by address: the
    # callback's runs are found by its timer, its callers by their address.
    mod = res.read("module.out").split()
    check(len(mod) >= 6 and mod[5].startswith("0x") and int(mod[5], 16),
          f"no address of the module in /proc/modules: {mod}")
    base, size = int(mod[5], 16), int(mod[1])
    timers = res.lines["sesame"].timers
    check(timers, "sesame's timer is not in the trace")

    def sesames(parent):
        if parent.startswith("sesame_"):
            return True
        try:
            return base <= int(parent.split("+")[0], 16) < base + size
        except ValueError:
            return False

    inside, open_cb, calls, own = [], {}, 0, 0
    with open(res.trace.path, errors="replace") as f:
        for text in f:
            m = EXPIRE_RE.match(text)
            if m:
                if m.group("what") == "entry" and m.group("timer") in timers:
                    open_cb[m.group("cpu")] = m.group("timer")
                elif m.group("what") == "exit" and open_cb.get(m.group("cpu")) == m.group("timer"):
                    del open_cb[m.group("cpu")]
                continue
            m = SLEEPING_RE.match(text)
            if not m:
                continue
            calls += 1
            if m.group("fn").startswith("mutex_lock") and sesames(m.group("parent")):
                own += 1
            if m.group("cpu") in open_cb:
                inside.append(text.strip())
    check(calls and own, f"the tracer logged {calls} calls, {own} of sesame's own mutex: it saw nothing")
    check(not inside, f"{len(inside)} sleeping calls inside sesame's hard timer callback"
                      f"{' (PREEMPT_RT)' if rt else ''}:\n" + "\n".join(inside[:10]))


@case("smoke-kernel-log-clean",
      f"{KERNEL}: the kernel log is clean: no WARN, BUG, sleeping-in-atomic or lockdep report", "smoke")
def c_smoke_log(res):
    no_oops(res)


# --- taken: the Pi 2's I2S pins ----------------------------------------------------

@case("taken-gpio18-refused-with-fix",
      f"{KERNEL}: GPIO18 held for I2S: sesame refuses it, names the pin and the fix; no /dev/sesame", "taken")
def c_taken_message(res):
    dmesg = res.dmesg()
    check(re.search(r"pin gpio18 already requested by 3f200000\.gpio; cannot claim for sesame", dmesg),
          "pinctrl did not refuse GPIO18 (is the I2S group still in the tree?):\n"
          + "\n".join(l for l in dmesg.splitlines() if "sesame" in l or "pinctrl" in l))
    check(re.search(r"sesame sesame: .*GPIO18 is taken: pinctrl refused it \(the lines above name the "
                    r"device holding it\); use another pin \(dtoverlay=sesame,gpiopin=N\) or free this one",
                    dmesg),
          "sesame did not explain the refusal:\n" + "\n".join(l for l in dmesg.splitlines() if "sesame" in l))
    check("No such file" in res.read("nodes.out"), "a device appeared: " + res.read("nodes.out"))
    check(not res.read("bound.out").split() or res.read("bound.out").split() == ["bind", "module", "uevent", "unbind"],
          "a device is bound: " + res.read("bound.out"))


@case("taken-refusal-touches-nothing",
      f"{KERNEL}: the refusal touches nothing: GPIO18-21 stay I2S's (alt0), no GPIO driven", "taken")
def c_taken_untouched(res):
    def pins(name):
        return [l for l in res.read(name).splitlines() if re.match(r"pin (1[89]|2[01]) ", l)]
    before, after = pins("pinmux-before.out"), pins("pinmux-after.out")
    check(len(before) == 4 and all("3f200000.gpio" in l and "function alt0" in l for l in before),
          "GPIO18-21 were not I2S's before: " + " / ".join(before))
    check(after == before, "GPIO18-21 changed: " + " / ".join(after))
    check(not [e for e in res.trace.events if e.name == "gpio_value"], "a GPIO was driven")
    check(not re.search(r"GPIO18\s+\|", res.read("gpio-probe.out")), "GPIO18 is claimed")
    check(res.rc("insmod") == 0 and res.rc("rmmod") == 0, "the module did not load and unload")
    no_oops(res)


if __name__ == "__main__":
    # The overlay boot's test nodes need the Pi 3's expander GPIO; the
    # taken boot needs the Pi 2's tree.
    default = ["smoke", "taken"] if guest_arch() == "armhf" else ["overlay", "params", "smoke"]
    sys.exit(run(BOOTS, __doc__.split("\n\n")[0], os.path.join(BUILD, "system", "check"), default))
