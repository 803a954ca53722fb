#!/bin/bash
# integration.sh - sesame-bridge against a real Mosquitto with TLS.
#
# Usage: tests/bridge/integration.sh [CASE...]     (default: every case)
#
# Starts Debian's mosquitto on free loopback ports with a PKI made by
# gen-pki.sh, a password file and an ACL file, and a FUSE stand-in for
# /dev/sesame (fake-sesame) that speaks the driver's protocol. Each case
# runs the real sesame-bridge and checks what a user would: what reached
# the device, what was published, what was logged, the exit status.
#
# Environment:
#   BRIDGE, SIGN, FAKE, SINK  the programs (default: build/bridge/...)
#   WRAP                a command to run the bridge under ("valgrind ...")
#   SLOW                multiplies every timeout (valgrind is slow)
#   LABEL               prefix of the result lines
#   FLOOD               junk messages in the flood case (default 5000)
#   KEEP                if set, keep the temporary directory (logs) at exit
#   RSS_CHECK           0 skips the resident-memory check (ASan and valgrind
#                       change what memory means)
#   PLAIN_BRIDGE        the bridge as shipped, for the cases about the real
#                       process (its core file, its system calls), whatever
#                       BRIDGE and WRAP are
# Exit status: 0 all passed, 1 a case failed, 4 cannot run here (no FUSE).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BRIDGE=${BRIDGE:-$top/build/bridge/sesame-bridge}
SIGN=${SIGN:-$top/build/bridge/sesame-sign}
FAKE=${FAKE:-$top/build/bridge/fake-sesame}
SINK=${SINK:-$top/build/bridge/notify-sink}
SYNC_LIB=${SYNC_LIB:-$top/build/bridge/fake-sync.so}
PLAIN_BRIDGE=${PLAIN_BRIDGE:-$top/build/bridge/sesame-bridge}
WRAP=${WRAP:-}
SLOW=${SLOW:-1}
LABEL=${LABEL:-bridge}
FLOOD=${FLOOD:-5000}
TIMEOUT=$((15 * SLOW))

T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-bridge.XXXXXX")
PKI=$T/pki
BROKER_PID=
FAKE_PID=
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	[ -n "$BROKER_PID" ] && kill -TERM "$BROKER_PID" 2>/dev/null
	for p in "${PIDS[@]}" $BROKER_PID; do
		wait "$p" 2>/dev/null
	done
	if [ -n "$FAKE_PID" ]; then
		kill -TERM "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
	fi
	fusermount3 -u "$T/mnt" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then
		echo "$0: kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- helpers

failed=0
passed=0
skipped=0
case_no=0
case_name=
case_ok=1

say() { echo "$LABEL: $*"; }

# fail MESSAGE: the current case fails (it goes on, to show more).
fail() {
	say "  FAIL: $*"
	case_ok=0
}

begin() {
	case_no=$1
	case_name=$2
	case_ok=1
}

end() {
	if [ "$case_ok" = 1 ]; then
		say "ok $case_no - $case_name"
		passed=$((passed + 1))
	elif [ "$case_ok" = skip ]; then
		say "ok $case_no - $case_name # SKIP"
		skipped=$((skipped + 1))
	else
		say "not ok $case_no - $case_name"
		failed=$((failed + 1))
	fi
}

# wait_for FILE TEXT [COUNT]: until FILE holds TEXT (a fixed string) COUNT
# times; false after the timeout.
wait_for() {
	local file=$1 text=$2 count=${3:-1} i n
	for ((i = 0; i < TIMEOUT * 20; i++)); do
		n=$(grep -cF -- "$text" "$file" 2>/dev/null)
		[ "${n:-0}" -ge "$count" ] && return 0
		sleep 0.05
	done
	return 1
}

# expect_in FILE TEXT [COUNT]: wait_for, or fail the case saying what is missing.
expect_in() {
	wait_for "$@" || fail "no '$2' (x${3:-1}) in $(basename "$1") after ${TIMEOUT}s"
}

count() {
	grep -cF -- "$2" "$1" 2>/dev/null || true
}

. "$here/ports.sh"

# The test's own MQTT clients: certificate "tester", which the ACL allows all.
CLI=()
pub() { mosquitto_pub "${CLI[@]}" -q 1 "$@"; }

# sub NAME TOPIC...: record every message as "MSG <retain> <topic> <payload>"
# in $T/NAME.msgs, from the moment this returns (it waits for the SUBACK).
sub() {
	local name=$1 args=() t
	shift
	for t; do args+=(-t "$t"); done
	stdbuf -oL mosquitto_sub "${CLI[@]}" -d -q 1 -F 'MSG %r %t %p' "${args[@]}" \
		> "$T/$name.msgs" 2>&1 &
	PIDS+=($!)
	echo $! > "$T/$name.subpid"
	wait_for "$T/$name.msgs" "received SUBACK" || fail "subscriber $name did not start"
}

unsub() {
	local pid
	pid=$(cat "$T/$1.subpid" 2>/dev/null) && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}

# conf NAME: a bridge configuration for the password listener; cases vary
# it with -o options, which go through the same parser.
conf() {
	cat > "$T/$1.conf" <<EOF
# bridge "$1" of the integration tests
host 127.0.0.1
port $P_PW
cafile $PKI/ca.crt
username bridge
password_file $T/bridge.pw
client_id sesame-$1
topic sesame/$1
device $T/dev/sesame
keepalive 10
reconnect_max 2
rate_limit 1000/60
state_file $T/$1.state
EOF
}

