#!/usr/bin/env python3
"""test_door.py - the whole door in the emulated Raspberry Pi 3: an MQTT
command over TLS, Debian's mosquitto, sesame-bridge, /dev/sesame, and the
servo's pulses.

One boot (tests/system/rig/) with the overlay and the tree of
tests/door/rig/stage.sh: Debian's arm64 mosquitto, mosquitto_pub and
systemd-udevd, the cross-built bridge, the module where DKMS puts it, the
project's udev rule and sysusers files, the test PKI. The guest script
(cases/door.sh) does what the Pi's boot, an admin and a phone would do and
records what it saw; the cases below check it, mostly from the kernel
trace, where the GPIO's pulses, the script's steps and every MQTT message
the test's client saw are on one clock.

Guest time counts instructions (rig/qemu.sh -c): the story's timing does
not depend on how busy the host is, and the latency figure printed at the
end is reproducible. Timing is still only bounded loosely here: the
emulated Pi is not a real one.

Usage: test_door.py [--out DIR] [--reuse] [-v] [--list]
                    [--only NAME|PATTERN]... [NAME|PATTERN...]   (make check-door)
Exit status: 0 when every case passed, 1 otherwise.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import doorcheck as dc  # noqa: E402
from systest import BUILD, ROOT, case, check, line_out, run  # noqa: E402
from pulsecheck import (MS, expect_grid, expect_hold_idle, expect_no_burst,  # noqa: E402
                        expect_whole, handled_after, no_oops)

# Loose bounds, in ms of guest time: how soon MQTT shows what the pulses did.
MQTT_SLACK_MS = 1000

BOOTS = {"door": dc.boot_spec(os.path.join(HERE, "cases", "door.sh"), 300)}
TOPIC = dc.TOPIC


def guest_id(name, db="passwd"):
    """The uid (or gid) the staged tree gave a user (or group)."""
    with open(os.path.join(dc.STAGE, "etc", db)) as f:
        for line in f:
            fields = line.split(":")
            if fields[0] == name:
                return int(fields[2])
    raise AssertionError(f"no {name} in the staged /etc/{db}")


def msgs(res, step, topic=None):
    start, end = res.step(step)
    return dc.messages(res.trace, topic and f"{TOPIC}/{topic}", start, end)


def payloads(res, step, topic):
    return [m.payload for m in msgs(res, step, topic)]


def events(res, step):
    """The bridge's events in a step, as (accepted, reason) pairs."""
    out = []
    for m in msgs(res, step, "event"):
        reason = re.search(r'"reason":"([^"]*)"', m.payload)
        out.append(('"accepted":true' in m.payload, reason.group(1) if reason else None))
    return out


def quiet(res, step):
    """No edge on the servo's line during a step."""
    start, end = res.step(step)
    edges = [ts for ts, _ in res.lines["sesame"].edges if start <= ts <= end]
    check(not edges, f"{step}: the servo's line moved at {[dc.st.fmt_s(t) for t in edges[:3]]} s")


def expect_open_close(res, step):
    """The phone's open in a step: accepted, the pulses at the open width
    from the boundary that took the bridge's write in, closed 3 s later by
    themselves, stopped 1 s after that; state open then closed on MQTT,
    each soon after the pulses said so."""
    line = res.lines["sesame"]
    start, end = res.step(step)
    pubs = [p for p in dc.pub_runs(res.trace, "phone", start, end) if "-m open" in p[3]]
    check(len(pubs) == 1 and pubs[0][4] == 0, f"{step}: the phone's open: {pubs}")
    check(events(res, step) == [(True, None)], f"{step}: the bridge's events: {events(res, step)}")
    states = [m for m in msgs(res, step, "state") if m.ts > pubs[0][0]]
    check([m.payload for m in states] == ["open", "closed"],
          f"{step}: state on MQTT went {[m.payload for m in states]}, not open then closed")
    expect_grid(line, start, end, step)
    # The bridge wrote open between the publish and its state message.
    pulses, close_b, stop_b = expect_hold_idle(line, handled_after(line, (pubs[0][0], states[0].ts)),
                                               end, 2000, 1000, 3000, 1000, step)
    expect_whole(line, pulses, step)
    check(0 <= states[0].ts - pulses[0].rise <= MQTT_SLACK_MS * MS,
          f"{step}: state open came {(states[0].ts - pulses[0].rise) / MS:.0f} ms after the first "
          "open pulse")
    closed = next(p for p in pulses if p.rise_due >= close_b)
    check(0 <= states[1].ts - closed.rise <= MQTT_SLACK_MS * MS,
          f"{step}: state closed came {(states[1].ts - closed.rise) / MS:.0f} ms after the "
          "automatic close")
    return pulses


