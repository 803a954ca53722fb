#!/usr/bin/env python3
"""sesame_trace.py - what the GPIO line did, from the emulated Pi's ftrace.

Reads the text of /sys/kernel/tracing/trace (trace_clock mono) with the
gpio_value, hrtimer_start and hrtimer_expire_entry events and the test's
trace_marker lines, and turns it into:
  - edges and pulses of each GPIO line (widths, periods, runts, gaps);
  - the edge times the driver programmed (its hrtimer_start expiries), as
    exact nanoseconds, and how late each edge and each callback came;
  - a text timeline, statistics (JSON) and a PNG plot (gnuplot).

Used as a library by the system tests and as a command:
  sesame_trace.py RESULTS [--gpio N] [--timer FUNC] [--busy-us N]
                  [--timeline] [--stats FILE.json] [--plot FILE.png]
RESULTS is a guest's results folder (with trace, and dev-* snapshots that
tell each device's GPIO and configuration) or a trace file.

The trace prints times in microseconds, so observed edges are known to 1 us;
hrtimer expiries and callback start times (now=) are exact nanoseconds.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

NS_PER_US = 1000
NS_PER_S = 1000000000

# "   task-pid   [cpu] flags   123.456789: event: text"
LINE_RE = re.compile(
    r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?P<flags>\S+)\s+"
    r"(?P<sec>\d+)\.(?P<usec>\d{6}):\s+(?P<event>\w+):\s?(?P<text>.*)$")
ENTRIES_RE = re.compile(r"entries-in-buffer/entries-written: (\d+)/(\d+)")
GPIO_RE = re.compile(r"^(\d+) set (\d+)")
FIELD_RE = re.compile(r"(\w+)=(\S+)")

# The driver's hrtimer callback (driver/sesame-pulse.c).
DEFAULT_TIMER_FN = "sesame_pulse_timer"


class Event:
    """One trace line: time (ns), CPU, event name and its text; hardirq
    when it was traced in a hard interrupt (where hrtimer callbacks of the
    HARD mode run)."""
    __slots__ = ("ts", "cpu", "task", "name", "text", "hardirq", "_fields")

    def __init__(self, ts, cpu, task, name, text, hardirq=False):
        self.ts, self.cpu, self.task, self.name, self.text = ts, cpu, task, name, text
        self.hardirq = hardirq
        self._fields = None

    @property
    def fields(self):
        if self._fields is None:
            self._fields = dict(FIELD_RE.findall(self.text))
        return self._fields

    def __repr__(self):
        return f"Event({fmt_s(self.ts)} [{self.cpu}] {self.name}: {self.text})"


class Trace:
    """The events of one trace file, in time order."""

    def __init__(self, path):
        self.path = path
        self.events = []
        self.lost = 0
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("#"):
                    m = ENTRIES_RE.search(line)
                    if m:
                        self.lost = int(m.group(2)) - int(m.group(1))
                    continue
                m = LINE_RE.match(line)
                if not m:
                    continue
                ts = int(m.group("sec")) * NS_PER_S + int(m.group("usec")) * NS_PER_US
                self.events.append(Event(ts, int(m.group("cpu")), m.group("task"),
                                         m.group("event"), m.group("text").rstrip(),
                                         hardirq=any(c in "hH" for c in m.group("flags"))))
        # The text is merged from per-CPU buffers in time order already;
        # a stable sort keeps each CPU's order for equal timestamps.
        self.events.sort(key=lambda e: e.ts)

    def markers(self):
        """(ts, text) of every trace_marker line."""
        return [(e.ts, e.text) for e in self.events if e.name == "tracing_mark_write"]

    def gpio_sets(self, gpio):
        """Every gpio_value event of one line: (ts, level, event)."""
        out = []
        for e in self.events:
            if e.name == "gpio_value":
                m = GPIO_RE.match(e.text)
                if m and int(m.group(1)) == gpio:
                    out.append((e.ts, int(m.group(2)), e))
        return out

    def gpios(self):
        """The lines that have gpio_value events, with their event counts."""
        counts = {}
        for e in self.events:
            if e.name == "gpio_value":
                m = GPIO_RE.match(e.text)
                if m:
                    counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
        return counts


def fmt_s(ns):
    return f"{ns / NS_PER_S:.6f}"


def percentile(values, p):
    """The p-th percentile (nearest rank) of a list of numbers."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def summary(values):
    """mean/p50/p99/max/min of a list (None when empty), for the JSON."""
    if not values:
        return {"n": 0}
    return {"n": len(values), "mean": round(statistics.fmean(values), 3),
            "p50": percentile(values, 50), "p99": percentile(values, 99),
            "max": max(values), "min": min(values)}


