# shellcheck shell=bash
# broker.sh - the broker kit for shell scripts (sourced by bash): free
# ports, a Mosquitto configuration, start, wait until it listens, stop. The
# work is done by broker.py, which the Python tests import.
#
#   free_ports VAR...                 one free port in each variable
#   mosquitto_conf ARGS...            broker.py conf ARGS (see broker.py)
#   test_acl                          the tests' ACL (broker.py acl)
#   broker_start VAR CONF LOG [BINARY]
#                                     start mosquitto (or BINARY), its pid
#                                     in VAR; false (and VAR empty) if it
#                                     does not listen in time
#   broker_stop VAR [SIGNAL]          stop that one and wait for it
# UNDER_VALGRIND is the command to run a program under valgrind, as the
# tests judge it (under-valgrind).

BROKER_KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UNDER_VALGRIND=$BROKER_KIT/under-valgrind

free_ports() {
	local ports i=0 var
	mapfile -t ports < <(python3 "$BROKER_KIT/broker.py" port $#)
	for var; do
		printf -v "$var" '%s' "${ports[i]}"
		i=$((i + 1))
	done
}

mosquitto_conf() { python3 "$BROKER_KIT/broker.py" conf "$@"; }

test_acl() { python3 "$BROKER_KIT/broker.py" acl; }

broker_start() {
	"${4:-mosquitto}" -c "$2" >> "$3" 2>&1 &
	printf -v "$1" '%s' $!
	python3 "$BROKER_KIT/broker.py" wait "$2" $! && return 0
	broker_stop "$1"
	return 1
}

broker_stop() {
	local pid=${!1}
	[ -n "$pid" ] || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	# (braces: no "Killed" notice from bash after SIGKILL)
	{ wait "$pid"; } 2>/dev/null
	printf -v "$1" '%s' ""
}
