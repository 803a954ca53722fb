"""harness.py - the world of the bridge's fault and abuse tests.

A real Debian mosquitto with TLS on free loopback ports (two listeners:
one with a password file for the bridge, one with client certificates for
the test's own clients), the test PKI of tests/lib/pki.sh, the FUSE
stand-in for /dev/sesame (fake-sesame, which logs every command it
accepts), a TCP proxy of the test's own between the bridge and the broker
(it passes, stalls, cuts, refuses or holds back a TLS handshake), and the
real sesame-bridge with signed commands. Everything is started by the test
and ended by it, by process id.

Used by soak.py and abuse.py; Python's standard library only.
"""
import argparse
import asyncio
import hashlib
import hmac
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(TOP, "build", "bridge")
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
# The one case runner's Failure and check, so that it reports a failed
# check by its message (the suites' cases run on tests/lib/cases.py).
from cases import Cases, Failure, check  # noqa: E402,F401
import broker as kit  # noqa: E402  (the tests' broker kit, tests/lib/broker.py)


def wait_until(cond, timeout, step=0.02):
    """Polls cond() until it is true (returns True) or timeout s pass."""
    end = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(step)


def rss_kib(pid):
    """Resident memory of a process (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure(f"no VmRSS for process {pid}")


class World:
    """Temporary folder, PKI, keys; every process the test started."""

    def __init__(self, name, keep=False):
        self.dir = tempfile.mkdtemp(prefix=f"sesame-{name}.")
        self.keep = keep
        self.procs = []
        self.closing = False
        self.pki = os.path.join(self.dir, "pki")
        subprocess.run([os.path.join(TOP, "tests", "lib", "pki.sh"), self.pki], check=True)
        self.hmac_key = os.urandom(32)
        self.key_file = self.path("hmac.key", self.hmac_key.hex() + "\n", 0o600)
        self.password = "door-" + os.urandom(8).hex()
        self.password_file = self.path("bridge.pw", self.password + "\n", 0o600)

    def path(self, name, text=None, mode=0o644):
        p = os.path.join(self.dir, name)
        if text is not None:
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, mode)
        return p

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def close(self):
        self.closing = True
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        subprocess.run(["fusermount3", "-u", "-q", os.path.join(self.dir, "mnt")],
                       stderr=subprocess.DEVNULL, check=False)
        if self.keep:
            print(f"# kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class Broker:
    """Debian's mosquitto with TLS; killed and started again on its ports."""

    def __init__(self, world):
        self.w = world
        self.proc = None
        self.log = world.path("broker.log", "")
        passwd = world.path("passwd", f"bridge:{world.password}\n", 0o600)
        subprocess.run(["mosquitto_passwd", "-U", passwd], check=True)
        acl = world.path("acl", kit.TEST_ACL)
        self.starts = 0
        for _ in range(5):
            self.bridge_port, self.test_port = kit.free_ports(2)
            # The bridge's listener (it reaches it through the proxy) and
            # the test's own clients'; every message of a flood delivered:
            # queues without limit.
            self.conf = world.path("mosquitto.conf", kit.conf(
                [f"password:{self.bridge_port}", f"certificate:{self.test_port}"], world.pki,
                passwd, acl, settings=["max_queued_messages 0"]))
            if self.start(required=False):
                return
        raise Failure("mosquitto does not start on free ports (see broker.log)")

    def start(self, required=True):
        """Starts it (again) and waits until it listens; self.starts counts
        the starts that came up."""
        with open(self.log, "a") as log:
            self.proc = self.w.spawn(["mosquitto", "-c", self.conf], stdout=log, stderr=log)
        if kit.wait_listening(self.conf, lambda: self.proc.poll() is None):
            self.starts += 1
            return True
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if required:
            raise Failure("mosquitto did not start again: " + self.tail())
        return False

    def kill(self):
        """SIGKILL: no clean shutdown, no will sent on the way out."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def tail(self, n=8):
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-n:])


class Device:
    """fake-sesame: the /dev/sesame stand-in, reached through a link."""

    def __init__(self, world):
        self.w = world
        self.mnt = world.path("mnt")
        os.makedirs(self.mnt)
        os.makedirs(world.path("dev"))
        self.log = world.path("device.log", "")
        self.link = world.path("dev/sesame")
        world.spawn([os.path.join(BUILD, "fake-sesame"), self.mnt, self.log],
                    stderr=open(world.path("fake.log"), "w"))
        check(wait_until(lambda: os.path.exists(os.path.join(self.mnt, "ctl")), 5),
              "fake-sesame did not mount (is /dev/fuse there?)")
        os.symlink(os.path.join(self.mnt, "sesame"), self.link)

    def writes(self):
        """Every command that reached the device, in order."""
        with open(self.log) as f:
            return f.read().split()

    def ctl(self, what):
        with open(os.path.join(self.mnt, "ctl"), "w") as f:
            f.write(what)

    def unplug(self):
        self.ctl("unplug")
        os.unlink(self.link)

    def plug(self):
        self.ctl("plug")
        os.symlink(os.path.join(self.mnt, "sesame"), self.link)


class Proxy:
    """A TCP proxy between the bridge and the broker, with faults on order.

    pass     forward both ways
    stall    forward nothing, on every connection, old and new, until
             release(): the data waits (a path that went dead)
    cut()    reset every connection at once
    refuse   reset new connections as they come
    hold     new connections forward what the client sends, but nothing
             comes back for hold_s: a TLS handshake that stalls
    break    new connections get the broker's first answer (its TLS
             handshake flight), then are reset: the client's next write,
             in the middle of its handshake, meets the reset
    """

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.mode = "pass"
        self.hold_s = 0
        self.conns = set()
        self.accepted = 0
        self.loop = asyncio.new_event_loop()
        self.released = None
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        self.released = asyncio.Event()
        self.released.set()
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    @staticmethod
    def _reset(writer):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            except OSError:
                pass
        writer.transport.abort()

    async def _handle(self, reader, writer):
        # close() cancels every task. A connection's task that ends as
        # cancelled makes Python 3.11's asyncio streams print a traceback
        # (it asks the task for its exception), so it ends normally.
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            pass

    async def _serve(self, reader, writer):
        self.accepted += 1
        if self.mode == "refuse":
            self._reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            self._reset(writer)
            return
        conn = (writer, up_writer)
        self.conns.add(conn)
        hold_until = time.monotonic() + self.hold_s if self.mode == "hold" else 0
        await asyncio.gather(self._pump(reader, up_writer, conn, 0),
                             self._pump(up_reader, writer, conn, hold_until,
                                        once=self.mode == "break"),
                             return_exceptions=True)
        self.conns.discard(conn)

    async def _pump(self, src, dst, conn, hold_until, once=False):
        try:
            while True:
                data = await src.read(65536)
                if not data:
                    break
                while True:
                    await self.released.wait()
                    left = hold_until - time.monotonic()
                    if left <= 0:
                        break
                    await asyncio.sleep(min(left, 0.1))
                if conn not in self.conns:
                    return
                dst.write(data)
                await dst.drain()
                if once:
                    break
        except (OSError, asyncio.IncompleteReadError):
            pass
        for w in conn:
            self._reset(w)

    def _call(self, fn):
        done = threading.Event()

        def run():
            fn()
            done.set()
        self.loop.call_soon_threadsafe(run)
        done.wait()

    def set_mode(self, mode, hold_s=0):
        def apply():
            self.mode = mode
            self.hold_s = hold_s
            if mode == "stall":
                self.released.clear()
            else:
                self.released.set()
        self._call(apply)

    def cut(self):
        """Resets every connection; returns how many there were."""
        n = [0]

        def apply():
            n[0] = len(self.conns)
            for conn in list(self.conns):
                self.conns.discard(conn)
                for w in conn:
                    self._reset(w)
        self._call(apply)
        return n[0]

    def close(self):
        async def shutdown():
            self.server.close()
            for conn in list(self.conns):
                for w in conn:
                    self._reset(w)
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()
        asyncio.run_coroutine_threadsafe(shutdown(), self.loop)
        self.thread.join(5)


class Lines:
    """Lines of a child's output as they come, each with its arrival time;
    feed() reads one stream to its end (a restarted child: feed again)."""

    def __init__(self, stream, copy_to):
        self.items = []
        self.lock = threading.Lock()
        self.copy = open(copy_to, "w")
        if stream is not None:
            threading.Thread(target=self.feed, args=(stream,), daemon=True).start()

    def feed(self, stream):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.lock:
                self.items.append((time.monotonic(), line))
                self.copy.write(line + "\n")
                self.copy.flush()

    def since(self, t0=0.0):
        with self.lock:
            return [l for t, l in self.items if t >= t0]

    def count(self, text, t0=0.0):
        return sum(1 for l in self.since(t0) if text in l)


def empty_replay_state(path):
    """The replay state of a bridge that ran before and accepted nothing
    (sesame-bridge(8)). Without one, a bridge starts failing closed, and
    refuses what was signed in the second it started."""
    text = b"sesame-replay 1\nfloor 0 accepted\n"
    with open(path, "wb") as f:
        f.write(text + b"sha256 " + hashlib.sha256(text).hexdigest().encode() + b"\n")
    os.chmod(path, 0o600)


def synced_clock_env(world, env=None):
    """The bridge's environment, with the kernel saying the clock is
    synchronised (tests/bridge/fake-sync.c): signed commands wait for
    that, and a test machine's clock may not be synchronised by NTP."""
    env = dict(os.environ if env is None else env)
    sync = world.path("clock.sync", "synced\n")
    env["LD_PRELOAD"] = " ".join(filter(None, [os.path.join(BUILD, "fake-sync.so"),
                                               env.get("LD_PRELOAD")]))
    env["SESAME_FAKE_SYNC"] = sync
    # A preloaded library comes before ASan's runtime; it is harmless here.
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                 "verify_asan_link_order=0"]))
    return env


