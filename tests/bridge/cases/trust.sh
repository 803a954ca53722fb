# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (SC2034: PRELOAD is read by lib.sh, SC2154: which sets T and the rest;
# SC2086: $WRAP is a command with its options, such as
# tests/lib/under-valgrind.)
# trust.sh - each case an attack on the bridge's promise that a replayed or
# stale command never opens the door, or on the secrets it holds, tried
# against the real bridge and broker. Sourced by integration.sh; the
# helpers (conf, signed, up, stop, pub, sub, expect_in, ...) are lib.sh's.

FAKETIME_LIB=${FAKETIME_LIB:-$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1)}

# with_clock NAME OFFSET: the bridge NAME's wall clock runs OFFSET ("-3600",
# "+0") from the real one; writing $T/NAME.faketime later steps it, as NTP
# does. The monotonic clock is left alone, as NTP leaves it.
with_clock() {
	echo "$2" > "$T/$1.faketime"
	PRELOAD=$FAKETIME_LIB
	export FAKETIME_TIMESTAMP_FILE=$T/$1.faketime FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1
}

without_clock() {
	PRELOAD=
	unset FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE FAKETIME_DONT_FAKE_MONOTONIC
}

# sign NAME [ARGS...]: a signed command for bridge NAME, as a phone makes it.
sign() {
	local name=$1
	shift
	"$SIGN" -c "$T/$name.conf" "$@"
}

case_def replay-after-restart-refused "a signed open replayed after the bridge restarts (SIGTERM, then SIGKILL) is refused as a replay"
replay-after-restart-refused() {
	local n p1 p2
	signed c26
	sub c26 sesame/c26/event
	up c26
	n=$(device_lines)
	p1=$(sign c26 open)
	pub -t sesame/c26/set -m "$p1"
	expect_in "$T/c26.msgs" '"accepted":true,"command":"open","signed":true'
	stop c26 TERM
	up c26
	pub -t sesame/c26/set -m "$p1"
	expect_in "$T/c26.msgs" '"reason":"replay","detail":"nonce already used"'
	p2=$(sign c26 open)
	pub -t sesame/c26/set -m "$p2"
	expect_in "$T/c26.msgs" '"accepted":true,"command":"open","signed":true' 2
	# A crash, as systemd would restart it.
	stop c26 KILL
	up c26
	pub -t sesame/c26/set -m "$p2"
	expect_in "$T/c26.msgs" '"reason":"replay","detail":"nonce already used"' 2
	[ "$(device_since "$n")" = "open open" ] || fail "the device got '$(device_since "$n")'"
	stop c26
	unsub c26
}

case_def nonce-on-disk-before-device-write "an accepted command's nonce is on disk (written, synced, renamed into place) before /dev/sesame is written"
nonce-on-disk-before-device-write() {
	local tracer pid envs first_write rename fsync
	signed c27
	sub c27 sesame/c27/event
	# A first run leaves a state file, so that the trace holds only the
	# saves of the command.
	up c27
	stop c27
	mapfile -t envs < <(bridge_env c27)
	env "${envs[@]}" strace -f -qq -e trace=openat,write,fsync,fdatasync,rename,renameat,renameat2 \
		-o "$T/c27.strace" "$PLAIN_BRIDGE" -c "$T/c27.conf" > "$T/c27.log" 2>&1 &
	tracer=$!
	PIDS+=("$tracer")
	expect_in "$T/c27.log" "connected to"
	pub -t sesame/c27/set -m "$(sign c27 open)"
	expect_in "$T/c27.msgs" '"accepted":true,"command":"open","signed":true'
	# strace's first line is the bridge's execve(), led by its pid.
	pid=$(awk 'NR == 1 {print $1}' "$T/c27.strace")
	if [ -n "$pid" ] && kill -TERM "$pid"; then
		wait "$tracer" || fail "the bridge exited $? under strace"
	else
		fail "no bridge pid in the trace"
		kill -KILL "$tracer"
	fi
	# Line numbers in the trace: the device write must come last.
	first_write=$(grep -nE 'write\([0-9]+, "open", 4\)' "$T/c27.strace" | head -n 1 | cut -d: -f1)
	rename=$(grep -nF "$T/c27.state.new\"" "$T/c27.strace" | grep -E 'rename(at2?)?\(' |
		head -n 1 | cut -d: -f1)
	fsync=$(grep -nE 'fsync\(' "$T/c27.strace" | head -n 1 | cut -d: -f1)
	if [ -z "$first_write" ] || [ -z "$rename" ] || [ -z "$fsync" ]; then
		fail "missing from the trace: device write '$first_write', rename '$rename', fsync '$fsync'"
	elif [ "$fsync" -ge "$rename" ] || [ "$rename" -ge "$first_write" ]; then
		fail "order: fsync at $fsync, rename at $rename, device write at $first_write"
	fi
	grep -q "^nonce " "$T/c27.state" || fail "no nonce in the state file"
	[ "$(stat -c %a "$T/c27.state")" = 600 ] || fail "the state file is mode $(stat -c %a "$T/c27.state")"
	unsub c27
}

