#!/usr/bin/env python3
"""servos.py - several sesame servos at once, from the emulated Pi's trace
of one boot of bench/pulse/guest-servos.sh.

Usage: servos.py RESULTS OUT.json

For each run "servos-N-bB" (N servos pulsing together at busy-wait budget
B us), per servo: its first bench.pulses complete pulses, width error
(mean, p50/p99/max) and edge lateness (each edge against the time the
driver had programmed for it, as analyse.py judges sesame's); for the run:
the worst servo's p99 and lateness, how far apart the servos' rises were
(the median, over the periods, of the spread from the first servo's rise
to the last's: near zero means their edges fell together), and the CPU
share of all the servos' timer callbacks together (from each expiry to the
re-arm that ends it, over the span of the pulses).
"""
import argparse
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyse  # noqa: E402
import sesame_trace as st  # noqa: E402  (analyse.py put it on the path)

NS_US = 1000
RUN_RE = re.compile(r"^servos-(\d+)-b(\d+)$")
# The order guest-servos.sh starts them in.
ORDER = ["sesame"] + [f"sesame-s{i}" for i in range(2, 9)]


def rise_spread(per_servo):
    """Median over the periods of (last servo's rise - first's), us."""
    if len(per_servo) < 2:
        return 0.0
    spreads = []
    for rises in zip(*[[r for r, _ in p] for p in per_servo]):
        spreads.append((max(rises) - min(rises)) / NS_US)
    return round(statistics.median(spreads), 1) if spreads else None


def analyse_servos(results):
    trace = st.Trace(os.path.join(results, "trace"))
    with open(os.path.join(results, "bench-info")) as f:
        info = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    dev = st.read_devices(results)
    n = int(info["pulses"])
    period_us, width_ns = int(info["period_us"]), int(info["width_us"]) * NS_US
    servos = {name: analyse.Sesame(trace, int(dev[name]["gpio"]), period_us)
              for name in ORDER if name in dev}
    edges = {name: st.Line(trace, s.gpio, period_us=period_us).edges
             for name, s in servos.items()}
    runs = {}
    for (phase, name), (begin, end) in sorted(analyse.windows(trace).items(),
                                              key=lambda kv: kv[1][0]):
        m = RUN_RE.match(name)
        if not m:
            continue
        count, budget = int(m.group(1)), int(m.group(2))
        used = ORDER[:count]
        per, pulses_of, cpu_ns, first, last = {}, [], 0, None, None
        for sname in used:
            pulses = analyse.pulses_in(edges[sname], begin, end, n)
            pulses_of.append(pulses)
            late = analyse.late_sesame(servos[sname].due(budget, pulses), pulses)
            per[sname] = {"pin": int(dev[sname]["pin"]), "pulses": len(pulses),
                          "width_error_us": analyse.figures(
                              [((f - r) - width_ns) / NS_US for r, f in pulses]),
                          "edge_late_us": analyse.figures([max(0, x) / NS_US for x in late]),
                          "late_edges": sum(1 for x in late if x > analyse.LATE_NS)}
            if pulses:
                first = pulses[0][0] if first is None else min(first, pulses[0][0])
                last = pulses[-1][1] if last is None else max(last, pulses[-1][1])
        if first is not None:
            for sname in used:
                cpu_ns += servos[sname].callbacks(budget, first, last)[1]
        span = (last - first) if first is not None else 0
        p99s = [s["width_error_us"].get("p99") for s in per.values()
                if s["width_error_us"]["n"]]
        lates = [s["edge_late_us"].get("max") for s in per.values() if s["edge_late_us"]["n"]]
        runs[name] = {"servos": count, "busy_wait_us": budget, "per_servo": per,
                      "worst_p99_us": max(p99s) if p99s else None,
                      "worst_late_us": max(lates) if lates else None,
                      "late_edges": sum(s["late_edges"] for s in per.values()),
                      "rise_spread_us": rise_spread(pulses_of),
                      "cpu_percent": round(100 * cpu_ns / span, 2) if span else None}
    return {"info": info, "lost_events": trace.lost, "runs": runs}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="the results folder of one boot")
    ap.add_argument("out", help="the figures, as JSON")
    args = ap.parse_args(argv[1:])
    data = analyse_servos(args.results)
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