# --- the cases ----------------------------------------------------------------------

@case("udev-loads-module-gpio18",
      "boot: udev loads sesame.ko for the overlay's node; it drives GPIO18 through pinctrl-bcm2835", "door")
def c_boot(res):
    check(re.search(r"^sesame ", res.read("lsmod.out"), re.M), "sesame.ko is not loaded after the coldplug")
    check("sesame" in res.read("bound.out").split(), "no device bound to the driver")
    gpio = int(res.devices["sesame"]["gpio"])
    check(re.search(r"^gpiochip\d+: GPIOs \d+-\d+, parent: platform/3f200000\.gpio, pinctrl-bcm2835:",
                    res.read("gpio.out"), re.M)
          and re.search(rf"^ gpio-{gpio} \(GPIO18\s+\|sesame\s*\) out lo", res.read("gpio.out"), re.M),
          f"GPIO18 (gpio-{gpio}) is not sesame's low output on pinctrl-bcm2835")
    check(re.search(r"sesame sesame: /dev/sesame: 20000 us period, 500\.\.2500 us, "
                    r"closed 1000 us, open 2000 us", res.dmesg()), "no probe message in dmesg")
    no_oops(res)


@case("udev-device-group-mode",
      "udev gives /dev/sesame to group sesame, mode 0660 (the project's rule and sysusers files)", "door")
def c_udev(res):
    with open(os.path.join(ROOT, "udev", "60-sesame.rules")) as a, \
            open(os.path.join(dc.STAGE, "lib", "udev", "rules.d", "60-sesame.rules")) as b:
        check(a.read() == b.read(), "the guest's udev rule is not the project's")
    gid = guest_id("sesame", "group")
    check(res.read("group.out").strip() == f"sesame:x:{gid}:", f"group sesame: {res.read('group.out')}")
    node = res.read("node.out").strip()
    check(node == "/dev/sesame 660 root sesame character special file", f"after udev: {node}")
    check("sesame" not in res.read("udevd.log"), f"udevd complained: {res.read('udevd.log')}")


@case("broker-tls-only", "the broker serves MQTT over TLS only; a plain MQTT client gets no answer", "door")
def c_broker(res):
    log = res.read("broker.log")
    check(re.search(r"^mosquitto version 2\.0\.\d+ running$", log, re.M), "the broker did not start")
    check("Opening ipv4 listen socket on port 8883." in log, "no listener on 8883")
    check(res.read("plain.out") == "", f"the plain client got an answer: {res.read('plain.out')!r}")
    check(re.search(r"^Client connection from 127\.0\.0\.1 failed: .*SSL routines::wrong version number",
                    log, re.M), "the broker logged no TLS error for the plain client")


@case("bridge-runs-unprivileged",
      "the bridge runs as user sesame (group sesame only, no new privileges), /dev/sesame open read-write", "door")
