"""pulsecheck.py - checks of a sesame pulse train and of /dev/sesame's status,
for the system tests (used with systest.py and trace/sesame_trace.py).

Each check raises systest.Failure with the evidence when it does not hold.
"""

import re

from systest import Failure, check, st

MS = 1000000        # ns
US = 1000           # ns

# How far a pulse may come out short of its commanded width, on the wire
# (gpio_value events): the fall is timed from a clock read after the rising
# write, so nothing but the trace's 1 us resolution can make it look short.
SHORT_TOLERANCE_US = 2
# The driver decides whether a pulse still fits its period from a clock read
# a little after its callback starts (whose start the trace shows); on a busy
# host the emulated CPU can stall in between.
RISE_SLACK_MARGIN_US = 1000


def status_text(state, pulse_us, angle, pulsing, opens):
    """A status line of /dev/sesame, without its newline."""
    return f"state={state} pulse_us={pulse_us} angle={angle} pulsing={pulsing} opens={opens}"


def status(*args):
    """A status line as devio prints a whole read of it."""
    return f'"{status_text(*args)}\\n" eof'


# --- pulse checks -------------------------------------------------------------------
#
# Exact checks use what the driver programmed: boundary expiries (ns) on the
# period grid, and the fall armed for the commanded width. What a period
# sends is decided at its boundary, so hold, idle and stop are checked by
# which side of their due time each pulse's boundary lies on. Under a busy
# host the emulated timer can come so late that whole periods are skipped
# (the driver then skips them, on purpose); the checks allow for skipped
# periods where the trace shows them, and for nothing else.

def pulses_between(line, start, end):
    return [p for p in line.pulses if start <= p.rise <= end]


def boundaries_between(line, start, end):
    return [b for b in line.boundaries if start <= b <= end]


def expect_programmed(p, width_us, what):
    """The driver armed the pulse's fall exactly width_us after the rise it
    saw (which the trace pins down to the interval w_lo..w_hi)."""
    check(p.w_lo is not None, f"{what}: no programmed fall for the pulse at {st.fmt_s(p.rise)} s")
    check(p.programmed(width_us),
          f"{what}: the pulse at {st.fmt_s(p.rise)} s was programmed for {p.w_lo}..{p.w_hi} us, "
          f"commanded {width_us} us")


def expect_whole(line, pulses, what):
    """No runt: every pulse ended, not before the fall the driver had
    programmed (exact: the fall against the armed expiry), for a width that
    was commanded, and not short of it on the wire."""
    check(pulses, f"{what}: no pulses on GPIO {line.gpio}")
    for p in pulses:
        at = f"{what}: the pulse at {st.fmt_s(p.rise)} s"
        check(p.fall is not None, f"{at} never ended")
        check(p.fall_due is not None, f"{at} has no programmed fall")
        check(p.fall >= p.fall_due - US,
              f"{at} fell {(p.fall_due - p.fall) / US:.0f} us before it was due (a runt)")
        check(p.cmd_us is not None,
              f"{at} was programmed for {p.w_lo}..{p.w_hi} us, which no command asked for")
        check(p.width >= (p.cmd_us - SHORT_TOLERANCE_US) * US,
              f"{at} is {p.width / US:.0f} us on the wire, commanded {p.cmd_us} us (a runt); "
              f"it rose {(p.rise - (p.fall_due - p.cmd_us * US)) / US:.0f} us after the "
              "time its fall was counted from")


def expect_grid(line, start, end, what):
    """The boundaries the driver programmed lie on one grid of periods."""
    bs = boundaries_between(line, start, end)
    check(bs, f"{what}: no programmed period boundaries")
    for a, b in zip(bs, bs[1:]):
        check((b - a) % line.period_ns == 0 and b > a,
              f"{what}: boundary {st.fmt_s(b)} s is {b - a} ns after the one before, "
              f"not a whole number of {line.period_ns} ns periods")
    return bs