case_def clock-behind-before-ntp "a clock an hour behind before NTP: signed commands wait (clock not synchronised), an hour-old capture never acts, and once synchronised a fresh open acts"
clock-behind-before-ntp() {
	local n old t0 t1
	signed c28
	echo unsynced > "$T/c28.sync"
	with_clock c28 -3600
	sub c28 sesame/c28/event
	up c28
	without_clock
	n=$(device_lines)
	# Captured an hour ago and held back by the attacker; it is "fresh"
	# to this bridge's clock.
	old=$(sign c28 -T $(($(date +%s) - 3600)) open)
	pub -t sesame/c28/set -m "$old"
	expect_in "$T/c28.msgs" '"reason":"clock not synchronised","detail":"the system clock is not synchronised yet (NTP); signed commands wait for it"'
	# The owner, with a phone whose clock is right.
	pub -t sesame/c28/set -m "$(sign c28 open)"
	expect_in "$T/c28.msgs" '"reason":"clock not synchronised"' 2
	# NTP answers: the clock is set right, and the kernel says so.
	echo +0 > "$T/c28.faketime"
	echo synced > "$T/c28.sync"
	t0=$(date +%s%N)
	pub -t sesame/c28/set -m "$(sign c28 open)"
	expect_in "$T/c28.msgs" '"accepted":true,"command":"open","signed":true'
	t1=$(date +%s%N)
	note "the first signed open after NTP's answer acted within $(((t1 - t0) / 1000000)) ms of its publish"
	pub -t sesame/c28/set -m "$old"
	expect_in "$T/c28.msgs" '"reason":"stale","detail":"signed 36'
	[ "$(device_since "$n")" = open ] || fail "the device got '$(device_since "$n")'"
	stop c28
	# Where the owner knows the clock is right without NTP (a battery
	# clock), the configuration can say so.
	echo unsynced > "$T/c28.sync"
	up c28 -o "require_clock_sync false"
	pub -t sesame/c28/set -m "$(sign c28 close)"
	expect_in "$T/c28.msgs" '"accepted":true,"command":"close","signed":true'
	stop c28
	unsub c28
}

case_def clock-stepped-ahead-and-back "the clock stepped an hour ahead and back: the first command does not act again, and commands fail until the clock is right"
clock-stepped-ahead-and-back() {
	local n p1 p3
	signed c29
	with_clock c29 +0
	sub c29 sesame/c29/event
	up c29
	without_clock
	n=$(device_lines)
	p1=$(sign c29 open)
	pub -t sesame/c29/set -m "$p1"
	expect_in "$T/c29.msgs" '"accepted":true,"command":"open"'
	# A wrong NTP server steps the clock an hour ahead; a phone as wrong
	# sends a command that passes.
	echo +3600 > "$T/c29.faketime"
	pub -t sesame/c29/set -m "$(sign c29 -T $(($(date +%s) + 3600)) open)"
	expect_in "$T/c29.msgs" '"accepted":true,"command":"open"' 2
	# The clock is put right: the first command is replayed.
	echo +0 > "$T/c29.faketime"
	pub -t sesame/c29/set -m "$p1"
	expect_in "$T/c29.msgs" '"reason":"clock not synchronised","detail":"the system clock ('
	expect_in "$T/c29.msgs" 'is not past the replay floor'
	p3=$(sign c29 open)
	pub -t sesame/c29/set -m "$p3"
	expect_in "$T/c29.msgs" '"reason":"clock not synchronised"' 2
	# A restart forgets none of it.
	stop c29
	with_clock c29 +0
	up c29
	without_clock
	pub -t sesame/c29/set -m "$p1"
	expect_in "$T/c29.msgs" '"reason":"clock not synchronised"' 3
	[ "$(device_since "$n")" = "open open" ] || fail "the device got '$(device_since "$n")'"
	stop c29
	unsub c29
}