def c_bridge_user(res):
    uid, gid = guest_id("sesame"), guest_id("sesame", "group")
    ident = dict(l.split(":", 1) for l in line_out(res, "bridge-id.out"))
    got = {k: v.split() for k, v in ident.items()}
    check(got.get("Name") == ["sesame-bridge"], f"not the bridge: {ident}")
    check(got.get("Uid") == [str(uid)] * 4 and got.get("Gid") == [str(gid)] * 4,
          f"uid/gid {ident.get('Uid')} / {ident.get('Gid')}, not sesame's {uid}/{gid}")
    check(got.get("Groups") == [str(gid)], f"supplementary groups {ident.get('Groups')}")
    check(got.get("NoNewPrivs") == ["1"], "NoNewPrivs is not set")
    check(re.search(r"^lrwx\S* .* -> /dev/sesame$", res.read("bridge-fd.out"), re.M),
          "the bridge does not hold /dev/sesame open read-write:\n" + res.read("bridge-fd.out"))
    check(payloads(res, "bridge", "availability") == ["online"], "availability did not go online")
    check(payloads(res, "bridge", "state") == ["closed"], "state is not closed at the start")


@case("retained-open-ignored",
      "a retained open, published before the bridge started, never moves the servo", "door")
def c_retained(res):
    kept = msgs(res, "retained", "set")
    check([(m.payload, m.retained) for m in kept] == [("open", True)],
          f"the broker did not keep the retained open: {kept}")
    check(events(res, "bridge") == [], f"the bridge acted on something at its start: {events(res, 'bridge')}")
    quiet(res, "bridge")


@case("retain-flag-refused",
      "a command sent with the retain flag while the bridge runs is refused, nothing moves", "door")
def c_retained_live(res):
    check(events(res, "retained-live") == [(False, "retained")] * 2,
          f"events: {events(res, 'retained-live')}")
    quiet(res, "retained-live")


@case("phone-opens-door",
      "the phone opens over TLS with its password: open pulses, hold 3 s, close by itself, stop 1 s later", "door")
def c_open(res):
    expect_open_close(res, "open")
    check(res.read("status-open.out").strip() == "state=closed pulse_us=1000 angle=45 pulsing=0 opens=1",
          f"the driver's status after: {res.read('status-open.out')}")


@case("state-follows-pulses", "on MQTT, state goes open then closed, as the pulses do", "door")
def c_state(res):
    # The timing is checked by expect_open_close(); here, that nothing else
    # was said about the state while the door moved.
    states = msgs(res, "open", "state")
    check([m.payload for m in states] == ["open", "closed"], f"state messages: {states}")
    check(not any(m.retained for m in states), "live state changes came flagged retained")


@case("wrong-password-refused", "a wrong password is refused by the broker and moves nothing", "door")
def c_wrong_password(res):
    runs = dc.pub_runs(res.trace, "intruder")
    check(len(runs) == 1 and runs[0][4] != 0, f"the intruder's mosquitto_pub: {runs}")
    check("not authorised" in res.read("intruder.out"), f"intruder: {res.read('intruder.out')}")
    # mosquitto 2.0.11 (bookworm) names the refused client <unknown>,
    # 2.0.21 (trixie) by the id mosquitto_pub made up.
    check(re.search(r"^Client (<unknown>|auto-[0-9A-F-]+) disconnected, not authorised\.$",
                    res.read("broker.log"), re.M),
          "the broker did not log the refusal")
    check(payloads(res, "refused", "set") == [], "a command reached the topic")
    check(events(res, "refused") == [], f"the bridge saw something: {events(res, 'refused')}")
    quiet(res, "refused")


@case("acl-phone-cannot-write-state", "the ACL: the phone cannot write the door's state", "door")
def c_acl(res):
    runs = [r for r in dc.pub_runs(res.trace, "phone", *res.step("refused")) if "/state" in r[3]]
    check(len(runs) == 1, f"the phone's publish to the state topic: {runs}")
    check(payloads(res, "refused", "state") == [], "the phone's state message got through")


@case("malformed-payload-rejected",
      "a payload that is no command is rejected as malformed and moves nothing", "door")
def c_junk(res):
    check(events(res, "junk") == [(False, "malformed")], f"events: {events(res, 'junk')}")
    quiet(res, "junk")


@case("bridge-killed-availability",
      "SIGKILL of the bridge: the broker publishes availability offline; started again, online", "door")