def expect_no_burst(line, pulses, what):
    """Never two rises in one period, even after late callbacks."""
    for a, b in zip(pulses, pulses[1:]):
        check(b.rise - a.rise >= line.period_ns / 2,
              f"{what}: two pulses {(b.rise - a.rise) / US:.0f} us apart at {st.fmt_s(b.rise)} s (a burst)")


def expect_runs(pulses, widths, what):
    """The pulses were programmed for `widths`, in this order, each for
    zero or more pulses in a row (zero: every period of it came too late;
    expect_no_gap() checks that)."""
    k = 0
    for p in pulses:
        while k < len(widths) and not p.programmed(widths[k]):
            k += 1
        check(k < len(widths), f"{what}: the pulse at {st.fmt_s(p.rise)} s was programmed for "
                               f"{p.w_lo}..{p.w_hi} us, out of the order {widths}")


def expect_no_gap(line, t0, t1, width_us, what):
    """Every boundary the engine handled in [t0, t1) sent its pulse, unless
    its callback came so late that the pulse no longer fit in the period
    (sesame_rise_in_time(): then the driver skips it, on purpose), or the
    engine stopped there."""
    slack = (line.period_ns - width_us * US) // 2
    have = {p.rise_due for p in line.pulses}
    bs = line.boundaries
    # Where the engine stopped (idle, stop, removal) no pulse is due: no
    # boundary follows within the next few periods.
    stops = {a for a, b in zip(bs, bs[1:] + [None])
             if b is None or not 0 < b - a <= 10 * line.period_ns}
    for ts, b, now in line.boundary_calls:
        if t0 <= b < t1 and b not in have and b not in stops:
            check(now - b > slack - RISE_SLACK_MARGIN_US * US,
                  f"{what}: no pulse at the boundary {st.fmt_s(b)} s, whose callback came "
                  f"{(now - b) / US:.0f} us late, in time for it")


def skipped_over(bs, period, t0, t1):
    """Whether the programmed boundaries jump over all of [t0, t1): the
    periods there were skipped (callbacks too late), not sent."""
    return any(a < t0 and b >= t1 and b - a > period for a, b in zip(bs, bs[1:]))


def expect_stop_at(line, bs, due, what):
    """The engine stopped at the first boundary at or after `due` (or later
    only by skipping over it): the last programmed boundary is `due`
    exactly, and the one before it is earlier."""
    check(bs, f"{what}: no programmed boundaries")
    last = bs[-1]
    prev = bs[-2] if len(bs) > 1 else None
    check(last >= due, f"{what}: the engine stopped at {st.fmt_s(last)} s, "
                       f"before its stop was due at {st.fmt_s(due)} s")
    check(last == due or (prev is not None and prev < due),
          f"{what}: the engine ran on to {st.fmt_s(last)} s after its stop was due at {st.fmt_s(due)} s")


def handled_after(line, write):
    """The boundary at which the engine took in a write (before, after, ...):
    the one whose callback started after the write returned, or one whose
    callback started while it ran. Return: the candidates, earliest first."""
    before, after = write[0], write[1]
    calls = [(ts, b) for ts, b, _ in line.boundary_calls if ts >= before]
    out = [b for ts, b in calls if ts <= after]
    out += [b for ts, b in calls if ts > after][:1]
    if not out:
        raise Failure(f"no boundary handled after the write at {st.fmt_s(before)} s")
    return out


def expect_one_of(origins, fn, what):
    """fn(origin) for each candidate origin until one passes."""
    errors = []
    for o in origins:
        try:
            return fn(o)
        except Failure as e:
            errors.append(str(e))
    raise Failure(errors[-1] if len(errors) == 1 else
                  f"{what}, for each boundary the write may have been taken in:\n" + "\n".join(errors))


