# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (as trust.sh: lib.sh sets the variables and helpers.)
# openers.sh - one key per opener
# (hmac_keys_dir), as the phone page and `sesame-certs enroll` use it:
# named commands, revocation by removing a file while the bridge runs, and
# the permission rules of the directory and its files. Sourced by
# integration.sh.

# openers NAME OPENER...: bridge NAME with signed commands (its single key
# too) and a keys directory holding a key for each OPENER.
openers() {
	local name=$1 o
	shift
	signed "$name"
	mkdir -p "$T/$name.openers"
	chmod 0750 "$T/$name.openers"
	for o; do
		(umask 077 && openssl rand -hex 32 > "$T/$name.openers/$o")
	done
	echo "hmac_keys_dir $T/$name.openers" >> "$T/$name.conf"
}

case_def opener-keys-act-once-named "one key per opener: each phone's named command acts once, and events and the log name it; the single key still works beside them"
opener-keys-act-once-named() {
	local n p
	openers c40 alice bob
	sub c40 sesame/c40/event
	up c40
	n=$(device_lines)
	p=$("$SIGN" -c "$T/c40.conf" -n alice open)
	[[ "$p" =~ ^open\ [0-9]+\ [0-9a-f]{32}\ alice\ [0-9a-f]{64}$ ]] || fail "sesame-sign -n printed '$p'"
	pub -t sesame/c40/set -m "$p"
	expect_in "$T/c40.msgs" '"accepted":true,"command":"open","signed":true,"opener":"alice"}'
	pub -t sesame/c40/set -m "$p"
	expect_in "$T/c40.msgs" '"accepted":false,"command":"open","signed":true,"opener":"alice","reason":"replay"'
	pub -t sesame/c40/set -m "$("$SIGN" -c "$T/c40.conf" -n bob close)"
	expect_in "$T/c40.msgs" '"accepted":true,"command":"close","signed":true,"opener":"bob"}'
	# The unnamed form with the single key.
	pub -t sesame/c40/set -m "$("$SIGN" -c "$T/c40.conf" open)"
	expect_in "$T/c40.msgs" '"accepted":true,"command":"open","signed":true}'
	# alice's key cannot sign as bob: the name is in the MAC.
	pub -t sesame/c40/set -m "$("$SIGN" -k "$T/c40.openers/alice" -t sesame/c40/set -n bob open)"
	expect_in "$T/c40.msgs" '"opener":"bob","reason":"bad signature","detail":"mac does not match"'
	[ "$(device_since "$n")" = "open close open" ] || fail "the device got '$(device_since "$n")'"
	expect_in "$T/c40.log" "command open accepted (signed by alice)"
	expect_in "$T/c40.log" "command open from alice rejected: replay: nonce already used"
	grep -qF "$(cat "$T/c40.openers/alice")" "$T/c40.log" "$T/c40.msgs" && fail "a key reached the log or an event"
	stop c40
	unsub c40
}

case_def opener-key-removed-revokes "removing an opener's key file revokes that phone at once, without a restart, and the others go on"
opener-key-removed-revokes() {
	local n pid bob
	openers c41 alice bob
	sub c41 sesame/c41/event
	up c41
	pid=$(cat "$T/c41.pid")
	n=$(device_lines)
	pub -t sesame/c41/set -m "$("$SIGN" -c "$T/c41.conf" -n bob open)"
	expect_in "$T/c41.msgs" '"opener":"bob"}'
	# The owner revokes bob's phone; bob signs as before, with his copy.
	cp -p "$T/c41.openers/bob" "$T/c41.bob-phone"
	rm "$T/c41.openers/bob"
	pub -t sesame/c41/set -m "$("$SIGN" -k "$T/c41.bob-phone" -t sesame/c41/set -n bob open)"
	expect_in "$T/c41.msgs" '"opener":"bob","reason":"unknown opener","detail":"no key for opener bob: revoked, or never enrolled"'
	pub -t sesame/c41/set -m "$("$SIGN" -c "$T/c41.conf" -n alice close)"
	expect_in "$T/c41.msgs" '"accepted":true,"command":"close","signed":true,"opener":"alice"}'
	# Enrolled again, with a new key: his old one stays refused.
	(umask 077 && openssl rand -hex 32 > "$T/c41.openers/bob")
	pub -t sesame/c41/set -m "$("$SIGN" -k "$T/c41.bob-phone" -t sesame/c41/set -n bob open)"
	expect_in "$T/c41.msgs" '"opener":"bob","reason":"bad signature"'
	pub -t sesame/c41/set -m "$("$SIGN" -c "$T/c41.conf" -n bob open)"
	expect_in "$T/c41.msgs" '"accepted":true,"command":"open","signed":true,"opener":"bob"}' 2
	kill -0 "$pid" 2>/dev/null || fail "the bridge restarted"
	[ "$(device_since "$n")" = "open close open" ] || fail "the device got '$(device_since "$n")'"
	expect_in "$T/c41.log" "command open from bob rejected: unknown opener"
	stop c41
	unsub c41
}

case_def opener-keys-dir-rules "a keys directory others may write stops the start; a key file others may read, a link or a bad key is refused at the press, naming the file, never showing the key"
opener-keys-dir-rules() {
	local got n p
	openers c42 alice
	chmod 0777 "$T/c42.openers"
	got=$($WRAP "$BRIDGE" --check -c "$T/c42.conf" 2>&1)
	[ $? = 1 ] || fail "a world-writable directory was accepted: $got"
	[[ "$got" == "$T/c42.conf:15: hmac_keys_dir: $T/c42.openers: others than its owner and root may add keys to it"* ]] ||
		fail "it said '$got'"
	chmod 0750 "$T/c42.openers"
	sub c42 sesame/c42/event
	up c42
	n=$(device_lines)
	# sesame-sign refuses such a key too: sign first, then open it up.
	(umask 077 && openssl rand -hex 32 > "$T/c42.openers/eve")
	p=$("$SIGN" -k "$T/c42.openers/eve" -t sesame/c42/set -n eve open)
	chmod 0644 "$T/c42.openers/eve"
	pub -t sesame/c42/set -m "$p"
	expect_in "$T/c42.msgs" '"opener":"eve","reason":"unknown opener","detail":"the key file of eve is accessible by others (mode 0644): run chmod o-rwx on it"'
	ln -s "$T/c42.openers/alice" "$T/c42.openers/mallory"
	pub -t sesame/c42/set -m "$("$SIGN" -k "$T/c42.openers/alice" -t sesame/c42/set -n mallory open)"
	expect_in "$T/c42.msgs" '"opener":"mallory","reason":"unknown opener","detail":"cannot open the key file of mallory: it is a symbolic link"'
	echo "not a key" > "$T/c42.openers/trudy"
	chmod 0600 "$T/c42.openers/trudy"
	pub -t sesame/c42/set -m "open $(date +%s) 00112233445566778899aabbccddeeff trudy $(printf '%064d' 0)"
	expect_in "$T/c42.msgs" '"opener":"trudy","reason":"unknown opener","detail":"the key file of trudy must hold the key as one line of hex digits"'
	[ "$(device_since "$n")" = "" ] || fail "the device got '$(device_since "$n")'"
	grep -qF "$(cat "$T/c42.openers/eve")" "$T/c42.log" "$T/c42.msgs" && fail "a key reached the log or an event"
	stop c42
	unsub c42
}