class Pulse:
    """One high pulse on the line, and what the driver had programmed for it.

    The driver raises the line in its callback, reads the clock, and arms
    the fall for that time plus the width (fall_due, exact in ns). The trace
    does not show the time it read, only that it lies after the callback's
    start (cb_now, ns), the boundary and the rise, and before the fall was
    armed (fall_set, 1 us): so the width it was given lies in w_lo..w_hi (us).
    cmd_us is the commanded width that fits there (see Line), None when
    none does.
    """
    __slots__ = ("rise", "fall", "rise_due", "cb_now", "fall_cb_now", "fall_wake",
                 "fall_set", "fall_due", "w_lo", "w_hi", "cmd_us")

    def __init__(self, rise, fall):
        self.rise, self.fall = rise, fall
        self.rise_due = self.cb_now = self.fall_cb_now = self.fall_wake = self.fall_due = None
        self.fall_set = None
        self.w_lo = self.w_hi = self.cmd_us = None

    def programmed(self, width_us):
        """Whether the driver may have been given width_us for this pulse."""
        return self.w_lo is not None and self.w_lo <= width_us <= self.w_hi

    @property
    def width(self):
        return None if self.fall is None else self.fall - self.rise

    def __repr__(self):
        w = "open" if self.fall is None else f"{self.width / NS_PER_US:.1f} us"
        return f"Pulse({fmt_s(self.rise)} {w} cmd={self.cmd_us})"


