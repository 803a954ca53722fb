# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (SC2034, SC2154: lib.sh sets T, PKI, the ports and the helpers these use;
# SC2086: $WRAP is a command with its options, such as tests/lib/under-valgrind.)
# tls.sh - who may connect: bridges that must fail to log in or to trust
# the broker (the failing-bridges fixture, run side by side), client
# certificates, and plaintext only when asked for by name. Sourced by
# integration.sh.

# Five bridges that must fail to connect, each for its own reason, started
# side by side (their retries take time): each must fail again and again,
# and the door must not move.
fixture:failing-bridges() {
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

# negative_check N REASON: bridge cN of failing-bridges never connected,
# said REASON (if any), and a command sent meanwhile never reached the door.
negative_check() {
	local no=$1 reason=$2 n
	expect_in "$T/c$no.log" "cannot connect to" 2
	[ -z "$reason" ] || expect_in "$T/c$no.log" "$reason"
	n=$(device_lines)
	pub -t "sesame/c$no/set" -m open
	expect_in "$T/c$no.log" "cannot connect to" 3
	grep -q "^connected to" "$T/c$no.log" && fail "it connected"
	[ "$(device_lines)" = "$n" ] || fail "the device got '$(device_since "$n")'"
	stop "c$no"
}

case_def wrong-password-refused "a wrong password is refused, and no command arrives" failing-bridges
wrong-password-refused() {
	negative_check 13 "the broker refused it: Not authorized"
}

case_def missing-client-cert-refused "a missing client certificate where one is required is refused, and no command arrives" failing-bridges
missing-client-cert-refused() {
	# Over TLS 1.3 the broker's verdict may come as an alert or a closed socket.
	negative_check 14 ""
}

case_def expired-server-cert-refused "an expired server certificate is refused, and no command arrives" failing-bridges
expired-server-cert-refused() {
	negative_check 15 "TLS: server certificate rejected: certificate has expired"
}

case_def wrong-host-server-cert-refused "a server certificate for another host is refused, and no command arrives" failing-bridges
wrong-host-server-cert-refused() {
	negative_check 16 "TLS: server certificate rejected: hostname mismatch"
}

case_def fake-ca-server-cert-refused "a server certificate from a fake CA with the real CA's name is refused, and no command arrives" failing-bridges
fake-ca-server-cert-refused() {
	negative_check 17 "TLS: server certificate rejected: unable to get local issuer certificate"
}

case_def client-cert-login-and-mqtt311 "client-certificate login works, and so does MQTT 3.1.1"
client-cert-login-and-mqtt311() {
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
}

case_def plaintext-only-when-insecure-set "without TLS only when insecure_plaintext is set by name, with a warning"
plaintext-only-when-insecure-set() {
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
}
