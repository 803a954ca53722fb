#!/usr/bin/env python3
"""analyse.py - the pulse benchmark's figures, from the emulated Pi's trace.

Usage: analyse.py RESULTS OUT.json [--plot-dir DIR]

RESULTS is the results folder of one boot of bench/pulse/guest-pulse.sh.
Every run on GPIO18 ("bench begin PHASE/NAME" .. "bench end PHASE/NAME" in
the trace) is measured on its first N complete pulses (N = bench.pulses),
against the width commanded (1500 us) and the period (20 ms):

  width error   observed high time - commanded (us; the trace has 1 us
                resolution); mean signed, and p50/p99/max of its size
  period error  rise to next rise - period (us), same figures
  late edges    edges more than 5 us after the time they were due by the
                approach's own schedule:
                  sesame   the programmed boundary (hrtimer_start expiry +
                           busy-wait budget) and the fall it armed
                           (rise as it happened + width)
                  swpwm    t0 + k * period and that + width (its marker)
                  python   previous fall + low time, rise + high time (it
                           sleeps relative to where it is, as RPi.GPIO does)
  CPU           sesame: time from each callback's start to its re-arm
                (the trace's hrtimer events), per second of pulsing;
                programs: their own CPU time (what they printed)
  wakeups       sesame's timer expiries per second while pulsing
and, for each "module-idle" window, the expiries of sesame's timers in it
(the idle target is none) and of all the guest's other timers but the
tick (for scale).
"""
import argparse
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "system", "trace"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import histplot  # noqa: E402
import sesame_trace as st  # noqa: E402

NS_US = 1000
LATE_NS = 5 * NS_US          # the driver's own threshold (SESAME_LATE_NS)
BEGIN_RE = re.compile(r"^bench begin (\S+)/(\S+)$")
END_RE = re.compile(r"^bench end (\S+)/(\S+)$")
SWPWM_RE = re.compile(r"^swpwm: schedule t0=(\d+) period=(\d+) width=(\d+)")
OUT_RE = re.compile(r"(\w+)=(\d+)")


def read_kv(path):
    """key=value lines (or words) of a file, {} when it is missing."""
    try:
        with open(path) as f:
            return dict(OUT_RE.findall(f.read()))
    except OSError:
        return {}


def figures(values):
    """Signed mean and p50/p99/max of the size, for the tables (us)."""
    if not values:
        return {"n": 0}
    mags = [abs(v) for v in values]
    return {"n": len(values), "mean": round(statistics.fmean(values), 2),
            "p50": st.percentile(mags, 50), "p99": st.percentile(mags, 99),
            "max": max(mags), "min_signed": min(values), "max_signed": max(values)}


def windows(trace):
    """{(phase, name): (begin ns, end ns)} from the bench markers."""
    out, open_ = {}, {}
    for ts, text in trace.markers():
        m = BEGIN_RE.match(text)
        if m:
            open_[m.groups()] = ts
            continue
        m = END_RE.match(text)
        if m and m.groups() in open_:
            out[m.groups()] = (open_.pop(m.groups()), ts)
    return out


def pulses_in(edges, begin, end, n):
    """The first n complete pulses (rise, fall) between begin and end."""
    out, rise = [], None
    for ts, level in edges:
        if ts < begin or ts > end:
            continue
        if level == 1:
            rise = ts
        elif rise is not None:
            out.append((rise, ts))
            rise = None
            if len(out) == n:
                break
    return out


def period_errors(pulses, period_ns):
    return [(b[0] - a[0] - period_ns) / NS_US for a, b in zip(pulses, pulses[1:])]


class Sesame:
    """The driver's programmed times for its pulses on one GPIO, per budget."""

    def __init__(self, trace, gpio, period_us):
        self.trace, self.gpio, self.period_us = trace, gpio, period_us
        self.lines = {}

    def line(self, busy_us):
        if busy_us not in self.lines:
            self.lines[busy_us] = st.Line(self.trace, self.gpio, period_us=self.period_us,
                                          busy_us=busy_us)
        return self.lines[busy_us]

    def due(self, busy_us, pulses):
        """(rise due, fall due) in ns for each (rise, fall), None unknown."""
        by_rise = {p.rise: p for p in self.line(busy_us).pulses}
        return [(by_rise[r].rise_due, by_rise[r].fall_due) if r in by_rise else (None, None)
                for r, _ in pulses]

    def callbacks(self, busy_us, begin, end):
        """(count, CPU ns) of the driver's timer callbacks in a window: from
        each expiry to the re-arm that ends it (same timer, same CPU)."""
        timers = self.line(busy_us).timers
        started, count, cpu = {}, 0, 0
        for e in self.trace.events:
            if e.ts < begin or e.ts > end or not e.name.startswith("hrtimer_"):
                continue
            t = e.fields.get("hrtimer")
            if t not in timers:
                continue
            if e.name == "hrtimer_expire_entry":
                started[e.cpu] = e.ts
                count += 1
            elif e.name == "hrtimer_start" and e.cpu in started:
                cpu += e.ts - started.pop(e.cpu)
        return count, cpu