class Bridge:
    """sesame-bridge with signed commands, to the broker through the proxy."""

    def __init__(self, world, port, device, name="bridge", binary=None, extra=(), env=None):
        self.w = world
        self.name = name
        self.topic = f"sesame/{name}"
        self.conf = world.path(f"{name}.conf", f"""\
# sesame-bridge of the fault tests
host 127.0.0.1
port {port}
cafile {world.pki}/ca.crt
username bridge
password_file {world.password_file}
client_id sesame-{name}
topic {self.topic}
device {device.link}
keepalive 5
reconnect_max 2
rate_limit 1000/1
hmac_key_file {world.key_file}
state_file {world.dir}/{name}.state
ha_discovery true
""")
        empty_replay_state(world.path(f"{name}.state"))
        self.binary = binary or os.path.join(BUILD, "sesame-bridge")
        env = synced_clock_env(world, env)
        # Variations as -o lines, which override the file.
        argv = [self.binary, "-c", self.conf]
        for line in extra:
            argv += ["-o", line]
        self.proc = world.spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.log = Lines(self.proc.stderr, world.path(f"{name}.log"))

    def alive(self):
        return self.proc.poll() is None

    def accepted(self, t0=0.0):
        """Commands the bridge accepted: it logs this after the device took them."""
        return [re.search(r"command (\w+) accepted", l).group(1) for l in self.log.since(t0)
                if re.search(r"command \w+ accepted", l)]

    def rss(self):
        return rss_kib(self.proc.pid)

    def cpu_s(self):
        """CPU time it used so far (user + system), in seconds."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        """SIGTERM: it must publish offline and exit 0."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return "did not exit within 15 s"


