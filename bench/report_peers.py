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


def _kernel_data(d, kernels, base):
    return [(name, data) for name, data in [("6.1 (bookworm)", base)] + [
        (KERNEL_NAMES.get(k, k), _load(d, f"pulse-{k}.json")) for k in kernels] if data]


def kernels_section(d, kernels, base):
    """Section 4: sesame's pulses per kernel, idle and loaded, and the
    user-space approaches beside them."""
    rows, user = [], []
    data_by_kernel = _kernel_data(d, kernels, base)
    for name, data in data_by_kernel:
        kver = data["info"].get("kernel", "?")
        for key, r in data["runs"].items():
            w = r["width_error_us"]
            if not r["name"].startswith("sesame-b"):
                user.append(f"| {name} | {r['phase']} | {r['name']} | {_fmt(w.get('p50'))} "
                            f"| {_fmt(w.get('p99'))} | {_fmt(w.get('max'))} |")
                continue
            if r["busy_wait_us"] not in (0, 5, 50):
                continue
            e = r["edge_late_us"]
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
    if user:
        out += ["", "The user-space approaches in the same boots (width error, us):\n",
                "| kernel | phase | approach | p50 | p99 | max |", "|---|---|---|---:|---:|---:|"]
        out += user
    out.append("")
    out += kernels_meaning(data_by_kernel)
    return out


def _budget_verdict(pairs):
    """Whether, with a budget, the two kernels' worst pulses differ."""
    diffs = [abs(a - b) for a, b in pairs if a is not None and b is not None]
    if diffs and max(diffs) <= 2:
        return ("With a busy-wait budget the two kernels' worst pulses are within "
                f"{max(diffs):.0f} us of each other, nothing a servo could feel; ")
    return ("With a busy-wait budget the worst pulses differ by up to "
            f"{max(diffs):.0f} us; " if diffs else "")


def _compare(who, before, after, what):
    """'who trims the worst pulse (10 to 4 us).' and the like."""
    if before is None or after is None:
        return f"{who}: no figure for the {what}."
    if after < before:
        return f"{who} trims the {what} ({_fmt(before)} to {_fmt(after)} us)."
    if after > before:
        return f"{who} makes the {what} worse ({_fmt(before)} to {_fmt(after)} us)."
    return f"{who} leaves the {what} as it was ({_fmt(before)} us)."


def _runs_named(data, phase, name):
    return next((r for r in data["runs"].values()
                 if r["phase"] == phase and r["name"] == name), None)


def kernels_meaning(data_by_kernel):
    """What PREEMPT_RT changes, from the load phase of each boot."""
    by = dict(data_by_kernel)
    plain, rt = by.get(KERNEL_NAMES["trixie-arm64"]), by.get(KERNEL_NAMES["trixie-rt-arm64"])
    out = ["### What PREEMPT_RT changes\n",
           "sesame asks for a hard hrtimer (`HRTIMER_MODE_ABS_HARD`), which PREEMPT_RT "
           "still runs in hard interrupt context, so its edges are timed the same way on "
           "both kernels; what RT moves to threads is the rest of the kernel's interrupt "
           "work, and most of its spinlocks become sleeping locks.\n"]
    if plain and rt:
        def w(data, name, key):
            r = _runs_named(data, "load", name)
            return r["width_error_us"].get(key) if r else None
        out.append(
            f"Under load, sesame's width error p99/max: budget 0 {_fmt(w(plain, 'sesame-b0', 'p99'))}"
            f"/{_fmt(w(plain, 'sesame-b0', 'max'))} us on 6.12 against "
            f"{_fmt(w(rt, 'sesame-b0', 'p99'))}/{_fmt(w(rt, 'sesame-b0', 'max'))} us on 6.12-rt; "
            f"budget 5 {_fmt(w(plain, 'sesame-b5', 'p99'))}/{_fmt(w(plain, 'sesame-b5', 'max'))} "
            f"against {_fmt(w(rt, 'sesame-b5', 'p99'))}/{_fmt(w(rt, 'sesame-b5', 'max'))}; "
            f"budget 50 {_fmt(w(plain, 'sesame-b50', 'p99'))}/{_fmt(w(plain, 'sesame-b50', 'max'))} "
            f"against {_fmt(w(rt, 'sesame-b50', 'p99'))}/{_fmt(w(rt, 'sesame-b50', 'max'))}. "
            + _budget_verdict([(w(plain, f"sesame-b{b}", "max"), w(rt, f"sesame-b{b}", "max"))
                               for b in (5, 50)])
            + _compare("without one, RT", w(plain, "sesame-b0", "max"),
                       w(rt, "sesame-b0", "max"), "worst pulse") +
            " The user-space approaches under load, 6.12 against 6.12-rt: the C PWM's p99 "
            f"{_fmt(w(plain, 'swpwm', 'p99'))} against {_fmt(w(rt, 'swpwm', 'p99'))} us, the "
            f"Python PWM's {_fmt(w(plain, 'python-gpiod', 'p99'))} against "
            f"{_fmt(w(rt, 'python-gpiod', 'p99'))} us.")
    out.append("")
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
           "Errors in us (1 us resolution). The period error is each rise-to-rise "
           "time against 20 ms; the first period is shown apart, because both drivers "
           "start their grid at the command and the first rise waits for the timer's "
           "first expiry.\n",
           "| driver | phase | pulses | width error mean | p50 | p99 | max | first period "
           "(signed) | later periods p50 | p99 | max | timer wakeups per second |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    out += _peer_rows(runs, "steady", [
        lambda r: str(r["pulses"]),
        lambda r: _fmt(r["width_error_us"].get("mean"), 1),
        lambda r: _fmt(r["width_error_us"].get("p50")),
        lambda r: _fmt(r["width_error_us"].get("p99")),
        lambda r: _fmt(r["width_error_us"].get("max")),
        lambda r: _fmt(r.get("first_period_error_us"), 0),
        lambda r: _fmt(r.get("later_period_error_us", {}).get("p50")),
        lambda r: _fmt(r.get("later_period_error_us", {}).get("p99")),
        lambda r: _fmt(r.get("later_period_error_us", {}).get("max")),
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
    out += peer_meaning(runs)
    return out


