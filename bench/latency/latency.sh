#!/bin/bash
# latency.sh - command latency, memory and CPU of sesame-bridge and of the
# alternatives, on this host, against Debian's mosquitto with TLS on
# loopback; then what each costs while idle.
#
# Usage: bench/latency/latency.sh OUTDIR [-n COUNT] [-r ROUNDS] [-i MS] [-w SECONDS] [-T]
#   -n  commands per run (default 1000), one every -i MS (default 10)
#   -r  rounds (default 3): each round runs every subscriber once, in turn,
#       so that they share what the host was doing
#   -w  the idle window (default 60 s; keepalive is a third of it; 0: no
#       idle measurement, keepalive 60 s)
#   -T  no kernel tracing of the bridge's and paho's rounds (their own
#       share of the latency, sharetrace.sh; on by default where the
#       host's tracefs can be used)
#
# Subscribers, each writing what it gets to the same /dev/sesame stand-in
# (tests/bridge/fake-sesame -t, which stamps each write's arrival):
#   bridge        build/bridge/sesame-bridge (or $BRIDGE)
#   baseline      $BASELINE, if set: the bridge before the memory work
#   paho          bench/latency/paho_sub.py (python3-paho-mqtt)
#   shell         mosquitto_sub | while read -r cmd; do echo "$cmd" >> DEV; done
# All connect with a client certificate, as does the publisher
# (bench/latency/publat.c), which stamps each command just before
# publishing it. For each run OUTDIR gets NAME-R.stamps (the publisher's
# stamps), NAME-R.proc (memory, CPU time and load, sampled around the
# measured commands); dev.log is every stamped write; NAME.smaps is the
# bridge's memory map after round 1; NAME-R.trace the kernel's trace of
# the bridge's and paho's measured commands (NAME-R.share: the kernel's
# pids of the subscriber, the broker and the stand-in, and the device's
# descriptor; share.txt why there are none). Idle: idle.txt and
# the bridge's system calls in idle-strace.txt. Then analyse.py.
set -u

out=${1:?usage: latency.sh OUTDIR [-n COUNT] [-r ROUNDS] [-i MS] [-w SECONDS] [-T]}
shift
count=1000 rounds=3 interval=10 window=60 trace=1
while getopts n:r:i:w:T opt; do
	case $opt in
	n) count=$OPTARG ;;
	r) rounds=$OPTARG ;;
	i) interval=$OPTARG ;;
	w) window=$OPTARG ;;
	T) trace=0 ;;
	*) exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BRIDGE=${BRIDGE:-$top/build/bridge/sesame-bridge}
BASELINE=${BASELINE:-}
FAKE=${FAKE:-$top/build/bridge/fake-sesame}
PUBLAT=${PUBLAT:-$top/build/bench/publat}
FLOOR=${FLOOR:-$top/build/bench/rss-floor}
keepalive=$((window ? window / 3 : 60))

T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-bench.XXXXXX")
PKI=$T/pki
PIDS=()
BROKER_PID=

# shellcheck source=bench/latency/sharetrace.sh
. "$here/sharetrace.sh"
# shellcheck source=tests/lib/broker.sh
. "$top/tests/lib/broker.sh"
# shellcheck source=tests/lib/device.sh
. "$top/tests/lib/device.sh"

cleanup() {
	local p
	share_cleanup
	for p in "${PIDS[@]}" $BROKER_PID; do
		kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}" $BROKER_PID; do
		wait "$p" 2>/dev/null
	done
	device_down "$T/mnt"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

die() {
	echo "latency.sh: $*" >&2
	exit 1
}

# wait_file FILE TEXT SECONDS: until a line of FILE contains TEXT.
wait_file() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# The processes of a subscriber: its launcher and every descendant.
tree() {
	local c kids
	echo "$1"
	kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
	for c in $kids; do
		tree "$c"
	done
}

# sample_tree PID: sample a subscriber and all its processes.
sample_tree() {
	local pids
	mapfile -t pids < <(tree "$1")
	sample "${pids[@]}"
}

