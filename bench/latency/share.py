"""share.py - a subscriber's own share of the command latency, from the host
kernel's trace of it (latency.sh with sharetrace.sh; used by analyse.py).

The span, per command: from the kernel waking the subscriber with the
command (the last sched_waking of it, during the wait that returned just
before its write(), by any task but the /dev/sesame stand-in: the broker's
send ends in the subscriber's socket on loopback and wakes it there) to the
start of its write() of the command on the device's descriptor. What
happens after the write starts (the stand-in's FUSE round trip) is not in
it; what the kernel did to get the subscriber a CPU is.

Parts of the span:
  standin  time in the span the subscriber slept waiting for the stand-in
           (off the CPU, woken by the stand-in): the bridge also polls the
           device, and on the FUSE stand-in poll() asks the stand-in's
           daemon and sleeps for its answer, where the real driver answers
           in the kernel. share = span - standin is the subscriber's own.
  sched    the wakeup to the wait's return, less standin (the scheduler,
           and the wait's own checks of its descriptors)
  user     the wait's return to the write, less standin (TLS, MQTT, the
           subscriber's own code and system calls); share = sched + user

A write whose wait returned without a wakeup in it (the command was
already there when it asked) has no span; those are counted as
"not_woken". Timestamps are the trace's, CLOCK_MONOTONIC at 1 us.
"""
import re

LINE_RE = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+\.\d+): (.*)$")
ENTER_RE = re.compile(r"^sys_(\w+)\((.*)\)$")
EXIT_RE = re.compile(r"^sys_(\w+) -> (\S+)$")
FIELD_RE = re.compile(r"(\w+)=(\S+)")
WAITS = {"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait"}


def read_info(path):
    """NAME-R.share: 'subscriber PID', 'broker PID', 'standin PID', 'devfd N'."""
    info = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 2 and w[1].isdigit():
                info[w[0]] = int(w[1])
    return info


def events(path):
    """(time_us, task_pid, kind, detail) for each event of a tracefs text trace."""
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            m = LINE_RE.match(line)
            if not m:
                continue
            t = round(float(m.group(4)) * 1e6)
            task, text = int(m.group(2)), m.group(5)
            if text.startswith("sched_waking:"):
                yield t, task, "waking", dict(FIELD_RE.findall(text))
            elif text.startswith("sched_switch:"):
                yield t, task, "switch", dict(FIELD_RE.findall(text))
            elif (e := ENTER_RE.match(text)):
                yield t, task, "enter", e.group(1), e.group(2)
            elif (e := EXIT_RE.match(text)):
                yield t, task, "exit", e.group(1), e.group(2)


def lost(path):
    with open(path) as f:
        for line in f:
            if line.startswith("# lost "):
                return int(line.split()[2])
    return 0


def spans(trace, info):
    """The spans of one traced run: a list of dicts (us), and the count of
    device writes without one."""
    if "devfd" not in info:
        raise ValueError("the subscriber had not opened the device when tracing began")
    me, standin, devfd = info["subscriber"], info["standin"], info["devfd"]
    wait = None             # the wait in progress: its wakeups
    last = None             # the last wait that returned: (exit time, wakeups)
    off = None              # [since, woken by] while asleep off the CPU
    asleep = []             # (from, to, woken by) for each sleep
    out, not_woken = [], 0
    for ev in events(trace):
        t, task, kind = ev[0], ev[1], ev[2]
        if kind == "waking":
            if int(ev[3]["pid"]) != me:
                continue
            if wait is not None:
                wait.append((t, task))
            if off is not None and off[1] is None:
                off[1] = task
        elif kind == "switch":
            f = ev[3]
            if int(f["prev_pid"]) == me and not f["prev_state"].startswith("R"):
                off = [t, None]
            elif int(f["next_pid"]) == me and off is not None:
                asleep.append((off[0], t, off[1]))
                off = None
        elif task != me:
            continue
        elif kind == "enter" and ev[3] in WAITS:
            wait = []
        elif kind == "exit" and ev[3] in WAITS:
            last = (t, wait or [])
            wait = None
        elif kind == "enter" and ev[3] == "write":
            m = re.match(r"fd: (0x[0-9a-f]+|\d+)", ev[4])
            if not m or int(m.group(1), 0) != devfd:
                continue
            woke = [w for w in (last[1] if last else []) if w[1] != standin]
            if not woke:
                not_woken += 1
                continue
            t0, t1 = woke[-1][0], last[0]
            s0, s1 = standin_sleep(asleep, standin, t0, t1), standin_sleep(asleep, standin, t1, t)
            out.append({"span": t - t0, "share": t - t0 - s0 - s1, "standin": s0 + s1,
                        "sched": t1 - t0 - s0, "user": t - t1 - s1})
    return out, not_woken


def standin_sleep(asleep, standin, t0, t1):
    """Time between t0 and t1 asleep until the stand-in woke it."""
    return sum(max(0, min(b, t1) - max(a, t0)) for a, b, by in asleep if by == standin)