case_def state-file-missing-fails-closed "without its state file (missing, corrupt) the bridge fails closed; an unsafe or shared one is refused"
state-file-missing-fails-closed() {
	local n before status
	signed c30
	rm "$T/c30.state"
	sub c30 sesame/c30/event
	n=$(device_lines)
	# Signed just before the bridge starts with nothing remembered: it
	# could be a replay of a command the lost state had seen.
	before=$(sign c30 -T $(($(date +%s) - 5)) open)
	up c30
	expect_in "$T/c30.log" "no replay state yet: commands signed before now are refused"
	sleep 1
	pub -t sesame/c30/set -m "$before"
	expect_in "$T/c30.msgs" '"reason":"older","detail":"signed before the bridge started without its replay state'
	pub -t sesame/c30/set -m "$(sign c30 open)"
	expect_in "$T/c30.msgs" '"accepted":true,"command":"open"'
	stop c30
	# A torn or edited file is not trusted.
	printf 'sesame-replay 1\nfloor 0 accepted\n' > "$T/c30.state"
	before=$(sign c30 -T $(($(date +%s) - 5)) open)
	up c30
	expect_in "$T/c30.log" "c30.state: line 3: cut short (no checksum line); starting afresh"
	# Time stamps are whole seconds: one signed in the second the bridge
	# started may be from before it, and is refused. The phone waits.
	sleep 1
	pub -t sesame/c30/set -m "$before"
	expect_in "$T/c30.msgs" '"reason":"older","detail":"signed before the bridge started' 2
	pub -t sesame/c30/set -m "$(sign c30 open)"
	expect_in "$T/c30.msgs" '"accepted":true,"command":"open"' 2
	[ "$(head -n 1 "$T/c30.state")" = "sesame-replay 1" ] || fail "the state was not written anew"
	# Two bridges must not share one memory.
	conf c30b
	sed -i "s|^state_file .*|state_file $T/c30.state|" "$T/c30b.conf"
	echo "hmac_key_file $T/c30.hmac" >> "$T/c30b.conf"
	start c30b
	exit_status c30b
	[ "$status" = 1 ] || fail "a second bridge on the same state file exited $status, not 1 (124: it ran on)"
	expect_in "$T/c30b.log" "c30.state is in use by another sesame-bridge"
	stop c30
	# Whoever could write the file could let replays through.
	chmod 0666 "$T/c30.state"
	start c30
	exit_status c30
	[ "$status" = 1 ] || fail "a state file others may write: exited $status, not 1 (124: it ran on)"
	expect_in "$T/c30.log" "c30.state may be written by others than the bridge's user"
	[ "$(device_since "$n")" = "open open" ] || fail "the device got '$(device_since "$n")'"
	unsub c30
}

# has_secret FILE: whether FILE holds the broker password or the HMAC key
# ($T/c31.hmac, as bytes: that is how it sits in memory).
has_secret() {
	python3 - "$1" "door-pw-$$" "$(cat "$T/c31.hmac")" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
sys.exit(0 if sys.argv[2].encode() in data or bytes.fromhex(sys.argv[3]) in data else 1)
EOF
}

# crash DIR COMMAND...: COMMAND in DIR, allowed to dump core, killed by
# SIGSEGV once it has had a moment to start. Prints the core files left.
crash() {
	local dir=$1 pid
	shift
	mkdir -p "$dir"
	(cd "$dir" && ulimit -c unlimited && exec "$@") > "$dir.log" 2>&1 &
	pid=$!
	echo "$pid" > "$dir.pid"
}