# sample PID...: one line per process: pid comm cpu_ns rss_kb pss_kb uss_kb
# wakeups: voluntary context switches (all threads), each a wait of the
# process's own that ended. Involuntary ones are left out: they count the
# times another task (on a shared host, anybody's) took the CPU from it.
sample() {
	local p cpu ctx
	for p; do
		[ -r /proc/"$p"/smaps_rollup ] || continue
		cpu=$(cat /proc/"$p"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {print s + 0}')
		ctx=$(cat /proc/"$p"/task/*/status 2>/dev/null |
			awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}')
		awk -v p="$p" -v comm="$(cat /proc/"$p"/comm)" -v cpu="$cpu" -v ctx="$ctx" '
			/^Rss:/ {rss = $2} /^Pss:/ {pss = $2}
			/^Private_(Clean|Dirty):/ {uss += $2}
			END {print p, comm, cpu, rss, pss, uss, ctx}' /proc/"$p"/smaps_rollup
	done
}

host_stat() {
	echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "stat $(head -n 1 /proc/stat)"
}

command -v mosquitto > /dev/null || die "mosquitto is not installed (scripts/deps.sh bridge)"
for f in "$BRIDGE" "$FAKE" "$PUBLAT" "$FLOOR"; do
	[ -x "$f" ] || die "$f is missing (make bench builds it)"
done
[ -e /dev/fuse ] || die "no /dev/fuse: the /dev/sesame stand-in needs FUSE"
mkdir -p "$out"
rm -f "$out"/*.stamps "$out"/*.proc "$out"/*.smaps "$out"/*.trace "$out"/*.share \
	"$out"/share.txt "$out"/dev.log
if [ "$trace" = 1 ] && ! share_setup "$T/tracefs"; then
	echo "latency.sh: no kernel tracing ($SHARE_WHY): no bridge share figures"
	echo "no kernel tracing: $SHARE_WHY" > "$out/share.txt"
	trace=0
fi
[ "$trace" = 1 ] || [ -e "$out/share.txt" ] || echo "no kernel tracing: latency.sh -T" > "$out/share.txt"

"$top/tests/lib/pki.sh" "$PKI" > /dev/null || die "cannot make the test PKI"

# The stand-in for /dev/sesame, reached through a directory of its own as
# the real node is (the bridge watches the directory).
mkdir -p "$T/dev"
device_up "$T/mnt" "$out/dev.log" -t || exit 1
ln -s "$T/mnt/sesame" "$T/dev/sesame"
DEV=$T/dev/sesame

test_acl > "$T/acl"
free_ports PORT
mosquitto_conf --pki "$PKI" --acl "$T/acl" --log error,warning --set "set_tcp_nodelay true" \
	"certificate:$PORT" > "$T/mosquitto.conf"
broker_start BROKER_PID "$T/mosquitto.conf" "$T/broker.log" ||
	die "mosquitto did not start: $(tail -5 "$T/broker.log")"

TOPIC=sesame/bench
cat > "$T/bridge.conf" <<EOF
host 127.0.0.1
port $PORT
cafile $PKI/ca.crt
certfile $PKI/bridge.crt
keyfile $PKI/bridge.key
client_id sesame-bench
topic $TOPIC
device $DEV
keepalive $keepalive
rate_limit 1000/1
ha_discovery false
log_level warning
EOF

# start NAME: a subscriber in a process group of its own; its pid in $SUB.
start() {
	case $1 in
	bridge)
		setsid "$BRIDGE" -c "$T/bridge.conf" > "$T/$1.log" 2>&1 & ;;
	baseline)
		# Its own client id: two clients with one id push each other off.
		setsid "$BASELINE" -c "$T/bridge.conf" -o "client_id sesame-bench-baseline" \
			> "$T/$1.log" 2>&1 & ;;
	paho)
		# Debian's Python, which has Debian's paho-mqtt.
		setsid /usr/bin/python3 "$here/paho_sub.py" "$PORT" "$PKI/ca.crt" "$PKI/bridge.crt" \
			"$PKI/bridge.key" "$TOPIC/set" "$DEV" "$keepalive" > "$T/$1.log" 2>&1 & ;;
	shell)
		# A user's one-liner; >> because the stand-in is a file that
		# cannot be truncated (a device ignores O_TRUNC).
		# shellcheck disable=SC2016 # expanded by that sh
		setsid sh -c 'mosquitto_sub -h 127.0.0.1 -p "$1" --cafile "$2" --cert "$3" \
			--key "$4" -q 1 -k "$5" -t "$6" |
			while read -r cmd; do echo "$cmd" >> "$7"; done' sh \
			"$PORT" "$PKI/ca.crt" "$PKI/bridge.crt" "$PKI/bridge.key" "$keepalive" \
			"$TOPIC/set" "$DEV" > "$T/$1.log" 2>&1 & ;;
	esac
	SUB=$!
	PIDS+=("$SUB")
}

# device_fd PID: the descriptor PID has the /dev/sesame stand-in open on.
# publat says "settling" before the first command arrives, and a cold
# Python can still be starting then: wait up to 10 s for the open.
device_fd() {
	local f i
	for ((i = 0; i < 100; i++)); do
		for f in /proc/"$1"/fd/*; do
			[ "$(readlink "$f")" = "$T/mnt/sesame" ] && { echo "${f##*/}"; return; }
		done
		sleep 0.1
	done
}

stop() {
	kill -TERM -- "-$SUB" 2>/dev/null
	wait "$SUB" 2>/dev/null
	PIDS=("${PIDS[@]/$SUB}")
}

subs=${SUBS:-"bridge${BASELINE:+ baseline} paho shell"}
for ((r = 1; r <= rounds; r++)); do
	for s in $subs; do
		echo "latency.sh: round $r/$rounds, $s: $count commands, one every $interval ms"
		start "$s"
		rec=$out/$s-$r
		{ echo "round $r"; host_stat; } > "$rec.proc"
		"$PUBLAT" -p "$PORT" --cafile "$PKI/ca.crt" --cert "$PKI/tester.crt" \
			--key "$PKI/tester.key" -t "$TOPIC/set" -n "$count" -i "$interval" \
			-w "$out/dev.log" -o "$rec.stamps" > "$T/publat.out" 2>&1 &
		pub=$!
		wait_file "$T/publat.out" settling 40 || { cat "$T/publat.out" "$T/$s.log" >&2; die "$s: no warm-up"; }
		{ echo "before"; sample_tree "$SUB"; } >> "$rec.proc"
		# The measured commands only: warm-up is over.
		traced=
		case $trace$s in 1bridge | 1paho)
			{
				echo "subscriber $(share_kpid "$SUB")"
				echo "broker $(share_kpid "$BROKER_PID")"
				echo "standin $(share_kpid "$FAKE_PID")"
				echo "devfd $(device_fd "$SUB")"
			} > "$rec.share"
			share_on "$SUB"
			traced=1 ;;
		esac
		wait "$pub" || { cat "$T/publat.out" "$T/$s.log" >&2; die "$s: the publisher failed"; }
		# The last commands' writes.
		sleep 0.5
		[ -z "$traced" ] || share_off "$rec.trace"
		{ echo "after"; sample_tree "$SUB"; host_stat; } >> "$rec.proc"
		# Where a bridge's resident memory goes, mapping by mapping.
		case $s in bridge | baseline) [ "$r" != 1 ] || cp /proc/"$SUB"/smaps "$out/$s.smaps" ;; esac
		stop
	done