# empty_state FILE: the replay state of a bridge that ran before and
# accepted nothing. Without one, a bridge starts failing closed and refuses
# what was signed in the second it started.
empty_state() {
	python3 -c 'import hashlib, sys
text = b"sesame-replay 1\nfloor 0 accepted\n"
sys.stdout.buffer.write(text + b"sha256 " + hashlib.sha256(text).hexdigest().encode() + b"\n")' > "$1"
	chmod 0600 "$1"
}

# signed NAME: conf NAME, with signed commands required (key $T/NAME.hmac).
signed() {
	conf "$1"
	openssl rand -hex 32 > "$T/$1.hmac"
	chmod 0600 "$T/$1.hmac"
	echo "hmac_key_file $T/$1.hmac" >> "$T/$1.conf"
	empty_state "$T/$1.state"
}

# The environment a bridge runs in: the kernel's answer to "is the clock
# synchronised?" comes from $T/NAME.sync (fake-sync.so), "synced" unless
# a case writes otherwise, since this machine's own clock may or may not
# be; PRELOAD adds libraries (libfaketime).
bridge_env() {
	[ -f "$T/$1.sync" ] || echo synced > "$T/$1.sync"
	echo "LD_PRELOAD=$SYNC_LIB${PRELOAD:+ $PRELOAD}"
	echo "SESAME_FAKE_SYNC=$T/$1.sync"
	echo "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
}

# start NAME [ARGS...]: run the bridge with $T/NAME.conf in the background.
start() {
	local name=$1 env
	shift
	[ -f "$T/$name.conf" ] || conf "$name"
	mapfile -t env < <(bridge_env "$name")
	# shellcheck disable=SC2086
	env "${env[@]}" $WRAP "$BRIDGE" -c "$T/$name.conf" "$@" > "$T/$name.log" 2>&1 &
	echo $! > "$T/$name.pid"
	PIDS+=($!)
}

# up NAME: start it and wait until it says it is online.
up() {
	local name=$1
	sub "$name-avail" "sesame/$name/availability"
	start "$@"
	expect_in "$T/$name-avail.msgs" "sesame/$name/availability online"
	unsub "$name-avail"
	[ "$case_ok" = 1 ] || { say "  bridge log:"; sed 's/^/    /' "$T/$name.log" | tail -20; }
}

# stop NAME [SIGNAL]: stop the bridge; it must exit 0 (and, under ASan or
# valgrind, without a finding).
stop() {
	local name=$1 pid rc
	pid=$(cat "$T/$name.pid")
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	# (braces: no "Killed" notice from bash after SIGKILL)
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	if [ "$rc" != 0 ] && [ "${2:-TERM}" != KILL ]; then
		fail "bridge $name exited $rc"
		sed 's/^/    /' "$T/$name.log" | tail -30
	fi
	return 0
}

device_lines() { wc -l < "$T/device.log"; }

# device_since N: what reached the device after its first N lines, on one line.
device_since() { tail -n +$(($1 + 1)) "$T/device.log" | tr '\n' ' ' | sed 's/ $//'; }

ctl() { echo "$1" > "$T/mnt/ctl"; }

# ---------------------------------------------------------------- set-up

for tool in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd openssl fusermount3; do
	command -v "$tool" > /dev/null || { echo "$0: $tool is missing (scripts/deps.sh bridge-test)" >&2; exit 1; }
done
if [ ! -c /dev/fuse ]; then
	echo "$0: SKIP: /dev/fuse is missing, so the /dev/sesame stand-in cannot run" >&2
	exit 4
fi

"$here/gen-pki.sh" "$PKI" || exit 1
CLI=(-h 127.0.0.1 --cafile "$PKI/ca.crt" --cert "$PKI/tester.crt" --key "$PKI/tester.key")

# The device: a FUSE file, reached through a link as udev would make a node.
mkdir -p "$T/mnt" "$T/dev"
: > "$T/device.log"
"$FAKE" "$T/mnt" "$T/device.log" 2> "$T/fake.log" &
FAKE_PID=$!
for ((i = 0; i < 100; i++)); do
	[ -e "$T/mnt/ctl" ] && break
	sleep 0.05
done
[ -e "$T/mnt/ctl" ] || { echo "$0: fake-sesame did not mount:" >&2; cat "$T/fake.log" >&2; exit 1; }
ln -s "$T/mnt/sesame" "$T/dev/sesame"

# Broker credentials: a hashed password file and an ACL.
umask 077
printf 'bridge:%s\n' "door-pw-$$" > "$T/passwd"
mosquitto_passwd -U "$T/passwd" || exit 1
printf 'door-pw-%s\n' "$$" > "$T/bridge.pw"
printf 'wrong-pw\n' > "$T/wrong.pw"
umask 022
cat > "$T/acl" <<EOF
user bridge
topic readwrite sesame/#
topic readwrite homeassistant/#

user tester
topic readwrite #
EOF

