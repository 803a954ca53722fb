#!/bin/bash
# run.sh - the phone page's browser test: sets up the real pieces on free
# loopback ports and runs e2e.mjs in Debian's chromium.
#
#   the PKI of tests/lib/pki.sh; mosquitto 2.0.21 with WebSockets
#   (scripts/fetch-mosquitto-ws.sh) with a TLS password listener for the
#   bridge, a client-certificate listener for the test's own clients, and
#   a TLS WebSockets listener for the phones; two phones enrolled with
#   scripts/sesame-certs enroll (their logins and ACL entries are what the
#   broker uses); sesame-bridge with hmac_keys_dir; the FUSE stand-in for
#   /dev/sesame; the page (build/phone) over HTTPS from serve.mjs; and a
#   browser that trusts the test CA as a phone with the CA installed would
#   (an NSS database in its own HOME), nothing more.
#
# Environment: BRIDGE, FAKE, SYNC_LIB, MOSQ (the unpacked broker), NPM
# (build/npm), PAGE (build/phone), OUT (screenshots and figures, default
# build/phone-test), SLOW, KEEP. Exit: 0 passed, 1 failed, 4 cannot run
# here (no /dev/fuse; a failure under CI=true).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BRIDGE=${BRIDGE:-$top/build/bridge/sesame-bridge}
FAKE=${FAKE:-$top/build/bridge/fake-sesame}
SYNC_LIB=${SYNC_LIB:-$top/build/bridge/fake-sync.so}
MOSQ=${MOSQ:-$top/build/phone-broker}
NPM=${NPM:-$top/build/npm}
PAGE=${PAGE:-$top/build/phone}
OUT=${OUT:-$top/build/phone-test}
TOPIC=sesame/phone

# shellcheck source=tests/lib/broker.sh
. "$top/tests/lib/broker.sh"
# shellcheck source=tests/lib/procs.sh
. "$top/tests/lib/procs.sh"
# shellcheck source=tests/lib/device.sh
. "$top/tests/lib/device.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-phone.XXXXXX")
PIDS=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	stop_all "${PIDS[@]}"
	device_down "$T/mnt"
	remove_unless_kept "$T"
}
trap cleanup EXIT

die() { echo "$0: $*" >&2; exit 1; }

if [ ! -c /dev/fuse ]; then
	echo "$0: SKIP: /dev/fuse is missing, so the /dev/sesame stand-in cannot run" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 4
fi
for f in "$BRIDGE" "$FAKE" "$SYNC_LIB" "$MOSQ/usr/sbin/mosquitto" "$PAGE/index.html" \
	 "$NPM/node_modules/playwright-core" /usr/bin/chromium; do
	[ -e "$f" ] || die "$f is missing (make phone, scripts/deps.sh phone)"
done
command -v certutil > /dev/null || die "certutil is missing (scripts/deps.sh phone)"
MOSQ_LIB=$(dirname "$(find "$MOSQ/usr/lib" -name 'libwebsockets.so.17' | head -n 1)")


wait_file() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

