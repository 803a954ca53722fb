#!/usr/bin/env python3
"""report.py - bench/RESULTS.md from one run of `make bench`.

Usage: report.py BENCHDIR RESULTS.md

BENCHDIR is what bench/run.sh left (machine.txt, load.txt, pulse.json,
pulse-host.json, latency.json, memory.json, pulse-KERNEL.json, peer.json,
servos.json, img/); report_peers.py writes the sections on the closest
peers in the emulated Pi. Every figure in the report comes
from those files; the text around them explains how they were taken and
says, target by target, whether the issue's aims were met and by how much
they were missed.
"""
import json
import os
import sys

import report_peers

WIDTH_TARGET_US = 5.0
RATIO_C_TARGET = 10
LATENCY_TARGET_US = 1000.0
RATIO_PAHO_TARGET = 5
RSS_TARGET_KB = 4 * 1024
SHARE_TARGET_US = 100.0

NAMES = {"swpwm": "user-space C (libgpiod, clock_nanosleep, SCHED_FIFO)",
         "python-gpiod": "Python software PWM (python3-libgpiod)",
         "bridge": "sesame-bridge", "baseline": "sesame-bridge before (libsystemd)",
         "paho": "Python paho-mqtt subscriber", "shell": "mosquitto_sub | while read"}


def cell(text):
    """Text for a Markdown table cell."""
    return str(text).replace("|", "\\|")


def load_json(path):
    with open(path) as f:
        return json.load(f)


def kv(path):
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    return f"{v:.{digits}f}" if isinstance(v, float) or digits else str(v)


def approach(name):
    if name.startswith("sesame-b"):
        return f"sesame.ko, busy-wait {name[len('sesame-b'):]} us"
    return NAMES.get(name, name)


def budget_of(name):
    return int(name[len("sesame-b"):]) if name.startswith("sesame-b") else None