done

# The floor: a program that only loads libcrypto and initialises it.
"$FLOOR" > "$T/floor.out" 2>&1 &
fpid=$!
sleep 0.5
{ echo "floor"; sample "$fpid"; } > "$out/floor.proc"
kill "$fpid"
wait "$fpid" 2>/dev/null

# Idle: all connected, no command, for the window; then the bridge's
# system calls over the same time, with strace.
if [ "$window" = 0 ]; then
	echo "latency.sh: done; results in $out"
	exit 0
fi
echo "latency.sh: idle for $window s (keepalive $keepalive s), then $window s under strace"
declare -A idle_pid
for s in $subs; do
	start "$s"
	idle_pid[$s]=$SUB
done
sleep 3
{
	echo "window $window keepalive $keepalive"
	host_stat
	for s in $subs; do
		echo "before $s"
		sample_tree "${idle_pid[$s]}"
	done
	sleep "$window"
	for s in $subs; do
		echo "after $s"
		sample_tree "${idle_pid[$s]}"
	done
	host_stat
} > "$out/idle.txt"
if command -v strace > /dev/null; then
	timeout -s INT "$window" strace -f -tt -p "${idle_pid[bridge]}" -o "$out/idle-strace.txt" \
		2> "$T/strace.err" || true
	[ -s "$out/idle-strace.txt" ] || echo "strace could not attach: $(cat "$T/strace.err")" > "$out/idle-strace.txt"
fi
for s in $subs; do
	SUB=${idle_pid[$s]}
	stop
done
echo "latency.sh: done; results in $out"