PKI=$T/pki
"$top/tests/lib/pki.sh" "$PKI" > "$T/pki.log" 2>&1 || { cat "$T/pki.log"; die "no PKI"; }
mkdir -p "$OUT" "$T/mnt" "$T/dev"
rm -f "$OUT"/*.png

# The device, with time stamps for the latency.
: > "$T/device.log"
device_up "$T/mnt" "$T/device.log" -t || exit 1
ln -s "$T/mnt/sesame" "$T/dev/sesame"

free_ports P_PW P_CERT P_WS P_PAGE

# Two phones, enrolled as a user would: keys, broker logins, ACL, links.
for who in alice bob; do
	"$top/scripts/sesame-certs" -d "$T/certs" enroll "$who" "$TOPIC" \
		"https://127.0.0.1:$P_PAGE/" "wss://127.0.0.1:$P_WS/mqtt" > "$T/enroll-$who.out" ||
		die "sesame-certs enroll $who failed"
done
grep -q "█" "$T/enroll-alice.out" || die "enroll printed no QR code"
[ -s "$T/certs/openers/alice.png" ] || die "enroll made no PNG"
mkdir -p "$T/openers"
chmod 0750 "$T/openers"
install -m 0640 "$T/certs/openers/alice" "$T/certs/openers/bob" "$T/openers/"

# The broker: the phones' logins and ACL from enroll, plus the bridge and
# the test's own clients.
umask 077
printf 'bridge:bridge-pw-%s\n' "$$" > "$T/passwd.plain"
mosquitto_passwd -U "$T/passwd.plain"
cat "$T/passwd.plain" "$T/certs/mosquitto/sesame.passwd" > "$T/passwd"
printf 'bridge-pw-%s\n' "$$" > "$T/bridge.pw"
umask 022
{
	cat "$T/certs/mosquitto/sesame.acl"
	printf '\nuser bridge\ntopic readwrite sesame/#\ntopic readwrite homeassistant/#\n'
	printf '\nuser tester\ntopic readwrite #\n'
} > "$T/acl"
# Browsers cannot offer client certificates: the phones log in with their
# passwords over WebSockets.
mosquitto_conf --pki "$PKI" --passwd "$T/passwd" --acl "$T/acl" "password:$P_PW" \
	"certificate:$P_CERT" "websockets:$P_WS,tls_version=tlsv1.2" > "$T/mosquitto.conf"
LD_LIBRARY_PATH=$MOSQ_LIB broker_start BROKER_PID "$T/mosquitto.conf" "$T/broker.log" \
	"$MOSQ/usr/sbin/mosquitto" || die "the broker did not start: $(tail -5 "$T/broker.log")"
PIDS+=("$BROKER_PID")

# The bridge: named keys in $T/openers; replay state that accepted nothing.
python3 -c 'import hashlib, sys
text = b"sesame-replay 1\nfloor 0 accepted\n"
sys.stdout.buffer.write(text + b"sha256 " + hashlib.sha256(text).hexdigest().encode() + b"\n")' > "$T/state"
chmod 0600 "$T/state"
cat > "$T/bridge.conf" <<CONF
host 127.0.0.1
port $P_PW
cafile $PKI/ca.crt
username bridge
password_file $T/bridge.pw
client_id sesame-phone-test
topic $TOPIC
device $T/dev/sesame
rate_limit 1000/60
state_file $T/state
hmac_keys_dir $T/openers
ha_discovery false
CONF
chmod 0600 "$T/bridge.pw"
echo synced > "$T/sync"
LD_PRELOAD=$SYNC_LIB SESAME_FAKE_SYNC=$T/sync "$BRIDGE" -c "$T/bridge.conf" > "$T/bridge.log" 2>&1 &
PIDS+=($!)
wait_file "$T/bridge.log" "connected to" || die "the bridge did not connect: $(tail -5 "$T/bridge.log")"

node "$here/serve.mjs" "$PAGE" "$P_PAGE" "$PKI/server.crt" "$PKI/server.key" > "$T/serve.log" 2>&1 &
PIDS+=($!)
wait_file "$T/serve.log" "serving" || die "the page server did not start: $(cat "$T/serve.log")"

# The browser trusts the test CA, as a phone with it installed does.
mkdir -p "$T/home/.pki/nssdb"
certutil -d "sql:$T/home/.pki/nssdb" -N --empty-password
certutil -d "sql:$T/home/.pki/nssdb" -A -n sesame-test-ca -t "C,," -i "$PKI/ca.crt"

cp "$here/e2e.mjs" "$NPM/e2e.mjs"
OUT=$OUT TOPIC=$TOPIC DEVICE_LOG=$T/device.log DEVICE_CTL=$T/mnt/ctl \
	LINK_ALICE=$T/certs/openers/alice.link LINK_BOB=$T/certs/openers/bob.link \
	BOB_KEY=$T/openers/bob P_CERT=$P_CERT CA=$PKI/ca.crt \
	TESTER_CRT=$PKI/tester.crt TESTER_KEY=$PKI/tester.key BROWSER_HOME=$T/home \
	timeout $((240 * ${SLOW:-1})) node "$NPM/e2e.mjs"
rc=$?
grep -E "accepted|rejected" "$T/bridge.log" | sed 's/^/phone:   bridge: /'
if [ "$rc" != 0 ]; then
	echo "phone: broker log:"; tail -20 "$T/broker.log"
	echo "phone: bridge log:"; tail -20 "$T/bridge.log"
fi
exit "$rc"