def c_kill(res):
    start, _ = res.step("kill")
    avail = msgs(res, "kill", "availability")
    check([m.payload for m in avail] == ["offline", "online"], f"availability: {avail}")
    check(avail[0].ts - start <= MQTT_SLACK_MS * MS,
          f"offline came {(avail[0].ts - start) / MS:.0f} ms after the kill")
    check(payloads(res, "kill", "state") == ["closed"], "no state from the restarted bridge")


@case("module-reload-bridge-reopens",
      "module removed and loaded again: refused while held; unbound, the bridge lets go; back, it reopens", "door")
def c_reload(res):
    check(res.rc("rmmod-busy") != 0, "modprobe -r succeeded while the bridge held /dev/sesame")
    check(res.rc("rmmod") == 0, f"modprobe -r after unbind: {res.read('rmmod.out')}")
    check(res.rc("modprobe") == 0, f"modprobe: {res.read('modprobe.out')}")
    check("No such file" in res.read("node-gone.out"), "/dev/sesame was still there without the module")
    check(res.read("node-reload.out").strip() == "/dev/sesame 660 root sesame character special file",
          f"after the reload: {res.read('node-reload.out')}")
    avail = payloads(res, "reload", "availability")
    check(avail == ["offline", "online"], f"availability over the reload: {avail}")
    log = res.read("bridge.log")
    check(len(re.findall(r"^sesame-bridge .*: /dev/sesame on ", log, re.M)) == 2,
          "the bridge was restarted instead of recovering")
    check(re.search(r"/dev/sesame went away\n(.*\n)*opened /dev/sesame", log),
          "the bridge did not say it lost and reopened /dev/sesame")
    check(re.search(r"lrwx\S* .* -> /dev/sesame$", res.read("bridge-fd-reload.out"), re.M),
          "the bridge does not hold the new /dev/sesame")
    expect_open_close(res, "reload")


@case("commands-in-a-row-each-move",
      "24 commands in a row: each accepted, each moves the servo to its width before the next", "door")
def c_latency(res):
    check(res.rc("latency") == 0, f"door-mqtt: {res.read('latency.out')}")
    cmds = latency_commands(res)
    check(len(cmds) == 24, f"{len(cmds)} commands published, not 24")
    check(events(res, "latency") == [(True, None)] * 24, f"events: {events(res, 'latency')}")
    late = [(dc.st.fmt_s(c.ts), c.payload) for c in cmds if c.pulse is None]
    check(not late, f"commands without a pulse of their width before the next: {late}")
    check(all(c.write for c in cmds), "a command's write() to /dev/sesame is not in the trace")
    for line in dc.latency_report(cmds):
        print(f"# {line}")


@case("whole-boot-pulse-invariants",
      "over the whole boot: every pulse whole, open or closed, on its grid; no burst, no lost event", "door")
def c_invariants(res):
    line = res.lines["sesame"]
    check(res.trace.lost == 0, f"the trace lost {res.trace.lost} events")
    check(line.pulses, "no pulses")
    expect_whole(line, line.pulses, "the boot")
    expect_no_burst(line, line.pulses, "the boot")
    check(not line.grid_errors(), f"boundaries off their grid: {line.grid_errors()[:3]}")
    check({p.cmd_us for p in line.pulses} == {1000, 2000},
          f"widths other than open and closed: {sorted({p.cmd_us for p in line.pulses}, key=str)}")
    check(line.final_level == 0, "the line is high at the end")
    no_oops(res)


def latency_commands(res):
    """The latency run's commands, with the bridge's writes to the device."""
    start, end = res.step("latency")
    pid = int(res.read("bridge.pid"))
    fd = re.search(r" (\d+) -> /dev/sesame$", res.read("bridge-fd-reload.out"), re.M)
    check(fd, "no /dev/sesame among the bridge's files")
    writes = dc.device_writes(os.path.join(res.dir, "trace"), pid, int(fd.group(1)))
    return dc.commands(res.lines["sesame"], res.devices["sesame"], start, end, writes)


if __name__ == "__main__":
    sys.exit(run(BOOTS, __doc__, os.path.join(BUILD, "door", "check")))
