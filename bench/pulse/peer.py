#!/usr/bin/env python3
"""peer.py - sesame.ko against mainline's pwm-gpio.ko, from the emulated
Pi's trace of one boot of bench/pulse/guest-peer.sh.

Usage: peer.py RESULTS OUT.json

Both drivers drive the same GPIO18, in turn. Per phase (idle, load) and
driver:

  steady   the first N complete 1500 us pulses (N = bench.pulses): width
           error and period error, as analyse.py measures them
  change   the width switched between 1000 and 2000 us at 16 or more points
           of the period: every pulse must be one of the two widths. A
           pulse further than BROKEN_US from both is cut or stretched (a
           runt or a long pulse: the servo jerks); a period (rise to rise)
           further than BROKEN_US from 20 ms is broken too
  stop     stop and start in turn, the stops at 16 points of the period:
           every pulse must be 1500 us wide; any other is cut short by a
           stop (a runt) or stretched. Also whether the line was low after
           each stop
  hold     (idle) a position held for 10 s: timer expiries of the driver's
           own timers in the window (sesame's idle servo goes quiet
           idle-ms after the command; a PWM runs on)

The widths are judged from the trace's gpio_value events (1 us); a driver
with a hard timer and no busy-wait is typically a few microseconds off, so
BROKEN_US (50 us, about 5 degrees of a servo's travel) leaves timer
lateness out and catches every cut pulse.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyse  # noqa: E402
import sesame_trace as st  # noqa: E402  (analyse.py put it on the path)

NS_US = 1000
BROKEN_US = 50
DRIVERS = ("sesame", "pwm-gpio")
CHANGE_WIDTHS_US = (1000, 2000)


def all_pulses(edges, begin, end):
    """Every complete pulse (rise, fall) that rose inside the window, and
    the level the line was left at."""
    out, rise, level = [], None, 0
    for ts, lv in edges:
        if ts > end and rise is None:
            break
        if ts < begin:
            level = lv
            continue
        if lv == 1 and ts <= end:
            rise = ts
        elif lv == 0 and rise is not None:
            out.append((rise, ts))
            rise = None
        level = lv
    return out, level


def pokes(trace, begin, end):
    """(ts, value) of poke's writes in a window."""
    return [(ts, text[len("poke "):]) for ts, text in trace.markers()
            if begin <= ts <= end and text.startswith("poke ") and not text.startswith("poke ->")]


def judge_change(pulses, period_ns, writes):
    """Pulses that are neither width, and periods that are not 20 ms. Each
    broken pulse is described: its width, the rise-to-rise times around
    it, and how long before its rise the last write came (a write during
    the pulse is what "changed mid-pulse" would look like)."""
    off = [min(abs((f - r) / NS_US - w) for w in CHANGE_WIDTHS_US) for r, f in pulses]
    periods = [abs((b[0] - a[0] - period_ns) / NS_US) for a, b in zip(pulses, pulses[1:])]
    detail = []
    for i, x in enumerate(off):
        if x <= BROKEN_US:
            continue
        r, f = pulses[i]
        before = [r - ts for ts, _ in writes if ts <= f]
        detail.append({
            "width_us": round((f - r) / NS_US),
            "period_before_us": round((r - pulses[i - 1][0]) / NS_US) if i else None,
            "period_after_us": (round((pulses[i + 1][0] - r) / NS_US)
                                if i + 1 < len(pulses) else None),
            "last_write_before_rise_us": round(min(before) / NS_US) if before else None})
    return {"pulses": len(pulses),
            "broken_pulses": sum(1 for x in off if x > BROKEN_US),
            "broken_detail": detail,
            "worst_width_off_us": round(max(off), 1) if off else None,
            "broken_periods": sum(1 for x in periods if x > BROKEN_US),
            "worst_period_off_us": round(max(periods), 1) if periods else None}


