#!/usr/bin/env python3
"""test_stress.py - the device stress test, in the emulated Raspberry Pi 3.

Boots the emulated Pi once (the rig of tests/system/) with two servos,
/dev/sesame (GPIO18, 20 ms period, hold 400 ms, idle 250 ms) and
/dev/sesame-side (GPIO17, 10 ms, hold 200 ms, idle 150 ms), and lets
guest/hammer loose on them for a fixed time: random valid and invalid
writes, reads and polls, open/close races, unbind/bind with files open,
rmmod refused while files are open, rmmod and insmod racing opens. Then
it takes the module out while both servos pulse, and checks:

  workers-ran-and-stopped     every worker ran its time and stopped (none
                              hung in the driver)
  syscalls-follow-protocol    every system call returned what the
                              /dev/sesame protocol says
  stress-did-each-operation   the stress did what it claims (counts of each
                              kind of operation)
  kernel-log-clean            the kernel log has no WARNING, BUG, oops,
                              refcount or list corruption, slab poison or
                              red-zone report, lockup or hung task
  no-runt-pulse               no runt pulse
  no-stretched-pulse          no stretched pulse
  no-burst-grid-kept          no burst of pulses, and the period grid kept
                              within each train
  line-low-while-unbound      the line is low whenever its device is unbound
                              or unloaded, and after the final rmmod; no
                              reference is left on the module

Debian's kernel has no lockdep, KASAN or KFENCE, so locking order and
every stray access cannot be checked. It has SLUB debugging, which the
boot turns on (slub_debug=FZPU: poisoned freed objects, red zones, sanity
checks, and a validation of every slab at the end), list debugging with
BUG on corruption, saturating refcounts that warn on underflow, hardened
usercopy, the soft-lockup and hung-task detectors: kernel-log-clean looks
for what they report.

qemu runs in host time (not rig/qemu.sh -c): with -c, qemu's round-robin
can hold a vCPU in the middle of the timer callback while another runs,
which a real multi-core Pi cannot do. Timer callbacks then come late when
the host is busy; lateness makes a pulse longer, never shorter, so the
checks are exact where the driver decides (the fall it programmed, the
boundaries) and only the callback's own lateness is left to emulation.

Usage: test_stress.py [--out DIR] [--seconds N] [--reuse] [-v] [--list]
                      [--only NAME|PATTERN]... [NAME|PATTERN...]
(the runner is tests/lib/cases.py; the boot is its fixture "stress-run")
Exit status: 0 when every case passed, 1 otherwise.
"""
import argparse
import bisect
import copy
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM = os.path.join(os.path.dirname(HERE), "system")
sys.path.insert(0, os.path.join(SYSTEM, "lib"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import systest  # noqa: E402
from systest import BUILD, Failure, Results, check, st  # noqa: E402
from cases import Cases  # noqa: E402  (on the path systest set)
from pulsecheck import US, expect_no_burst, expect_whole, line_level_at  # noqa: E402

MODULE = os.path.join(BUILD, "module-arm64", "sesame.ko")
DTBO = os.path.join(BUILD, "dts", "sesame.dtbo")
DEVIO = os.path.join(BUILD, "system", "guest", "devio")
HAMMER = os.path.join(BUILD, "stress", "hammer")
DEVICES = ("sesame", "sesame-side")
# Every width a valid write of hammer commands (open 2000, closed 1000 and
# the angles 0/45/90/135/180 among them).
WIDTHS = (500, 1000, 1234, 1500, 2000, 2345, 2500)
# What the kernel reports when something went wrong (see the header).
KERNEL_TROUBLE = re.compile(
    r"WARNING:|BUG:|BUG |Oops|Unable to handle|Internal error|Kernel panic|"
    r"refcount_t|use-after-free|list_add corruption|list_del corruption|"
    r"Poison overwritten|Redzone overwritten|Object padding overwritten|"
    r"Freepointer corrupt|Object already free|slab_err|Left Redzone|"
    r"soft lockup|hard LOCKUP|blocked for more than|rcu_sched self-detected|"
    r"rcu: INFO|stack-protector|usercopy:|Call trace|"
    r"did not end at a period boundary")
# The driver writes the line within microseconds of deciding to (plus at
# most its busy-wait budget, 50 us): a rise later than this after its
# callback started was held up by the emulator.
HELD_US = 500
# Each kind of operation must have happened at least this often in a run,
# or the run proves too little (scaled down for short runs).
MINIMUM = {"write_ok": 300, "write_einval": 150, "write_efault": 20, "write_enodev": 1,
           "read_ok": 150, "read_in_pieces": 30, "read_enodev": 1, "poll_in": 10,
           "poll_hup": 1, "epoll_waits": 20, "close_races": 100, "child_closes": 5,
           "held_across_unbind": 1, "sysfs_reads": 200, "unbind": 5, "bind": 5,
           "rmmod_refused_busy": 5, "rmmod_ok": 1, "insmod_ok": 1, "open_gone": 1}


def boot(out, seconds, verbose):
    """Boots the emulated Pi for the stress; returns (rundir, rc, s)."""
    return systest.boot({
        "script": os.path.join(HERE, "guest", "stress.sh"),
        "overlays": [DTBO, os.path.join(HERE, "guest", "side.dtso")],
        "props": ["u /sesame sesame,hold-ms 400", "u /sesame sesame,idle-ms 250"],
        "kos": [MODULE],
        "files": [HAMMER, DEVIO, os.path.join(SYSTEM, "guest", "sesame-lib.sh")],
        "limit": seconds + 150,
        "args": f"slub_debug=FZPU nokaslr stress.seconds={seconds}",
    }, out, verbose)


def split_timers(trace, gpios, cuts):
    """One trace per device, with only the timer events of its own engine.

    Both devices' timers have the same callback, and each probe allocates
    a new one, maybe where the other device's was: a timer address belongs
    to a device only from one probe to the next. Probes happen between the
    life worker's "bind NAME" or "insmod" marker and its result, so within
    the epochs these cut, an address is one device's. It is known by the
    GPIO its callbacks drive; a timer that drove none in an epoch is the
    other device's when that one is known, else it is left out (it sent no
    pulse there to judge).

    Return: ({device: Trace}, number of timer epochs left out).
    """
    cuts = sorted(cuts)
    by_gpio = {g: d for d, g in gpios.items()}
    votes, seen, in_cb = {}, set(), {}
    for e in trace.events:
        if e.name in ("hrtimer_start", "hrtimer_expire_entry"):
            key = (bisect.bisect_right(cuts, e.ts), e.fields.get("hrtimer"))
            seen.add(key)
            if e.name == "hrtimer_expire_entry":
                in_cb[e.cpu] = key
            elif "HARD" in e.fields.get("mode", ""):
                # Started by a write: no CPU is in its callback any more
                # (one that stopped the engine re-arms nothing).
                in_cb = {c: k for c, k in in_cb.items() if k != key}
            elif in_cb.get(e.cpu) == key:
                del in_cb[e.cpu]
        elif e.name == "gpio_value" and e.cpu in in_cb:
            m = st.GPIO_RE.match(e.text)
            if m and int(m.group(1)) in by_gpio:
                v = votes.setdefault(in_cb[e.cpu], {})
                v[by_gpio[int(m.group(1))]] = v.get(by_gpio[int(m.group(1))], 0) + 1
    owner = {k: max(v, key=v.get) for k, v in votes.items()}
    unowned = 0
    for key in seen - set(owner):
        known = {owner[k] for k in owner if k[0] == key[0]}
        others = set(gpios) - known
        if len(others) == 1 and len([k for k in seen if k[0] == key[0] and k not in owner]) == 1:
            owner[key] = others.pop()
        else:
            unowned += 1
    cpus = sorted({e.cpu for e in trace.events})
    out = {}
    for dev in gpios:
        events = []
        for e in trace.events:
            if e.name not in ("hrtimer_start", "hrtimer_expire_entry"):
                events.append(e)
            elif owner.get((bisect.bisect_right(cuts, e.ts), e.fields.get("hrtimer"))) == dev:
                # A start by a write (mode ABS|HARD; a callback's re-arm is
                # ABS) ends whatever callback of it the analysis thinks a
                # CPU is in: one that stopped the engine re-arms nothing.
                if e.name == "hrtimer_start" and "HARD" in e.fields.get("mode", ""):
                    events += [st.Event(e.ts, cpu, e.task, "hrtimer_expire_entry",
                                        "hrtimer=0 function=a_write_started_the_engine now=0")
                               for cpu in cpus]
                events.append(e)
        t = copy.copy(trace)
        t.events = events
        out[dev] = t
    return out, unowned


class Stress:
    """One run's results: the guest's files, the hammer's report, the lines."""

    def __init__(self, rundir, seconds):
        self.res = Results(rundir)
        self.seconds = seconds
        self.counts, self.violations, self.hung = {}, [], []
        for line in self.res.read("hammer.out").splitlines():
            if line.startswith("count "):
                _, name, n = line.split()
                self.counts[name] = int(n)
            elif line.startswith("violation "):
                self.violations.append(line)
            elif line.startswith("hung "):
                self.hung.append(line)
        self.module = re.search(r"^module (\w+)", self.res.read("hammer.out"), re.M)
        self.held = {}
        self.marks = [(ts, t[len("stress: "):]) for ts, t in self.res.trace.markers()
                      if t.startswith("stress: ")]
        gpios = {dev: int(self.res.devices[dev]["gpio"]) for dev in DEVICES}
        traces, self.unowned = split_timers(self.res.trace, gpios, [
            ts for ts, t in self.marks if t.startswith("bind ") and " -> " not in t or t == "insmod"])
        self.lines = {}
        for dev in DEVICES:
            kv = self.res.devices[dev]
            self.lines[dev] = st.Line(traces[dev], gpios[dev], period_us=int(kv["period_us"]),
                                      busy_us=int(kv["busy_wait_us"]), name=dev, widths=WIDTHS,
                                      pin=kv.get("pin"))

    def windows(self, start_text, end_text):
        """(start, end) between each marker start_text and the next end_text."""
        out, opened = [], None
        for ts, text in self.marks:
            if text == start_text and opened is None:
                opened = ts
            elif text == end_text and opened is not None:
                out.append((opened, ts))
                opened = None
        if opened is not None:
            out.append((opened, self.res.trace.events[-1].ts))
        return out


CASES = Cases()
case = CASES.case


@case("workers-ran-and-stopped",
      "every worker ran its time and stopped; none hung in the driver", "stress-run")
def c_ran(s):
    check(s.res.rc("insmod") == 0, "insmod failed: " + s.res.read("insmod.out"))
    check(s.res.rc("hammer") == 0, "hammer failed: " + s.res.read("hammer.out")[-400:])
    check(not s.hung, "workers did not stop:\n" + "\n".join(s.hung[:30]))
    check(s.module and s.module.group(1) == "loaded", "the module was not loaded at the end")
    start, stop = [ts for ts, t in s.marks if t.startswith("start ") or t == "stop"][:2]
    check(stop - start >= s.seconds * 10**9 * 0.95,
          f"the stress ran {(stop - start) / 1e9:.1f} s, not {s.seconds} s")


@case("syscalls-follow-protocol",
      "every system call returned what the /dev/sesame protocol says", "stress-run")
def c_protocol(s):
    check(not s.violations, f"{len(s.violations)} violations:\n" + "\n".join(s.violations[:40]))


@case("stress-did-each-operation",
      "the stress did what it claims: each kind of operation, often", "stress-run")
def c_coverage(s):
    scale = min(1.0, s.seconds / 30)
    short = [f"{k}: {s.counts.get(k, 0)}, wanted {max(1, int(v * scale))}"
             for k, v in MINIMUM.items() if s.counts.get(k, 0) < max(1, int(v * scale))]
    check(not short, "too few:\n" + "\n".join(short))
    for dev, line in s.lines.items():
        check(len(line.pulses) >= 100 * scale, f"{dev}: only {len(line.pulses)} pulses")


@case("kernel-log-clean",
      "the kernel log: no WARNING, BUG, oops, refcount, list or slab corruption, lockup", "stress-run")
def c_kernel(s):
    dmesg = s.res.dmesg().splitlines()
    bad = [l for l in dmesg if KERNEL_TROUBLE.search(l)]
    check(not bad, "the kernel complained:\n" + "\n".join(bad[:30]))
    slub = dict(l.split("=", 1) for l in s.res.read("slub.out").split())
    check(all(v == "1" for v in slub.values()) and len(slub) == 4,
          f"SLUB debugging was not on: {slub}")
    check(s.res.read("validate.out").strip() == "validated", "the slabs were not validated")
    check("function !=" in s.res.read("filter.out"), "the trace filter was not set")


@case("no-runt-pulse",
      "no runt: each pulse ended no earlier than programmed, for a commanded width", "stress-run")
def c_runt(s):
    for dev, line in s.lines.items():
        check(s.res.trace.lost == 0, f"the trace lost {s.res.trace.lost} events: "
                                     "nothing can be judged (raise RIG_TRACE_KB)")
        expect_whole(line, line.pulses, dev)


@case("no-stretched-pulse",
      "no stretched pulse: the fall armed once, for the commanded width, and made by its own callback", "stress-run")
def c_stretch(s):
    for dev, line in s.lines.items():
        wakes = [ts for ts, _ in line.fall_wakes]
        k = 0
        for p in line.pulses:
            at = f"{dev}: the pulse at {st.fmt_s(p.rise)} s"
            while k < len(wakes) and wakes[k] <= p.rise:
                k += 1
            armed = 0
            while k + armed < len(wakes) and wakes[k + armed] <= p.fall:
                armed += 1
            check(armed == 1, f"{at}: its fall was armed {armed} times")
            check(p.programmed(p.cmd_us), f"{at} was programmed for {p.w_lo}..{p.w_hi} us, "
                                          f"commanded {p.cmd_us} us")
            check(p.fall_cb_now is not None and p.fall_cb_now >= p.fall_wake,
                  f"{at}: the line fell in a callback that was not its fall's")


@case("no-burst-grid-kept", "no burst, and the boundaries on one grid within each train", "stress-run")
def c_grid(s):
    for dev, line in s.lines.items():
        # One pulse per boundary, the boundaries in order.
        dues = [p.rise_due for p in line.pulses]
        check(None not in dues, f"{dev}: a pulse without a boundary")
        for a, b in zip(line.pulses, line.pulses[1:]):
            check(b.rise_due > a.rise_due, f"{dev}: two pulses for the boundary at "
                                           f"{st.fmt_s(a.rise_due)} s (a burst)")
        # Two rises closer than half a period: a burst, unless the first was
        # held up between the driver's decision (when its callback started,
        # as traced, or at its boundary) and the write of the line, far
        # longer than that path takes: qemu holding the vCPU, interrupts
        # off, while another runs. The driver decided in time; the emulator
        # wrote late.
        starts = [ts for ts, _ in line.callbacks]
        held = []
        for p in line.pulses:
            i = bisect.bisect_right(starts, p.rise)
            if i and p.rise - max(starts[i - 1], p.rise_due) > HELD_US * US:
                held.append(p)
        s.held[dev] = len(held)
        held = set(id(p) for p in held)
        expect_no_burst(line, [p for p in line.pulses if id(p) not in held], dev)
        for a, b in zip(line.pulses, line.pulses[1:]):
            if id(a) in held:
                continue
            check(b.rise - a.rise >= line.period_ns / 2,
                  f"{dev}: two pulses {(b.rise - a.rise) / US:.0f} us apart at {st.fmt_s(b.rise)} s "
                  "(a burst)")
        # A boundary re-armed by the callback continues the grid; one armed
        # by a write starts a new train (and grid) at that moment.
        edges, i, high, prev = line.edges, 0, False, None
        for ts, expires, rearm in line.starts:
            while i < len(edges) and edges[i][0] <= ts:
                high = edges[i][1] == 1
                i += 1
            if high:
                continue
            b = expires + line.busy_ns if rearm else expires
            if rearm and prev is not None:
                check(b > prev and (b - prev) % line.period_ns == 0,
                      f"{dev}: boundary {st.fmt_s(b)} s is {b - prev} ns after the one "
                      f"before, not a whole number of {line.period_ns} ns periods")
            prev = b


@case("line-low-while-unbound",
      "the line stays low while its device is unbound or unloaded, and after the last rmmod", "stress-run")
def c_low(s):
    trace_end = s.res.trace.events[-1].ts
    for dev, line in s.lines.items():
        quiet = s.windows(f"unbind {dev} -> ok", f"bind {dev}") + s.windows("rmmod -> ok", "insmod")
        for a, b in quiet:
            edges = [e for e in line.edges if a < e[0] < b]
            check(not edges, f"{dev}: edges while unbound or unloaded ({st.fmt_s(a)}.."
                             f"{st.fmt_s(b)} s): {edges[:3]}")
            check(line_level_at(line, a) == 0, f"{dev}: the line was left high at {st.fmt_s(a)} s")
        after = s.res.step("after")[0]
        check(not [e for e in line.edges if after < e[0] <= trace_end],
              f"{dev}: edges after the final rmmod")
        check(line.final_level == 0, f"{dev}: the line is high at the end")
    check(s.res.read("refcnt.out").strip() == "0",
          f"references left on the module after the stress: {s.res.read('refcnt.out')}")
    check(s.res.rc("rmmod") == 0, "the final rmmod failed: " + s.res.read("rmmod.out"))
    check(not s.res.read("gpio-after.out").strip(), "a GPIO is still claimed: "
                                                   + s.res.read("gpio-after.out"))
    check("No such file" in s.res.read("nodes-after.out"), "device nodes left after rmmod")


def figures(s):
    """What happened, for the report: counts and timing of each line."""
    out = ["# operations: " + ", ".join(f"{k} {v}" for k, v in s.counts.items())]
    if s.held:
        out.append("# rises held up by the emulator between the driver's decision and its write: "
                   + ", ".join(f"{d} {n}" for d, n in s.held.items()))
    if s.unowned:
        out.append(f"# {s.unowned} timer epochs without a pulse could not be told apart "
                   "(left out of the grid check)")
    for dev, line in s.lines.items():
        stats = line.stats()
        own = [(p.fall - max(p.fall_due, p.fall_cb_now)) / US for p in line.pulses
               if p.fall_due is not None and p.fall_cb_now is not None]
        longer = [p.width / US - p.cmd_us for p in line.pulses if p.cmd_us and p.fall]
        cb = stats["callback_late_us"]
        out.append(f"# {dev}: {stats['pulses']} pulses in {stats['trains']} trains, "
                   f"{stats['missed_periods']} periods skipped for late callbacks; "
                   f"callback lateness p50 {cb.get('p50')} p99 {cb.get('p99')} max {cb.get('max')} us; "
                   f"pulses longer than commanded by p50 {statistics.median(longer) if longer else '-'}"
                   f" max {max(longer) if longer else '-'} us, of which the driver's own share "
                   f"(fall after its callback started) p50 "
                   f"{statistics.median(own) if own else '-'} max {max(own) if own else '-'} us")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(BUILD, "stress"))
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("STRESS_SECONDS", "40")))
    ap.add_argument("--reuse", action="store_true", help="judge the results already in --out")
    ap.add_argument("-v", "--verbose", action="store_true")
    CASES.add_arguments(ap)
    args = ap.parse_args()

    @CASES.fixture("stress-run")
    def stress_run():
        """The one boot: the stress and its results, judged by every case;
        its figures are printed once the last case ran. A guest test that
        exited non-zero, or left no usable results, fails every case."""
        out = os.path.join(args.out, "run")
        rundir, rc, secs = os.path.join(out, "run"), 0, 0
        if not args.reuse:
            rundir, rc, secs = boot(out, args.seconds, args.verbose)
        print(f"# boot: guest exit {rc}, {secs:.0f} s, {args.seconds} s of stress, results in {rundir}",
              flush=True)
        try:
            s = Stress(rundir, args.seconds)
        except (OSError, Failure, KeyError) as e:
            raise Failure(f"no usable results from the guest ({e}); "
                          f"console: {os.path.join(rundir, 'console.log')}") from e
        if rc:
            # Its figures still say what the stress did before it failed.
            for l in figures(s):
                print(l)
            raise Failure(f"the guest test exited {rc}; see {os.path.join(rundir, 'results', 'test.log')}")
        yield s
        for l in figures(s):
            print(l)

    return CASES.run(args)


if __name__ == "__main__":
    sys.exit(main())
