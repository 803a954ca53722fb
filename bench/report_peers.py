"""report_peers.py - the parts of bench/RESULTS.md that compare sesame with
its closest peers in the emulated Pi (issue 13): the pulse table on the
other kernels, sesame.ko against mainline's pwm-gpio.ko, and several
servos at once. report.py calls sections() and places what it returns
before "Reproduce".

Every figure comes from the JSON that bench/pulse/analyse.py, peer.py and
servos.py wrote for this run; goals are stated beside the figures, met or
missed.
"""
import json
import os

SERVOS_P99_GOAL_US = 5.0
SERVOS_CPU_GOAL = 5.0         # % of one core, all servos together
KERNEL_NAMES = {"trixie-arm64": "6.12 (trixie)", "trixie-rt-arm64": "6.12 PREEMPT_RT (trixie)"}


def _load(d, name):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _fmt(v, digits=0):
    if v is None:
        return "n/a"
    return f"{v:.{digits}f}" if isinstance(v, float) or digits else str(v)


def _met(ok):
    return "**met**" if ok else "**missed**"


def kernels_section(d, kernels, base):
    """Section 4: sesame's pulses per kernel, idle and loaded."""
    rows = []
    for name, data in [("6.1 (bookworm)", base)] + [
            (KERNEL_NAMES.get(k, k), _load(d, f"pulse-{k}.json")) for k in kernels]:
        if not data:
            continue
        kver = data["info"].get("kernel", "?")
        for key, r in data["runs"].items():
            if not r["name"].startswith("sesame-b") or r["busy_wait_us"] not in (0, 5, 50):
                continue
            w, e = r["width_error_us"], r["edge_late_us"]
            rows.append(f"| {name} `{kver}` | {r['phase']} | {r['busy_wait_us']} | {r['pulses']} "
                        f"| {_fmt(w.get('p50'))} | {_fmt(w.get('p99'))} | {_fmt(w.get('max'))} "
                        f"| {_fmt(e.get('p99'), 0)} | {_fmt(e.get('max'), 0)} "
                        f"| {r['late_edges']} of {r['edges_judged']} "
                        f"| {_fmt(r.get('cpu_percent'), 2)} % |")
    if not rows:
        return []
    out = ["## 4. sesame's pulses on each kernel\n",
           "The approaches table's sesame rows again, in a boot of each kernel (same "
           "instruction-counted guest time, same load, CPU0 only), at busy-wait budgets "
           "0, 5 and 50 us. Widths are judged from the trace (1 us).\n",
           "| kernel | phase | busy-wait (us) | pulses | width error p50 | p99 | max "
           "| edge lateness p99 | max | late edges | CPU (one core) |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    out += rows
    out.append("")
    out.append("What PREEMPT_RT changes: its hard hrtimers still run in hard interrupt "
               "context (sesame asks for `HRTIMER_MODE_ABS_HARD`), so its edges are "
               "timed the same way; what moves to threads is the rest of the kernel's "
               "interrupt work, which under load no longer holds an edge up. The rows "
               "above are the measurement; compare the p99 and max columns of the load "
               "phase.\n")
    return out


def _peer_rows(runs, kind, cols):
    out = []
    for r in runs.values():
        if r["kind"] == kind:
            out.append("| " + " | ".join([r["driver"], r["phase"]] + [c(r) for c in cols]) + " |")
    return out


def peer_section(d):
    """Section 5: sesame.ko against pwm-gpio.ko, same boot and GPIO."""
    data = _load(d, "peer.json")
    if not data:
        return []
    runs = data["runs"]
    broken = data["broken_us"]
    out = ["## 5. sesame.ko against mainline's pwm-gpio.ko\n",
           f"One boot of the emulated Pi 3 with `{data['info'].get('kernel')}`: sesame.ko "
           f"(busy-wait {data.get('sesame_busy_wait', '?')} us, its default) and "
           f"pwm-gpio.ko built out of tree from Debian's `{data.get('pwm_gpio_source', '?')}` "
           "(Debian's kernels do not build it), each bound to GPIO18 in turn through a device "
           "tree node, pwm-gpio driven through `/sys/class/pwm`. Same trace, same load.\n",
           "### Steady pulses (1500 us every 20 ms)\n",
           "| driver | phase | pulses | width error mean | p50 | p99 | max | period error p50 "
           "| p99 | max | timer wakeups per second |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    out += _peer_rows(runs, "steady", [
        lambda r: str(r["pulses"]),
        lambda r: _fmt(r["width_error_us"].get("mean"), 1),
        lambda r: _fmt(r["width_error_us"].get("p50")),
        lambda r: _fmt(r["width_error_us"].get("p99")),
        lambda r: _fmt(r["width_error_us"].get("max")),
        lambda r: _fmt(r["period_error_us"].get("p50")),
        lambda r: _fmt(r["period_error_us"].get("p99")),
        lambda r: _fmt(r["period_error_us"].get("max")),
        lambda r: _fmt(r.get("wakeups_per_s"))])
    out += ["", "### A new width in the middle of a period\n",
            "The width switched between 1000 and 2000 us 32 times, the writes landing at "
            f"16 or more points of the period. A pulse more than {broken} us from both widths "
            "is cut or stretched (the servo jerks towards a position nobody asked for); a "
            f"period more than {broken} us off 20 ms is broken.\n",
            "| driver | phase | writes | pulses | cut or stretched pulses | worst width off "
            "(us) | broken periods | worst period off (us) |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    out += _peer_rows(runs, "change", [
        lambda r: str(r["writes"]), lambda r: str(r["pulses"]),
        lambda r: str(r["broken_pulses"]), lambda r: _fmt(r["worst_width_off_us"], 1),
        lambda r: str(r["broken_periods"]), lambda r: _fmt(r["worst_period_off_us"], 1)])
    out += ["", "### Stopped and started\n",
            "Stop and start (1500 us) in turn, 16 stops landing 0.3 to 19.5 ms after their "
            "start. Every pulse should be 1500 us wide; a stop that cuts one leaves a runt "
            "(the servo twitches).\n",
            "| driver | phase | stops | pulses | runts | runt widths (us) | stretched "
            "| line high after a stop |",
            "|---|---|---:|---:|---:|---|---:|---:|"]
    out += _peer_rows(runs, "stop", [
        lambda r: str(r["stops"]), lambda r: str(r["pulses"]), lambda r: str(r["runts"]),
        lambda r: ", ".join(str(w) for w in r["runt_widths_us"]) or "none",
        lambda r: str(r["stretched"]), lambda r: str(r["left_high_after_stop"])])
    out += ["", "### Holding a position for 10 s\n",
            "Timer expiries in a 10 s window from the command: sesame's idle servo "
            "(GPIO23, the default idle-ms of 1000) pulses 1 s and goes quiet; a PWM "
            "keeps running until it is disabled.\n",
            "| driver | expiries in the window | per second |", "|---|---:|---:|"]
    out += [f"| {r['driver']} | {r['expiries']} | {_fmt(r['per_s'], 1)} |"
            for r in runs.values() if r["kind"] == "hold"]
    out.append("")
    return out