# door_broker_conf PW_PORT CERT_PORT: a mosquitto configuration with the
# two listeners a door's broker has, on the test's PKI, passwords and ACL.
door_broker_conf() {
	cat <<EOF
user $(id -un)
per_listener_settings true
persistence false
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
log_timestamp false

# TLS with a password file (the bridge's usual set-up)
listener $1 127.0.0.1
cafile $PKI/ca.crt
certfile $PKI/server.crt
keyfile $PKI/server.key
password_file $T/passwd
acl_file $T/acl
allow_anonymous false

# TLS with client certificates: the bridge's, and the tests' own clients
listener $2 127.0.0.1
cafile $PKI/ca.crt
certfile $PKI/server.crt
keyfile $PKI/server.key
require_certificate true
use_identity_as_username true
acl_file $T/acl
allow_anonymous false
EOF
}

# The main broker: a door's listeners, and the bad ones of the cases.
broker_conf() {
	door_broker_conf "$P_PW" "$P_CERT" > "$T/mosquitto.conf"
	cat >> "$T/mosquitto.conf" <<EOF

# Bad server certificates. Anyone may connect and subscribe: only the
# bridge's TLS checks stand between these listeners and the door.
listener $P_EXPIRED 127.0.0.1
certfile $PKI/expired.crt
keyfile $PKI/expired.key
allow_anonymous true

listener $P_WRONGHOST 127.0.0.1
certfile $PKI/wrong-host.crt
keyfile $PKI/wrong-host.key
allow_anonymous true

listener $P_FAKECA 127.0.0.1
certfile $PKI/fake-server.crt
keyfile $PKI/fake-server.key
allow_anonymous true

listener $P_CNONLY 127.0.0.1
certfile $PKI/cn-only.crt
keyfile $PKI/cn-only.key
allow_anonymous true

# Good for localhost, not for 127.0.0.1; with the bridge's password
listener $P_NAMEONLY 127.0.0.1
certfile $PKI/name-only.crt
keyfile $PKI/name-only.key
password_file $T/passwd
acl_file $T/acl
allow_anonymous false

# No TLS at all, for insecure_plaintext
listener $P_PLAIN 127.0.0.1
allow_anonymous true
EOF
}

# start_broker: with the current ports; false if it did not come up.
start_broker() {
	mosquitto -c "$T/mosquitto.conf" >> "$T/broker.log" 2>&1 &
	BROKER_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c 'mosquitto version .* running' "$T/broker.log")" -ge "$1" ] && return 0
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$BROKER_PID" 2>/dev/null
	BROKER_PID=
	return 1
}

broker_runs=0
for attempt in 1 2 3 4 5; do
	P_PW=$(free_port) P_CERT=$(free_port) P_EXPIRED=$(free_port)
	P_WRONGHOST=$(free_port) P_FAKECA=$(free_port) P_PLAIN=$(free_port)
	P_CNONLY=$(free_port) P_NAMEONLY=$(free_port)
	broker_conf
	if start_broker $((broker_runs + 1)); then
		broker_runs=$((broker_runs + 1))
		break
	fi
	echo "$0: broker did not start (attempt $attempt); new ports" >&2
	tail -3 "$T/broker.log" >&2
done
[ -n "$BROKER_PID" ] || { echo "$0: mosquitto does not start" >&2; exit 1; }
CLI+=(-p "$P_CERT")

# ---------------------------------------------------------------- cases

case_1() {
	begin 1 "--check accepts a good configuration and the shipped example"
	conf c1
	out=$($WRAP "$BRIDGE" -n -c "$T/c1.conf" 2>&1)
	rc=$?
	[ "$rc" = 0 ] || fail "--check exited $rc: $out"
	[ "$out" = "configuration OK" ] || fail "--check said '$out'"
	# The example, with its paths pointed at this test's files.
	out=$($WRAP "$BRIDGE" --check -c "$top/bridge/sesame-bridge.conf.example" \
		-o "capath $PKI" -o "device $T/dev/sesame" 2>&1)
	[ "$out" = "configuration OK" ] || fail "the example config: $out"
	out=$("$BRIDGE" --version)
	[[ "$out" == "sesame-bridge "* ]] || fail "--version said '$out'"
	"$BRIDGE" --bogus > /dev/null 2>&1
	[ $? = 2 ] || fail "an unknown option does not exit 2"
	end
}

