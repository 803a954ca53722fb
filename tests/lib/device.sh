# shellcheck shell=bash
# device.sh - the /dev/sesame stand-in for shell scripts (sourced by bash):
# fake-sesame (the driver's own core behind a FUSE file, built by make as
# build/bridge/fake-sesame, or $FAKE) mounted on a folder, and taken down.
#
#   device_up MNT LOG [OPTION...]  mount it on MNT (MNT/sesame, MNT/ctl),
#                                  each command it takes logged to LOG,
#                                  its pid in FAKE_PID, its own messages in
#                                  fake.log beside MNT; false, saying why,
#                                  if it has not mounted within 5 s
#   device_down MNT                stop it and unmount MNT

FAKE_PID=

device_up() {
	local mnt=$1 log=$2 i messages
	shift 2
	messages=$(dirname "$mnt")/fake.log
	mkdir -p "$mnt"
	"$FAKE" "$@" "$mnt" "$log" > "$messages" 2>&1 &
	FAKE_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -e "$mnt/ctl" ] && return 0
		sleep 0.05
	done
	echo "$0: fake-sesame did not mount on $mnt: $(cat "$messages")" >&2
	return 1
}

device_down() {
	if [ -n "$FAKE_PID" ]; then
		kill -TERM "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
		FAKE_PID=
	fi
	fusermount3 -u "$1" 2>/dev/null
}