case_def core-dump-holds-no-secret "with core dumps allowed, a crash leaves no core file with the password or the HMAC key"
core-dump-holds-no-secret() {
	local pid cores pattern
	pattern=$(cat /proc/sys/kernel/core_pattern)
	signed c31
	mapfile -t env < <(bridge_env c31)
	# The control: a dumpable process killed the same way leaves a core
	# here, so that a missing core means something.
	crash "$T/c31-control" sleep 60
	sleep 0.2
	kill -SEGV "$(cat "$T/c31-control.pid")"
	wait "$(cat "$T/c31-control.pid")" 2>/dev/null
	if [ -z "$(ls "$T/c31-control")" ]; then
		# This machine cannot show it; the runner fails a skip under CI.
		skip "a dumpable process leaves no core file here (core_pattern '$pattern')"
		return
	fi
	sub c31 sesame/c31/availability
	crash "$T/c31-run" env "${env[@]}" "$PLAIN_BRIDGE" -c "$T/c31.conf"
	expect_in "$T/c31.msgs" "sesame/c31/availability online"
	# By now it holds every secret: the password, its TLS context, the key.
	pid=$(cat "$T/c31-run.pid")
	kill -SEGV "$pid"
	wait "$pid" 2>/dev/null
	cores=$(ls "$T/c31-run")
	for core in $cores; do
		if has_secret "$T/c31-run/$core"; then
			fail "the core file $core holds the password or the HMAC key"
		fi
	done
	[ -z "$cores" ] || note "core files: $cores (without secrets)"
	unsub c31
}

case_def check-shows-no-secret "--check on a password, HMAC-key or TLS-key file given as the configuration says so and shows none of it"
check-shows-no-secret() {
	local got key
	got=$($WRAP "$BRIDGE" --check -c "$T/bridge.pw" 2>&1)
	[ $? = 1 ] || fail "--check on the password file did not exit 1"
	[[ "$got" == "$T/bridge.pw: this looks like a secret"* ]] || fail "it said '$got'"
	[[ "$got" == *"door-pw-"* ]] && fail "it printed the password: '$got'"
	signed c32
	key=$(cat "$T/c32.hmac")
	got=$($WRAP "$SIGN" -c "$T/c32.hmac" open 2>&1)
	[[ "$got" == "sesame-sign: $T/c32.hmac: this looks like a secret"* ]] || fail "sesame-sign said '$got'"
	[[ "$got" == *"${key:0:8}"* ]] && fail "sesame-sign printed the key: '$got'"
	got=$($WRAP "$BRIDGE" --check -c "$PKI/bridge.key" 2>&1)
	[[ "$got" == "$PKI/bridge.key: this looks like a secret"* ]] || fail "a PEM key: '$got'"
	[[ "$got" == *"BEGIN"* ]] && fail "it printed the key: '$got'"
}

case_def tls-key-opened-once "the TLS key file is opened once, by the check of its permissions; OpenSSL gets the key from memory"
tls-key-opened-once() {
	local opens
	conf c33
	sed -i -e "s|^port .*|port $P_CERT|" -e '/^username/d' -e '/^password_file/d' "$T/c33.conf"
	printf 'certfile %s\nkeyfile %s\n' "$PKI/bridge.crt" "$PKI/bridge.key" >> "$T/c33.conf"
	strace -f -qq -e trace=open,openat -o "$T/c33.strace" "$PLAIN_BRIDGE" --check -c "$T/c33.conf" \
		> "$T/c33.check" 2>&1 || fail "--check: $(cat "$T/c33.check")"
	opens=$(grep -c "\"$PKI/bridge.key\"" "$T/c33.strace")
	[ "$opens" = 1 ] || fail "the key file was opened $opens times"
	# And the key so loaded is the one the broker checks.
	sub c33 sesame/c33/event
	up c33
	pub -t sesame/c33/set -m close
	expect_in "$T/c33.msgs" '"accepted":true,"command":"close"'
	stop c33
	unsub c33
}

