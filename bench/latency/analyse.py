#!/usr/bin/env python3
"""analyse.py - the figures of bench/latency/latency.sh's results.

Usage: analyse.py RESULTS OUT.json [--plot FILE.png]

Latency of each command: the time the /dev/sesame stand-in got the write
(dev.log, stamped by fake-sesame -t) less the time the publisher handed
it to libmosquitto (NAME-R.stamps); the k-th measured command is the k-th
write after the publisher's "lines_before". Each run must deliver every
command, in order ("open" and "close" in turn), or the analysis fails.

Per subscriber: latency p50/p99/max/mean (us, all rounds pooled, and p99
per round), resident memory after the run (RSS, PSS, USS, kB, summed over
its processes), CPU time per 1000 commands (schedstat, all threads), the
host's load and CPU use during each run; the floor (rss-floor); idle
wakeups and CPU (idle.txt) and the bridge's system calls while idle
(idle-strace.txt). "share": the bridge's and paho's own part of each
command's latency, from the kernel's trace of their rounds (share.py says
which span), or why there is none.
"""
import argparse
import collections
import glob
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "system", "trace"))
from sesame_trace import percentile  # noqa: E402

import share  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import histplot  # noqa: E402

RUN_RE = re.compile(r"^(\w+)-(\d+)\.stamps$")


def read_proc(path):
    """A .proc file: {"before": [procs], "after": [procs], "host": [...]}."""
    out = {"before": [], "after": [], "loadavg": [], "stat": []}
    part = None
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] in ("before", "after"):
                part = w[0]
            elif w[0] == "loadavg":
                out["loadavg"].append([float(x) for x in w[1:4]])
            elif w[0] == "stat":
                out["stat"].append([int(x) for x in w[2:]])
            elif part and len(w) == 7 and w[0].isdigit():
                out[part].append({"pid": int(w[0]), "comm": w[1], "cpu_ns": int(w[2]),
                                  "rss_kb": int(w[3]), "pss_kb": int(w[4]),
                                  "uss_kb": int(w[5]), "ctxt": int(w[6])})
    return out


def host_use(stat_a, stat_b):
    """Busy and steal shares of all host CPUs between two /proc/stat lines."""
    d = [b - a for a, b in zip(stat_a, stat_b)]
    total = sum(d) or 1
    idle = d[3] + d[4]
    steal = d[7] if len(d) > 7 else 0
    return {"busy_percent": round(100 * (total - idle) / total, 1),
            "steal_percent": round(100 * steal / total, 1)}


def figures(values):
    if not values:
        return {"n": 0}
    return {"n": len(values), "mean": round(statistics.fmean(values), 1),
            "p50": round(percentile(values, 50), 1), "p99": round(percentile(values, 99), 1),
            "max": round(max(values), 1), "min": round(min(values), 1)}


def analyse(results):
    with open(os.path.join(results, "dev.log")) as f:
        writes = [line.split() for line in f if line.strip()]
    subs = collections.OrderedDict()
    for path in sorted(glob.glob(os.path.join(results, "*.stamps"))):
        m = RUN_RE.match(os.path.basename(path))
        if not m:
            continue
        name, rnd = m.group(1), int(m.group(2))
        with open(path) as f:
            lines = f.read().split("\n")
        before = int(lines[0].split("=")[1])
        stamps = [line.split() for line in lines[1:] if line.strip()]
        got = writes[before:before + len(stamps)]
        if len(got) != len(stamps):
            sys.exit(f"analyse: {name} round {rnd}: {len(stamps)} commands published, "
                     f"{len(got)} reached the device")
        lat = []
        for (k, t_pub, payload), (t_dev, cmd) in zip(stamps, got):
            if cmd != payload:
                sys.exit(f"analyse: {name} round {rnd}: command {k} was '{payload}', "
                         f"the device got '{cmd}'")
            lat.append((int(t_dev) - int(t_pub)) / 1000)
        proc = read_proc(os.path.join(results, f"{name}-{rnd}.proc"))
        cpu = sum(p["cpu_ns"] for p in proc["after"]) - sum(p["cpu_ns"] for p in proc["before"])
        s = subs.setdefault(name, {"latencies": [], "rounds": []})
        s["latencies"] += lat
        s["rounds"].append({
            "round": rnd, "latency_us": figures(lat),
            "cpu_ms_per_1000": round(cpu / 1e6 * 1000 / len(lat), 1),
            "rss_kb": sum(p["rss_kb"] for p in proc["after"]),
            "pss_kb": sum(p["pss_kb"] for p in proc["after"]),
            "uss_kb": sum(p["uss_kb"] for p in proc["after"]),
            "processes": [f"{p['comm']} {p['rss_kb']}/{p['pss_kb']}/{p['uss_kb']}"
                          for p in proc["after"]],
            "loadavg_before": proc["loadavg"][0] if proc["loadavg"] else None,
            "loadavg_after": proc["loadavg"][-1] if proc["loadavg"] else None,
            "host": host_use(proc["stat"][0], proc["stat"][-1]) if len(proc["stat"]) > 1 else None,
        })
    out = {"subscribers": {}}
    for name, s in subs.items():
        rounds = s["rounds"]
        out["subscribers"][name] = {
            "commands": len(s["latencies"]),
            "latency_us": figures(s["latencies"]),
            "p99_per_round_us": [r["latency_us"]["p99"] for r in rounds],
            "cpu_ms_per_1000": round(statistics.median(r["cpu_ms_per_1000"] for r in rounds), 1),
            "cpu_ms_per_1000_rounds": [r["cpu_ms_per_1000"] for r in rounds],
            "rss_kb": max(r["rss_kb"] for r in rounds),
            "pss_kb": round(statistics.median(r["pss_kb"] for r in rounds)),
            "uss_kb": max(r["uss_kb"] for r in rounds),
            "rounds": rounds,
            "_lat": s["latencies"],
        }
    floor = read_proc_floor(os.path.join(results, "floor.proc"))
    if floor:
        out["floor"] = floor
    for name in ("bridge", "baseline"):
        p = os.path.join(results, f"{name}.smaps")
        if os.path.exists(p):
            out.setdefault("smaps", {})[name] = smaps_by_file(p)
    idle = os.path.join(results, "idle.txt")
    if os.path.exists(idle):
        out["idle"] = read_idle(idle)
    st = os.path.join(results, "idle-strace.txt")
    if os.path.exists(st):
        out["idle_strace"] = read_strace(st)
    out["share"] = read_share(results)
    return out


