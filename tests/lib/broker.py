#!/usr/bin/env python3
"""broker.py - the tests' and benches' broker kit: free ports, a Mosquitto
configuration writer, and a Mosquitto that starts, waits until it listens
and stops. broker.sh is its face for the shell scripts.

    broker.py port [COUNT]
        COUNT distinct loopback ports (default 1) that nothing listens on,
        one per line.
    broker.py acl
        the tests' ACL: user bridge may use sesame/# and homeassistant/#,
        user tester (the tests' own clients) every topic.
    broker.py wait CONF PID [SECONDS]
        waits until every listener of CONF (and of its include_dir) listens
        (exit 0), or process PID has ended or SECONDS (default 10) have
        passed (exit 1).
    broker.py conf --pki DIR [--passwd FILE] [--acl FILE] [--log TYPES]
                   [--set 'DIRECTIVE VALUE']... LISTENER...
        a mosquitto.conf on standard output.

A LISTENER is KIND:PORT[:CERT][,DIRECTIVE=VALUE...]; CERT names the
server certificate in the PKI (tests/lib/pki.sh; default "server"):
    password     TLS; user name and password (--passwd), the ACL (--acl,
                 if given: without one, every topic)
    certificate  TLS; a client certificate from the CA required, its CN
                 the user name, the ACL if given
    anonymous    TLS with CERT, anyone may connect: for the bad server
                 certificates, where only the bridge's checks stand
                 between the listener and the door
    plain        no TLS, anyone may connect
    websockets   MQTT over WebSockets with TLS, password and ACL (phones)
Every listener is on 127.0.0.1 with its own settings
(per_listener_settings), nothing persists, and the log goes to standard
error (--log: the log types, default error,warning,notice,information).
"""

import os
import pwd
import random
import signal
import subprocess
import sys
import time

TLS_KINDS = ("password", "certificate", "anonymous", "websockets")

# The bridges log in as "bridge", the tests' own clients as "tester".
TEST_ACL = """\
user bridge
topic readwrite sesame/#
topic readwrite homeassistant/#

user tester
topic readwrite #
"""


def _listening_ports():
    """The TCP ports some socket listens on now (state 0A in /proc/net)."""
    ports = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    if fields[3] == "0A":
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


def free_ports(count=1, taken=()):
    """count distinct ports in 20000-32767 that nothing listens on: below
    Linux's ephemeral range, so that no client's socket takes one before the
    broker binds it."""
    busy = _listening_ports() | set(taken)
    out = []
    while len(out) < count:
        p = random.randint(20000, 32767)
        if p not in busy:
            busy.add(p)
            out.append(p)
    return out


def free_port():
    return free_ports(1)[0]


def listener(spec, pki, passwd=None, acl=None):
    """The lines of one listener, from KIND:PORT[:CERT][,DIRECTIVE=VALUE...]."""
    head, *extra = spec.split(",")
    kind, port, *cert = head.split(":")
    cert = cert[0] if cert else "server"
    if kind not in TLS_KINDS + ("plain",):
        raise ValueError(f"listener '{spec}': no kind '{kind}'")
    lines = [f"listener {int(port)} 127.0.0.1"]
    if kind == "websockets":
        lines.append("protocol websockets")
    if kind in TLS_KINDS:
        if kind != "anonymous":
            lines.append(f"cafile {pki}/ca.crt")
        lines += [f"certfile {pki}/{cert}.crt", f"keyfile {pki}/{cert}.key"]
    if kind in ("password", "websockets"):
        if not passwd:
            raise ValueError(f"listener '{spec}' needs --passwd")
        lines.append(f"password_file {passwd}")
    if kind == "certificate":
        lines += ["require_certificate true", "use_identity_as_username true"]
    if kind in ("password", "certificate", "websockets"):
        # Without an ACL, whoever logs in may use every topic.
        lines += [f"acl_file {acl}"] if acl else []
        lines.append("allow_anonymous false")
    else:
        lines.append("allow_anonymous true")
    for item in extra:
        key, _, value = item.partition("=")
        lines.append(f"{key} {value}")
    return lines


def conf(listeners, pki, passwd=None, acl=None,
         log=("error", "warning", "notice", "information"), settings=()):
    """A whole mosquitto.conf, as text."""
    lines = [f"user {pwd.getpwuid(os.getuid()).pw_name}",
             "per_listener_settings true",
             "persistence false",
             "log_dest stderr"]
    lines += [f"log_type {t}" for t in log]
    lines.append("log_timestamp false")
    lines += list(settings)
    for spec in listeners:
        lines.append("")
        lines += listener(spec, pki, passwd, acl)
    return "\n".join(lines) + "\n"


def conf_ports(path):
    """The ports a mosquitto.conf listens on, its include_dir's files too
    (every *.conf there, as mosquitto reads them)."""
    ports = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if words[:1] == ["listener"]:
                ports.append(int(words[1]))
            elif words[:1] == ["include_dir"] and os.path.isdir(words[1]):
                for name in sorted(os.listdir(words[1])):
                    if name.endswith(".conf"):
                        ports += conf_ports(os.path.join(words[1], name))
    return ports


def wait_listening(conf_path, alive, timeout=10):
    """True once every listener of conf_path listens; False when alive()
    says the broker has ended, or after timeout seconds."""
    want = set(conf_ports(conf_path))
    end = time.monotonic() + timeout
    while time.monotonic() < end and alive():
        if want <= _listening_ports():
            return True
        time.sleep(0.05)
    return False


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by the shell) is not a broker.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


class Mosquitto:
    """One mosquitto process on a configuration file, its log appended to."""

    def __init__(self, conf_path, log_path, binary="mosquitto", env=None):
        self.conf, self.log, self.binary, self.env = conf_path, log_path, binary, env
        self.proc = None

    def start(self, timeout=10):
        """Starts it and waits until every listener listens; raises
        RuntimeError with the log's end if it does not."""
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen([self.binary, "-c", self.conf], stdout=log,
                                         stderr=subprocess.STDOUT, env=self.env)
        if wait_listening(self.conf, lambda: self.proc.poll() is None, timeout):
            return self
        self.stop()
        with open(self.log, errors="replace") as f:
            tail = "".join(f.readlines()[-5:])
        raise RuntimeError(f"mosquitto did not start on {conf_ports(self.conf)}:\n{tail}")

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def _main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("port")
    p.add_argument("count", nargs="?", type=int, default=1)
    sub.add_parser("acl")
    w = sub.add_parser("wait")
    w.add_argument("conf")
    w.add_argument("pid", type=int)
    w.add_argument("seconds", nargs="?", type=float, default=10)
    c = sub.add_parser("conf")
    c.add_argument("--pki", required=True)
    c.add_argument("--passwd")
    c.add_argument("--acl")
    c.add_argument("--log", default="error,warning,notice,information")
    c.add_argument("--set", action="append", default=[], metavar="'DIRECTIVE VALUE'")
    c.add_argument("listeners", nargs="+", metavar="KIND:PORT[:CERT][,DIRECTIVE=VALUE...]")
    args = ap.parse_args(argv)
    if args.cmd == "port":
        print("\n".join(str(p) for p in free_ports(args.count)))
        return 0
    if args.cmd == "acl":
        sys.stdout.write(TEST_ACL)
        return 0
    if args.cmd == "wait":
        return 0 if wait_listening(args.conf, lambda: _pid_alive(args.pid), args.seconds) else 1
    try:
        sys.stdout.write(conf(args.listeners, args.pki, args.passwd, args.acl,
                              args.log.split(","), args.set))
    except ValueError as e:
        print(f"broker.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
