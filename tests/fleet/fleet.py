#!/usr/bin/python3
"""fleet.py - sesame-bridge on a three-node RabbitMQ cluster (issue 12).

Usage: tests/fleet/fleet.py [--kills N] [--bridges N] [--commands N]
                            [--figures FILE] [--list]
                            [--only NAME|PATTERN]... [NAME|PATTERN...]

Builds a throwaway cluster on this machine: its own epmd on a free port,
three RabbitMQ 3.10 nodes (MQTT plugin, one TLS listener each on its own
loopback address 127.0.0.1-3 with a certificate for that address only,
users with passwords and per-door topic permissions), joined with
rabbitmqctl join_cluster. Then runs the named cases against the real
bridge, with a FUSE stand-in (fake-sesame) per door:

  cluster-carries-messages
            the three nodes run as one cluster, MQTT over TLS on each
  failover-acts-once
            SIGKILL the node a bridge is on, KILLS times: time until it is
            online on another node; a command sent afterwards acts exactly
            once, nothing acts that was not sent
  fleet-commands-exactly-once
            BRIDGES bridges, COMMANDS signed commands from phones on all
            nodes: each reaches its own door exactly once; latency from
            publish to the device's write; the nodes' memory
  herd-moves-and-acts-once
            SIGKILL the node under the most of the fleet's bridges: time
            until each is online on another; then an open to every door
            acts exactly once
  state-learned-across-nodes
            how long a phone on another node than the bridge's takes to
            learn a door's state (RabbitMQ keeps retained messages per
            node; the bridge re-publishes every republish_interval)

The runner is tests/lib/cases.py, the cluster its fixture: TAP, one
"ok"/"not ok" line per case, the figures as "# fleet:" lines; exits 0 only
if every selected case passed. KEEP=1 keeps the temporary directory. Every
process it starts it stops, by its own pid; passwords live in files and
in this process's memory, never in a command line.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import secrets
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:
    import paho.mqtt.client as mqtt
except ImportError:
    sys.exit("fleet.py: python3-paho-mqtt is missing (scripts/deps.sh fleet)")

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "lib"))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
from cases import Cases, check  # noqa: E402  (the one case runner)
BUILD = Path(os.environ.get("BUILD_BRIDGE", TOP / "build" / "bridge"))
BRIDGE = BUILD / "sesame-bridge"
SIGN = BUILD / "sesame-sign"
FAKE = BUILD / "fake-sesame"
SYNC_LIB = BUILD / "fake-sync.so"
RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
REPUBLISH = 10          # the bridges' republish_interval, seconds
TIMEOUT = 30            # for anything that should happen "soon"


def say(msg):
    # A TAP diagnostic, between the runner's "ok" lines.
    print(f"# fleet: {msg}", flush=True)


def mono():
    return time.monotonic_ns()


# ------------------------------------------------------------------ /proc
# CI's Debian has neither procps nor iproute2: processes, sockets and
# memory are read from /proc directly.

def proc_stat(pid):
    """(comm, ppid) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    ppid = int(text[text.rindex(")") + 2:].split()[1])
    return comm, ppid


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(d)
            if st and st[1] == pid:
                out.append((int(d), st[0]))
    return out


def rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tcp_table():
    """Rows (local_port, remote_ip, remote_port, state, inode) of IPv4 TCP."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        lip, lport = f[1].split(":")
        rip, rport = f[2].split(":")
        ip = ".".join(str(b) for b in reversed(bytes.fromhex(rip)))
        rows.append((int(lport, 16), ip, int(rport, 16), f[3], int(f[9])))
    return rows


def listening(port):
    return any(r[0] == port and r[3] == "0A" for r in tcp_table())


def peers_of(pid):
    """(ip, port) of every established TCP connection of process pid."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(int(link[8:-1]))
    except OSError:
        return []
    return [(r[1], r[2]) for r in tcp_table() if r[3] == "01" and r[4] in inodes]