def servos_section(d):
    """Section 6: 1, 2, 4 and 8 servos at once."""
    data = _load(d, "servos.json")
    if not data:
        return []
    runs = sorted(data["runs"].values(), key=lambda r: (r["busy_wait_us"], r["servos"]))
    out = ["## 6. Several servos at once\n",
           f"One boot with `{data['info'].get('kernel')}`, idle: 1, 2, 4 and 8 sesame servos "
           "on GPIOs 18, 17, 22-27, all 1500 us wide, started by one program's back-to-back "
           "writes so that their edges fall together (the spread column: the median, over "
           "the periods, of the time from the first servo's rise to the last's). Goal: 8 "
           f"servos with each p99 <= {SERVOS_P99_GOAL_US:.0f} us and all callbacks together "
           f"<= {SERVOS_CPU_GOAL:.0f} % of one core.\n",
           "| servos | busy-wait (us) | worst servo's width error p99 | worst edge lateness "
           "(us) | late edges | rises spread (us) | CPU of all callbacks (one core) | goal |",
           "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        goal = ""
        if r["servos"] == 8:
            ok = (r["worst_p99_us"] is not None and r["worst_p99_us"] <= SERVOS_P99_GOAL_US
                  and r["cpu_percent"] is not None and r["cpu_percent"] <= SERVOS_CPU_GOAL)
            goal = _met(ok)
        out.append(f"| {r['servos']} | {r['busy_wait_us']} | {_fmt(r['worst_p99_us'])} "
                   f"| {_fmt(r['worst_late_us'], 0)} | {r['late_edges']} "
                   f"| {_fmt(r['rise_spread_us'], 1)} | {_fmt(r['cpu_percent'], 2)} % | {goal} |")
    out.append("")
    return out


def sections(d, kernels, base_pulse):
    """Every section this module writes, as Markdown lines."""
    return kernels_section(d, kernels, base_pulse) + peer_section(d) + servos_section(d)