def pulse_table(runs, phase):
    rows = [r for r in runs.values() if r["phase"] == phase]
    out = ["| approach | pulses | width error mean | p50 | p99 | max | period error p50 | p99 "
           "| max | edge lateness p50 | p99 | late edges | CPU (one core) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        w, p, e = r["width_error_us"], r["period_error_us"], r["edge_late_us"]
        cpu = r.get("cpu_percent")
        out.append(f"| {cell(approach(r['name']))} | {r['pulses']} | {fmt(w.get('mean'), 1)} "
                   f"| {fmt(w.get('p50'))} | {fmt(w.get('p99'))} | {fmt(w.get('max'))} "
                   f"| {fmt(p.get('p50'))} | {fmt(p.get('p99'))} | {fmt(p.get('max'))} "
                   f"| {fmt(e.get('p50'), 0)} | {fmt(e.get('p99'), 0)} "
                   f"| {r['late_edges']} of {r['edges_judged']} "
                   f"| {fmt(cpu, 2) + ' %' if cpu is not None else 'n/a'} |")
    return "\n".join(out)


def chosen_budget(runs, phases):
    """The smallest budget whose p99 width error is within target in every
    phase; otherwise the budget with the best worst-phase p99."""
    # Compensation on: a budget of 0 turns it off.
    budgets = sorted({r["busy_wait_us"] for r in runs.values() if r.get("busy_wait_us")})
    best = None
    for b in budgets:
        p99s = [runs.get(f"{ph}/sesame-b{b}", {}).get("width_error_us", {}).get("p99")
                for ph in phases]
        if any(p is None for p in p99s):
            continue
        worst = max(p99s)
        if worst <= WIDTH_TARGET_US:
            return b, True
        if best is None or worst < best[1]:
            best = (b, worst)
    return (best[0] if best else None), False


def ratio(alt, mine):
    """How many times smaller sesame's p99 is; the trace's 1 us resolution
    bounds it when sesame's p99 is below that."""
    if alt is None or mine is None:
        return "n/a"
    if mine < 1:
        return f"at least {alt:.0f}x (sesame below the trace's 1 us resolution)"
    return f"{alt / mine:.0f}x"


def met(ok):
    return "**met**" if ok else "**missed**"


def run_minutes(load):
    """Minutes from the first part's start to the last part's end (load.txt's
    times, HH:MM:SS UTC; a run may pass midnight)."""
    def secs(hms):
        h, mi, se = (int(x) for x in hms.split(":"))
        return h * 3600 + mi * 60 + se
    span = secs(load[-1][1]) - secs(load[0][1])
    return round((span + 86400 if span < 0 else span) / 60)


class Run:
    """One run's raw results, and what several sections work out from them."""

    def __init__(self, d):
        self.d = d
        self.m = kv(os.path.join(d, "machine.txt"))
        with open(os.path.join(d, "load.txt")) as f:
            self.load = [line.split() for line in f if line.strip()]
        self.pulse = load_json(os.path.join(d, "pulse.json"))
        self.host = load_json(os.path.join(d, "pulse-host.json")) \
            if os.path.exists(os.path.join(d, "pulse-host.json")) else None
        self.lat = load_json(os.path.join(d, "latency.json"))
        self.mem = load_json(os.path.join(d, "memory.json")) \
            if os.path.exists(os.path.join(d, "memory.json")) else None
        self.runs = self.pulse["runs"]
        self.phases = [ph for ph in ("idle", "load")
                       if any(r["phase"] == ph for r in self.runs.values())]
        self.budget, self.budget_ok = chosen_budget(self.runs, self.phases)
        self.subs = self.lat["subscribers"]
        self.idle = self.pulse["module_idle"]


def intro_section(c):
    """The title, what the run was, and the machine it ran on."""
    m, load = (
        c.m, c.load)
    L = []
    add = L.append

    add("# sesame benchmarks: results\n")
    add(f"One complete run of `make bench` on {m['date']} (commit `{m['commit']}`). "
        "Every figure below was written by `bench/report.py` from that run's raw results "
        f"(`build/bench/`); run `make bench` to measure again: its measuring took "
        f"{run_minutes(load)} minutes on this machine's {m['cores']} cores, from the first "
        "boot to the last figure (`build/bench/load.txt`), after make had built what it "
        "needs. How each part works is in `bench/README.md`.\n")

    add("## The machine\n")
    add("| | |\n|---|---|")
    add(f"| CPU | {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB |")
    add(f"| host | {m['os']}, kernel {m['host_kernel']} ({m['virtualization']}) |")
    add(f"| emulator | {m['qemu']}, machine raspi3b, single-threaded TCG |")
    add(f"| guest | Debian's arm64 kernel {m['guest_kernel']} |")
    add(f"| MQTT, TLS | mosquitto {m['mosquitto']}, {m['openssl']}, python3-paho-mqtt {m['paho']} |")
    add("| load average (1, 5, 15 min) | " + "; ".join(
        f"{w[0]} {w[1]} UTC: {w[2]} {w[3]} {w[4]}" for w in load) + " |")
    add("\nThe machine is shared with other engineers' builds and tests: the load average "
        "above is what it was, at the start and end of each part. Part 1's main table does "
        "not depend on it (instruction-counted guest time); part 1b and part 2 do.\n")
    return L


def targets6_section(c):
    """The targets of issue 6, each figure beside its goal."""
    pulse, lat, runs, phases, budget, subs = (
        c.pulse, c.lat, c.runs, c.phases, c.budget, c.subs)
    L = []
    add = L.append

    add("## The targets of issue 6\n")
    add("| target | measured | |\n|---|---|---|")
    for ph in phases:
        r = runs.get(f"{ph}/sesame-b{budget}")
        if r:
            p99 = r["width_error_us"]["p99"]
            add(f"| pulse width error p99 <= {WIDTH_TARGET_US:.0f} us with compensation on, {ph} "
                f"| {fmt(p99)} us with a {budget} us busy-wait budget "
                f"(CPU {fmt(r.get('cpu_percent'), 2)} % of one core) "
                f"| {met(p99 <= WIDTH_TARGET_US)}"
                f"{'' if p99 <= WIDTH_TARGET_US else f' by {p99 - WIDTH_TARGET_US:.0f} us'} |")
    for ph in phases:
        r, c = runs.get(f"{ph}/sesame-b{budget}"), runs.get(f"{ph}/swpwm")
        if r and c:
            a, b = c["width_error_us"]["p99"], r["width_error_us"]["p99"]
            ok = a >= RATIO_C_TARGET * max(b, 1)
            ea, eb = c["edge_late_us"].get("p99"), r["edge_late_us"].get("p99")
            add(f"| width error p99 at least {RATIO_C_TARGET}x smaller than user-space C, {ph} "
                f"| C {fmt(a)} us, sesame {fmt(b)} us: {ratio(a, b)} (edge lateness p99: "
                f"C {fmt(ea, 0)} us, sesame {fmt(eb, 0)} us) | {met(ok)} |")
    br, pa = subs.get("bridge"), subs.get("paho")
    if br:
        p99 = br["latency_us"]["p99"]
        add(f"| bridge latency p99 <= 1 ms (TLS, QoS 1, loopback) | {fmt(p99)} us "
            f"over {br['commands']} commands | {met(p99 <= LATENCY_TARGET_US)}"
            f"{'' if p99 <= LATENCY_TARGET_US else f' by {p99 - LATENCY_TARGET_US:.0f} us'} |")
    if br and pa:
        a, b = pa["latency_us"]["p99"], br["latency_us"]["p99"]
        add(f"| latency p99 at least {RATIO_PAHO_TARGET}x below Python paho | paho {fmt(a)} us, "
            f"bridge {fmt(b)} us: {a / b:.1f}x | {met(a >= RATIO_PAHO_TARGET * b)} |")
        rss = br["rss_kb"]
        over = "" if rss <= RSS_TARGET_KB else f" by {rss - RSS_TARGET_KB} kB"
        add(f"| bridge resident memory <= 4 MB (paho about 20 MB) | RSS {rss} kB, "
            f"PSS {br['pss_kb']} kB, own (USS) {br['uss_kb']} kB; paho RSS {pa['rss_kb']} kB "
            f"| {met(rss <= RSS_TARGET_KB)} (RSS){over} |")
    idle = pulse["module_idle"]
    if idle:
        total = sum(v["sesame_expiries"] for v in idle.values())
        secs = sum(v["seconds"] for v in idle.values())
        add(f"| zero module timer wakeups once idle-ms has passed | {total} in {secs:.0f} s "
            f"({', '.join(idle)}) | {met(total == 0)} |")
    st = lat.get("idle_strace")
    if st and st.get("calls"):
        # The bridge's own wakeups are the waits that ended; its context
        # switches also count the stand-in's poll() round trips (part 3).
        ka = lat["idle"]["keepalive_s"]
        waits = st["waits_timed_out"] + st["waits_woken_by_input"]
        pings = int(st["seconds"] // ka) + 1
        add(f"| no bridge wakeups beyond keepalive | {waits} waits ended in {st['seconds']} s "
            f"with keepalive {ka} s (strace): {st['waits_timed_out']} at the keepalive timer, "
            f"{st['waits_woken_by_input']} on the broker's answer | {met(waits <= 2 * pings)} |")
    add("")
    return L


def part1_section(c):
    """Part 1: pulse precision in the emulated Pi (and 1b, RPi.GPIO)."""
    pulse, host, runs, phases, budget, budget_ok = (
        c.pulse, c.host, c.runs, c.phases, c.budget, c.budget_ok)
    L = []
    add = L.append

    info = pulse["info"]
    add("## 1. Pulse precision in the emulated Pi\n")
    add(f"In one boot of the emulated Raspberry Pi 3, each approach drives GPIO18 in turn for "
        f"{info['pulses']} pulses of {info['width_us']} us every {int(info['period_us']) // 1000} ms, "
        "first with the guest idle, then under load: `stress-ng --cpu 1 --cpu-method int64 "
        "--hdd 1 --io 1` with its files on the emulated SD card's ext4 (CPU, file writes with "
        "fsync, sync(2); the SD card's interrupts and DMA). Every edge comes from the guest "
        "kernel's trace (`gpio_value` events, 1 us resolution), so all approaches are measured "
        "the same way, through the same gpiolib call.\n")
    add("- **width error**: observed high time less 1500 us; mean is signed, p50/p99/max are "
        "of its size (us).")
    add("- **period error**: rise to next rise less 20 ms (us).")
    add("- **late edges**: edges more than 5 us after the time the approach itself meant them "
        "for: the driver's programmed boundary and the fall it armed; the C program's absolute "
        "schedule; for the Python loop, which sleeps relative to where it is (as RPi.GPIO does), "
        "its previous edge plus the sleep.")
    add("- **CPU**: the driver's share is measured from the trace (each timer callback from "
        "its start to its re-arm, busy-wait included); the programs' is their own CPU time.\n")
    add("**Guest time counts instructions** (`qemu.sh -c`: `-icount shift=0,sleep=off`): one "
        "emulated nanosecond per guest instruction, and while the guest idles its clock jumps "
        "to the next timer. So these figures do not depend on how busy the host was, and "
        "repeat from run to run; but interrupts arrive about as soon as the guest can take "
        "them, which is quicker than on a real Pi: compare approaches with each other here, "
        "not with a real board's absolute numbers.\n")
    add("**One CPU**: the guest kernel boots with CPUs 1-3 isolated (`isolcpus nohz_full "
        "rcu_nocbs irqaffinity`), and the benchmark and its load run on CPU0. Under "
        "instruction counting, qemu runs the four vCPUs in turn, so an interrupt for one vCPU "
        "waits while the others run, and a lock held by one vCPU stays held while the others "
        "spin on it. Seen while building this benchmark, with four vCPUs and three of them "
        "loaded: a SCHED_FIFO task's 20 ms nanosleep woke 4 to 84 ms late, and the SD card's "
        "DMA interrupt handler spun up to 3.5 ms on a lock held by a kworker on another vCPU. "
        "A real Pi has neither artefact. On one vCPU every approach competes with the load "
        "for the same CPU, as on a Pi whose cores are all busy (`pulse.sh -U` runs on all "
        "four, to see the artefact).\n")
    for ph in phases:
        add(f"### {ph.capitalize()}\n")
        add(pulse_table(runs, ph))
        add("")
        r = runs.get(f"{ph}/sesame-b{budget}")
        if r:
            ratios = []
            for alt in ("swpwm", "python-gpiod"):
                a = runs.get(f"{ph}/{alt}")
                if a:
                    ratios.append(f"{approach(alt)}: {ratio(a['width_error_us']['p99'], r['width_error_us']['p99'])}")
            add(f"p99 width error, sesame ({budget} us budget) against the alternatives: "
                + "; ".join(ratios) + ".\n")
        add(f"![width error, {ph}](img/pulse-{ph}.png)\n")
    # causes of late edges under load
    load_irqs = {}
    for r in runs.values():
        if r["phase"] == "load":
            for k, v in r.get("irqs", {}).items():
                load_irqs[k] = max(load_irqs.get(k, 0), v["longest_us"])
    if load_irqs:
        add("Interrupt handlers that ran during the loaded runs (longest, us): " +
            ", ".join(f"{k} {v:.0f}" for k, v in sorted(load_irqs.items())) + ".\n")

    if host:
        add("### 1b. Supplementary: the same in host time\n")
        add("The same boot without `-c`: guest time is the host's, so every stall of the "
            "emulator (the host's other jobs, qemu's own work) shows up as a late edge. This "
            "is what the emulated Pi looked like on this shared host at the time, not what a "
            "Pi does.\n")
        for ph in phases:
            if any(r["phase"] == ph for r in host["runs"].values()):
                add(f"**{ph}**\n")
                add(pulse_table(host["runs"], ph))
                add("")
    L.extend(rpigpio_section(c))

    add("### What this means\n")
    add(part1_meaning(runs, phases, budget, budget_ok, host))
    return L


def rpigpio_section(c):
    """Part 1's RPi.GPIO: what the original project's library did here, and why."""
    L = []
    add = L.append
    rp = c.pulse.get("rpigpio", {})
    if rp:
        add("### RPi.GPIO, the original project's library\n")
        add("The script a user of the original project runs: `GPIO.setmode(GPIO.BCM)`, "
            "`GPIO.setup(18, GPIO.OUT)`, `GPIO.PWM(18, 50).start(7.5)`, under strace, in the "
            "same boot. What happened:\n")
        for k, title in (("1", "As the guest is (Debian's kernel and device tree)"),
                         ("2", "With /proc/cpuinfo replaced by one naming a Pi 3 "
                               "(`Hardware : BCM2835`, `Revision : a02082`), to get past the "
                               "board check")):
            if k in rp:
                add(f"{title}:\n")
                add("```")
                add(rp[k]["output"])
                for c in rp[k]["syscalls"]:
                    add(c)
                add("```")
                add(f"GPIO18 trace events while it ran: {rp[k]['gpio_events']}.\n")
        add("Why: RPi.GPIO first looks for `/proc/device-tree/system/linux,revision` (the "
            "Raspberry Pi firmware adds it; qemu does not) and then for a `Hardware` line in "
            "`/proc/cpuinfo` naming a BCM chip, which arm64 kernels never print: it refuses to "
            "import (\"This module can only be run on a Raspberry Pi!\"). Past that check, it "
            "wants `/dev/gpiomem`, which only the Raspberry Pi kernel provides, then maps the "
            "GPIO registers through `/dev/mem` at the address in `/proc/device-tree/soc/ranges`: "
            "Debian's kernel is built with `CONFIG_IO_STRICT_DEVMEM`, so mapping registers that "
            "a driver (pinctrl-bcm2835) has claimed fails, and `GPIO.setup()` raises. Even "
            "where it works (Raspberry Pi OS), RPi.GPIO writes the registers directly, behind "
            "gpiolib: no kernel trace and no qemu trace event sees those writes, so its pulses "
            "could not be measured here anyway. Its software PWM is a thread that sets the "
            "pin, sleeps the high time, clears it and sleeps the low time, each sleep relative "
            "to the last: the Python run above is that same loop, through the GPIO character "
            "device, where the trace sees it.\n")
    return L


def part2_section(c):
    """Part 2: command latency, and 2b-2c, on this host."""
    m, lat, subs, mem = (
        c.m, c.lat, c.subs, c.mem)
    L = []
    add = L.append

    add("## 2. Command latency on this host\n")
    add(f"Debian's mosquitto on a loopback port with TLS (the test PKI of "
        f"`tests/lib/pki.sh`, client certificates), QoS 1. A publisher "
        f"(`bench/latency/publat.c`, libmosquitto) sends {m['commands']} commands per run, "
        f"`open` and `close` in turn, one every 10 ms, and stamps each just before publishing; "
        f"the subscriber writes each to the /dev/sesame stand-in (the FUSE file system of the "
        f"bridge's tests, `fake-sesame -t`), which stamps the write when it arrives "
        f"(CLOCK_MONOTONIC both). Latency is the difference: publish to write, through "
        f"TLS, the broker, TLS again and the subscriber. {m['rounds']} rounds; each round runs "
        "every subscriber once, in turn, so they share the host's moods.\n")
    add("| subscriber | p50 | p99 | max | mean | p99 per round | CPU per 1000 commands | "
        "RSS | PSS | own (USS) |")
    add("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for name, s in subs.items():
        la = s["latency_us"]
        add(f"| {cell(NAMES.get(name, name))} | {fmt(la['p50'])} us | {fmt(la['p99'])} us "
            f"| {fmt(la['max'])} us | {fmt(la['mean'])} us "
            f"| {', '.join(fmt(x) for x in s['p99_per_round_us'])} "
            f"| {fmt(s['cpu_ms_per_1000'], 1)} ms | {s['rss_kb']} kB | {s['pss_kb']} kB "
            f"| {s['uss_kb']} kB |")
    if "floor" in lat:
        f = lat["floor"]
        add(f"| floor: a program that only loads and initialises libcrypto | | | | | | "
            f"| {f['rss_kb']} kB | {f['pss_kb']} kB | {f['uss_kb']} kB |")
    add("")
    add("The shell's memory is the sum of its three processes (the `sh -c` running the "
        "pipeline, `mosquitto_sub`, and the `while` loop's subshell). PSS shares each "
        "library page among the processes that map it, so it depends on what else runs "
        "(here: the broker and the publisher also map libcrypto and libc); RSS counts every "
        "page a process maps, shared or not; USS is what is the process's alone.\n")
    add("Host load during each run (load average at its start; busy and steal share of both "
        "cores during it):\n")
    add("| run | load average | host busy | steal |\n|---|---|---:|---:|")
    for name, s in subs.items():
        for r in s["rounds"]:
            h = r.get("host") or {}
            add(f"| {name} round {r['round']} | {' '.join(str(x) for x in r['loadavg_before'] or [])} "
                f"| {h.get('busy_percent', 'n/a')} % | {h.get('steal_percent', 'n/a')} % |")
    add("\n![latency](img/latency.png)\n")
    sm = lat.get("smaps", {})
    if "bridge" in sm:
        add("Where the bridge's resident memory is (after its commands), by mapping:\n")
        add("| mapping | RSS | PSS |\n|---|---:|---:|")
        for e in sm["bridge"][:10]:
            add(f"| {e['file']} | {e['rss_kb']} kB | {e['pss_kb']} kB |")
        add("")
    add("### What this means\n")
    add(part2_meaning(lat))
    L.extend(share_section(lat))
    if mem:
        L.extend(memory_section(mem))
    return L


def part3_section(c):
    """Part 3: what the module and the subscribers cost while idle."""
    pulse, lat, runs, idle = (
        c.pulse, c.lat, c.runs, c.idle)
    L = []
    add = L.append

    add("## 3. Idle cost\n")
    add("**The module.** From the same boot as part 1: the trace's `hrtimer_expire_entry` "
        "events of the driver's timers.\n")
    add("| | timer wakeups | CPU (one core) |\n|---|---:|---:|")
    for ph, v in idle.items():
        add(f"| idle-ms passed, guest {ph} ({v['seconds']:.0f} s; the guest's other timers "
            f"but the tick: {v['other_per_s']}/s) | {v['sesame_expiries']} "
            f"({v['sesame_per_s']}/s) | 0 |")
    for r in runs.values():
        if r["name"].startswith("sesame-b"):
            add(f"| pulsing, guest {r['phase']}, busy-wait {r['busy_wait_us']} us "
                f"| {fmt(r.get('wakeups_per_s'), 1)}/s | {fmt(r.get('cpu_percent'), 2)} % |")
    add("")
    li = lat.get("idle")
    if li:
        add(f"**The subscribers**, connected and idle for {li['window_s']} s (keepalive "
            f"{li['keepalive_s']} s for all), on this host: wakeups are voluntary context switches "
            "(all threads: each a wait of its own that ended; preemptions by other tasks are "
            "not counted), CPU from the scheduler's own accounting.\n")
        add("| subscriber | wakeups | per minute | CPU |\n|---|---:|---:|---:|")
        for name, v in li["subscribers"].items():
            add(f"| {cell(NAMES.get(name, name))} | {v['wakeups']} | {v['wakeups_per_min']} "
                f"| {v['cpu_ms']} ms ({v['cpu_percent']} %) |")
        add("")
        st = lat.get("idle_strace")
        if st and st.get("calls"):
            add(f"The bridge's system calls over another {st['seconds']} s of idling "
                f"(strace): " + ", ".join(f"{k} {v}" for k, v in st["calls"].items()) +
                f"; of its waits, {st['waits_timed_out']} ended at the keepalive timeout "
                f"(it sends PINGREQ) and {st['waits_woken_by_input']} on input (PINGRESP).\n")
    add("### What this means\n")
    add(part3_meaning(pulse, lat))
    return L


def reproduce_section(c):
    """How to run it again, and this run's sizes."""
    m = c.m
    L = []
    add = L.append

    add("## Reproduce\n")
    add("```sh")
    add("make bench        # all of it; BENCH_PULSES, BENCH_BUDGETS, BENCH_COMMANDS, BENCH_ROUNDS,")
    add("                  # BENCH_IDLE_S change the sizes (bench/bench.mk)")
    add("```\n")
    add(f"Sizes of this run: {m['pulses']} pulses per approach and phase, busy-wait budgets "
        f"{m['budgets']} us (host time: {m['budgets_host']}), {m['commands']} commands x "
        f"{m['rounds']} rounds per subscriber, {m['idle_s']} s idle windows. The raw results "
        "stay in build/bench/: the guest's trace (`pulse/run/results/trace`), the stamps "
        "(`latency/`), and the JSON each table was made from.")
    return L


def report(d):
    """RESULTS.md's text for the run in D."""
    c = Run(d)
    L = (intro_section(c) + targets6_section(c)
         + targets13(c.lat, c.mem, report_peers.servos_goal_row(d))
         + part1_section(c) + part2_section(c) + part3_section(c)
         + report_peers.sections(d, c.m.get("kernels", "").split(), c.pulse)
         + reproduce_section(c))
    return "\n".join(L) + "\n"


def part1_meaning(runs, phases, budget, budget_ok, host):
    out = []
    b0 = {ph: runs.get(f"{ph}/sesame-b0") for ph in phases}
    sb = {ph: runs.get(f"{ph}/sesame-b{budget}") for ph in phases}
    c = {ph: runs.get(f"{ph}/swpwm") for ph in phases}
    py = {ph: runs.get(f"{ph}/python-gpiod") for ph in phases}

    def p99(r, key="width_error_us"):
        return r[key]["p99"] if r else None
    if budget_ok:
        out.append(f"- With a busy-wait budget of {budget} us the driver lands every pulse "
                   f"within the target, idle and loaded (p99 "
                   + " and ".join(f"{fmt(p99(sb[ph]))} us {ph}" for ph in phases) +
                   f"), for {fmt(sb[phases[-1]].get('cpu_percent'), 2)} % of one core: two "
                   f"waits of up to {budget} us per 20 ms period.")
    else:
        out.append(f"- No budget tried met the target in every phase; the best, {budget} us, "
                   "gave p99 " + " and ".join(f"{fmt(p99(sb[ph]))} us {ph}" for ph in phases) + ".")
    if all(b0.values()):
        out.append("- Without the busy-wait (budget 0) the width error is the hard timer "
                   "interrupt's own latency: p99 " + " and ".join(
                       f"{fmt(p99(b0[ph]))} us {ph}" for ph in phases) +
                   ". The busy-wait takes that latency out: the timer wakes early and the "
                   "edge is written at its due time, with interrupts off.")
    if c.get("idle") and sb.get("idle") and \
            c["idle"]["width_error_us"]["p99"] < RATIO_C_TARGET * max(1, p99(sb["idle"])):
        out.append("- Idle, the emulator makes the C program look better than it can be: "
                   "with instruction-counted time and no caches, its wake-up path takes the "
                   "same number of instructions every time, so both of its edges are late by "
                   f"the same {fmt(c['idle']['edge_late_us']['p50'], 0)} us and the widths "
                   "come out exact. Its edges are still late (see the edge lateness column); "
                   "on real hardware, caches and other interrupts make that wake-up vary "
                   "from edge to edge, and the widths with it, which this emulator cannot "
                   "show.")
    if all(c.values()):
        out.append("- The best user space can do (SCHED_FIFO, locked memory, absolute sleeps) "
                   "is late by its wake-up path on every edge (late edges: " + ", ".join(
                       f"{c[ph]['late_edges']} of {c[ph]['edges_judged']} {ph}" for ph in phases) +
                   "), and since both edges are late by about the same, its widths are better "
                   "than its edges; what is left is the variation of the wake-up: p99 " +
                   " and ".join(f"{fmt(p99(c[ph]))} us {ph}" for ph in phases) +
                   ". Its period holds (absolute schedule).")
    if all(py.values()):
        out.append("- The Python loop, RPi.GPIO's kind of software PWM, gets every pulse too "
                   "long by its sleep's overshoot (the default 50 us timer slack of a normal "
                   "task, and the interpreter), p50 " + " and ".join(
                       f"{fmt(py[ph]['width_error_us']['p50'])} us {ph}" for ph in phases) +
                   ", and its period drifts by as much again each cycle, since each sleep "
                   "starts where the last one ended (period error p50 " + " and ".join(
                       f"{fmt(py[ph]['period_error_us']['p50'])} us {ph}" for ph in phases) +
                   "). Under load it waits behind the load for the CPU: p99 " +
                   f"{fmt(p99(py.get('load')))} us." if py.get("load") else "")
    out.append("- For a servo, whose position is the pulse width, a few microseconds are "
               "nothing (1 us is about 0.1 degree); hundreds of microseconds are a visible "
               "twitch, and milliseconds move the arm. The periodic 20 ms frame is forgiving; "
               "the width is not.")
    out.append("- These are emulator figures: a real Cortex-A53 takes interrupts and wakes "
               "tasks in different times, and an SD card, USB or Wi-Fi driver on a real Pi "
               "has its own interrupt-off stretches. What carries over is the order and the "
               "size of the gaps between the approaches, measured here side by side.")
    if host:
        out.append("- In host time (1b) the emulator itself stalls whenever the host is busy, "
                   "and every approach, the driver included, inherits those stalls: that table "
                   "measures the host, which is why the main table counts instructions.")
    return "\n".join(x for x in out if x) + "\n"


def part2_meaning(lat):
    subs = lat["subscribers"]
    out = []
    br, pa, sh = subs.get("bridge"), subs.get("paho"), subs.get("shell")
    if br and pa and sh:
        out.append(f"- Median latency: bridge {fmt(br['latency_us']['p50'])} us, paho "
                   f"{fmt(pa['latency_us']['p50'])} us, shell {fmt(sh['latency_us']['p50'])} us. "
                   "Most of it is the path all three share: the publisher's TLS, the broker "
                   "(decrypt, route, encrypt), the subscriber's TLS, and the FUSE stand-in's "
                   "round trip; each hop is a wake-up of another process, which on a busy "
                   "shared host waits for a free core. What the subscriber itself adds is "
                   "its CPU time per command: bridge "
                   f"{br['cpu_ms_per_1000']:.0f} us, paho "
                   f"{pa['cpu_ms_per_1000']:.0f} us, shell {sh['cpu_ms_per_1000']:.0f} us "
                   "(per command, from the CPU per 1000 commands).")
        out.append("- The bridge's CPU per command includes more work than the others do: "
                   "it checks the command (retain flag, rate limit, optional signature), "
                   "writes it, reads the device's status back when poll() says it changed, "
                   "and publishes an audit event and the new state; paho and the shell only "
                   "write the payload.")
        out.append(f"- The tails (p99, max) follow the host's load: compare the p99 per round "
                   "with the load table. They are not a property of the subscriber alone.")
        out.append(f"- Memory: the bridge's own memory (USS) is {br['uss_kb']} kB against "
                   f"paho's {pa['uss_kb']} kB; its RSS of {br['rss_kb']} kB is mostly shared "
                   "library pages (the table above: libcrypto, libc, libssl), which every "
                   "process using OpenSSL maps too, counted whole in RSS. "
                   + (f"A program that only loads libcrypto already has {lat['floor']['rss_kb']} kB "
                      "resident (the floor); the TLS handshake, certificate checks and the "
                      "ciphers in use touch more of libcrypto. " if "floor" in lat else "")
                   + "The 4 MB RSS target cannot be reached while linking Debian's shared "
                   "OpenSSL dynamically; "
                   + (f"counted as PSS ({br['pss_kb']} kB) or USS ({br['uss_kb']} kB) the "
                      "bridge is under it." if br["pss_kb"] <= RSS_TARGET_KB else
                      f"its USS ({br['uss_kb']} kB) is under it, its PSS ({br['pss_kb']} kB) "
                      "not, in this run."))
        if "baseline" in subs:
            b = subs["baseline"]
            out.append(f"- Before this work the bridge linked libsystemd (for sd_notify) and, "
                       f"through it, libgcrypt, liblz4, liblzma, libzstd and libcap: RSS "
                       f"{b['rss_kb']} kB, PSS {b['pss_kb']} kB, USS {b['uss_kb']} kB; speaking "
                       f"systemd's notify protocol directly took that to {br['rss_kb']}, "
                       f"{br['pss_kb']} and {br['uss_kb']} kB. OpenSSL's init flags were tried "
                       "while building this benchmark (100 commands each, same harness) and "
                       "left alone: not loading the config file saved nothing measurable "
                       "and would drop the system's TLS policy; not loading the digest and "
                       "cipher names broke certificate loading (\"ca md too weak\"); not "
                       "loading the error strings saved about 200 kB at the price of error "
                       "messages that name no reason.")
    return "\n".join(out) + "\n"


def targets13(lat, mem, servos_row):
    """The targets of issue 13, each figure beside its goal."""
    out = ["## The targets of issue 13\n", "| target | measured | |\n|---|---|---|"]
    if servos_row:
        out.append(servos_row)
    sh = lat.get("share", {})
    br, pa = sh.get("bridge"), sh.get("paho")
    if br and br.get("commands"):
        p99 = br["share_us"]["p99"]
        paho = (f"; paho p50 {fmt(pa['share_us']['p50'])}, p99 {fmt(pa['share_us']['p99'])}, "
                f"max {fmt(pa['share_us']['max'])} us" if pa and pa.get("commands") else "")
        out.append(f"| the bridge's own share of the latency p99 <= {SHARE_TARGET_US:.0f} us "
                   f"(the kernel waking it with the command to its write() on the device) "
                   f"| p50 {fmt(br['share_us']['p50'])}, p99 {fmt(p99)}, max "
                   f"{fmt(br['share_us']['max'])} us over {br['commands']} commands{paho} "
                   f"| {met(p99 <= SHARE_TARGET_US)}"
                   f"{'' if p99 <= SHARE_TARGET_US else f' by {p99 - SHARE_TARGET_US:.0f} us'} |")
    elif "none" in sh:
        out.append(f"| the bridge's own share of the latency p99 <= {SHARE_TARGET_US:.0f} us "
                   f"| not measured: {cell(sh['none'])} | |")
    for rel, r in (mem or {}).get("releases", {}).items():
        b, s = r["after"]["bridge"]["rss_kb"], r["after"]["mosquitto_sub"]["rss_kb"]
        bi, si = r["idle"]["bridge"]["rss_kb"], r["idle"]["mosquitto_sub"]["rss_kb"]
        worst = max(b - s, bi - si)
        out.append(f"| bridge RSS no more than mosquitto_sub's (same libmosquitto and TLS), "
                   f"{rel} | idle {bi} against {si} kB, after the commands {b} against {s} kB "
                   f"({cell(r['openssl'].split(' (')[0])}, libmosquitto {r['libmosquitto']}) "
                   f"| {met(worst <= 0)}{'' if worst <= 0 else f' by {worst} kB'} |")
    out.append("")
    return out


def share_section(lat):
    """Part 2b: the subscribers' own share of the latency, from the kernel's trace."""
    sh = lat.get("share", {})
    out = ["### 2b. The subscriber's own share of the latency\n"]
    if "none" in sh or not sh:
        out.append(f"Not measured in this run: {sh.get('none', 'no trace')}.\n")
        return out
    out.append("From the host kernel's own trace of the bridge's and paho's measured "
               "commands (tracefs, an instance of its own; `bench/latency/sharetrace.sh`): "
               "for each command, from the kernel waking the subscriber with it (the "
               "`sched_waking` that ended the wait which returned just before the write, by "
               "any task but the stand-in: on loopback the broker's send wakes it) to the "
               "start of its `write()` on the device's descriptor. Parts: **sched**, the "
               "wakeup to the wait's return (getting a CPU, the wait's own checks); **user**, "
               "the wait's return to the write (TLS, MQTT, the subscriber's code); "
               "**stand-in**, time in the span asleep waiting for the FUSE stand-in (the "
               "bridge also polls the device, and FUSE answers poll() from the stand-in's "
               "daemon, where the real driver answers in the kernel). **own share** = span "
               "less stand-in = sched + user. The trace's clock has 1 us resolution; its cost "
               "is about 0.3 us per event, a few events per span (bench/README.md).\n")
    out.append("| subscriber | commands | own share p50 | p99 | max | span p50 | p99 "
               "| stand-in p50 | p99 | sched p50 | p99 | user p50 | p99 | not woken |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, s in sh.items():
        if not s.get("commands"):
            continue
        f = {k: s[f"{k}_us"] for k in ("share", "span", "standin", "sched", "user")}
        out.append(f"| {cell(NAMES.get(name, name))} | {s['commands']} "
                   f"| {fmt(f['share']['p50'])} us | {fmt(f['share']['p99'])} us "
                   f"| {fmt(f['share']['max'])} us "
                   f"| {fmt(f['span']['p50'])} | {fmt(f['span']['p99'])} "
                   f"| {fmt(f['standin']['p50'])} | {fmt(f['standin']['p99'])} "
                   f"| {fmt(f['sched']['p50'])} | {fmt(f['sched']['p99'])} "
                   f"| {fmt(f['user']['p50'])} | {fmt(f['user']['p99'])} | {s['not_woken']} |")
    out.append("\n\"not woken\": commands already waiting when the subscriber asked (no "
               "wakeup to start from); they have no span.\n")
    out.append("Own share by round (p50 / p99 / max, us), in the order the rounds ran. "
               "Each round runs the same program on the same code, so where two rounds' "
               "tails differ, the difference is the machine's:\n")
    for name, s in sh.items():
        rounds = "; ".join(f"round {r['round']}: {fmt(r['share_us'].get('p50'))} / "
                           f"{fmt(r['share_us'].get('p99'))} / {fmt(r['share_us'].get('max'))}"
                           for r in s.get("rounds", []) if r.get("commands"))
        left = s.get("rounds_left_out") or []
        out.append(f"- {cell(NAMES.get(name, name))}: {rounds}"
                   + (f" ({'; '.join(left)}: left out)" if left else ""))
    out.append("")
    return out


def memory_section(mem):
    """Part 2c: the bridge beside mosquitto_sub, per Debian release."""
    out = ["### 2c. Memory beside mosquitto_sub, the same library's own client\n",
           "`bench/latency/memory-peers.sh`: one broker of the release, the bridge and "
           "`mosquitto_sub` connected to it at the same time with the same CA, client "
           "certificate and key (no password: the broker takes the certificate's name), MQTT 5, "
           "QoS 1, keepalive 60 s, the same topic; sampled 3 s after both connected (idle) "
           "and after the commands (the same count as part 2, both got every one). The "
           "other release runs in a chroot of it (`scripts/chroot.sh`), with its broker, "
           "client, OpenSSL and libmosquitto, and the bridge built there.\n",
           "| release | OpenSSL | libmosquitto | when | bridge RSS | PSS | USS "
           "| mosquitto_sub RSS | PSS | USS | load average |",
           "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for rel, r in mem["releases"].items():
        for i, when in enumerate(("idle", "after")):
            b, s = r[when]["bridge"], r[when]["mosquitto_sub"]
            la = r["loadavg"][min(i, len(r["loadavg"]) - 1)] if r["loadavg"] else []
            out.append(f"| {rel} | {cell(r['openssl'].split(' (')[0])} | {r['libmosquitto']} "
                       f"| {'idle' if when == 'idle' else 'after the commands'} "
                       f"| {b['rss_kb']} kB | {b['pss_kb']} kB | {b['uss_kb']} kB "
                       f"| {s['rss_kb']} kB | {s['pss_kb']} kB | {s['uss_kb']} kB "
                       f"| {' '.join(str(x) for x in la)} |")
    out.append("")
    for rel, r in mem["releases"].items():
        sm = r.get("smaps", {})
        if "bridge" not in sm or "mosquitto_sub" not in sm:
            continue
        b = {e["file"]: e["rss_kb"] for e in sm["bridge"]}
        s = {e["file"]: e["rss_kb"] for e in sm["mosquitto_sub"]}
        diff = sorted(((b.get(k, 0) - s.get(k, 0), k) for k in set(b) | set(s)),
                      key=lambda x: (-abs(x[0]), x[1]))   # ties by name: the same text every time
        parts = [f"{k} {v:+d}" for v, k in diff if v][:6]
        out.append(f"- {rel}, where the bridge's RSS differs from mosquitto_sub's (kB, "
                   f"mapping by mapping, after the commands): {', '.join(parts)}.")
    out.append("\nRSS counts every page mapped, shared or not, so a few pages of libc or of "
               "the program itself decide it; it moves by a few tens of kB from run to run "
               "(where the loader puts things). USS is each process's own.\n")
    return out


def part3_meaning(pulse, lat):
    out = []
    idle = pulse["module_idle"]
    if idle and all(v["sesame_expiries"] == 0 for v in idle.values()):
        out.append("- Once idle-ms has passed the driver's timer is not armed at all: no "
                   "wakeup, no CPU, idle or loaded. While pulsing it wakes twice per period "
                   "(100 per second at 50 Hz), and its CPU is the callbacks plus the "
                   "busy-wait, which the budget bounds.")
    li = lat.get("idle", {}).get("subscribers", {})
    if li:
        ka = lat["idle"]["keepalive_s"]
        parts = [f"{NAMES.get(k, k)} {v['wakeups_per_min']}/min" for k, v in li.items()]
        keep = 2 * 60 / ka          # a ping and its answer per keepalive
        # The bridges also poll() the /dev/sesame stand-in: see below.
        others = {k: v for k, v in li.items() if k not in ("bridge", "baseline")}
        busy = [NAMES.get(k, k) for k, v in others.items() if v["wakeups_per_min"] > keep + 2]
        quiet = [NAMES.get(k, k) for k, v in others.items() if v["wakeups_per_min"] <= keep + 2]
        text = (f"- Idle, with a keepalive of {ka} s, a client needs about {keep:.0f} wakeups "
                "a minute (a PINGREQ and its PINGRESP per keepalive). Wakeups per minute: "
                + ", ".join(parts) + ".")
        st = lat.get("idle_strace")
        if st and st.get("calls"):
            text += (f" The bridge's system calls (strace, above) show what its own are: "
                     f"{st['waits_timed_out'] + st['waits_woken_by_input']} waits in "
                     f"{st['seconds']} s, each ended by the keepalive timer or the broker's "
                     "answer, and nothing else. Its context switches come to about twice "
                     "that because each of its waits also polls /dev/sesame, here the FUSE "
                     "stand-in, where the kernel asks the stand-in's daemon and sleeps for "
                     "the answer; the real /dev/sesame answers poll() inside the kernel.")
        if quiet:
            text += " Within the keepalive's count: " + ", ".join(quiet) + "."
        if busy:
            text += (" More: " + ", ".join(busy) + " (their network loops wake on a timer "
                     "of their own, whatever the keepalive).")
        out.append(text)
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    text = report(argv[1])
    with open(argv[2], "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