class Line:
    """One GPIO line driven by one hrtimer: edges, pulses, programmed times.

    period_us and busy_us come from the device's configuration (its sysfs);
    without them the period is guessed from the pulses and the falling
    edge's due time is unknown (the fall wake is still shown).
    """

    def __init__(self, trace, gpio, timer_fn=DEFAULT_TIMER_FN, period_us=None,
                 busy_us=None, name=None, widths=(), pin=None):
        self.trace, self.gpio, self.name = trace, gpio, name or f"gpio{gpio}"
        self.pin = pin          # the SoC's GPIO number, for people
        self.widths = sorted(set(widths))
        self.busy_ns = None if busy_us is None else busy_us * NS_PER_US
        self.sets = trace.gpio_sets(gpio)
        self.edges = []          # (ts, level): level changes only
        level = None
        for ts, lv, _ in self.sets:
            if lv != level:
                if level is not None or lv == 1:
                    self.edges.append((ts, lv))
                level = lv
        self.final_level = level
        self.pulses = []
        for ts, lv in self.edges:
            if lv == 1:
                self.pulses.append(Pulse(ts, None))
            elif self.pulses and self.pulses[-1].fall is None:
                self.pulses[-1].fall = ts
        self._find_timer(timer_fn)
        self.period_ns = period_us * NS_PER_US if period_us else self._guess_period()
        self._match_programmed()

    # --- the driver's timer ------------------------------------------------

    def _find_timer(self, timer_fn):
        """The hrtimers whose callbacks drive this line, and their events.

        A callback's events follow its hrtimer_expire_entry on the same CPU,
        until the timer is re-armed (hrtimer_start) or another callback
        starts there. Function names are not needed: the trace is formatted
        after the test, when the module may be gone and its symbols with it.
        When timer_fn is given and resolved, other functions are ignored.
        A line can have several timers over a boot: each bind allocates one.
        """
        in_callback = {}      # cpu -> hrtimer address in its callback
        owners = {}
        rearms = set()        # hrtimer_start events that ended a callback
        for e in self.trace.events:
            # Outside a hard interrupt, no callback runs on that CPU (the
            # last one of a train ends without re-arming, so nothing else
            # says it is over).
            if not e.hardirq:
                in_callback.pop(e.cpu, None)
            if e.name == "hrtimer_expire_entry":
                fn = e.fields.get("function", "")
                if timer_fn and not fn.startswith("0x") and fn != timer_fn:
                    in_callback.pop(e.cpu, None)
                else:
                    in_callback[e.cpu] = e.fields.get("hrtimer")
            elif e.name == "gpio_value" and e.cpu in in_callback:
                m = GPIO_RE.match(e.text)
                if m and int(m.group(1)) == self.gpio:
                    t = in_callback[e.cpu]
                    owners[t] = owners.get(t, 0) + 1
            elif e.name == "hrtimer_start" and e.fields.get("hrtimer") == in_callback.get(e.cpu):
                # Re-armed: the callback is over (it re-arms last).
                in_callback.pop(e.cpu, None)
                rearms.add(id(e))
        # A timer that drove this line more than once is one of its own.
        self.timers = {t for t, n in owners.items() if n > 1}
        self.timer = max(owners, key=owners.get) if owners else None
        self.starts = []        # (ts, expires, re-armed by a callback)
        self.callbacks = []     # (ts, now)
        for e in self.trace.events:
            if not e.name.startswith("hrtimer_") or e.fields.get("hrtimer") not in self.timers:
                continue
            if e.name == "hrtimer_start":
                self.starts.append((e.ts, int(e.fields["expires"]), id(e) in rearms))
            elif e.name == "hrtimer_expire_entry":
                self.callbacks.append((e.ts, int(e.fields["now"])))

    def _guess_period(self):
        deltas = [b.rise - a.rise for a, b in zip(self.pulses, self.pulses[1:])]
        return statistics.median(deltas) if deltas else None

    def _match_programmed(self):
        """Give each pulse its due rise (a boundary) and its fall wake-up.

        The timer is re-armed after each edge: an expiry set while the line
        is high is the wake-up for the falling edge, any other one is for a
        period boundary (a rising edge is due there, unless the train ends).
        The driver wakes the busy-wait budget before each edge that it
        re-arms for; the first boundary of a train (armed by a write) is
        the moment of the write itself.
        """
        busy = self.busy_ns or 0
        self.boundaries = []     # period boundaries (the edge times, not the wakes)
        self.fall_wakes = []     # (set at, expires)
        armed = []               # (set at, boundary or wake, is a boundary)
        edges = self.edges
        i = 0
        high = False
        for ts, expires, rearm in self.starts:
            while i < len(edges) and edges[i][0] <= ts:
                high = edges[i][1] == 1
                i += 1
            if high:
                self.fall_wakes.append((ts, expires))
            else:
                self.boundaries.append(expires + busy if rearm else expires)
            armed.append((ts, self.boundaries[-1] if not high else expires, not high))
        # Which boundary each callback handled: the expiry armed last
        # before it. (ts of the callback, boundary, callback's now) for
        # boundary callbacks.
        self.boundary_calls = []
        k = 0
        for ts, now in self.callbacks:
            while k < len(armed) and armed[k][0] <= ts:
                k += 1
            if k and armed[k - 1][2]:
                self.boundary_calls.append((ts, armed[k - 1][1], now))
        # A pulse's due rise: the latest boundary at or before its rise
        # (which the trace prints rounded down to the microsecond: a rise
        # busy-waited to its boundary prints before it); its fall wake: the
        # first wake-up set after its rise; its callback: the latest one
        # that started before it.
        bi = wi = ci = 0
        for p in self.pulses:
            while bi < len(self.boundaries) and self.boundaries[bi] < p.rise + NS_PER_US:
                bi += 1
            if bi:
                p.rise_due = self.boundaries[bi - 1]
            while ci < len(self.callbacks) and self.callbacks[ci][0] <= p.rise:
                ci += 1
            if ci:
                p.cb_now = self.callbacks[ci - 1][1]
            # The callback that lowered the line: the last to start before the fall.
            if p.fall is not None:
                cj = ci
                while cj < len(self.callbacks) and self.callbacks[cj][0] <= p.fall:
                    cj += 1
                if cj > ci:
                    p.fall_cb_now = self.callbacks[cj - 1][1]
            while wi < len(self.fall_wakes) and self.fall_wakes[wi][0] < p.rise:
                wi += 1
            if wi < len(self.fall_wakes) and (p.fall is None or self.fall_wakes[wi][0] <= p.fall):
                p.fall_set, p.fall_wake = self.fall_wakes[wi]
                if self.busy_ns is not None and p.cb_now is not None:
                    p.fall_due = p.fall_wake + self.busy_ns
                    # The driver read the clock after its callback started,
                    # after busy-waiting for the boundary and after writing
                    # the rise (traced inside that write, rounded down to
                    # 1 us), and before it armed the fall (traced to 1 us).
                    # The rise bounds it tightest: a vCPU stalled between
                    # the callback's start and the write makes the other
                    # two bounds loose by the stall, and then more than one
                    # commanded width would fit.
                    start = max(p.cb_now, p.rise_due or 0, p.rise)
                    p.w_lo = (p.fall_due - p.fall_set - NS_PER_US) // NS_PER_US
                    p.w_hi = -((start - p.fall_due) // NS_PER_US)
        self._assign_commanded()

    def _assign_commanded(self):
        """Gives each pulse the commanded width that fits its programmed
        bounds. Where several fit (the bounds are wide when the callback
        ran slowly, e.g. its first run), a neighbour's width is preferred:
        widths change seldom. Otherwise the one nearest the fall's due time
        less the rise (the driver reads the clock right at the rise).
        Without any known widths, that estimate stands in."""
        fits = []
        for p in self.pulses:
            if p.w_lo is None:
                fits.append([])
                continue
            guess = (p.fall_due - p.rise) / NS_PER_US
            if self.widths:
                fits.append(sorted((w for w in self.widths if p.w_lo <= w <= p.w_hi),
                                   key=lambda w, g=guess: abs(w - g)))
            else:
                fits.append([min(max(round(guess), p.w_lo), p.w_hi)])
        sure = [f[0] if len(f) == 1 else None for f in fits]
        for i, p in enumerate(self.pulses):
            if not fits[i]:
                continue
            if sure[i] is not None:
                p.cmd_us = sure[i]
                continue
            near = [sure[j] for j in (i - 1, i + 1, i - 2, i + 2)
                    if 0 <= j < len(sure) and sure[j] in fits[i]]
            p.cmd_us = near[0] if near else fits[i][0]

    # --- derived figures -----------------------------------------------------

    def complete_pulses(self):
        return [p for p in self.pulses if p.fall is not None]

    def trains(self):
        """Runs of pulses the engine sent without stopping: one period apart,
        or whole periods apart on the programmed grid (periods skipped
        because a callback came late do not end a run).

        Return: lists of pulses.
        """
        runs = []
        period = self.period_ns
        for p in self.pulses:
            if runs and period:
                a = runs[-1][-1]
                if a.rise_due is not None and p.rise_due is not None:
                    gap = p.rise_due - a.rise_due
                    same = gap > 0 and gap % period == 0 and gap <= 10 * period
                else:
                    same = p.rise - a.rise <= 1.5 * period
                if same:
                    runs[-1].append(p)
                    continue
            runs.append([p])
        return runs

    def missed_periods(self):
        """(after pulse, periods) where pulses stopped for whole periods
        inside what is otherwise one run of programmed boundaries."""
        out = []
        if not self.period_ns:
            return out
        for a, b in zip(self.boundaries, self.boundaries[1:]):
            n = (b - a) // self.period_ns
            if (b - a) % self.period_ns == 0 and n > 1:
                out.append((a, n - 1))
        return out

    def grid_errors(self):
        """Boundary expiries that are not on one grid of whole periods.

        Return: list of (expires, offset from the grid in ns); empty when
        every programmed boundary is start + k * period exactly.
        """
        if not self.boundaries or not self.period_ns:
            return []
        out = []
        # A new pulse train may start a new grid; within a train (boundaries
        # less than a second apart without a gap) the grid must hold.
        origin = self.boundaries[0]
        prev = origin
        for b in self.boundaries[1:]:
            if b - prev > 10 * self.period_ns or b < prev:
                origin = b
            elif (b - origin) % self.period_ns:
                out.append((b, (b - origin) % self.period_ns))
            prev = b
        return out

    def stats(self):
        """Timing figures, all in microseconds."""
        pulses = self.complete_pulses()
        widths = [p.width / NS_PER_US for p in pulses]
        werr = [p.width / NS_PER_US - p.cmd_us for p in pulses if p.cmd_us is not None]
        rise_late = [(p.rise - p.rise_due) / NS_PER_US for p in pulses if p.rise_due is not None]
        fall_late = [(p.fall - p.fall_due) / NS_PER_US for p in pulses if p.fall_due is not None]
        # How long after it could, the fall came: after it was due, or after
        # its callback started when the callback itself came late. This is
        # the part the driver is answerable for; the rest is timer lateness.
        fall_own = [(p.fall - max(p.fall_due, p.fall_cb_now)) / NS_PER_US for p in pulses
                    if p.fall_due is not None and p.fall_cb_now is not None]
        periods = []
        for run in self.trains():
            # Neighbours only: a skipped period is counted apart.
            periods += [(b.rise - a.rise) / NS_PER_US for a, b in zip(run, run[1:])
                        if b.rise_due is None or a.rise_due is None
                        or b.rise_due - a.rise_due == self.period_ns]
        perr = [d - self.period_ns / NS_PER_US for d in periods] if self.period_ns else []
        cb_late = []
        expires = None
        starts = iter(self.starts)
        pending = next(starts, None)
        for ts, now in self.callbacks:
            while pending is not None and pending[0] <= ts:
                expires = pending[1]
                pending = next(starts, None)
            if expires is not None and now >= expires:
                cb_late.append((now - expires) / NS_PER_US)
        return {
            "gpio": self.gpio, "name": self.name, "timer": self.timer,
            "period_us": self.period_ns / NS_PER_US if self.period_ns else None,
            "busy_wait_us": self.busy_ns / NS_PER_US if self.busy_ns is not None else None,
            "pulses": len(pulses), "trains": len(self.trains()),
            "width_us": summary(widths),
            "width_error_us": summary(werr),
            "width_abs_error_us": summary([abs(x) for x in werr]),
            "period_error_us": summary(perr),
            "rise_late_us": summary(rise_late),
            "fall_late_us": summary(fall_late),
            "fall_after_callback_us": summary(fall_own),
            "callback_late_us": summary(cb_late),
            "unexplained_pulses": sum(1 for p in pulses if p.cmd_us is None),
            "grid_errors": len(self.grid_errors()),
            "missed_periods": sum(n for _, n in self.missed_periods()),
            "lost_events": self.trace.lost,
        }


# --- what was commanded ------------------------------------------------------------

# Tests mark each device write in the trace as "TOOL DEV: write CMD" just
# before it and "TOOL DEV: write -> RESULT" (bytes written, or an errno
# name) just after it; DEV is the device's file name (devio does this).
WRITE_RE = re.compile(r"^(?P<tool>[\w.-]+) (?P<dev>[\w.-]+): write (?P<cmd>.*)$")


def command_width(cmd, cfg):
    """The pulse width (us) a /dev/sesame command asks for, None for stop or
    a malformed command. cfg: the device's sysfs calibration (strings)."""
    cmd = cmd.rstrip("\n")
    try:
        lo, hi = int(cfg["min_pulse_us"]), int(cfg["max_pulse_us"])
        if cmd == "open":
            return int(cfg["open_pulse_us"])
        if cmd == "close":
            return int(cfg["closed_pulse_us"])
        m = re.fullmatch(r"(\d{1,6})us", cmd)
        if m:
            return int(m.group(1))
        m = re.fullmatch(r"(?:angle )?(\d{1,6})", cmd)
        if m and int(m.group(1)) <= 180:
            return lo + ((hi - lo) * int(m.group(1)) + 90) // 180
    except (KeyError, ValueError):
        pass
    return None


def commanded_widths(trace, dev, cfg):
    """Every width /dev/<dev> may have been sent: open, closed, and the
    widths of the writes to it that devio marked in the trace."""
    widths = {int(cfg[k]) for k in ("open_pulse_us", "closed_pulse_us") if k in cfg}
    pending = None
    for _, text in trace.markers():
        m = WRITE_RE.match(text)
        if not m or m.group("dev") != dev:
            continue
        cmd = m.group("cmd")
        if not cmd.startswith("-> "):
            pending = command_width(cmd, cfg)
        elif pending is not None and cmd[3:].isdigit():   # the write succeeded
            widths.add(pending)
            pending = None
    return widths


# --- the text timeline --------------------------------------------------------

def timeline(trace, lines, origin=None, show_markers=None):
    """What happened when, one line per event, times from origin (ns).

    Shows the test's markers, the start and end of each pulse train with its
    period, each change of width (with its cause when a marker says it), and
    missed periods.
    """
    def writes_to(dev, start, end):
        return [t for ts, t in trace.markers() if start - 2 * NS_PER_S // 100 <= ts <= end
                and (m := WRITE_RE.match(t)) and m.group("dev") == dev]

    items = []
    for ts, text in trace.markers():
        if show_markers is None or show_markers(text):
            items.append((ts, 0, f"marker   {text}"))
    for line in lines:
        tag = f"{line.name:<10}"
        for run in line.trains():
            first, last = run[0], run[-1]
            width = first.width / NS_PER_US if first.width else 0
            cmd = f" (programmed {first.cmd_us} us)" if first.cmd_us is not None else ""
            per = ""
            if len(run) > 1:
                per = f", period {statistics.median([b.rise - a.rise for a, b in zip(run, run[1:])]) / NS_PER_US:.0f} us"
            items.append((first.rise, 1, f"{tag} pulses start: width {width:.0f} us{cmd}{per}"))
            prev = first
            for p in run[1:]:
                if p.width is None or prev.width is None:
                    prev = p
                    continue
                a = prev.cmd_us if prev.cmd_us is not None else round(prev.width / NS_PER_US)
                b = p.cmd_us if p.cmd_us is not None else round(p.width / NS_PER_US)
                if abs(a - b) > (2 if p.cmd_us is not None else 50):
                    cause = "" if writes_to(line.name, prev.rise, p.rise) else ", by itself"
                    items.append((p.rise, 1, f"{tag} width {a} -> {b} us (observed "
                                             f"{p.width / NS_PER_US:.0f} us{cause})"))
                prev = p
            end = last.fall if last.fall is not None else last.rise
            ww = f"{last.width / NS_PER_US:.0f} us" if last.width else "unfinished"
            cause = "" if writes_to(line.name, last.rise - (line.period_ns or 0), end) else ", by itself"
            items.append((end, 2, f"{tag} pulses stop after {len(run)} pulses "
                                  f"(last width {ww}{cause}), line {'high' if line.final_level else 'low'}"))
        for at, n in line.missed_periods():
            items.append((at, 1, f"{tag} {n} period(s) skipped (callback late)"))
    items.sort()
    if origin is None:
        origin = items[0][0] if items else 0
    return "\n".join(f"t={(ts - origin) / NS_PER_S:8.3f} s  {text}" for ts, _, text in items)


# --- the plot ----------------------------------------------------------------------

def _zoom_window(lines):
    """Where the plot's close-up looks: three periods around the first change
    of width (or the first pulses), in trace time."""
    for line in lines:
        period = line.period_ns or 20 * NS_PER_S // 1000
        for run in line.trains():
            for a, b in zip(run, run[1:]):
                if a.cmd_us is not None and b.cmd_us is not None and a.cmd_us != b.cmd_us:
                    return b.rise - 2 * period - period // 4, b.rise + period + period // 4
    firsts = [l.pulses[0].rise for l in lines if l.pulses]
    if not firsts:
        return None
    period = lines[0].period_ns or 20 * NS_PER_S // 1000
    return min(firsts) - period // 4, min(firsts) + 3 * period


def plot(trace, lines, png, title="sesame: GPIO waveform", origin=None, markers=None, zoom=None):
    """A PNG of each line's waveform (top), pulse widths (middle), and a
    close-up of three periods around the first change of width (bottom).

    markers: (ts, label) to draw as vertical lines; default: the trace's
    markers that name device writes. zoom: (start, end) of the close-up,
    in trace time; default: around the first change of width.
    """
    if not shutil.which("gnuplot"):
        raise RuntimeError("gnuplot is not installed (scripts/deps.sh pi)")
    if origin is None:
        starts = [l.edges[0][0] for l in lines if l.edges]
        origin = min(starts) if starts else 0
    if markers is None:
        markers = [(ts, f"{m.group('dev')}: {m.group('cmd')}") for ts, m in
                   ((ts, WRITE_RE.match(t)) for ts, t in trace.markers())
                   if m and not m.group("cmd").startswith("->")]
    if zoom is None:
        zoom = _zoom_window(lines)

    def sec(ts):
        return (ts - origin) / NS_PER_S

    with tempfile.TemporaryDirectory() as tmp:
        plots_wave, plots_width, plots_zoom = [], [], []
        for k, line in enumerate(lines):
            label = line.name if line.pin is None else f"{line.name} (GPIO{line.pin})"
            wave = os.path.join(tmp, f"wave{k}.dat")
            with open(wave, "w") as f:
                level = 0
                for ts, lv in line.edges:
                    f.write(f"{sec(ts):.6f} {1.2 * k + level}\n{sec(ts):.6f} {1.2 * k + lv}\n")
                    level = lv
                if line.edges:
                    f.write(f"{sec(line.edges[-1][0]) + 0.5:.6f} {1.2 * k + level}\n")
            widths = os.path.join(tmp, f"width{k}.dat")
            with open(widths, "w") as f:
                for run in line.trains():
                    for p in run:
                        if p.fall is not None:
                            cmd = p.cmd_us if p.cmd_us is not None else "NaN"
                            f.write(f"{sec(p.rise):.6f} {p.width / NS_PER_US:.1f} {cmd}\n")
                    f.write("\n")      # no line across a pause
            plots_wave.append(f"'{wave}' using 1:2 with lines lw 1 title '{label}'")
            plots_width.append(f"'{widths}' using 1:2 with points pt 7 ps 0.4 title '{line.name} observed'")
            plots_width.append(f"'{widths}' using 1:3 with steps lw 1 dt 2 title '{line.name} commanded'")
            plots_zoom.append(f"'{wave}' using (($1 - {sec(zoom[0]) if zoom else 0:.6f}) * 1000):2 "
                              f"with lines lw 2 title '{label}'")
        script = os.path.join(tmp, "plot.gp")
        with open(script, "w") as f:
            f.write(f"set terminal pngcairo size 1400,1050 font 'sans,10'\nset output '{png}'\n")
            f.write("set multiplot layout 3,1 title '%s'\n" % title.replace("'", ""))
            f.write("set key outside right\nset grid\nset xlabel 'time (s)'\n")
            for ts, text in markers:
                f.write(f"set arrow from {sec(ts):.6f}, graph 0 to {sec(ts):.6f}, graph 1 nohead "
                        "dt 3 lc rgb 'gray40'\n")
                f.write(f"set label \"{text.replace(chr(34), '')}\" at {sec(ts):.6f}, graph 0.97 "
                        "rotate by 90 right noenhanced font 'sans,8' tc rgb 'gray30'\n")
            f.write("set ylabel 'level'\nset ytics 1\n")
            f.write(f"set yrange [-0.1:{1.2 * len(lines) + 0.1}]\n")
            f.write("plot " + ", ".join(plots_wave) + "\n")
            f.write("unset label\nset ylabel 'pulse width (us)'\nset autoscale y\nset ytics autofreq\n")
            f.write("plot " + ", ".join(plots_width) + "\n")
            f.write("unset arrow\n")
            if zoom:
                f.write("set title 'close-up (ms from %.3f s)'\n" % sec(zoom[0]))
                f.write("set xlabel 'time (ms)'\nset ylabel 'level'\nset ytics 1\n")
                f.write(f"set xrange [0:{(zoom[1] - zoom[0]) / 1e6:.3f}]\n")
                f.write(f"set yrange [-0.1:{1.2 * len(lines) + 0.1}]\n")
                for ts, text in markers:
                    if zoom[0] <= ts <= zoom[1]:
                        x = (ts - zoom[0]) / 1e6
                        f.write(f"set arrow from {x:.3f}, graph 0 to {x:.3f}, graph 1 nohead "
                                "dt 3 lc rgb 'gray40'\n")
                        f.write(f"set label \"{text.replace(chr(34), '')}\" at {x:.3f}, graph 0.97 "
                                "rotate by 90 right noenhanced font 'sans,8' tc rgb 'gray30'\n")
                f.write("plot " + ", ".join(plots_zoom) + "\n")
            f.write("unset multiplot\n")
        subprocess.run(["gnuplot", script], check=True)


# --- the results folder of a guest run -------------------------------------------

def read_devices(results):
    """The dev-NAME snapshots a guest test left (key=value lines)."""
    devices = {}
    if not os.path.isdir(results):
        return devices
    for fn in sorted(os.listdir(results)):
        if fn.startswith("dev-"):
            with open(os.path.join(results, fn)) as f:
                kv = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
            devices[fn[4:]] = kv
    return devices


def lines_for(results, trace, timer_fn=DEFAULT_TIMER_FN, gpio=None, busy_us=None, widths=()):
    """A Line for each device snapshot of the results, or for the GPIO given,
    or for every line that toggled."""
    out = []
    devices = read_devices(results)
    if gpio is None and devices:
        for name, kv in devices.items():
            busy = busy_us if busy_us is not None else kv.get("busy_wait_us")
            out.append(Line(trace, int(kv["gpio"]), timer_fn,
                            period_us=int(kv["period_us"]) if "period_us" in kv else None,
                            busy_us=int(busy) if busy is not None else None, name=name,
                            widths=set(widths) | commanded_widths(trace, name, kv),
                            pin=kv.get("pin")))
        return out
    gpios = [gpio] if gpio is not None else sorted(trace.gpios())
    return [Line(trace, g, timer_fn, busy_us=busy_us, widths=widths) for g in gpios]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="a guest's results folder, or a trace file")
    ap.add_argument("--gpio", type=int, help="global GPIO number (default: from dev-* snapshots)")
    ap.add_argument("--timer", default=DEFAULT_TIMER_FN, help="the driver's hrtimer callback")
    ap.add_argument("--busy-us", type=int, help="the busy-wait budget (default: from snapshots)")
    ap.add_argument("--widths", default="", help="commanded widths in us, comma-separated "
                    "(default: from the snapshots and the devio writes in the trace)")
    ap.add_argument("--timeline", action="store_true", help="print the text timeline")
    ap.add_argument("--stats", metavar="FILE", help="write statistics as JSON ('-': stdout)")
    ap.add_argument("--plot", metavar="PNG", help="write a plot of the waveform")
    args = ap.parse_args(argv)

    path = args.results
    trace_path = os.path.join(path, "trace") if os.path.isdir(path) else path
    trace = Trace(trace_path)
    widths = [int(w) for w in args.widths.split(",") if w]
    lines = lines_for(path, trace, args.timer, args.gpio, args.busy_us, widths)
    if trace.lost:
        print(f"warning: the trace lost {trace.lost} events (buffer too small)", file=sys.stderr)
    if args.timeline or not (args.stats or args.plot):
        # A write's success is shown by what follows; its failure is news.
        print(timeline(trace, lines, show_markers=lambda t: not re.search(r": write -> \d+$", t)))
    if args.stats:
        data = {"trace": trace_path, "lines": [l.stats() for l in lines]}
        text = json.dumps(data, indent=2)
        if args.stats == "-":
            print(text)
        else:
            with open(args.stats, "w") as f:
                f.write(text + "\n")
    if args.plot:
        plot(trace, lines, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