def late_sesame(dues, pulses):
    late = []
    for (rise, fall), (rdue, fdue) in zip(pulses, dues):
        if rdue is not None:
            late.append(rise - rdue)
        if fdue is not None:
            late.append(fall - fdue)
    return late


def late_swpwm(marker, pulses):
    t0, period, width = marker
    late = []
    for rise, fall in pulses:
        k = round((rise - t0) / period)
        due = t0 + k * period
        late += [rise - due, fall - (due + width)]
    return late


def late_python(pulses, period_ns, width_ns):
    late = []
    for i, (rise, fall) in enumerate(pulses):
        if i:
            late.append(rise - (pulses[i - 1][1] + period_ns - width_ns))
        late.append(fall - (rise + width_ns))
    return late


def irq_overlap(trace, begin, end):
    """Interrupt handlers (other than the timer's) that ran in a window:
    {name: (count, longest us)}."""
    out, started = {}, {}
    for e in trace.events:
        if e.ts < begin or e.ts > end:
            continue
        if e.name == "irq_handler_entry":
            started[e.cpu] = (e.ts, e.fields.get("name", "?"))
        elif e.name == "irq_handler_exit" and e.cpu in started:
            ts, name = started.pop(e.cpu)
            n, longest = out.get(name, (0, 0))
            out[name] = (n + 1, max(longest, (e.ts - ts) / NS_US))
    return out


