# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (SC2034, SC2154: lib.sh sets T, PKI, the ports and the helpers these use;
# SC2086: $WRAP is a command with its options, such as tests/lib/under-valgrind.)
# config.sh - the bridge's configuration as a user writes it: --check, errors
# that name the file and line, secret files others could read. Nothing in
# these cases connects. Sourced by integration.sh.

case_def check-accepts-good-config "--check accepts a good configuration and the shipped example"
check-accepts-good-config() {
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
}

case_def config-errors-name-file-and-line "configuration errors are reported with file:line, and nothing runs"
config-errors-name-file-and-line() {
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
}

case_def readable-secret-files-refused "a password, key or HMAC-key file that others can read is refused"
readable-secret-files-refused() {
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
}
