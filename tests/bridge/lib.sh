# shellcheck shell=bash disable=SC2154
# (SC2154: integration.sh sets here, top and the programs.)
# lib.sh - the world of the bridge's integration cases and the helpers they
# use: a temporary folder ($T), the PKI (tests/lib/pki.sh), the stand-in
# device, one Mosquitto with a door's listeners and the bad ones
# (tests/lib/broker.sh), bridges started and stopped by name, the tests'
# own MQTT clients, and waiting for what a case expects. Sourced by
# integration.sh; the cases are in cases/*.sh.

BROKER_PID=
PIDS=()

# Everything the run started ends with it; its files go unless KEEP is set.
cleanup() {
	stop_all "${PIDS[@]}"
	broker_stop BROKER_PID
	device_down "$T/mnt"
	remove_unless_kept "$T"
}

# ---------------------------------------------------------------- helpers

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
	[ "$case_ok" = 1 ] || { note "bridge log:"; sed 's/^/#     /' "$T/$name.log" | tail -20; }
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
		sed 's/^/#     /' "$T/$name.log" | tail -30
	fi
	return 0
}

# exit_status NAME: waits (up to the timeout) for bridge NAME to exit by
# itself, and sets status to its exit status; 124 if it had to be killed.
# (Not in $(...): only this shell can wait for its children.)
exit_status() {
	local pid i
	pid=$(cat "$T/$1.pid")
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		status=124
		return
	fi
	wait "$pid"
	status=$?
}

device_lines() { wc -l < "$T/device.log"; }

# device_since N: what reached the device after its first N lines, on one line.
device_since() { tail -n +$(($1 + 1)) "$T/device.log" | tr '\n' ' ' | sed 's/ $//'; }

ctl() { echo "$1" > "$T/mnt/ctl"; }

# acts_once NAME BRIDGE WORD COMMAND: WORD sent to bridge BRIDGE's set
# topic is accepted as COMMAND (its event, recorded as NAME) and reaches
# the device once, as COMMAND and nothing else.
acts_once() {
	local name=$1 bridge=$2 n
	n=$(device_lines)
	sub "$name" "sesame/$bridge/event"
	pub -t "sesame/$bridge/set" -m "$3"
	expect_in "$T/$name.msgs" '"accepted":true,"command":"'"$4"'"'
	[ "$(device_since "$n")" = "$4" ] || fail "the device got '$(device_since "$n")'"
	unsub "$name"
}

# ---------------------------------------------------------------- set-up

# door_broker_conf PW_PORT CERT_PORT [LISTENER...]: a mosquitto.conf with
# the two listeners a door's broker has (a password one for bridges, a
# client-certificate one for the tests' own clients), on the test's PKI,
# passwords and ACL, and any more listeners (tests/lib/broker.py).
door_broker_conf() {
	local pw=$1 cert=$2
	shift 2
	mosquitto_conf --pki "$PKI" --passwd "$T/passwd" --acl "$T/acl" \
		"password:$pw" "certificate:$cert" "$@"
}

# The main broker: a door's listeners, and the bad ones of the cases: bad
# server certificates (anyone may connect and subscribe, so only the
# bridge's TLS checks stand between these and the door), a certificate good
# for localhost but not 127.0.0.1 (with the bridge's password), no TLS.
main_broker_conf() {
	door_broker_conf "$P_PW" "$P_CERT" "anonymous:$P_EXPIRED:expired" \
		"anonymous:$P_WRONGHOST:wrong-host" "anonymous:$P_FAKECA:fake-server" \
		"anonymous:$P_CNONLY:cn-only" "password:$P_NAMEONLY:name-only" \
		"plain:$P_PLAIN" > "$T/mosquitto.conf"
}

# The door-bridge fixture: bridge c4 (password listener, MQTT 5, unsigned),
# which the cases of door.sh and lifecycle.sh share; a subscriber records
# all it publishes in $T/c4.msgs from before it starts.
fixture:door-bridge() {
	sub c4 "sesame/c4/#"
	up c4
}

# The world every case runs in: tools, PKI, the stand-in device, the
# broker's credentials and the broker.
suite_setup() {
	local tool attempt
	for tool in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd openssl fusermount3 faketime; do
		command -v "$tool" > /dev/null || { echo "$0: $tool is missing (scripts/deps.sh bridge-test)" >&2; exit 1; }
	done
	if [ ! -c /dev/fuse ]; then
		echo "$0: SKIP: /dev/fuse is missing, so the /dev/sesame stand-in cannot run" >&2
		exit 4
	fi
	T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-bridge.XXXXXX")
	PKI=$T/pki
	trap cleanup EXIT

	"$top/tests/lib/pki.sh" "$PKI" || return 1
	CLI=(-h 127.0.0.1 --cafile "$PKI/ca.crt" --cert "$PKI/tester.crt" --key "$PKI/tester.key")

	# The device: a FUSE file, reached through a link as udev would make a node.
	mkdir -p "$T/dev"
	: > "$T/device.log"
	device_up "$T/mnt" "$T/device.log" || return 1
	ln -s "$T/mnt/sesame" "$T/dev/sesame"

	# Broker credentials: a hashed password file and an ACL.
	umask 077
	printf 'bridge:%s\n' "door-pw-$$" > "$T/passwd"
	mosquitto_passwd -U "$T/passwd" || return 1
	printf 'door-pw-%s\n' "$$" > "$T/bridge.pw"
	printf 'wrong-pw\n' > "$T/wrong.pw"
	umask 022
	test_acl > "$T/acl"

	for attempt in 1 2 3 4 5; do
		free_ports P_PW P_CERT P_EXPIRED P_WRONGHOST P_FAKECA P_PLAIN P_CNONLY P_NAMEONLY
		main_broker_conf
		broker_start BROKER_PID "$T/mosquitto.conf" "$T/broker.log" && break
		echo "$0: broker did not start (attempt $attempt); new ports" >&2
		tail -3 "$T/broker.log" >&2
	done
	[ -n "$BROKER_PID" ] || { echo "$0: mosquitto does not start" >&2; return 1; }
	CLI+=(-p "$P_CERT")
	note "$LABEL: sesame-bridge against mosquitto on $T (${WRAP:-no wrapper})"
}