def expect_hold_idle(line, origins, end, open_us, closed_us, hold_ms, idle_ms, what):
    """open from the boundary that took the command in, closed from the
    first boundary at or after hold_ms later, stopped from the first at or
    after idle_ms after that: every pulse's boundary on the right side of
    each, and the engine's last boundary at the idle stop."""
    def attempt(origin):
        period = line.period_ns
        bs = boundaries_between(line, origin, end)
        close_at = origin + hold_ms * MS
        after = [b for b in bs if b >= close_at]
        check(after, f"{what}: the engine stopped before the auto-close due at {st.fmt_s(close_at)} s")
        close_b = after[0]
        check(close_b == close_at or skipped_over(bs, period, close_at, close_b),
              f"{what}: auto-close at {st.fmt_s(close_b)} s, due at {st.fmt_s(close_at)} s")
        stop_at = close_b + idle_ms * MS
        pulses = [p for p in line.pulses if origin <= p.rise_due <= end]
        opened = [p for p in pulses if p.rise_due < close_b]
        closed = [p for p in pulses if p.rise_due >= close_b]
        check(opened, f"{what}: no open pulses")
        for p in opened:
            expect_programmed(p, open_us, f"{what} (open, before the hold ends)")
        for p in closed:
            expect_programmed(p, closed_us, f"{what} (closed, after the hold)")
            check(p.rise_due < stop_at, f"{what}: a pulse at {st.fmt_s(p.rise_due)} s, after the "
                                        f"idle stop due at {st.fmt_s(stop_at)} s")
        expect_no_gap(line, origin, close_b, open_us, f"{what} (open)")
        expect_no_gap(line, close_b, stop_at, closed_us, f"{what} (closed)")
        expect_stop_at(line, bs, stop_at, f"{what} (idle stop)")
        return pulses, close_b, bs[-1]
    return expect_one_of(origins, attempt, what)


def expect_reads(res, line, dev, start, end, phases, what):
    """Each status read in [start, end) shows the phase the engine was in
    when it was read. phases: (callback time from which it holds, status);
    a read that overlapped a change may show either side of it."""
    reads = []
    pending = None
    for ts, text in res.trace.markers():
        if not start <= ts < end or not text.startswith(f"devio {dev}: read"):
            continue
        if text == f"devio {dev}: read":
            pending = ts
        elif pending is not None:
            reads.append((pending, ts, text.split(" -> ", 1)[1].strip()))
            pending = None
    check(reads, f"{what}: no status reads in the trace")
    for before, after, got in reads:
        could = [st_ for i, (since, st_) in enumerate(phases)
                 if since <= after and (i + 1 == len(phases) or phases[i + 1][0] >= before)]
        check(got in could, f"{what}: read at {st.fmt_s(before)} s showed '{got}', "
                            f"expected {' or '.join(repr(c) for c in could)}")


def callback_of(line, boundary):
    """When the callback that handled a boundary started (trace time)."""
    for ts, b, _ in line.boundary_calls:
        if b == boundary:
            return ts
    raise Failure(f"no callback handled the boundary at {st.fmt_s(boundary)} s")


def expect_idle_stop(line, origins, end, idle_ms, what):
    """No pulse from idle_ms after the boundary that took the move in; the
    engine's last boundary there."""
    def attempt(origin):
        stop_at = origin + idle_ms * MS
        late = [p for p in line.pulses if origin <= p.rise_due <= end and p.rise_due >= stop_at]
        check(not late, f"{what}: a pulse at {late[:1]} after the idle stop due at {st.fmt_s(stop_at)} s")
        expect_stop_at(line, boundaries_between(line, origin, end), stop_at, what)
    return expect_one_of(origins, attempt, what)


def line_level_at(line, ts):
    level = 0
    for t, lv in line.edges:
        if t > ts:
            break
        level = lv
    return level


def no_oops(res):
    bad = [l for l in res.dmesg().splitlines()
           if re.search(r"Oops|BUG:|WARNING:|Unable to handle|use-after-free|"
                        r"did not end at a period boundary|Call trace|"
                        r"sleeping function called from invalid context|"
                        r"possible circular locking|inconsistent lock state|"
                        r"possible recursive locking|lockdep", l)]
    check(not bad, "the kernel complained:\n" + "\n".join(bad[:10]))
