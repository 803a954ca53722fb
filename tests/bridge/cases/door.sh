# shellcheck shell=bash disable=SC2034,SC2086,SC2154
# (SC2034, SC2154: lib.sh sets T, PKI, the ports and the helpers these use;
# SC2086: $WRAP is a command with its options, such as tests/lib/under-valgrind.)
# door.sh - one door's bridge at work (the door-bridge fixture, lib.sh):
# commands reach the device, state and events follow, bad and retained
# payloads never move it, Home Assistant discovery, the device going away,
# a flood. Sourced by integration.sh.

case_def accepted-command-reaches-device "an accepted command reaches the device, and state and events follow" door-bridge
accepted-command-reaches-device() {
	local n
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
}

case_def driver-auto-close-reaches-state "the driver's automatic close reaches B/state through poll()" door-bridge
driver-auto-close-reaches-state() {
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
}

case_def bad-payloads-rejected-as-malformed "bad payloads are rejected as malformed, each with its event, and nothing moves" door-bridge
bad-payloads-rejected-as-malformed() {
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
}

case_def retained-open-never-acts "a retained open causes no actuation (MQTT 5 live and at subscribe, MQTT 3.1.1)" door-bridge
retained-open-never-acts() {
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
}

case_def discovery-retained-and-resent "Home Assistant discovery is retained, and sent again when HA comes online" door-bridge
discovery-retained-and-resent() {
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
	acts_once c8e c4 OPEN open
}

case_def device-unplugged-and-replugged "the device going away and coming back: offline, fd dropped, reopened, online" door-bridge
device-unplugged-and-replugged() {
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
}

case_def junk-flood-neither-delays-nor-grows "a flood of junk neither delays a legitimate command nor grows memory" door-bridge
junk-flood-neither-delays-nor-grows() {
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
		note "resident memory after floods: $rss1 kB, $rss2 kB"
	fi
	unsub c10
}