class Client:
    """The test's MQTT clients: mosquitto_pub and mosquitto_sub, certificate tester."""

    def __init__(self, world, broker):
        self.w = world
        pki = world.pki
        self.args = ["-h", "127.0.0.1", "-p", str(broker.test_port), "--cafile", f"{pki}/ca.crt",
                     "--cert", f"{pki}/tester.crt", "--key", f"{pki}/tester.key"]

    def publish(self, topic, payload=None, qos=1, retain=False, file=None, extra=()):
        """One message; True when the broker took it (QoS 1: its PUBACK)."""
        argv = ["mosquitto_pub", *self.args, "-q", str(qos), "-t", topic, *extra]
        if retain:
            argv.append("-r")
        if file is not None:
            argv += ["-f", file]
        elif payload is None:
            argv.append("-n")
        else:
            argv += ["-m", payload]
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=30, check=False).returncode == 0

    def retained(self, topic):
        """The retained message of a topic, as a new subscriber gets it."""
        r = subprocess.run(["mosquitto_sub", *self.args, "-t", topic, "-C", "1", "-W", "5"],
                           capture_output=True, text=True, timeout=30, check=False)
        return r.stdout.strip()

    def publisher(self, topic, qos=1):
        """A publisher kept connected: each line written to it is a message."""
        return self.w.spawn(["mosquitto_pub", *self.args, "-q", str(qos), "-t", topic, "-l"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def subscribe(self, name, *topics):
        """A subscriber that records '%U %r %t %p' lines (and mosquitto_sub's
        -d chatter). mosquitto_sub exits when its connection is lost (a
        broker restart): it is started again until close(). Returns its
        Lines once subscribed."""
        # Line-buffered: a pipe would hold the lines back.
        argv = ["stdbuf", "-oL", "mosquitto_sub", *self.args, "-q", "1", "-d",
                "-F", "%U %r %t %p"]
        for t in topics:
            argv += ["-t", t]
        lines = Lines(None, self.w.path(f"{name}.msgs"))

        def supervise():
            while not self.w.closing:
                p = self.w.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                lines.feed(p.stdout)
                p.wait()
                time.sleep(0.1)
        threading.Thread(target=supervise, daemon=True).start()
        check(wait_until(lambda: lines.count("received SUBACK") > 0, 10),
              f"subscriber {name} did not subscribe")
        return lines


def messages(lines, topic, t0=0.0):
    """(retain, payload) of each message on topic recorded since t0."""
    out = []
    for l in lines.since(t0):
        parts = l.split(" ", 3)
        if len(parts) >= 3 and re.match(r"^\d+\.\d+$", parts[0]) and parts[2] == topic:
            out.append((parts[1] == "1", parts[3] if len(parts) > 3 else ""))
    return out


class Signer:
    """Signed commands as sesame-sign makes them (sesame-bridge(8)): the
    MAC over "topic|command|time|nonce", each nonce fresh."""

    def __init__(self, key, topic):
        self.key = key
        self.topic = topic
        self.made = 0

    def sign(self, word, when=None):
        t = str(int(time.time() if when is None else when))
        nonce = os.urandom(16).hex()
        mac = hmac.new(self.key, f"{self.topic}|{word}|{t}|{nonce}".encode(), hashlib.sha256)
        self.made += 1
        return f"{word} {t} {nonce} {mac.hexdigest()}"


def run_suite(doc, add_options, declare):
    """The command line of a fault suite: its own options (add_options(ap)),
    --bridge, --keep and the runner's; its cases declared once the options
    are known (their titles name the sizes chosen); the tools checked,
    unless the cases are only listed. Return: exit status."""
    cases = Cases()
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    add_options(ap)
    ap.add_argument("--bridge", default=None, help="the sesame-bridge to test")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    cases.add_arguments(ap)
    args = ap.parse_args()
    declare(cases, args)
    if not args.list:
        need_tools()
    return cases.run(args)


def need_tools():
    for tool in ("mosquitto", "mosquitto_pub", "mosquitto_sub", "mosquitto_passwd", "openssl",
                 "fusermount3"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            print(f"{sys.argv[0]}: {tool} is missing (scripts/deps.sh bridge-test)", file=sys.stderr)
            sys.exit(1)
    if not os.path.exists("/dev/fuse"):
        print(f"{sys.argv[0]}: SKIP: /dev/fuse is missing, so the device stand-in cannot run",
              file=sys.stderr)
        sys.exit(4)
