#!/usr/bin/env python3
"""systest.py - boot the emulated Pi for a test program's named cases, and run them.

A test program (tests/system/test_*.py) declares its boots (a guest script,
overlays, fdtput changes, modules and files for the initramfs) and its
cases, case("stable-name", "title", "boot"), each a function of the boot's
Results that raises Failure (or Skip, when a run cannot judge it). run()
hands them to the one case runner (tests/lib/cases.py), each boot a
fixture: booted before its first selected case, its timeline, statistics
and plot written after its last. Output is cases.py's TAP ("ok 3 -
name: title (S s)"), with a "# boot NAME: guest exit ..." line per boot;
--list, --only NAME|PATTERN and names select cases, --boot NAME those of
a boot.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(SYSTEM))
sys.path.insert(0, os.path.join(SYSTEM, "trace"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import sesame_trace as st  # noqa: E402
# The one case runner; its Failure, Skip and check are the ones the checks
# (pulsecheck.py, the test programs) raise and use.
from cases import Cases, Failure, Skip, check  # noqa: E402,F401

BUILD = os.path.join(ROOT, "build")
RIG = os.path.join(SYSTEM, "rig")

# The kernel the emulated Pi boots (scripts/fetch-guest.sh names them), as
# make passes it; where make puts that kernel and what is built for it
# (driver/driver.mk, tests/system/system.mk: the same rule).
DEFAULT_KERNEL = "bookworm-arm64"
KERNEL = os.environ.get("SESAME_KERNEL") or DEFAULT_KERNEL
if KERNEL == DEFAULT_KERNEL:
    GUEST = os.path.join(BUILD, "guest")
    MODULE = os.path.join(BUILD, "module-arm64", "sesame.ko")
    STALL = os.path.join(BUILD, "system", "stall", "stall.ko")
else:
    GUEST = os.path.join(BUILD, "kernels", KERNEL)
    MODULE = os.path.join(BUILD, f"module-{KERNEL}", "sesame.ko")
    STALL = os.path.join(BUILD, "system", f"stall-{KERNEL}", "stall.ko")


def guest_arch():
    """arm64 (the emulated Pi 3) or armhf (the Pi 2)."""
    try:
        with open(os.path.join(GUEST, "arch")) as f:
            return f.read().strip()
    except OSError:
        return "arm64"


DEVIO = os.path.join(BUILD, "system", "guest" if guest_arch() == "arm64" else "guest-armhf", "devio")


# --- booting ------------------------------------------------------------------------

def boot(spec, bdir, verbose=False, console=None):
    """Builds the device tree and initramfs of one boot and runs it.

    spec: script (the guest's test), overlays, props (fdtput, as for
    rig/dtb.sh -p), dtb_fix (sh commands run on the merged tree, $1), kos (modules), files (for the guest's /opt, or
    SRC:DEST), limit (s), args (more kernel command line, or a function
    that returns it when the boot starts), icount (guest time counts
    instructions: rig/qemu.sh -c). verbose shows the console; console, a
    function, is given each line of it instead, as it comes.
    Return: (results folder, exit status of the guest test, seconds).
    """
    os.makedirs(bdir, exist_ok=True)
    dtb = os.path.join(bdir, "pi.dtb")
    initramfs = os.path.join(bdir, "initramfs.cpio.gz")
    cmd = [os.path.join(RIG, "dtb.sh"), "-g", GUEST, "-o", dtb]
    for p in spec.get("props", []):
        cmd += ["-p", p]
    subprocess.run(cmd + spec.get("overlays", []), check=True)
    if spec.get("dtb_fix"):
        # Shell commands a user would run on the device tree ($1).
        subprocess.run(["sh", "-ec", spec["dtb_fix"], "sh", dtb], check=True)
    cmd = [os.path.join(RIG, "initramfs.sh"), "-g", GUEST, "-o", initramfs, "-t", spec["script"]]
    for ko in spec.get("kos", []):
        cmd += ["-k", ko]
    for f in spec.get("files", []):
        cmd += ["-f", f]
    subprocess.run(cmd, check=True)
    start = time.monotonic()
    rundir = os.path.join(bdir, "run")
    args = spec.get("args", "")
    args = args() if callable(args) else args
    cmd = ([os.path.join(RIG, "qemu.sh"), "-g", GUEST, "-d", dtb, "-i", initramfs,
            "-o", rundir, "-t", str(spec.get("limit", 150))]
           + (["-a", args] if args else [])
           + (["-c"] if spec.get("icount") else [])
           + (["-v"] if verbose or console else []))
    if console is None:
        rc = subprocess.run(cmd).returncode
    else:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, errors="replace") as qemu:
            for text in qemu.stdout:
                console(text.rstrip("\n"))
        rc = qemu.returncode
    return rundir, rc, time.monotonic() - start


class Results:
    """What one boot left: files, dmesg, the trace and each servo's line."""

    def __init__(self, rundir):
        self.dir = os.path.join(rundir, "results")
        self.console = os.path.join(rundir, "console.log")
        self.trace = st.Trace(os.path.join(self.dir, "trace"))
        self.devices = st.read_devices(self.dir)
        self.lines = {}
        for dev, kv in self.devices.items():
            self.lines[dev] = st.Line(self.trace, int(kv["gpio"]), period_us=int(kv["period_us"]),
                                      busy_us=int(kv["busy_wait_us"]), name=dev,
                                      widths=st.commanded_widths(self.trace, dev, kv), pin=kv.get("pin"))
        self.steps = [(ts, t[len("step "):]) for ts, t in self.trace.markers()
                      if t.startswith("step ")]

    def read(self, name):
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            raise Failure(f"the guest left no {name}")
        with open(path, errors="replace") as f:
            return f.read()

    def rc(self, name):
        return int(self.read(name + ".rc").strip())

    def dmesg(self):
        return self.read("dmesg")

    def step(self, name):
        """(start, end) of a step of the guest script, in trace time (ns)."""
        for i, (ts, n) in enumerate(self.steps):
            if n == name:
                end = self.steps[i + 1][0] if i + 1 < len(self.steps) else self.trace.events[-1].ts
                return ts, end
        raise Failure(f"the trace has no marker for step {name}")

    def writes(self, start, end, dev="sesame"):
        """Writes to /dev/<dev> between two times: (before, after, text,
        result). devio marks each write just before and just after the
        system call."""
        out = []
        pending = None
        for ts, text in self.trace.markers():
            m = st.WRITE_RE.match(text)
            if not start <= ts <= end or not m or m.group("dev") != dev:
                continue
            if m.group("cmd").startswith("-> "):
                if pending:
                    out.append((pending[0], ts, pending[1], m.group("cmd")[3:]))
                pending = None
            else:
                pending = (ts, m.group("cmd"))
        return out