case_def fifo-secret-refused-at-once "a FIFO given as a secret, state or configuration file is refused at once, not waited on"
fifo-secret-refused-at-once() {
	local key got rc extra
	signed c34
	mkfifo "$T/c34.fifo"
	for key in password_file hmac_key_file state_file keyfile; do
		extra=()
		[ "$key" = keyfile ] && extra=(-o "certfile $PKI/bridge.crt")
		got=$(timeout $((5 * SLOW)) $WRAP "$BRIDGE" --check -c "$T/c34.conf" \
			-o "$key $T/c34.fifo" "${extra[@]}" 2>&1)
		rc=$?
		[ "$rc" = 1 ] || fail "$key: exited $rc (124: it hung)"
		[[ "$got" == *"$key: $T/c34.fifo"*"not a regular file"* ]] || fail "$key: said '$got'"
	done
	got=$(timeout $((5 * SLOW)) $WRAP "$BRIDGE" --check -c "$T/c34.fifo" 2>&1)
	rc=$?
	[ "$rc" = 1 ] || fail "the configuration: exited $rc (124: it hung)"
	[ "$got" = "$T/c34.fifo: not a regular file" ] || fail "the configuration: said '$got'"
	got=$(timeout $((5 * SLOW)) $WRAP "$SIGN" -k "$T/c34.fifo" -t sesame/c34/set open 2>&1)
	rc=$?
	[ "$rc" = 1 ] || fail "sesame-sign: exited $rc (124: it hung)"
	[[ "$got" == *"not a regular file (a FIFO)"* ]] || fail "sesame-sign said '$got'"
}

case_def cn-only-server-cert-refused "a server certificate with its name only in the Common Name is refused, saying why"
cn-only-server-cert-refused() {
	conf c35
	start c35 -o "port $P_CNONLY" -o "host localhost"
	expect_in "$T/c35.log" "cannot connect to" 2
	expect_in "$T/c35.log" "it has no subjectAltName, and the broker's name is checked only there"
	grep -q "^connected to" "$T/c35.log" && fail "it connected"
	stop c35
}

case_def config-writable-by-others-refused "a configuration file others may change is refused, naming the file and the fix"
config-writable-by-others-refused() {
	local got mode
	conf c36
	for mode in 0666 0646 0622; do
		chmod "$mode" "$T/c36.conf"
		got=$($WRAP "$BRIDGE" --check -c "$T/c36.conf" 2>&1)
		[ $? = 1 ] || fail "mode $mode: not refused"
		[ "$got" = "$T/c36.conf: others than its owner and root may change it (mode $mode), and it decides which broker the door trusts: run chmod go-w $T/c36.conf" ] ||
			fail "mode $mode: said '$got'"
	done
	got=$($WRAP "$SIGN" -c "$T/c36.conf" open 2>&1)
	[[ "$got" == *"others than its owner and root may change it"* ]] || fail "sesame-sign took it: '$got'"
	chmod 0644 "$T/c36.conf"
	got=$($WRAP "$BRIDGE" --check -c "$T/c36.conf" 2>&1)
	[ "$got" = "configuration OK" ] || fail "mode 0644: $got"
	# Group root may write it: that is root.
	if [ "$(stat -c %g "$T/c36.conf")" = 0 ]; then
		chmod 0664 "$T/c36.conf"
		got=$($WRAP "$BRIDGE" --check -c "$T/c36.conf" 2>&1)
		[ "$got" = "configuration OK" ] || fail "mode 0664, group root: $got"
	fi
}

case_def client-id-new-at-every-start "the default client id is new at every start, so a client with the old fixed id cannot throw the bridge out"
client-id-new-at-every-start() {
	local id1 id2 old
	conf c37
	sed -i '/^client_id/d' "$T/c37.conf"
	up c37
	id1=$(sed -n 's/^connected to .* as \([^ ]*\) (MQTT.*/\1/p' "$T/c37.log" | head -n 1)
	old="sesame-$(hostname | cut -d. -f1)"
	[[ "$id1" =~ ^$old-[0-9a-f]{8}$ ]] || fail "client id '$id1', not $old-<8 hex digits>"
	# Someone connects with the id every bridge had before.
	mosquitto_sub "${CLI[@]}" -i "$old" -t sesame/c37/x -W 2 > /dev/null 2>&1
	grep -q "lost the connection" "$T/c37.log" && fail "the bridge was thrown out: $(grep 'lost the' "$T/c37.log")"
	stop c37
	up c37
	id2=$(sed -n 's/^connected to .* as \([^ ]*\) (MQTT.*/\1/p' "$T/c37.log" | head -n 1)
	if [ -z "$id2" ] || [ "$id2" = "$id1" ]; then
		fail "the id did not change: '$id1', '$id2'"
	fi
	stop c37
}

