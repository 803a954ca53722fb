"""histplot.py - one PNG of several distributions, as step histograms on a
log-scaled axis (gnuplot), for the benchmarks' analyses.

Both the pulse widths (bench/pulse/analyse.py) and the command latencies
(bench/latency/analyse.py) are plotted this way, so that their pictures
read alike.
"""
import os
import subprocess
import tempfile


def bin_counts(values, edges):
    """How many VALUES fall in each bin: bin k holds edges[k] <= v <
    edges[k + 1]; a value below the first edge counts in the first bin."""
    counts = [0] * len(edges)
    for v in values:
        counts[max([k for k, e in enumerate(edges) if v >= e] or [0])] += 1
    return counts


def plot(series, edges, png, title, xlabel, ylabel, xrange, first_x=None):
    """SERIES: (name, values) pairs, each drawn as its share per bin (%).
    FIRST_X, when given, is where the first bin is drawn (a log axis cannot
    show 0)."""
    with tempfile.TemporaryDirectory() as tmp:
        plots = []
        for i, (name, values) in enumerate(series):
            dat = os.path.join(tmp, f"s{i}.dat")
            with open(dat, "w") as f:
                for k, (e, c) in enumerate(zip(edges, bin_counts(values, edges))):
                    x = first_x if k == 0 and first_x is not None else e
                    f.write(f"{x} {100 * c / len(values)}\n")
            plots.append(f"'{dat}' using 1:2 with steps lw 2 title '{name}'")
        script = os.path.join(tmp, "plot.gp")
        with open(script, "w") as f:
            f.write("set terminal pngcairo size 900,500 font 'sans,10'\n")
            f.write(f"set output '{png}'\nset title '{title}'\n")
            f.write(f"set logscale x\nset xrange [{xrange[0]}:{xrange[1]}]\nset grid\n")
            f.write(f"set xlabel '{xlabel}'\nset ylabel '{ylabel}'\nset key top right\n")
            f.write("plot " + ", ".join(plots) + "\n")
        subprocess.run(["gnuplot", script], check=True)
