#!/bin/bash
# integration.sh - sesame-bridge against a real Mosquitto with TLS.
#
# Usage: tests/bridge/integration.sh [--list] [--only NAME|PATTERN]... [NAME|PATTERN]...
#        (default: every case; tests/lib/cases.sh runs them)
#
# Starts Debian's mosquitto on free loopback ports with the tests' PKI
# (tests/lib/pki.sh, made by sesame-certs), a password file and an ACL
# file, and a FUSE stand-in for /dev/sesame (fake-sesame, the driver's own
# core behind it). Each case runs the real sesame-bridge and checks what a
# user would: what reached the device, what was published, what was
# logged, the exit status. lib.sh builds that world; the cases live in
# cases/*.sh, a file per group that shares a fixture or a subject.
#
# Environment:
#   BRIDGE, SIGN, FAKE, SINK  the programs (default: build/bridge/...)
#   WRAP                a command to run the bridge under (tests/lib/under-valgrind)
#   SLOW                multiplies every timeout (valgrind is slow)
#   LABEL               names the run in the first line of the report
#   FLOOD               junk messages in the flood case (default 5000)
#   KEEP                if set, keep the temporary directory (logs) at exit
#   RSS_CHECK           0 skips the resident-memory check (ASan and valgrind
#                       change what memory means)
#   PLAIN_BRIDGE        the bridge as shipped, for the cases about the real
#                       process (its core file, its system calls), whatever
#                       BRIDGE and WRAP are
# Exit status: 0 all passed, 1 a case failed, 2 usage, 4 cannot run here
# (no FUSE).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BRIDGE=${BRIDGE:-$top/build/bridge/sesame-bridge}
SIGN=${SIGN:-$top/build/bridge/sesame-sign}
FAKE=${FAKE:-$top/build/bridge/fake-sesame}
SINK=${SINK:-$top/build/bridge/notify-sink}
SYNC_LIB=${SYNC_LIB:-$top/build/bridge/fake-sync.so}
PLAIN_BRIDGE=${PLAIN_BRIDGE:-$top/build/bridge/sesame-bridge}
WRAP=${WRAP:-}
SLOW=${SLOW:-1}
LABEL=${LABEL:-bridge}
FLOOD=${FLOOD:-5000}
TIMEOUT=$((15 * SLOW))

# shellcheck source=tests/lib/cases.sh
. "$top/tests/lib/cases.sh"
# shellcheck source=tests/lib/broker.sh
. "$top/tests/lib/broker.sh"
# shellcheck source=tests/lib/procs.sh
. "$top/tests/lib/procs.sh"
# shellcheck source=tests/lib/device.sh
. "$top/tests/lib/device.sh"
# shellcheck source=tests/bridge/lib.sh
. "$here/lib.sh"
for group in config door signed tls lifecycle trust openers brokers; do
	# shellcheck source=/dev/null # each group is checked on its own
	. "$here/cases/$group.sh"
done

cases_main "$@"