case_def session-takeover-backs-off "a session taken over is logged as such, and the bridge backs off instead of fighting for its client id"
session-takeover-backs-off() {
	local intruder i connects longest port
	conf c38
	sed -i 's/^reconnect_max .*/reconnect_max 30/' "$T/c38.conf"
	up c38
	# Another client with the same id, again and again, for about 18 s.
	# Debian 12's mosquitto then closes the bridge's connection without
	# a word, as an MQTT 3.1.1 broker must.
	(
		for ((i = 0; i < 12; i++)); do
			mosquitto_sub "${CLI[@]}" -V 5 -i sesame-c38 -t sesame/c38/x -W 1 > /dev/null 2>&1
			sleep 0.5
		done
	) &
	intruder=$!
	PIDS+=("$intruder")
	wait "$intruder"
	expect_in "$T/c38.log" "the broker ended 3 connections in a row as soon as they were made: another client may be using client id sesame-c38"
	connects=$(grep -c "^connected to" "$T/c38.log")
	longest=$(sed -n 's/.*reconnecting to [^ ]* in \([0-9]*\)\..*/\1/p' "$T/c38.log" | sort -n | tail -n 1)
	note "mosquitto: $connects connections in 18 s of intrusions; longest wait ${longest:-?} s"
	[ "$connects" -le 7 ] || fail "it fought back: $connects connections"
	[ "${longest:-0}" -ge 4 ] || fail "the backoff did not grow (longest wait ${longest:-none} s)"
	stop c38
	# A broker that says so (MQTT 5 reason 0x8E, as newer brokers send).
	free_ports port
	python3 "$here/stand-in-broker.py" takeover "$port" "$T/c38t.connects" 2> "$T/c38t.broker" &
	PIDS+=($!)
	plain_conf c38t "$port"
	sed -i 's/^reconnect_max .*/reconnect_max 30/' "$T/c38t.conf"
	start c38t
	expect_in "$T/c38t.log" "lost the connection to 127.0.0.1:$port: the broker says another client took over the session of client id sesame-c38t" 3
	connects=$(grep -c "^connected to" "$T/c38t.log")
	longest=$(sed -n 's/.*reconnecting to [^ ]* in \([0-9]*\)\..*/\1/p' "$T/c38t.log" | sort -n | tail -n 1)
	[ "${longest:-0}" -ge 2 ] || fail "the backoff did not grow after 3 takeovers (longest wait ${longest:-none} s)"
	note "reason 0x8E: $connects connections; longest wait ${longest:-?} s"
	stop c38t
}

case_def username-as-clientid-holds "with use_username_as_clientid (docs/broker.md), another user connecting with the door's client id cannot throw it out"
username-as-clientid-holds() {
	local port pid i
	free_ports port
	cp "$T/passwd" "$T/c39.passwd"
	mosquitto_passwd -b "$T/c39.passwd" intruder intruder-pw
	mosquitto_conf --pki "$PKI" --passwd "$T/c39.passwd" \
		"password:$port,use_username_as_clientid=true" > "$T/c39-mosquitto.conf"
	broker_start pid "$T/c39-mosquitto.conf" "$T/c39-broker.log" || fail "its broker did not start"
	PIDS+=("$pid")
	conf c39
	sed -i "s|^port .*|port $port|" "$T/c39.conf"
	start c39
	expect_in "$T/c39.log" "connected to 127.0.0.1:$port as sesame-c39"
	# The intruder knows the id the door asked for, and the one the broker
	# gave it (its user name), and has a login of its own.
	for id in sesame-c39 bridge; do
		mosquitto_sub -h 127.0.0.1 -p "$port" --cafile "$PKI/ca.crt" -u intruder \
			-P intruder-pw -i "$id" -t sesame/c39/x -W 2 > /dev/null 2>&1
	done
	grep -q "lost the connection" "$T/c39.log" && fail "the bridge was thrown out: $(grep 'lost the' "$T/c39.log")"
	grep -q "as bridge" "$T/c39-broker.log" || fail "the broker did not give the bridge its user name as id"
	stop c39
	kill "$pid"
	wait "$pid" 2>/dev/null
}