def _run(runs, phase, driver, kind):
    return runs.get(f"{phase}/{driver}-{kind}")


def peer_meaning(runs):
    """What section 5 says, in words, from this run's figures."""
    out = ["### What this means\n"]
    for phase in ("idle", "load"):
        s, p = _run(runs, phase, "sesame", "steady"), _run(runs, phase, "pwm-gpio", "steady")
        if not (s and p):
            continue
        sw, pw = s["width_error_us"], p["width_error_us"]
        out.append(f"- Steady, {phase}: width error p99 {_fmt(sw.get('p99'))} us (sesame) "
                   f"against {_fmt(pw.get('p99'))} us (pwm-gpio), worst {_fmt(sw.get('max'))} "
                   f"against {_fmt(pw.get('max'))} us. sesame's mean is "
                   f"{_fmt(sw.get('mean'), 1)} us against {_fmt(pw.get('mean'), 1)}: its fall is "
                   "timed from after the rise's write, so a pulse comes out that much long, "
                   "never short. That bias is where sesame loses, by design.")
    s = _run(runs, "idle", "sesame", "steady")
    if s and s.get("first_period_error_us") is not None:
        out.append(f"- sesame's first period is {_fmt(abs(s['first_period_error_us']), 0)} us "
                   f"{'short' if s['first_period_error_us'] < 0 else 'long'}: its grid starts at "
                   "the write, and the first rise waits for the timer's first expiry, which the "
                   "busy-wait cannot pull forward. Every later rise is on the grid (the later "
                   "periods' columns). A servo takes its position from the width, so one short "
                   "period at the start does not move it.")
    for phase in ("idle", "load"):
        for drv in ("sesame", "pwm-gpio"):
            r = _run(runs, phase, drv, "change")
            for b in (r or {}).get("broken_detail", []):
                on_grid = b["period_before_us"] == b["period_after_us"] == 20000
                mid = (b["last_write_before_rise_us"] is not None
                       and b["last_write_before_rise_us"] < 0)
                out.append(
                    f"- Width changes, {phase}: one {drv} pulse came out {b['width_us']} us wide. "
                    f"The periods around it were {b['period_before_us']} and "
                    f"{b['period_after_us']} us"
                    + (" (its rise on the grid)" if on_grid else "")
                    + (", and a write landed while it was high." if mid else
                       f", and the last write came {_fmt(b['last_write_before_rise_us'])} us "
                       "before its rise: the new width had been taken at the boundary, and "
                       "the fall came late, the timer firing later than the busy-wait budget "
                       "covers under the load."))
    stops = {d: _run(runs, "idle", d, "stop") for d in ("sesame", "pwm-gpio")}
    loads = {d: _run(runs, "load", d, "stop") for d in ("sesame", "pwm-gpio")}
    if all(stops.values()):
        runts = {d: stops[d]["runts"] + (loads[d]["runts"] if loads[d] else 0) for d in stops}
        out.append(f"- Stops: {runts['sesame']} runts from sesame and {runts['pwm-gpio']} from "
                   "pwm-gpio over both phases. sesame ends the train at a period boundary; "
                   "pwm-gpio's disable takes effect when it is written, and a pulse under way "
                   "can be cut.")
    holds = {r["driver"]: r for r in runs.values() if r["kind"] == "hold"}
    if "sesame" in holds and "pwm-gpio" in holds and holds["sesame"]["expiries"]:
        ratio = holds["pwm-gpio"]["expiries"] / holds["sesame"]["expiries"]
        out.append(f"- Holding a position: {holds['sesame']['expiries']} timer expiries for "
                   f"sesame against {holds['pwm-gpio']['expiries']} for pwm-gpio in 10 s "
                   f"({ratio:.1f} times as many): sesame stops pulsing after idle-ms, a PWM "
                   "runs until someone disables it.")
    out.append("")
    return out