def end_process(p):
    """SIGTERM a child of ours, SIGKILL if it lingers, and reap it."""
    if p is None or p.poll() is not None:
        return
    p.terminate()
    try:
        p.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def free_ports(n):
    """n distinct free ports, from the tests' broker kit (tests/lib/broker.py)."""
    out = subprocess.run([sys.executable, str(TOP / "tests/lib/broker.py"), "port", str(n)],
                         check=True, capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


# ------------------------------------------------------------------ MQTT

class Client:
    """A phone or a watcher: a paho client over TLS with a password, which
    records every message as (monotonic ns, topic, payload, retain)."""

    def __init__(self, fx, node, user, password, name):
        self.name = name
        self.node = node
        self.msgs = []
        self.cond = threading.Condition()
        self.acked = set()
        self.c = mqtt.Client(client_id=f"{name}-{secrets.token_hex(3)}", clean_session=True,
                             protocol=mqtt.MQTTv311)
        self.c.tls_set(ca_certs=str(fx.pki / "ca.crt"), cert_reqs=ssl.CERT_REQUIRED)
        self.c.username_pw_set(user, password)
        self.c.on_message = self._on_message
        self.c.on_subscribe = self._on_subscribe
        self.c.on_connect = self._on_connect
        self.connected = threading.Event()
        self.c.connect(node.ip, node.mqtt_port, keepalive=30)
        self.c.loop_start()
        if not self.connected.wait(TIMEOUT):
            self.close()
            raise RuntimeError(f"{name} could not connect to {node.name}")

    def _on_connect(self, _c, _u, _f, rc):
        if rc == 0:
            self.connected.set()

    def _on_message(self, _c, _u, m):
        with self.cond:
            self.msgs.append((mono(), m.topic, m.payload.decode(errors="replace"), m.retain))
            self.cond.notify_all()

    def _on_subscribe(self, _c, _u, mid, _q):
        with self.cond:
            self.acked.add(mid)
            self.cond.notify_all()

    def subscribe(self, *topics):
        _rc, mid = self.c.subscribe([(t, 1) for t in topics])
        with self.cond:
            if not self.cond.wait_for(lambda: mid in self.acked, TIMEOUT):
                raise RuntimeError(f"{self.name}: no SUBACK")

    def publish(self, topic, payload):
        info = self.c.publish(topic, payload, qos=1)
        return info

    def wait(self, pred, timeout=TIMEOUT):
        """The first recorded message from index on for which pred holds."""
        with self.cond:
            found = []

            def look():
                for m in self.msgs[look.at:]:
                    if pred(m):
                        found.append(m)
                        return True
                look.at = len(self.msgs)
                return False
            look.at = 0
            self.cond.wait_for(look, timeout)
            return found[0] if found else None

    def count(self, pred):
        with self.cond:
            return sum(1 for m in self.msgs if pred(m))

    def close(self):
        try:
            self.c.disconnect()
        finally:
            self.c.loop_stop()


# ------------------------------------------------------------------ cluster

class Node:
    """One RabbitMQ node: its own directories, ports and loopback address."""

    def __init__(self, fx, i, mqtt_port, dist_port):
        self.fx = fx
        self.i = i
        self.name = f"sesame-fleet{i}-{os.getpid()}@localhost"
        self.ip = f"127.0.0.{i}"
        self.mqtt_port = mqtt_port
        self.dist_port = dist_port
        self.dir = fx.tmp / f"node{i}"
        self.proc = None
        self.starts = 0
        (self.dir / "log").mkdir(parents=True)
        (self.dir / "mnesia").mkdir()
        fx.issue_cert(f"node{i}", self.ip)
        pki = fx.pki
        (self.dir / "rabbitmq.conf").write_text(f"""\
# node {i} of the fleet tests: MQTT over TLS only, passwords only
listeners.tcp = none
mqtt.listeners.tcp = none
mqtt.listeners.ssl.1 = {self.ip}:{mqtt_port}
ssl_options.cacertfile = {pki}/ca.crt
ssl_options.certfile = {pki}/node{i}.crt
ssl_options.keyfile = {pki}/node{i}.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
mqtt.allow_anonymous = false
mqtt.vhost = /
mqtt.exchange = amq.topic
load_definitions = {fx.tmp}/definitions.json
disk_free_limit.absolute = 10MB
log.console = false
log.file.level = info
""")
        (self.dir / "enabled_plugins").write_text("[rabbitmq_mqtt].\n")

    def env(self):
        e = dict(self.fx.erl_env)
        d = self.dir
        e.update({
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(self.fx.tmp / "rabbitmq-env.conf"),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_PID_FILE": str(d / "pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(d / "plugins"),
            "ERL_CRASH_DUMP": str(d / "erl_crash.dump"),
            # Distribution on loopback only; schedulers that sleep rather
            # than spin, as the machine is shared (2 cores in CI).
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS":
                "-kernel inet_dist_use_interface {127,0,0,1} "
                "+sbwt none +sbwtdcpu none +sbwtdio none",
        })
        return e

    def start(self):
        self.starts += 1
        self.log = open(self.dir / f"start{self.starts}.out", "w")
        self.proc = subprocess.Popen([str(RABBIT_BIN / "rabbitmq-server")], env=self.env(),
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.dir)

    def beam(self):
        """The Erlang VM's pid: the script forks a shell that execs erl,
        which execs beam.smp."""
        if not self.proc or self.proc.poll() is not None:
            return None
        for pid, comm in children(self.proc.pid):
            if comm.startswith("beam"):
                return pid
            for pid2, comm2 in children(pid):
                if comm2.startswith("beam"):
                    return pid2
        return None

    def wait_listening(self, timeout=120):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            if listening(self.mqtt_port):
                return True
            time.sleep(0.2)
        return False

    def log_tail(self, n=20):
        """The end of the node's own log and of its start script's output:
        the temporary directory is gone once the run ends."""
        out = []
        for f in sorted(self.dir.glob("start*.out")) + sorted((self.dir / "log").glob("*.log")):
            out += [f"    {f.name}: {l}" for l in f.read_text(errors="replace").splitlines()[-n:]]
        return "\n".join(out)

    def ctl(self, *args, timeout=120):
        r = subprocess.run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.name, *args],
                           env=self.fx.erl_env, capture_output=True, text=True,
                           timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {self.name}: "
                               f"{r.stdout.strip()} {r.stderr.strip()}")
        return r.stdout

    def kill(self):
        """SIGKILL the VM, as a crash or the OOM killer would."""
        pid = self.beam()
        if pid is None:
            raise RuntimeError(f"no beam process for {self.name}")
        os.kill(pid, signal.SIGKILL)
        self.proc.wait(TIMEOUT)
        self.proc = None

    def stop(self):
        if not self.proc:
            return
        beam = self.beam()
        self.proc.terminate()   # the script stops the VM cleanly
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            if beam:
                os.kill(beam, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def running_nodes(node):
    st = json.loads(node.ctl("cluster_status", "--formatter", "json"))
    return set(st.get("running_nodes", []))


def rejoined(node, timeout=90):
    """Whether node, started again, runs in a cluster of all three. Its
    MQTT listener opens a moment before rabbit counts as booted, and
    cluster_status refuses to answer until then."""
    end = time.monotonic() + timeout
    while True:
        try:
            if running_nodes(node) == {n.name for n in node.fx.nodes}:
                return True
        except RuntimeError as e:
            if time.monotonic() > end:
                say(f"  {e}")
                return False
        if time.monotonic() > end:
            return False
        time.sleep(1)


# ------------------------------------------------------------------ doors

class Door:
    """A bridge, its stand-in device (one fake-sesame each: a mount serves
    one device), its broker user, key and topic."""

    def __init__(self, fx, name, host_order, republish=REPUBLISH):
        self.fx = fx
        self.name = name
        self.topic = f"sesame/{name}"
        self.dir = fx.tmp / "doors" / name
        self.mnt = self.dir / "mnt"
        self.mnt.mkdir(parents=True)
        self.devlog = self.dir / "device.log"
        self.devlog.write_text("")
        self.read_at = 0
        self.lines = []            # (monotonic ns, command) written to the device
        self.last = None           # the last command the device took
        self.fake = None
        self.bridge = None
        d = self.dir
        old = os.umask(0o077)
        (d / "bridge.pw").write_text(fx.passwords[name] + "\n")
        (d / "hmac").write_text(secrets.token_hex(32) + "\n")
        text = b"sesame-replay 1\nfloor 0 accepted\n"
        (d / "state").write_bytes(text + b"sha256 " + hashlib.sha256(text).hexdigest().encode()
                                  + b"\n")
        os.umask(old)
        (d / "sync").write_text("synced\n")
        hosts = ",".join(f"{n.ip}:{n.mqtt_port}" for n in host_order)
        (d / "bridge.conf").write_text(f"""\
# door {name} of the fleet tests
host {hosts}
cafile {fx.pki}/ca.crt
username {name}
password_file {d}/bridge.pw
client_id sesame-{name}
topic {self.topic}
device {self.mnt}/sesame
keepalive 10
reconnect_max 2
rate_limit 1000/60
state_file {d}/state
hmac_key_file {d}/hmac
ha_discovery false
mqtt_version auto
republish_interval {republish}
""")

    def start(self):
        self.fake_err = open(self.dir / "fake.log", "w")
        self.fake = subprocess.Popen([str(FAKE), "-t", str(self.mnt), str(self.devlog)],
                                     stdout=self.fake_err, stderr=subprocess.STDOUT)
        end = time.monotonic() + TIMEOUT
        while not (self.mnt / "ctl").exists():
            if time.monotonic() > end or self.fake.poll() is not None:
                raise RuntimeError(f"fake-sesame for {self.name} did not mount")
            time.sleep(0.02)
        env = dict(os.environ, LD_PRELOAD=str(SYNC_LIB), SESAME_FAKE_SYNC=str(self.dir / "sync"))
        self.blog = open(self.dir / "bridge.log", "w")
        self.bridge = subprocess.Popen([str(BRIDGE), "-c", str(self.dir / "bridge.conf")],
                                       env=env, stdout=self.blog, stderr=subprocess.STDOUT)

    def sign(self, command):
        return subprocess.run([str(SIGN), "-c", str(self.dir / "bridge.conf"), command],
                              check=True, capture_output=True, text=True).stdout.strip()

    def poll_device(self):
        """New device lines since the last call."""
        with open(self.devlog) as f:
            f.seek(self.read_at)
            data = f.read()
        end = data.rfind("\n") + 1
        self.read_at += end
        new = []
        for line in data[:end].splitlines():
            ts, cmd = line.split(" ", 1)
            new.append((int(ts), cmd))
        self.lines.extend(new)
        if new:
            self.last = new[-1][1]
        return new

    def node_of_bridge(self):
        """The node the bridge has an MQTT connection to, from its sockets."""
        if not self.bridge:
            return None
        for ip, port in peers_of(self.bridge.pid):
            for n in self.fx.nodes:
                if (ip, port) == (n.ip, n.mqtt_port):
                    return n
        return None

    def log_tail(self, n=15):
        try:
            return "\n".join("    " + l for l in
                             (self.dir / "bridge.log").read_text().splitlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        end_process(self.bridge)
        end_process(self.fake)
        subprocess.run(["fusermount3", "-u", "-q", str(self.mnt)], stderr=subprocess.DEVNULL)


# ------------------------------------------------------------------ fixture

def rabbit_hash(password):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt | sha256(salt
    | password)), so that only hashes reach the definitions file."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


class Fixture:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="sesame-fleet."))
        self.pki = self.tmp / "pki"
        self.nodes = []
        self.doors = {}
        self.clients = []
        self.epmd = None
        self.figures = {}
        self.passwords = {}

    # --- PKI: the tests' (tests/lib/pki.sh), and a certificate per node's address
    def issue_cert(self, name, ip):
        subprocess.run([str(TOP / "tests/lib/pki.sh"), str(self.pki), "broker", name, ip],
                       check=True, capture_output=True)

    def door_names(self):
        return ["failover"] + [f"door{i:02d}" for i in range(1, self.args.bridges + 1)]

    def definitions(self):
        """Users, with hashed passwords: "phone" may use every topic, each
        door only its own (routing keys: MQTT's / becomes .)."""
        users, perms, tperms = [], [], []
        for name in ["phone"] + self.door_names():
            self.passwords[name] = secrets.token_urlsafe(18)
            users.append({"name": name, "password_hash": rabbit_hash(self.passwords[name]),
                          "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ""})
            perms.append({"user": name, "vhost": "/", "configure": ".*", "write": ".*",
                          "read": ".*"})
            allowed = ".*" if name == "phone" else f"^sesame\\.{name}\\."
            tperms.append({"user": name, "vhost": "/", "exchange": "amq.topic",
                           "write": allowed, "read": allowed})
        # The MQTT plugin keeps a QoS 1 subscription in a durable classic
        # queue on the node the client first came to, even for a clean
        # session: once that node is dead, declaring it again elsewhere
        # fails ("home node ... is down") and every reconnection is closed.
        # Mirrored to every node, a mirror takes over. (durable_queue_type
        # quorum covers only non-clean sessions in 3.10.)
        policy = {"vhost": "/", "name": "mqtt-subscriptions-mirrored",
                  "pattern": "^mqtt-subscription-", "apply-to": "queues", "priority": 1,
                  "definition": {"ha-mode": "all", "ha-sync-mode": "automatic"}}
        defs = {"users": users, "vhosts": [{"name": "/"}], "permissions": perms,
                "topic_permissions": tperms, "policies": [policy]}
        path = self.tmp / "definitions.json"
        old = os.umask(0o077)
        path.write_text(json.dumps(defs, indent=1))
        os.umask(old)

    def setup_cluster(self):
        subprocess.run([str(TOP / "tests/lib/pki.sh"), str(self.pki)], check=True,
                       stdout=subprocess.DEVNULL)
        home = self.tmp / "home"
        home.mkdir()
        cookie = home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        os.chmod(cookie, 0o400)
        (self.tmp / "rabbitmq-env.conf").write_text("")
        self.definitions()
        ports = free_ports(7)
        epmd_port = ports.pop()
        self.erl_env = dict(os.environ, HOME=str(home), ERL_EPMD_PORT=str(epmd_port),
                            LANG="C.UTF-8", LC_ALL="C.UTF-8")
        # Our own epmd: the cluster's node names are registered there only,
        # and stopping it touches no one else's nodes.
        self.epmd = subprocess.Popen(["epmd", "-port", str(epmd_port), "-address", "127.0.0.1"],
                                     env=self.erl_env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        end = time.monotonic() + TIMEOUT
        while not listening(epmd_port):
            if time.monotonic() > end or self.epmd.poll() is not None:
                raise RuntimeError("epmd did not start")
            time.sleep(0.05)
        for i in (1, 2, 3):
            self.nodes.append(Node(self, i, ports.pop(), ports.pop()))
        t0 = time.monotonic()
        for n in self.nodes:
            n.start()
        for n in self.nodes:
            if not n.wait_listening():
                raise RuntimeError(f"{n.name} did not start:\n{n.log_tail()}")
        first = self.nodes[0]
        for n in self.nodes[1:]:
            n.ctl("stop_app")
            n.ctl("join_cluster", first.name)
            n.ctl("start_app")
        for n in self.nodes[1:]:
            if not n.wait_listening():
                raise RuntimeError(f"{n.name} did not come back after joining")
        self.figures["cluster_start_s"] = round(time.monotonic() - t0, 1)
        say(f"cluster of 3 nodes up in {self.figures['cluster_start_s']} s "
            f"(MQTT/TLS on {', '.join(f'{n.ip}:{n.mqtt_port}' for n in self.nodes)})")

    def client(self, node, name, user="phone"):
        c = Client(self, node, user, self.passwords[user], name)
        self.clients.append(c)
        return c

    def drop(self, c):
        c.close()
        self.clients.remove(c)

    def beam_rss(self):
        return {n.name.split("@")[0]: rss_kib(n.beam()) for n in self.nodes if n.beam()}

    def teardown(self):
        for c in list(self.clients):
            try:
                c.close()
            except Exception:
                pass
        for d in self.doors.values():
            d.stop()
        for n in self.nodes:
            n.stop()
        end_process(self.epmd)
        if os.environ.get("KEEP"):
            say(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ------------------------------------------------------------------ cases

def start_doors(fx, names, republish=REPUBLISH):
    """Start bridges, host lists rotated so that they spread over the
    nodes, and wait until each has said online."""
    watch = fx.client(fx.nodes[0], "watch-online")
    watch.subscribe("sesame/+/availability")
    for k, name in enumerate(names):
        order = fx.nodes[k % 3:] + fx.nodes[:k % 3]
        d = Door(fx, name, order, republish)
        fx.doors[name] = d
        d.start()
    for name in names:
        m = watch.wait(lambda m: m[1] == f"sesame/{name}/availability" and m[2] == "online")
        d = fx.doors[name]
        check(m, f"{name} never said online:\n{d.log_tail()}")
    fx.drop(watch)


def case_cluster(fx):
    nodes = running_nodes(fx.nodes[0])
    check(nodes == {n.name for n in fx.nodes}, f"running nodes: {sorted(nodes)}")
    # A message crosses the cluster: published on node 1, received on 3.
    a = fx.client(fx.nodes[2], "cluster-sub")
    a.subscribe("sesame/probe/x")
    b = fx.client(fx.nodes[0], "cluster-pub")
    b.publish("sesame/probe/x", "hello").wait_for_publish(TIMEOUT)
    check(a.wait(lambda m: m[2] == "hello"), "a message from node 1 did not reach node 3")
    fx.drop(a)
    fx.drop(b)


def one_failover(fx, d, k, t0, victim, others, watchers, sent):
    """After victim was killed at t0: the seconds until the bridge said
    online on another node; then one command from a phone acts once."""
    # Not a retained copy: a node hands that out after the SUBACK, which
    # may be after the kill.
    ms = [w.wait(lambda m: m[1] == f"{d.topic}/availability" and m[2] == "online"
                 and not m[3] and m[0] > t0) for w in watchers]
    got = [m[0] for m in ms if m]
    check(got, f"kill {k + 1}: the bridge never came back online:\n{d.log_tail()}")
    now_on = d.node_of_bridge()
    check(now_on in others, f"kill {k + 1}: the bridge is on {now_on and now_on.name}")
    secs = (min(got) - t0) / 1e9
    # A command from a phone on a surviving node, the other one if it can.
    phone_node = next((n for n in others if n is not now_on), others[0])
    phone = fx.client(phone_node, "phone-fo")
    d.poll_device()
    before = len(d.lines)
    cmd = random.choice(["open", "close"])
    phone.publish(f"{d.topic}/set", d.sign(cmd)).wait_for_publish(TIMEOUT)
    sent.append(cmd)
    end = time.monotonic() + TIMEOUT
    while len(d.lines) == before and time.monotonic() < end:
        time.sleep(0.02)
        d.poll_device()
    check(len(d.lines) > before, f"kill {k + 1}: the command never reached the device")
    say(f"  kill {k + 1}: {victim.name.split('@')[0]} killed, online on "
        f"{now_on.name.split('@')[0]} after {secs:.2f} s; command acted")
    fx.drop(phone)
    return secs


def case_failover(fx):
    name = "failover"
    # Without the periodic re-publication, an "online" after the kill can
    # only come from the bridge's new connection.
    start_doors(fx, [name], republish=0)
    d = fx.doors[name]
    times = []
    sent = []
    for k in range(fx.args.kills):
        victim = d.node_of_bridge()
        check(victim, f"kill {k + 1}: the bridge has no connection to a node")
        others = [n for n in fx.nodes if n is not victim]
        watchers = [fx.client(n, f"watch{n.i}") for n in others]
        for w in watchers:
            w.subscribe(f"{d.topic}/availability", f"{d.topic}/event")
        time.sleep(0.5)     # the retained copies are in by now
        t0 = mono()
        victim.kill()
        try:
            secs = one_failover(fx, d, k, t0, victim, others, watchers, sent)
        finally:
            for w in watchers:
                fx.drop(w)
            # The killed node comes back with its data, and so rejoins; also
            # after a failure, for the cases that follow.
            victim.start()
            restarted = victim.wait_listening()
        times.append(secs)
        check(restarted, f"{victim.name} did not restart:\n{victim.log_tail()}")
        check(rejoined(victim), f"{victim.name} did not rejoin the cluster")
    time.sleep(2)   # a late duplicate would show by now
    d.poll_device()
    got = [c for _t, c in d.lines]
    check(got == sent, f"the device got {got}, the phones sent {sent}")
    fx.figures["failover_s"] = [round(t, 3) for t in times]
    # Attempts that met a dead node: the bridge's own account of its way back.
    log = (d.dir / "bridge.log").read_text()
    fx.figures["failover_failed_attempts"] = log.count("cannot connect")
    fx.figures["failover_median_s"] = round(statistics.median(times), 2)
    fx.figures["failover_worst_s"] = round(max(times), 2)
    say(f"  failover over {len(times)} kills: median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s; {fx.figures['failover_failed_attempts']} connection "
        "attempts failed on the way")
    d.stop()


def case_fleet(fx):
    names = [f"door{i:02d}" for i in range(1, fx.args.bridges + 1)]
    fx.figures["rss_before_kib"] = fx.beam_rss()
    start_doors(fx, names)
    time.sleep(2)
    fx.figures["rss_with_bridges_kib"] = fx.beam_rss()
    spread = {}
    for name in names:
        n = fx.doors[name].node_of_bridge()
        spread[n.name.split("@")[0] if n else "none"] = spread.get(
            n.name.split("@")[0] if n else "none", 0) + 1
    fx.figures["bridges_per_node"] = spread
    phones = [fx.client(n, f"phone{n.i}") for n in fx.nodes]
    events = fx.client(fx.nodes[1], "watch-events")
    events.subscribe("sesame/+/event")
    doors = [fx.doors[n] for n in names]
    for d in doors:
        d.poll_device()
        d.lines.clear()
    # Commands spread over the doors; each door's go one after another
    # (the device tells one open from the next only by order), the doors
    # all at once.
    plan = {d.name: [] for d in doors}
    for i in range(fx.args.commands):
        plan[doors[i % len(doors)].name].append(random.choice(["open", "close"]))
    sent = {d.name: [] for d in doors}
    inflight = {}
    lat = []
    k = 0
    end = time.monotonic() + 60 + fx.args.commands * 0.2
    while (any(len(sent[n]) < len(plan[n]) for n in plan) or inflight) and time.monotonic() < end:
        for d in doors:
            if d.name not in inflight and len(sent[d.name]) < len(plan[d.name]):
                cmd = plan[d.name][len(sent[d.name])]
                payload = d.sign(cmd)
                phone = phones[k % 3]
                k += 1
                t = mono()
                phone.publish(f"{d.topic}/set", payload)
                sent[d.name].append(cmd)
                inflight[d.name] = t
        for d in doors:
            for ts, _cmd in d.poll_device():
                t = inflight.pop(d.name, None)
                if t is not None:
                    lat.append((ts - t) / 1e6)
        time.sleep(0.003)
    check(not inflight, f"commands still unanswered at the time limit: {sorted(inflight)}")
    time.sleep(3)   # a late duplicate or a stray would show by now
    bad = []
    for d in doors:
        d.poll_device()
        got = [c for _t, c in d.lines]
        if got != sent[d.name]:
            bad.append(f"{d.name}: device {got}, sent {sent[d.name]}")
    check(not bad, "doors that did not get exactly their commands:\n  " + "\n  ".join(bad[:5]))
    accepted = events.count(lambda m: '"accepted":true' in m[2])
    check(accepted == fx.args.commands,
          f"{accepted} accepted events for {fx.args.commands} commands")
    lat.sort()
    # The latency depends on what else the machine runs: say how busy it was.
    fx.figures["loadavg_1min"] = float(Path("/proc/loadavg").read_text().split()[0])
    fx.figures["commands"] = len(lat)
    fx.figures["latency_p50_ms"] = round(lat[len(lat) // 2], 1)
    fx.figures["latency_p99_ms"] = round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1)
    fx.figures["latency_max_ms"] = round(lat[-1], 1)
    say(f"  {len(lat)} commands over {len(doors)} bridges: p50 {fx.figures['latency_p50_ms']} "
        f"ms, p99 {fx.figures['latency_p99_ms']} ms, max {fx.figures['latency_max_ms']} ms "
        f"(load average {fx.figures['loadavg_1min']})")
    say(f"  bridges per node: {spread}")
    say(f"  beam RSS before: {fx.figures['rss_before_kib']} KiB, "
        f"with the bridges: {fx.figures['rss_with_bridges_kib']} KiB")
    # Each door's identity is its own: door A's user, with a command that
    # door B's key signed, cannot reach door B's topic.
    if len(doors) >= 2:
        a, b = doors[0], doors[1]
        b.poll_device()
        mark = len(b.lines)
        intruder = fx.client(fx.nodes[2], "intruder", user=a.name)
        intruder.publish(f"{b.topic}/set", b.sign("open"))
        time.sleep(2)
        b.poll_device()
        check(len(b.lines) == mark, f"{a.name}'s user opened {b.name}")
        fx.drop(intruder)
    grow = (sum(fx.figures["rss_with_bridges_kib"].values())
            - sum(fx.figures["rss_before_kib"].values()))
    fx.figures["rss_growth_per_bridge_kib"] = round(grow / len(doors))
    say(f"  the three nodes grew by {grow} KiB, {grow / len(doors):.0f} KiB a bridge")
    for p in phones + [events]:
        fx.drop(p)


def case_herd(fx):
    """Kill the node under a third of the fleet: all its bridges come back
    at once on the other two; then one command to every door acts once."""
    names = [n for n in fx.doors if n.startswith("door")]
    if not names:
        names = [f"door{i:02d}" for i in range(1, fx.args.bridges + 1)]
        start_doors(fx, names)
    on = {n: fx.doors[n].node_of_bridge() for n in names}
    victim = max(fx.nodes, key=lambda node: sum(1 for v in on.values() if v is node))
    moving = [n for n in names if on[n] is victim]
    check(moving, "no bridge on any node")
    others = [n for n in fx.nodes if n is not victim]
    watch = fx.client(others[0], "watch-herd")
    watch.subscribe("sesame/+/availability")
    time.sleep(0.5)     # retained copies first, not counted below
    t0 = mono()
    victim.kill()
    try:
        back = []
        for n in moving:
            m = watch.wait(lambda m: m[1] == f"sesame/{n}/availability" and m[2] == "online"
                           and not m[3] and m[0] > t0)
            check(m, f"{n} never came back online:\n{fx.doors[n].log_tail()}")
            back.append((m[0] - t0) / 1e9)
        stray = [n for n in names if fx.doors[n].node_of_bridge() not in others]
        check(not stray, f"bridges not on a surviving node: {stray}")
        phone = fx.client(others[1], "phone-herd")
        for n in names:
            d = fx.doors[n]
            d.poll_device()
            d.mark = len(d.lines)
            phone.publish(f"{d.topic}/set", d.sign("open"))
        end = time.monotonic() + TIMEOUT
        doors = [fx.doors[n] for n in names]
        while time.monotonic() < end and any(len(d.lines) == d.mark for d in doors):
            time.sleep(0.02)
            for d in doors:
                d.poll_device()
        time.sleep(2)       # a late duplicate would show by now
        for d in doors:
            d.poll_device()
        bad = [f"{d.name}: {[c for _t, c in d.lines[d.mark:]]}" for d in doors
               if [c for _t, c in d.lines[d.mark:]] != ["open"]]
        check(not bad, "doors without exactly one open: " + ", ".join(bad[:5]))
        fx.drop(phone)
    finally:
        fx.drop(watch)
        victim.start()
        restarted = victim.wait_listening()
    check(restarted, f"{victim.name} did not restart:\n{victim.log_tail()}")
    check(rejoined(victim), f"{victim.name} did not rejoin the cluster")
    back.sort()
    fx.figures["herd_bridges"] = len(back)
    fx.figures["herd_median_s"] = round(statistics.median(back), 2)
    fx.figures["herd_worst_s"] = round(back[-1], 2)
    say(f"  {len(back)} bridges on the killed node online elsewhere: median "
        f"{statistics.median(back):.2f} s, worst {back[-1]:.2f} s; one open each acted once")


def case_state(fx):
    names = [n for n in fx.doors if n.startswith("door")]
    if not names:
        names = [f"door{i:02d}" for i in range(1, min(fx.args.bridges, 6) + 1)]
        start_doors(fx, names)
    # For each door, a phone on a node other than its bridge's subscribes
    # to its state: how long until it learns it?
    waits = []
    immediate = 0
    phones = []
    for node in fx.nodes:
        mine = [n for n in names if fx.doors[n].node_of_bridge() not in (node, None)]
        if mine:
            c = fx.client(node, f"phone-state{node.i}")
            t0 = mono()
            c.subscribe(*[f"sesame/{n}/state" for n in mine])
            phones.append((c, t0, mine))
    # The state is the device's: fake-sesame stays open until told the
    # hold time ran out, which this test never does.
    stale = 0
    for c, t0, mine in phones:
        for n in mine:
            d = fx.doors[n]
            d.poll_device()
            want = "open" if d.last == "open" else "closed"
            m = c.wait(lambda m: m[1] == f"sesame/{n}/state" and m[2] == want,
                       REPUBLISH * 2 + 10)
            check(m, f"a phone on {c.node.name} never learned {n}'s state")
            waits.append((m[0] - t0) / 1e9)
            immediate += m[3]
            # A node's retained copy from when the bridge was last there.
            stale += c.count(lambda m: m[1] == f"sesame/{n}/state" and m[2] != want)
        fx.drop(c)
    check(waits, "no door had its bridge on another node than a phone")
    fx.figures["state_learn_median_s"] = round(statistics.median(waits), 2)
    fx.figures["state_learn_worst_s"] = round(max(waits), 2)
    fx.figures["state_learn_doors"] = len(waits)
    fx.figures["state_learn_retained"] = immediate
    fx.figures["state_stale_copies"] = stale
    say(f"  state learned on another node for {len(waits)} doors: median "
        f"{statistics.median(waits):.2f} s, worst {max(waits):.2f} s "
        f"(republish_interval {REPUBLISH}; {immediate} from a retained copy; {stale} "
        "stale copies shown first)")
    check(max(waits) <= REPUBLISH + 5, f"worst {max(waits):.1f} s > republish_interval + 5")


def declare(cases, args):
    """The cases, on one cluster, in this order: herd and state use the
    fleet's bridges when fleet ran before them (else they start their own)."""

    @cases.fixture("cluster")
    def cluster():
        """The three-node cluster every case runs on; torn down (every
        process stopped) after the last case, the figures written then."""
        fx = Fixture(args)
        t_all = time.monotonic()
        try:
            fx.setup_cluster()
            yield fx
        finally:
            fx.figures["total_s"] = round(time.monotonic() - t_all, 1)
            fx.figures["size"] = {"kills": args.kills, "bridges": args.bridges,
                                  "commands": args.commands}
            if args.figures:
                Path(args.figures).parent.mkdir(parents=True, exist_ok=True)
                Path(args.figures).write_text(json.dumps(fx.figures, indent=1) + "\n")
            fx.teardown()
            say(f"cluster up for {fx.figures['total_s']} s")

    @cases.case("cluster-carries-messages",
                "three running nodes; a message published on node 1 reaches a subscriber on node 3",
                "cluster")
    def _(fx):
        case_cluster(fx)

    @cases.case("failover-acts-once",
                f"SIGKILL the node under a bridge, {args.kills} times: online on another node, "
                "each command sent afterwards acts exactly once, nothing unsent acts", "cluster")
    def _(fx):
        case_failover(fx)

    @cases.case("fleet-commands-exactly-once",
                f"{args.bridges} bridges, {args.commands} signed commands from phones on all nodes: "
                "each reaches its own door exactly once; latency and the nodes' memory", "cluster")
    def _(fx):
        case_fleet(fx)

    @cases.case("herd-moves-and-acts-once",
                "SIGKILL the node under the most bridges: each online on another node; "
                "then an open to every door acts exactly once", "cluster")
    def _(fx):
        case_herd(fx)

    @cases.case("state-learned-across-nodes",
                "a phone on another node than a door's bridge learns its state within "
                "republish_interval + 5 s", "cluster")
    def _(fx):
        case_state(fx)


def main():
    cases = Cases()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--bridges", type=int, default=50)
    ap.add_argument("--commands", type=int, default=1000)
    ap.add_argument("--figures", help="write the figures here (JSON)")
    cases.add_arguments(ap)
    args = ap.parse_args()
    # The titles name the sizes chosen on the command line.
    declare(cases, args)
    if not args.list:
        for prog in (BRIDGE, SIGN, FAKE, SYNC_LIB, RABBIT_BIN / "rabbitmq-server"):
            if not prog.exists():
                sys.exit(f"fleet.py: {prog} is missing (make fleet builds and installs all)")
        if not Path("/dev/fuse").exists():
            sys.exit("fleet.py: /dev/fuse is missing, so the /dev/sesame stand-in cannot run")
    # A SIGTERM (make killed, CI's timeout) still stops everything started:
    # the runner tears the cluster down on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return cases.run(args)


if __name__ == "__main__":
    sys.exit(main())