def analyse(results):
    trace = st.Trace(os.path.join(results, "trace"))
    info = read_kv(os.path.join(results, "bench-info"))
    with open(os.path.join(results, "bench-info")) as f:
        info_text = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    dev = st.read_devices(results)
    gpio = int(dev["sesame"]["gpio"])
    idle_gpio = int(dev["sesame-idle"]["gpio"]) if "sesame-idle" in dev else None
    n = int(info["pulses"])
    period_ns, width_ns = int(info["period_us"]) * NS_US, int(info["width_us"]) * NS_US
    edges = st.Line(trace, gpio, period_us=int(info["period_us"])).edges
    sesame = Sesame(trace, gpio, int(info["period_us"]))
    runs, idle = {}, {}

    for (phase, name), (begin, end) in sorted(windows(trace).items(), key=lambda kv: kv[1][0]):
        if phase == "rpigpio":
            continue
        if name == "module-idle":
            timers = set()
            for g in (gpio, idle_gpio):
                if g is not None:
                    timers |= st.Line(trace, g).timers
            mine = others = 0
            for e in trace.events:
                if begin <= e.ts <= end and e.name == "hrtimer_expire_entry":
                    if e.fields.get("hrtimer") in timers:
                        mine += 1
                    else:
                        others += 1
            secs = (end - begin) / 1e9
            idle[phase] = {"seconds": round(secs, 3), "sesame_expiries": mine,
                           "sesame_per_s": round(mine / secs, 3),
                           "other_timer_expiries": others,
                           "other_per_s": round(others / secs, 1),
                           "timers_watched": len(timers)}
            continue
        pulses = pulses_in(edges, begin, end, n)
        run = {"phase": phase, "name": name, "pulses": len(pulses)}
        werr = [((f - r) - width_ns) / NS_US for r, f in pulses]
        run["width_error_us"] = figures(werr)
        run["period_error_us"] = figures(period_errors(pulses, period_ns))
        span_end = pulses[-1][1] if pulses else end
        span = (span_end - pulses[0][0]) if pulses else 0
        if name.startswith("sesame-b"):
            busy = int(name[len("sesame-b"):])
            run["busy_wait_us"] = busy
            dues = sesame.due(busy, pulses)
            late = late_sesame(dues, pulses)
            count, cpu = sesame.callbacks(busy, pulses[0][0], span_end) if pulses else (0, 0)
            run["wakeups_per_s"] = round(count / (span / 1e9), 1) if span else None
            run["cpu_percent"] = round(100 * cpu / span, 3) if span else None
            run["cpu_us_per_period"] = round(cpu / NS_US / max(1, len(pulses)), 2)
            run["sysfs"] = read_kv(os.path.join(results, f"{phase}-{name}.sysfs"))
        else:
            out = read_kv(os.path.join(results, f"{phase}-{name}.out"))
            if name == "swpwm":
                marker = None
                for ts, text in trace.markers():
                    m = SWPWM_RE.match(text)
                    if m and begin <= ts <= end:
                        marker = tuple(int(x) for x in m.groups())
                late = late_swpwm(marker, pulses) if marker else []
            else:
                late = late_python(pulses, period_ns, width_ns)
            if out.get("cpu_ns") and out.get("wall_ns"):
                run["cpu_percent"] = round(100 * int(out["cpu_ns"]) / int(out["wall_ns"]), 3)
                run["cpu_us_per_period"] = round(int(out["cpu_ns"]) / NS_US / int(out["pulses"]), 2)
            run["program"] = out
        run["late_edges"] = sum(1 for x in late if x > LATE_NS)
        run["edges_judged"] = len(late)
        run["edge_late_us"] = figures([max(0, x) / NS_US for x in late])
        run["irqs"] = {k: {"count": c, "longest_us": round(m, 1)}
                       for k, (c, m) in irq_overlap(trace, begin, end).items()}
        run["_werr"] = werr
        runs[f"{phase}/{name}"] = run

    rpigpio = {}
    wins = windows(trace)
    for k in ("1", "2"):
        p = os.path.join(results, f"rpigpio-{k}")
        try:
            with open(p + ".out") as f:
                out = f.read().strip()
            with open(p + ".strace") as f:
                calls = [re.sub(r"^\d+\s+", "", line.rstrip()) for line in f]
        except OSError:
            continue
        begin, end = wins.get(("rpigpio", k), (0, -1))
        # Edges on GPIO18 while RPi.GPIO ran: none can be seen.
        rpigpio[k] = {"output": out, "syscalls": calls,
                      "gpio_events": sum(1 for ts, _, _ in trace.gpio_sets(gpio)
                                         if begin <= ts <= end)}
    cpu = {}
    for phase in ("idle", "load"):
        try:
            with open(os.path.join(results, f"{phase}-cpu.before")) as f:
                a = [int(x) for x in f.read().split()[1:]]
            with open(os.path.join(results, f"{phase}-cpu.after")) as f:
                b = [int(x) for x in f.read().split()[1:]]
        except OSError:
            continue
        d = [y - x for x, y in zip(a, b)]
        total = sum(d) or 1
        # /proc/stat: user nice system idle iowait irq softirq steal ...
        cpu[phase] = {"busy_percent_all_cpus": round(100 * (total - d[3] - d[4]) / total, 1)}
    return {"info": info_text, "lost_events": trace.lost, "runs": runs,
            "module_idle": idle, "rpigpio": rpigpio, "guest_cpu": cpu}


def histogram(runs, phase, png, title):
    """Width error distributions (|error|, log-spaced bins) of a phase."""
    chosen = [r for r in runs.values() if r["phase"] == phase and r["_werr"]]
    if not chosen:
        return
    edges = [0] + [round(10 ** (k / 8), 2) for k in range(0, 42)]   # 1 us .. 100 ms
    histplot.plot([(r["name"], [abs(v) for v in r["_werr"]]) for r in chosen], edges, png, title,
                  "|pulse width error| (us), log scale; 0 and 1 us share the first bin",
                  "pulses (%)", (0.5, 100000), first_x=0.5)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="the results folder of one boot")
    ap.add_argument("out", help="the figures, as JSON")
    ap.add_argument("--plot-dir", help="write pulse-idle.png and pulse-load.png here")
    args = ap.parse_args(argv[1:])
    data = analyse(args.results)
    if args.plot_dir:
        os.makedirs(args.plot_dir, exist_ok=True)
        for phase in ("idle", "load"):
            histogram(data["runs"], phase, os.path.join(args.plot_dir, f"pulse-{phase}.png"),
                      f"Pulse width error in the emulated Pi, {phase}")
    for r in data["runs"].values():
        del r["_werr"]
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