def _servos_goal_met(r):
    """The several-servos goal, for one run: each width p99 and the CPU."""
    return (r["worst_p99_us"] is not None and r["worst_p99_us"] <= SERVOS_P99_GOAL_US
            and r["cpu_percent"] is not None and r["cpu_percent"] <= SERVOS_CPU_GOAL)


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
           "(us) | late edges (> 5 us) | rises spread (us) | CPU of all callbacks (one core) | goal |",
           "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        goal = ""
        if r["servos"] == 8:
            ok = _servos_goal_met(r)
            goal = _met(ok)
        out.append(f"| {r['servos']} | {r['busy_wait_us']} | {_fmt(r['worst_p99_us'])} "
                   f"| {_fmt(r['worst_late_us'], 0)} | {r['late_edges']} "
                   f"| {_fmt(r['rise_spread_us'], 1)} | {_fmt(r['cpu_percent'], 2)} % | {goal} |")
    out.append("")
    out += servos_meaning(runs)
    return out


def servos_goal_row(d):
    """The several-servos goal as a row of the targets table, or None."""
    data = _load(d, "servos.json")
    if not data:
        return None
    eight = sorted((r for r in data["runs"].values() if r["servos"] == 8),
                   key=lambda r: r["busy_wait_us"])
    if not eight:
        return None
    cells = [f"budget {r['busy_wait_us']} us: p99 {_fmt(r['worst_p99_us'])} us, "
             f"{_fmt(r['cpu_percent'], 2)} % ({_met(_servos_goal_met(r)).strip('*')})"
             for r in eight]
    all_ok = all(_servos_goal_met(r) for r in eight)
    return (f"| 8 servos at once, each width p99 <= {SERVOS_P99_GOAL_US:.0f} us, all "
            f"callbacks <= {SERVOS_CPU_GOAL:.0f} % of one core | " + "; ".join(cells) +
            f" | {_met(all_ok)} |")


def servos_meaning(runs):
    """Section 6 in words: the goal, what coinciding edges cost, one timer or
    several."""
    eight = {r["busy_wait_us"]: r for r in runs if r["servos"] == 8}
    one = {r["busy_wait_us"]: r for r in runs if r["servos"] == 1}
    if not eight:
        return []
    out = ["### What this means\n"]
    for b, r in sorted(eight.items()):
        ok = _servos_goal_met(r)
        out.append(f"- Budget {b} us, 8 servos: worst servo's width p99 {_fmt(r['worst_p99_us'])} "
                   f"us, all callbacks {_fmt(r['cpu_percent'], 2)} % of one core; the goal is "
                   f"{_met(ok)}. Late edges: {r['late_edges']} "
                   f"(one servo alone: {one[b]['late_edges'] if b in one else 'n/a'}), "
                   f"the latest {_fmt(r['worst_late_us'], 0)} us.")
    lo, hi = min(eight), max(eight)
    extra = (eight[hi]["rise_spread_us"] or 0) - (eight[lo]["rise_spread_us"] or 0)
    out.append(
        f"- Do edges that fall together make each other late? The servos' grids start at "
        f"their own writes, one program's back-to-back writes apart (the rises' spread at "
        f"budget {lo}: {_fmt(eight[lo]['rise_spread_us'], 0)} us for 8). At budget {hi} the "
        "eight timers, each set that much before its edge, expire into the same hrtimer "
        "interrupt on the same CPU, which runs their callbacks one after another; each "
        "busy-waits for its own edge, and what one does after its edge delays the next: "
        f"the rises spread {_fmt(extra, 0)} us further and {eight[hi]['late_edges']} edges "
        f"come late, up to {_fmt(eight[hi]['worst_late_us'], 0)} us. The widths do not "
        f"suffer (p99 {_fmt(eight[hi]['worst_p99_us'])} us): each fall is timed from its own "
        "rise, and the width is what positions a servo.")
    all_ok = all(_servos_goal_met(r) for r in eight.values())
    out.append(
        "- Should one timer serve several servos? "
        + ("Not for precision: the goal is met with one timer per servo at every budget "
           "measured, and a late rise costs a servo nothing it can feel. " if all_ok else
           "The goal is missed at some budget with one timer per servo (above). ")
        + "One timer per group of servos with the same period would wake once and "
        "busy-wait once for edges that fall together, so the CPU cost would stop growing "
        f"with the servo count ({_fmt(eight[hi]['cpu_percent'], 2)} % for 8 at budget {hi}, "
        f"{_fmt(one[hi]['cpu_percent'] if hi in one else None, 2)} % for one), and the edges "
        "would stop chaining. The price is coupling: one servo's command or removal would "
        "touch every servo's timer, and one stuck line would hold up all of them. "
        + ("With the figures above that is not worth it" if all_ok else
           "Whether that is worth it is open")
        + (f"; a user with many servos can lower busy_wait_us to 5 (8 servos: p99 "
           f"{_fmt(eight[5]['worst_p99_us'])} us, {_fmt(eight[5]['cpu_percent'], 2)} % of a "
           f"core, {eight[5]['late_edges']} late edges)." if 5 in eight else "."))
    out.append("")
    return out


def sections(d, kernels, base_pulse):
    """Every section this module writes, as Markdown lines."""
    return kernels_section(d, kernels, base_pulse) + peer_section(d) + servos_section(d)