def read_share(results):
    """Per traced subscriber: its own share of the latency, pooled over
    rounds, and each part of it (us)."""
    why = os.path.join(results, "share.txt")
    if os.path.exists(why):
        with open(why) as f:
            return {"none": f.read().strip()}
    out = collections.OrderedDict()
    for path in sorted(glob.glob(os.path.join(results, "*.trace"))):
        name, rnd = os.path.basename(path)[:-len(".trace")].rsplit("-", 1)
        info = share.read_info(path[:-len(".trace")] + ".share")
        s = out.setdefault(name, {"spans": [], "not_woken": 0, "lost_events": 0, "rounds": [],
                                  "rounds_left_out": []})
        try:
            got, not_woken = share.spans(path, info)
        except ValueError as e:
            s["rounds_left_out"].append(f"round {rnd}: {e}")
            continue
        s["spans"] += got
        s["not_woken"] += not_woken
        s["lost_events"] += share.lost(path)
        s["rounds"].append({"round": int(rnd), "commands": len(got), "not_woken": not_woken,
                            "share_us": figures([g["share"] for g in got])})
    for s in out.values():
        spans = s.pop("spans")
        s["commands"] = len(spans)
        for part in ("share", "span", "standin", "sched", "user"):
            s[f"{part}_us"] = figures([g[part] for g in spans])
    return out


def read_proc_floor(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 7 and w[0].isdigit():
                return {"rss_kb": int(w[3]), "pss_kb": int(w[4]), "uss_kb": int(w[5])}
    return None


def smaps_by_file(path):
    """Resident and proportional kB per mapped file (or [heap], [anon]...)."""
    rss, pss = collections.Counter(), collections.Counter()
    cur = None
    with open(path) as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                cur = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
            elif line.startswith("Rss:"):
                rss[cur] += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss[cur] += int(line.split()[1])
    return [{"file": k, "rss_kb": v, "pss_kb": pss[k]} for k, v in rss.most_common() if v]


def read_idle(path):
    """Per subscriber: wakeups (voluntary context switches) and CPU over the window."""
    out, part, name = {}, None, None
    head = {}
    stats = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "window":
                head = {"window_s": int(w[1]), "keepalive_s": int(w[3])}
            elif w[0] in ("before", "after"):
                part, name = w[0], w[1]
                out.setdefault(name, {"before": [], "after": []})
            elif w[0] == "stat":
                stats.append([int(x) for x in w[2:]])
            elif w[0] == "loadavg":
                head.setdefault("loadavg", []).append([float(x) for x in w[1:4]])
            elif part and len(w) == 7 and w[0].isdigit():
                out[name][part].append((int(w[2]), int(w[6])))
    res = dict(head)
    if len(stats) > 1:
        res["host"] = host_use(stats[0], stats[-1])
    res["subscribers"] = {}
    for name, d in out.items():
        cpu = sum(c for c, _ in d["after"]) - sum(c for c, _ in d["before"])
        ctx = sum(x for _, x in d["after"]) - sum(x for _, x in d["before"])
        res["subscribers"][name] = {
            "wakeups": ctx, "wakeups_per_min": round(ctx * 60 / head["window_s"], 1),
            "cpu_ms": round(cpu / 1e6, 2),
            "cpu_percent": round(100 * cpu / 1e9 / head["window_s"], 4)}
    return res


def read_strace(path):
    """The bridge's system calls while idle, by name, and its waits' ends."""
    calls = collections.Counter()
    timeouts = ready = 0
    first = last = None
    with open(path) as f:
        for line in f:
            m = re.match(r"^\d+\s+(\d+):(\d+):([\d.]+) (\w+)\(", line)
            if not m:
                continue
            t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            first = t if first is None else first
            last = t
            calls[m.group(4)] += 1
            if m.group(4) in ("ppoll", "poll"):
                if "Timeout" in line:
                    timeouts += 1
                elif "= 1" in line or "revents" in line:
                    ready += 1
    return {"calls": dict(calls.most_common()), "seconds": round((last or 0) - (first or 0), 1),
            "waits_timed_out": timeouts, "waits_woken_by_input": ready}


def plot(subs, png):
    """Latency distributions, log-spaced bins."""
    edges = [round(10 ** (k / 10), 1) for k in range(10, 51)]    # 10 us .. 100 ms
    histplot.plot([(name, s["_lat"]) for name, s in subs.items()], edges, png,
                  "MQTT publish (TLS, QoS 1) to write() on /dev/sesame, loopback",
                  "latency (us), log scale", "commands (%)", (10, 100000))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("out")
    ap.add_argument("--plot", help="write the latency histogram here")
    args = ap.parse_args(argv[1:])
    data = analyse(args.results)
    if args.plot:
        plot(data["subscribers"], args.plot)
    for s in data["subscribers"].values():
        del s["_lat"]
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