def line_out(res, name):
    """The output lines of a guest file, as a list."""
    return [l for l in res.read(name).splitlines() if l.strip()]


# --- cases and the run --------------------------------------------------------------

# The cases of the test program: case(name, title, boot) declares one, a
# function of the named boot's Results (cases.py: each boot is a fixture).
CASES = Cases()
case = CASES.case


def write_reports(res, bdir):
    """The timeline, statistics and plot of one boot, for people and benches."""
    lines = list(res.lines.values())
    with open(os.path.join(bdir, "timeline.txt"), "w") as f:
        f.write(st.timeline(res.trace, lines,
                            show_markers=lambda t: t.startswith("step ") or (
                                st.WRITE_RE.match(t) and " -> " not in t))
                + "\n")
    with open(os.path.join(bdir, "stats.json"), "w") as f:
        json.dump({"trace": res.trace.path, "lines": [l.stats() for l in lines]}, f, indent=2)
    try:
        st.plot(res.trace, lines, os.path.join(bdir, "pulses.png"), title=f"sesame system test: {os.path.basename(bdir)}")
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print(f"# no plot: {e}")
    print(f"# timeline: {bdir}/timeline.txt, plot: {bdir}/pulses.png, stats: {bdir}/stats.json")


def boot_fixture(name, spec, args):
    """The fixture of one boot: boots it (or, with --reuse, takes what is
    in --out), is its Results, and writes its reports once its last case
    ran. A guest test that exited non-zero, or left no results, fails every
    case of the boot."""
    def booted():
        bdir = os.path.join(args.out, name)
        rundir = os.path.join(bdir, "run")
        if args.reuse:
            rc, secs = 0, 0
        else:
            rundir, rc, secs = boot(spec, bdir, args.verbose)
        print(f"# boot {name}: guest exit {rc}, {secs:.0f} s, results in {rundir}", flush=True)
        try:
            res = Results(rundir)
        except OSError as e:
            raise Failure(f"no results from the guest ({e}); "
                          f"console: {os.path.join(rundir, 'console.log')}") from e
        if rc != 0:
            # What the guest left is still worth a timeline and a plot.
            write_reports(res, bdir)
            raise Failure(f"the guest test exited {rc}; see {os.path.join(rundir, 'results', 'test.log')}")
        yield res
        write_reports(res, bdir)
    return booted


def run(boots, description, default_out, default_boots=None):
    """The command line of a test program: boot, check, report.

    boots: {name: spec} in boot order (see boot()); default_boots, the
    boots whose cases run when neither --boot nor case names are given
    (default: all). --boot NAME (repeatable) adds the cases of that boot
    to those named. Return: exit status.
    """
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", default=default_out)
    ap.add_argument("--boot", action="append", choices=list(boots),
                    help="run the cases of this boot (repeatable)")
    ap.add_argument("--reuse", action="store_true",
                    help="check the results already in --out instead of booting")
    ap.add_argument("-v", "--verbose", action="store_true", help="show the guests' consoles")
    CASES.add_arguments(ap)
    args = ap.parse_args()
    for name, spec in boots.items():
        CASES.fixture(name)(boot_fixture(name, spec, args))
    # A boot is selected as the names of its cases, beside any names given.
    boots_wanted = args.boot or ([] if args.only or args.names else default_boots or [])
    of_boots = [c[0] for c in CASES.cases if set(c[2]) & set(boots_wanted)]
    if boots_wanted and not of_boots:
        print(f"{sys.argv[0]}: the boots {' '.join(boots_wanted)} have no cases", file=sys.stderr)
        return 2
    args.only += of_boots
    return CASES.run(args)
