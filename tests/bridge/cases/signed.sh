# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (SC2034, SC2154: lib.sh sets T, PKI, the ports and the helpers these use;
# SC2086: $WRAP is a command with its options, such as tests/lib/under-valgrind.)
# signed.sh - signed commands (accepted once; replayed, stale, tampered,
# unsigned ones refused) and the rate limit on opens. Sourced by
# integration.sh.

case_def signed-commands-accepted-once "signed commands: accepted once; replayed, stale, tampered, badly formed and unsigned ones rejected"
signed-commands-accepted-once() {
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
}

case_def rate-limit-holds-for-opens "the rate limit on opens holds; closing is never limited"
rate-limit-holds-for-opens() {
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
}