case_2() {
	begin 2 "configuration errors are reported with file:line, and nothing runs"
	local f want got rc
	# Copies: a checkout's file modes follow the umask, and a file that
	# others may change is refused before anything in it is read.
	mkdir -p "$T/conf"
	cp "$here"/conf/*.conf "$T/conf/"
	chmod 0644 "$T"/conf/*.conf
	for f in "$T"/conf/*.conf; do
		want=$(sed -n 's/^# expect: //p' "$f" | sed "s|@FILE@|$f|")
		got=$($WRAP "$BRIDGE" -n -c "$f" 2>&1)
		rc=$?
		[ "$rc" = 1 ] || fail "$(basename "$f"): exit $rc, not 1"
		[ "$got" = "$want" ] || fail "$(basename "$f"): said '$got', not '$want'"
	done
	conf c2
	got=$($WRAP "$BRIDGE" -n -c "$T/c2.conf" -o "keepalive 60" -o "port 0" 2>&1)
	want="command line:2: port: '0' is not a whole number from 1 to 65535 (-o 'port 0')"
	[ "$got" = "$want" ] || fail "-o: said '$got'"
	got=$($WRAP "$BRIDGE" -n -c "$T/missing.conf" 2>&1)
	want="$T/missing.conf: cannot open: No such file or directory"
	[ "$got" = "$want" ] || fail "missing file: said '$got'"
	# Not even a connection was tried.
	grep -q "sesame-c2" "$T/broker.log" && fail "the broker saw a connection"
	end
}

case_3() {
	begin 3 "a password, key or HMAC-key file that others can read is refused"
	local got want
	conf c3
	cp "$T/bridge.pw" "$T/c3.pw"
	chmod 0644 "$T/c3.pw"
	got=$($WRAP "$BRIDGE" -n -c "$T/c3.conf" -o "password_file $T/c3.pw" 2>&1)
	want="command line:1: password_file: $T/c3.pw is accessible by others (mode 0644): run chmod o-rwx $T/c3.pw"
	[ "$got" = "$want" ] || fail "password file: said '$got'"
	sed -i "s|^password_file .*|password_file $T/c3.pw|" "$T/c3.conf"
	got=$($WRAP "$BRIDGE" -n -c "$T/c3.conf" 2>&1)
	want="$T/c3.conf:6: password_file: $T/c3.pw is accessible by others (mode 0644): run chmod o-rwx $T/c3.pw"
	[ "$got" = "$want" ] || fail "password file: said '$got'"
	# And so it never starts.
	start c3
	wait "$(cat "$T/c3.pid")"
	[ $? = 1 ] || fail "the bridge did not exit 1"
	chmod 0640 "$T/c3.pw"
	got=$($WRAP "$BRIDGE" -n -c "$T/c3.conf" 2>&1)
	[ "$got" = "configuration OK" ] || fail "mode 0640: $got"
	cp "$PKI/bridge.key" "$T/c3.key"
	chmod 0604 "$T/c3.key"
	got=$($WRAP "$BRIDGE" -n -c "$T/c3.conf" -o "certfile $PKI/bridge.crt" -o "keyfile $T/c3.key" 2>&1)
	[[ "$got" == "command line:2: keyfile: $T/c3.key is accessible by others (mode 0604)"* ]] ||
		fail "TLS key: said '$got'"
	openssl rand -hex 32 > "$T/c3.hmac"
	chmod 0644 "$T/c3.hmac"
	got=$($WRAP "$BRIDGE" -n -c "$T/c3.conf" -o "hmac_key_file $T/c3.hmac" 2>&1)
	[[ "$got" == "command line:1: hmac_key_file: $T/c3.hmac is accessible by others (mode 0644)"* ]] ||
		fail "HMAC key: said '$got'"
	got=$("$SIGN" -k "$T/c3.hmac" -t sesame/c3/set open 2>&1)
	[[ "$got" == *"accessible by others"* ]] || fail "sesame-sign took the key: '$got'"
	end
}

# The main bridge of cases 4-9: password listener, MQTT 5, unsigned.
case_4() {
	begin 4 "an accepted command reaches the device, and state and events follow"
	local n
	sub c4 "sesame/c4/#"
	up c4
	expect_in "$T/c4.msgs" "sesame/c4/availability online"
	n=$(device_lines)
	for word in open LOCK UNLOCK off Press close ON; do
		pub -t sesame/c4/set -m "$word"
	done
	expect_in "$T/c4.msgs" '"accepted":true' 7
	[ "$(device_since "$n")" = "open close open close open close open" ] ||
		fail "the device got '$(device_since "$n")'"
	[ "$(count "$T/c4.msgs" '"accepted":true,"command":"open","signed":false}')" = 4 ] ||
		fail "not 4 open events"
	[ "$(count "$T/c4.msgs" '"accepted":true,"command":"close","signed":false}')" = 3 ] ||
		fail "not 3 close events"
	expect_in "$T/c4.msgs" "MSG 0 sesame/c4/state open"
	expect_in "$T/c4.msgs" "sesame/c4/state closed"
	expect_in "$T/c4.log" "command open accepted" 4
	# The retained state, as a new subscriber (a phone app) sees it.
	got=$(mosquitto_sub "${CLI[@]}" -t sesame/c4/state -C 1 -W "$TIMEOUT")
	[ "$got" = open ] || fail "retained state is '$got'"
	end
}

case_5() {
	begin 5 "the driver's automatic close reaches B/state through poll()"
	sub c5 sesame/c4/state
	pub -t sesame/c4/set -m close
	expect_in "$T/c5.msgs" "MSG 0 sesame/c4/state closed"
	pub -t sesame/c4/set -m open
	expect_in "$T/c5.msgs" "MSG 0 sesame/c4/state open"
	# The hold time runs out in the driver; the bridge sent nothing.
	n=$(device_lines)
	ctl expire
	expect_in "$T/c5.msgs" "MSG 0 sesame/c4/state closed" 2
	[ "$(device_lines)" = "$n" ] || fail "the bridge wrote '$(device_since "$n")'"
	unsub c5
	end
}

case_6() {
	begin 6 "bad payloads are rejected as malformed, each with its event, and nothing moves"
	local n
	n=$(device_lines)
	sub c6 sesame/c4/event
	pub -t sesame/c4/set -m bogus
	pub -t sesame/c4/set -m "open now"
	pub -t sesame/c4/set -n
	head -c 300 /dev/zero | tr '\0' o > "$T/c6.big"
	pub -t sesame/c4/set -f "$T/c6.big"
	printf 'op\0en' > "$T/c6.nul"
	pub -t sesame/c4/set -f "$T/c6.nul"
	expect_in "$T/c6.msgs" '"reason":"malformed"' 5
	expect_in "$T/c6.msgs" '"detail":"unknown command"'
	expect_in "$T/c6.msgs" '"detail":"empty payload"'
	expect_in "$T/c6.msgs" '"detail":"payload of 300 bytes is over max_payload 256"'
	expect_in "$T/c6.msgs" '"detail":"not a single printable word"' 2
	[ "$(device_lines)" = "$n" ] || fail "the device got '$(device_since "$n")'"
	# The next good command still works.
	pub -t sesame/c4/set -m close
	expect_in "$T/c6.msgs" '"accepted":true,"command":"close"'
	unsub c6
	end
}

case_7() {
	begin 7 "a retained open causes no actuation (MQTT 5 live and at subscribe, MQTT 3.1.1)"
	local n
	n=$(device_lines)
	sub c7 sesame/c4/event sesame/c7v5/event sesame/c7v3/event
	# Marked retained by its sender while the bridge listens (an Android
	# dashboard does this): MQTT 5's "retain as published" shows the flag.
	pub -t sesame/c4/set -m open -r
	expect_in "$T/c7.msgs" '"reason":"retained"'
	pub -t sesame/c4/set -r -n
	# Retained on the broker before the bridge subscribes: MQTT 5's
	# "send never" keeps it away altogether.
	pub -t sesame/c7v5/set -m open -r
	up c7v5
	pub -t sesame/c7v5/set -m close
	expect_in "$T/c7.msgs" '"accepted":true,"command":"close"'
	[ "$(count "$T/c7.msgs" "MSG 0 sesame/c7v5/event")" = 1 ] || fail "MQTT 5 got the retained open"
	# MQTT 3.1.1 cannot refuse it at subscribe: it arrives flagged, and is refused.
	pub -t sesame/c7v3/set -m open -r
	up c7v3 -o "mqtt_version 3.1.1"
	expect_in "$T/c7.msgs" 'sesame/c7v3/event {"time"'
	expect_in "$T/c7.msgs" '"accepted":false,"command":null,"signed":false,"reason":"retained"' 2
	pub -t sesame/c7v3/set -m close
	expect_in "$T/c7.msgs" '"accepted":true,"command":"close"' 2
	[ "$(device_since "$n")" = "close close" ] || fail "the device got '$(device_since "$n")'"
	stop c7v5
	stop c7v3
	pub -t sesame/c7v5/set -r -n
	pub -t sesame/c7v3/set -r -n
	unsub c7
	end
}

case_8() {
	begin 8 "Home Assistant discovery is retained, and sent again when HA comes online"
	local cfg_topic=homeassistant/lock/sesame-c4/config
	got=$(mosquitto_sub "${CLI[@]}" -t "$cfg_topic" -C 1 -W "$TIMEOUT")
	for want in '"command_topic":"sesame/c4/set"' '"state_topic":"sesame/c4/state"' \
		    '"availability_topic":"sesame/c4/availability"' '"payload_unlock":"UNLOCK"' \
		    '"payload_lock":"LOCK"' '"payload_open":"OPEN"' '"state_locked":"closed"' \
		    '"state_open":"open"' '"unique_id":"sesame_c4"'; do
		[[ "$got" == *"$want"* ]] || fail "discovery lacks $want: $got"
	done
	sub c8 "$cfg_topic"
	expect_in "$T/c8.msgs" "MSG 1 $cfg_topic"
	sub c8s sesame/c4/state
	expect_in "$T/c8s.msgs" "MSG 1 sesame/c4/state"
	# The bridge answers HA's birth at most once a second, counting its
	# own discovery message when it came online.
	sleep 1.1
	pub -t homeassistant/status -m online
	expect_in "$T/c8.msgs" "MSG 0 $cfg_topic"
	# ... and the state again, for a subscriber the broker did not tell.
	expect_in "$T/c8s.msgs" "MSG 0 sesame/c4/state"
	unsub c8
	unsub c8s
	# HA's own command words move the door.
	n=$(device_lines)
	sub c8e sesame/c4/event
	pub -t sesame/c4/set -m OPEN
	expect_in "$T/c8e.msgs" '"accepted":true,"command":"open"'
	[ "$(device_since "$n")" = open ] || fail "the device got '$(device_since "$n")'"
	unsub c8e
	end
}

case_9() {
	begin 9 "the device going away and coming back: offline, fd dropped, reopened, online"
	local n
	sub c9 sesame/c4/availability sesame/c4/event sesame/c4/state
	ctl unplug
	rm "$T/dev/sesame"
	expect_in "$T/c9.msgs" "MSG 0 sesame/c4/availability offline"
	expect_in "$T/c4.log" "went away"
	# Holding the file would keep the module from unloading.
	[ "$(cat "$T/mnt/ctl")" = "open_files=0 commands=$(device_lines)" ] ||
		fail "the device is still held: $(cat "$T/mnt/ctl")"
	n=$(device_lines)
	pub -t sesame/c4/set -m open
	expect_in "$T/c9.msgs" '"reason":"device error","detail":"'"$T"'/dev/sesame is not there"'
	ctl plug
	ln -s "$T/mnt/sesame" "$T/dev/sesame"
	expect_in "$T/c9.msgs" "MSG 0 sesame/c4/availability online"
	expect_in "$T/c9.msgs" "MSG 0 sesame/c4/state closed"
	pub -t sesame/c4/set -m open
	expect_in "$T/c9.msgs" '"accepted":true,"command":"open"'
	[ "$(device_since "$n")" = open ] || fail "the device got '$(device_since "$n")'"
	# A write the driver refuses is a device error, and the next one works.
	ctl "fail EIO"
	pub -t sesame/c4/set -m close
	expect_in "$T/c9.msgs" '"reason":"device error","detail":"writing to '"$T"'/dev/sesame failed: Input/output error"'
	pub -t sesame/c4/set -m close
	expect_in "$T/c9.msgs" '"accepted":true,"command":"close"'
	[ "$(device_since "$n")" = "open close" ] || fail "the device got '$(device_since "$n")'"
	unsub c9
	end
}

case_10() {
	begin 10 "a flood of junk neither delays a legitimate command nor grows memory"
	local pid rss1 rss2 n i
	pid=$(cat "$T/c4.pid")
	n=$(device_lines)
	sub c10 sesame/c4/event
	for round in 1 2; do
		for ((i = 0; i < FLOOD; i++)); do echo "junk-$i"; done |
			mosquitto_pub "${CLI[@]}" -q 0 -t sesame/c4/set -l
		pub -t sesame/c4/set -m open
		expect_in "$T/c10.msgs" '"accepted":true,"command":"open"' "$round"
		eval "rss$round=$(awk '/^VmRSS/ {print $2}' /proc/"$pid"/status)"
	done
	[ "$(device_since "$n")" = "open open" ] || fail "the device got '$(device_since "$n")'"
	# Rejections are reported at a bounded rate, the rest counted.
	reported=$(count "$T/c10.msgs" '"reason":"malformed"')
	[ "$reported" -lt "$FLOOD" ] || fail "all $reported rejections were reported"
	expect_in "$T/c10.msgs" '"suppressed":'
	[ "$(wc -l < "$T/c4.log")" -lt 1000 ] || fail "the log grew by $(wc -l < "$T/c4.log") lines"
	# The second flood must not cost more memory than the first left.
	if [ "${RSS_CHECK:-1}" = 1 ]; then
		[ "$rss2" -le $((rss1 + 256)) ] || fail "resident memory grew from $rss1 to $rss2 kB"
		say "  resident memory after floods: $rss1 kB, $rss2 kB"
	fi
	unsub c10
	end
}

case_11() {
	begin 11 "signed commands: accepted once; replayed, stale, tampered, badly formed and unsigned ones rejected"
	local n p q key=$T/c11.hmac
	openssl rand -hex 32 > "$key"
	chmod 0600 "$key"
	conf c11
	echo "hmac_key_file $key" >> "$T/c11.conf"
	empty_state "$T/c11.state"
	sub c11 sesame/c11/event
	up c11
	n=$(device_lines)
	p=$("$SIGN" -k "$key" -t sesame/c11/set open)
	pub -t sesame/c11/set -m "$p"
	expect_in "$T/c11.msgs" '"accepted":true,"command":"open","signed":true'
	pub -t sesame/c11/set -m "$p"
	expect_in "$T/c11.msgs" '"reason":"replay"'
	p=$("$SIGN" -k "$key" -t sesame/c11/set -T $(($(date +%s) - 100)) open)
	pub -t sesame/c11/set -m "$p"
	expect_in "$T/c11.msgs" '"reason":"stale"'
	p=$("$SIGN" -k "$key" -t sesame/c11/set close)
	q="open ${p#close }"
	pub -t sesame/c11/set -m "$q"
	p=$("$SIGN" -k "$key" -t sesame/c11/set open)
	q="${p%?}$([ "${p: -1}" = 0 ] && echo 1 || echo 0)"
	pub -t sesame/c11/set -m "$q"
	p=$("$SIGN" -k "$key" -t sesame/other/set open)
	pub -t sesame/c11/set -m "$p"
	expect_in "$T/c11.msgs" '"reason":"bad signature","detail":"mac does not match"' 3
	# Nonces of 15 and 65 hex digits, correctly signed all the same.
	for nonce in 0123456789abcde 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0; do
		t=$(date +%s)
		mac=$(printf '%s' "sesame/c11/set|open|$t|$nonce" |
			openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(cat "$key")" -r | cut -d' ' -f1)
		pub -t sesame/c11/set -m "open $t $nonce $mac"
	done
	expect_in "$T/c11.msgs" '"detail":"nonce must be 16 to 64 hex digits"' 2
	pub -t sesame/c11/set -m open
	expect_in "$T/c11.msgs" '"reason":"bad signature","detail":"command is not signed, and signatures are required"'
	# 16 and 64 digits are fine; sesame-sign can read the bridge's config.
	p=$("$SIGN" -k "$key" -t sesame/c11/set -N 0123456789abcdef close)
	pub -t sesame/c11/set -m "$p"
	p=$("$SIGN" -c "$T/c11.conf" -N "$(openssl rand -hex 32)" open)
	pub -t sesame/c11/set -m "$p"
	expect_in "$T/c11.msgs" '"accepted":true' 3
	[ "$(device_since "$n")" = "open close open" ] || fail "the device got '$(device_since "$n")'"
	expect_in "$T/c11.log" "command open rejected: bad signature: mac does not match"
	stop c11
	unsub c11
	end
}

case_12() {
	begin 12 "the rate limit on opens holds; closing is never limited"
	local n
	sub c12 sesame/c12/event
	up c12 -o "rate_limit 3/3600"
	n=$(device_lines)
	for i in 1 2 3 4 5; do
		pub -t sesame/c12/set -m open
		pub -t sesame/c12/set -m close
	done
	expect_in "$T/c12.msgs" 'sesame/c12/event' 10
	[ "$(count "$T/c12.msgs" '"accepted":true,"command":"open"')" = 3 ] || fail "not 3 opens accepted"
	[ "$(count "$T/c12.msgs" '"accepted":false,"command":"open","signed":false,"reason":"rate limited"')" = 2 ] ||
		fail "not 2 opens rate limited"
	[ "$(count "$T/c12.msgs" '"accepted":true,"command":"close"')" = 5 ] || fail "not 5 closes accepted"
	[ "$(device_since "$n")" = "open close open close open close close close" ] ||
		fail "the device got '$(device_since "$n")'"
	stop c12
	unsub c12
	end
}

# Cases 13-17 run side by side: each bridge must fail to connect, again and
# again, and the door must not move.
negative_start() {
	conf c13
	start c13 -o "password_file $T/wrong.pw"
	conf c14
	start c14 -o "port $P_CERT"
	conf c15
	start c15 -o "port $P_EXPIRED"
	conf c16
	start c16 -o "port $P_WRONGHOST" -o "host localhost"
	conf c17
	start c17 -o "port $P_FAKECA"
}

# negative N NAME REASON
negative() {
	local no=$1 name=$2 reason=$3 n
	begin "$no" "$name"
	expect_in "$T/c$no.log" "cannot connect to" 2
	[ -z "$reason" ] || expect_in "$T/c$no.log" "$reason"
	n=$(device_lines)
	pub -t "sesame/c$no/set" -m open
	expect_in "$T/c$no.log" "cannot connect to" 3
	grep -q "^connected to" "$T/c$no.log" && fail "it connected"
	[ "$(device_lines)" = "$n" ] || fail "the device got '$(device_since "$n")'"
	stop "c$no"
	end
}

case_13() {
	negative 13 "a wrong password is refused, and no command arrives" \
		"the broker refused it: Not authorized"
}

case_14() {
	# Over TLS 1.3 the broker's verdict may come as an alert or a closed socket.
	negative 14 "a missing client certificate where one is required is refused, and no command arrives" ""
}

case_15() {
	negative 15 "an expired server certificate is refused, and no command arrives" \
		"TLS: server certificate rejected: certificate has expired"
}

case_16() {
	negative 16 "a server certificate for another host is refused, and no command arrives" \
		"TLS: server certificate rejected: hostname mismatch"
}

case_17() {
	negative 17 "a server certificate from a fake CA with the real CA's name is refused, and no command arrives" \
		"TLS: server certificate rejected: unable to get local issuer certificate"
}

case_18() {
	begin 18 "client-certificate login works, and so does MQTT 3.1.1"
	conf c18
	sed -i -e "s|^port .*|port $P_CERT|" -e '/^username/d' -e '/^password_file/d' "$T/c18.conf"
	printf 'certfile %s\nkeyfile %s\n' "$PKI/bridge.crt" "$PKI/bridge.key" >> "$T/c18.conf"
	sub c18 sesame/c18/event
	up c18 -o "mqtt_version 3.1.1"
	n=$(device_lines)
	pub -t sesame/c18/set -m off
	expect_in "$T/c18.msgs" '"accepted":true,"command":"close"'
	[ "$(device_since "$n")" = close ] || fail "the device got '$(device_since "$n")'"
	stop c18
	unsub c18
	end
}

case_19() {
	begin 19 "without TLS only when insecure_plaintext is set by name, with a warning"
	conf c19
	sed -i -e "s|^port .*|port $P_PLAIN|" -e '/^cafile/d' -e '/^username/d' \
		-e '/^password_file/d' "$T/c19.conf"
	got=$($WRAP "$BRIDGE" -n -c "$T/c19.conf" 2>&1)
	[[ "$got" == "$T/c19.conf: no cafile or capath"* ]] || fail "no TLS was accepted: $got"
	echo "insecure_plaintext true" >> "$T/c19.conf"
	sub c19 sesame/c19/event
	up c19
	expect_in "$T/c19.log" "insecure_plaintext is set"
	pub -t sesame/c19/set -m close
	expect_in "$T/c19.msgs" '"accepted":true,"command":"close"'
	# Ctrl-C in a terminal ends it as SIGTERM does.
	stop c19 INT
	expect_in "$T/c19.log" "Interrupt: going offline"
	unsub c19
	end
}

case_20() {
	begin 20 "a device missing at start: offline until it appears, then online"
	mkdir -p "$T/dev2"
	conf c20
	sed -i "s|^device .*|device $T/dev2/sesame|" "$T/c20.conf"
	sub c20 sesame/c20/availability sesame/c20/state
	start c20
	expect_in "$T/c20.msgs" "MSG 0 sesame/c20/availability offline"
	expect_in "$T/c20.log" "is missing; waiting for it to appear"
	ln -s "$T/mnt/sesame" "$T/dev2/sesame"
	expect_in "$T/c20.msgs" "MSG 0 sesame/c20/availability online"
	expect_in "$T/c20.msgs" "MSG 0 sesame/c20/state"
	stop c20
	unsub c20
	end
}

case_21() {
	begin 21 "after a broker restart the bridge reconnects, publishes its state again, and obeys"
	local n
	kill -TERM "$BROKER_PID"
	wait "$BROKER_PID"
	BROKER_PID=
	expect_in "$T/c4.log" "lost the connection"
	start_broker $((broker_runs + 1)) || fail "the broker did not restart"
	broker_runs=$((broker_runs + 1))
	# Retained messages died with the broker: these are new ones.
	got=$(mosquitto_sub "${CLI[@]}" -t sesame/c4/availability -t sesame/c4/state \
		-C 2 -W "$TIMEOUT" -F '%t %p' | sort | tr '\n' ' ')
	[ "$got" = "sesame/c4/availability online sesame/c4/state closed " ] ||
		fail "after the restart: '$got'"
	n=$(device_lines)
	sub c21 sesame/c4/event
	pub -t sesame/c4/set -m open
	expect_in "$T/c21.msgs" '"accepted":true,"command":"open"'
	[ "$(device_since "$n")" = open ] || fail "the device got '$(device_since "$n")'"
	unsub c21
	end
}

case_22() {
	begin 22 "SIGKILL of the bridge makes the broker publish offline (the last will)"
	sub c22 sesame/c22/availability
	up c22
	stop c22 KILL
	expect_in "$T/c22.msgs" "MSG 0 sesame/c22/availability offline"
	unsub c22
	end
}

case_23() {
	begin 23 "SIGTERM publishes offline, disconnects and exits 0"
	sub c23 sesame/c4/availability
	expect_in "$T/c23.msgs" "MSG 1 sesame/c4/availability online"
	stop c4 TERM
	expect_in "$T/c23.msgs" "MSG 0 sesame/c4/availability offline"
	expect_in "$T/c4.log" "going offline"
	# A clean DISCONNECT: the broker did not need the will.
	grep -q "^Client sesame-c4 disconnected\.$" "$T/broker.log" ||
		fail "the broker did not see a clean disconnect"
	grep -q "^Client sesame-c4 closed its connection" "$T/broker.log" &&
		fail "the connection was dropped, not closed"
	unsub c23
	end
}

case_24() {
	begin 24 "under systemd: READY=1 once set up, WATCHDOG=1 while running, STOPPING=1 at the end"
	"$SINK" "$T/notify.sock" > "$T/notify.out" 2>&1 &
	PIDS+=($!)
	for ((i = 0; i < 100; i++)); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
	NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000 up c24
	expect_in "$T/notify.out" "READY=1"
	expect_in "$T/notify.out" "STATUS=bridging $T/dev/sesame to 127.0.0.1 (port $P_PW unless named)"
	# Every half period, so at least three in a few seconds.
	expect_in "$T/notify.out" "WATCHDOG=1" 3
	stop c24
	expect_in "$T/notify.out" "STOPPING=1"
	end
}

case_25() {
	begin 25 "a device policy refusing the node (EPERM, as systemd's DeviceAllow= after a module reload): exit 1, to be restarted"
	local rc=0 pid i
	mkdir -p "$T/dev3"
	conf c25
	sed -i "s|^device .*|device $T/dev3/sesame|" "$T/c25.conf"
	sub c25 sesame/c25/availability
	start c25
	expect_in "$T/c25.log" "is missing; waiting for it to appear"
	# Connected, and saying the device is missing, before it appears.
	expect_in "$T/c25.msgs" "MSG 0 sesame/c25/availability offline"
	ctl deny
	ln -s "$T/mnt/sesame" "$T/dev3/sesame"
	expect_in "$T/c25.log" "a device policy denies opening it"
	pid=$(cat "$T/c25.pid")
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "it did not exit"
		kill "$pid"
	fi
	wait "$pid" || rc=$?
	ctl allow
	[ "$rc" = 1 ] || fail "it exited with $rc, not 1"
	expect_in "$T/c25.msgs" "MSG 0 sesame/c25/availability offline" 2
	unsub c25
	end
}

# Cases 26-39: replay, clocks and secrets (the attacks they stop).
# shellcheck source=tests/bridge/trust-cases.sh
. "$here/trust-cases.sh"
# Cases 40-42: one key per opener (the phone page's keys).
# shellcheck source=tests/bridge/opener-cases.sh
. "$here/opener-cases.sh"
# Cases 43-46: several brokers, failover, state published again.
# shellcheck source=tests/bridge/broker-cases.sh
. "$here/broker-cases.sh"

ALL=$(seq -s ' ' 1 46)
selected=${*:-$ALL}
for c in $selected; do
	case " $ALL " in
	*" $c "*) ;;
	*) echo "$0: no case '$c' (cases: $ALL)" >&2; exit 2 ;;
	esac
done
need_main=
for c in $selected; do
	case " 5 6 7 8 9 10 21 23 " in *" $c "*) need_main=1 ;; esac
done
# Cases 5-10, 21 and 23 use case 4's bridge.
if [ -n "$need_main" ] && [[ " $selected " != *" 4 "* ]]; then
	selected="4 $selected"
fi
negatives_started=
for c in $selected; do
	if [ "$c" -ge 13 ] && [ "$c" -le 17 ] && [ -z "$negatives_started" ]; then
		negative_start
		negatives_started=1
	fi
	"case_$c"
done

say "$passed passed, $failed failed$([ "$skipped" = 0 ] || echo ", $skipped skipped")"
[ "$failed" = 0 ]