def judge_stop(trace, gpio, pulses, writes, width_us):
    """Pulses other than the commanded width (runts, stretched), and the
    level of the line a period after each stop."""
    widths = [(f - r) / NS_US for r, f in pulses]
    runts = [w for w in widths if w < width_us - BROKEN_US]
    long_ = [w for w in widths if w > width_us + BROKEN_US]
    sets = trace.gpio_sets(gpio)
    stops = [ts for ts, v in writes if v in ("stop", "0")]
    left_high = 0
    for ts in stops:
        level = None
        for t, lv, _ in sets:
            if t > ts + 25_000_000:
                break
            level = lv
        left_high += level == 1
    return {"pulses": len(pulses), "stops": len(stops), "runts": len(runts),
            "runt_widths_us": sorted(round(w) for w in runts),
            "stretched": len(long_),
            "left_high_after_stop": left_high}


def expiries(trace, timers, begin, end):
    return sum(1 for e in trace.events if begin <= e.ts <= end and
               e.name == "hrtimer_expire_entry" and e.fields.get("hrtimer") in timers)


def analyse_peer(results):
    trace = st.Trace(os.path.join(results, "trace"))
    with open(os.path.join(results, "bench-info")) as f:
        info = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    dev = st.read_devices(results)
    gpio = int(dev["sesame"]["gpio"])
    idle_gpio = int(dev["sesame-idle"]["gpio"])
    n = int(info["pulses"])
    period_ns, width_ns = int(info["period_us"]) * NS_US, int(info["width_us"]) * NS_US
    # Both drivers' timers: whichever hrtimer callbacks wrote the line.
    line = st.Line(trace, gpio, timer_fn=None, period_us=int(info["period_us"]))
    idle_line = st.Line(trace, idle_gpio, timer_fn=None)
    edges = line.edges
    out = {"info": info, "lost_events": trace.lost, "broken_us": BROKEN_US, "runs": {}}
    for (phase, name), (begin, end) in sorted(analyse.windows(trace).items(),
                                              key=lambda kv: kv[1][0]):
        driver, _, kind = name.rpartition("-")
        if driver not in DRIVERS:
            continue
        run = {"phase": phase, "driver": driver, "kind": kind}
        if kind == "steady":
            pulses = analyse.pulses_in(edges, begin, end, n)
            run["pulses"] = len(pulses)
            run["width_error_us"] = analyse.figures([((f - r) - width_ns) / NS_US
                                                     for r, f in pulses])
            periods = analyse.period_errors(pulses, period_ns)
            run["period_error_us"] = analyse.figures(periods)
            # The grid starts at the write; the first rise waits for the
            # timer's first expiry, so the first period alone can be short.
            run["first_period_error_us"] = periods[0] if periods else None
            run["later_period_error_us"] = analyse.figures(periods[1:])
            span = pulses[-1][1] - pulses[0][0] if pulses else 0
            run["wakeups_per_s"] = (round(expiries(trace, line.timers, pulses[0][0],
                                                   pulses[-1][1]) / (span / 1e9), 1)
                                    if span else None)
        elif kind == "change":
            # From the first write on: a pulse before it is the steady
            # run's width, rightly neither of the two.
            writes = pokes(trace, begin, end)
            pulses, _ = all_pulses(edges, writes[0][0] if writes else begin, end)
            run.update(judge_change(pulses, period_ns, writes))
            run["writes"] = len(writes)
        elif kind == "stop":
            pulses, level = all_pulses(edges, begin, end)
            run.update(judge_stop(trace, gpio, pulses, pokes(trace, begin, end),
                                  width_ns / NS_US))
            run["level_at_end"] = level
        elif kind == "hold":
            timers = idle_line.timers if driver == "sesame" else line.timers
            secs = (end - begin) / 1e9
            count = expiries(trace, timers, begin, end)
            run.update({"seconds": round(secs, 2), "expiries": count,
                        "per_s": round(count / secs, 1)})
        out["runs"][f"{phase}/{name}"] = run
    for f in ("pwm-gpio-source", "sesame-busy-wait"):
        try:
            with open(os.path.join(results, f)) as fh:
                out[f.replace("-", "_")] = fh.read().strip()
        except OSError:
            pass
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="the results folder of one boot")
    ap.add_argument("out", help="the figures, as JSON")
    args = ap.parse_args(argv[1:])
    data = analyse_peer(args.results)
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
