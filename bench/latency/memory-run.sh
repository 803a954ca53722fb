#!/bin/bash
# memory-run.sh - one release's half of memory-peers.sh: sesame-bridge and
# mosquitto_sub, the same library's own client, connected at the same time
# to one mosquitto with the same TLS settings, and their memory (RSS, PSS,
# USS from smaps_rollup) idle after connecting and after the commands.
# Runs with whatever this system has (on the host, or inside a chroot of
# another release): its mosquitto, mosquitto_sub, openssl and libraries.
#
# Usage: bench/latency/memory-run.sh OUTDIR BRIDGE FAKE PUBLAT [COUNT]
#   BRIDGE, FAKE, PUBLAT: sesame-bridge, fake-sesame and publat built
#   against this system's libraries; COUNT commands (default 1000), one
#   every 10 ms, as latency.sh sends them.
# Writes OUTDIR/memory.txt ("PHASE NAME PID RSS PSS USS" in kB, versions,
# the load, the commands each got) and NAME.smaps after the commands.
#
# Both use the same CA, the same client certificate and key (the broker
# takes the certificate's name as the user: no password anywhere), MQTT 5,
# QoS 1, keepalive 60 s, and subscribe to the same topic. mosquitto_sub
# prints what it gets to a file; the bridge writes it to the /dev/sesame
# stand-in (fake-sesame), as in latency.sh.
set -u

out=${1:?usage: memory-run.sh OUTDIR BRIDGE FAKE PUBLAT [COUNT]}
BRIDGE=${2:?} FAKE=${3:?} PUBLAT=${4:?}
count=${5:-1000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# shellcheck source=tests/lib/broker.sh
. "$top/tests/lib/broker.sh"
# shellcheck source=tests/lib/procs.sh
. "$top/tests/lib/procs.sh"
# shellcheck source=tests/lib/device.sh
. "$top/tests/lib/device.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-mem.XXXXXX")
PKI=$T/pki
PIDS=()

cleanup() {
	stop_all "${PIDS[@]}"
	device_down "$T/mnt"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

die() {
	echo "memory-run.sh: $*" >&2
	exit 1
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
	local i n=$(($1 * 20))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# sample PHASE NAME PID: one line of memory.txt.
sample() {
	awk -v head="$1 $2 $3" '/^Rss:/ {rss = $2} /^Pss:/ {pss = $2}
		/^Private_(Clean|Dirty):/ {uss += $2}
		END {print head, rss, pss, uss}' /proc/"$3"/smaps_rollup
}

for f in "$BRIDGE" "$FAKE" "$PUBLAT"; do
	[ -x "$f" ] || die "$f is missing"
done
for c in mosquitto mosquitto_sub openssl fusermount3; do
	command -v "$c" > /dev/null || die "no $c here"
done
mkdir -p "$out"
rm -f "$out/memory.txt" "$out"/*.smaps
"$top/tests/lib/pki.sh" "$PKI" > /dev/null || die "cannot make the test PKI"

device_up "$T/mnt" "$T/dev.log" -t || exit 1

test_acl > "$T/acl"
# log_type notice: the "New client connected" lines this waits for.
port=
free_ports port
mosquitto_conf --pki "$PKI" --acl "$T/acl" --log error,warning,notice \
	--set "set_tcp_nodelay true" "certificate:$port" > "$T/mosquitto.conf"
broker_start broker_pid "$T/mosquitto.conf" "$T/broker.log" ||
	die "mosquitto did not start: $(cat "$T/broker.log")"
PIDS+=("$broker_pid")

topic=sesame/bench
cat > "$T/bridge.conf" <<EOF
host 127.0.0.1
port $port
cafile $PKI/ca.crt
certfile $PKI/bridge.crt
keyfile $PKI/bridge.key
mqtt_version 5
client_id sesame-mem-bridge
topic $topic
device $T/mnt/sesame
keepalive 60
rate_limit 1000/1
ha_discovery false
log_level warning
EOF
"$BRIDGE" -c "$T/bridge.conf" > "$T/bridge.log" 2>&1 &
bridge=$!
PIDS+=("$bridge")
mosquitto_sub -h 127.0.0.1 -p "$port" --cafile "$PKI/ca.crt" --cert "$PKI/bridge.crt" \
	--key "$PKI/bridge.key" -V mqttv5 -q 1 -k 60 -i sesame-mem-sub -t "$topic/set" \
	> "$T/sub.out" 2> "$T/sub.log" &
sub=$!
PIDS+=("$sub")
for id in sesame-mem-bridge sesame-mem-sub; do
	wait_for 10 grep -q "as $id " "$T/broker.log" ||
		die "$id did not connect: $(cat "$T/broker.log" "$T/bridge.log" "$T/sub.log")"
done
# Subscribed and settled: the bridge's first state, the subscriptions'
# answers.
sleep 3

# shellcheck disable=SC1091 # the running system's
{
	echo "release $(. /etc/os-release && echo "$VERSION_CODENAME")"
	echo "openssl $(openssl version)"
	# shellcheck disable=SC2016 # a dpkg-query format
	echo "libmosquitto $(dpkg-query -W -f '${Version}' libmosquitto1)"
	echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
	sample idle bridge "$bridge"
	sample idle mosquitto_sub "$sub"
} > "$out/memory.txt"

echo "memory-run.sh: $count commands, one every 10 ms"
"$PUBLAT" -p "$port" --cafile "$PKI/ca.crt" --cert "$PKI/tester.crt" --key "$PKI/tester.key" \
	-t "$topic/set" -n "$count" -i 10 -w "$T/dev.log" -o "$T/stamps" > "$T/publat.out" 2>&1 ||
	die "the publisher failed: $(cat "$T/publat.out")"
# The last commands' writes.
sleep 1
{
	sample after bridge "$bridge"
	sample after mosquitto_sub "$sub"
	echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
	# Warm-up commands included: both must have had every one.
	echo "got bridge $(wc -l < "$T/dev.log")"
	echo "got mosquitto_sub $(wc -l < "$T/sub.out")"
	echo "published $((count + $(head -n 1 "$T/stamps" | cut -d= -f2)))"
} >> "$out/memory.txt"
cp /proc/"$bridge"/smaps "$out/bridge.smaps"
cp /proc/"$sub"/smaps "$out/mosquitto_sub.smaps"
echo "memory-run.sh: done; $out/memory.txt"
