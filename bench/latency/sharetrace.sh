# sharetrace.sh - sourced by latency.sh: the host kernel's tracing of one
# subscriber, for the subscriber's own share of the command latency (from
# the kernel waking it with the command to its write() on the device;
# analyse.py pairs the events, bench/README.md says which span and why).
#
# Functions (all return non-zero, with the reason in $SHARE_WHY, when the
# kernel's tracing cannot be used here):
#   share_setup DIR   find tracefs (or mount it on DIR) and make a tracing
#                     instance of our own, so that nobody else's tracing is
#                     touched; events off
#   share_on PID      trace PID: its wakeups (sched_waking, recorded with
#                     the task that woke it), its leaving and taking a CPU
#                     (sched_switch), its write() calls and the start and
#                     end of its waits (poll, ppoll, select, pselect6,
#                     epoll_wait, epoll_pwait)
#   share_kpid PID    PID as the kernel's trace names it
#   share_off FILE    stop, and the trace as text to FILE
#   share_cleanup     remove the instance, unmount what share_setup mounted
# Nothing of the subscribers changes: the events are the kernel's own.
# shellcheck shell=bash disable=SC2034 # SHARE_WHY: latency.sh reads it

SHARE_INST=''
SHARE_MOUNTED=''
SHARE_WHY=''
SHARE_WAITS="poll ppoll select pselect6 epoll_wait epoll_pwait"

share_setup() {
	local fs=/sys/kernel/tracing
	[ "$(id -u)" = 0 ] || { SHARE_WHY="not root"; return 1; }
	if [ ! -e "$fs/instances" ]; then
		fs=$1
		mkdir -p "$fs"
		mount -t tracefs nodev "$fs" 2> /dev/null ||
			{ SHARE_WHY="tracefs cannot be mounted here"; return 1; }
		SHARE_MOUNTED=$fs
	fi
	[ -e "$fs/events/syscalls/sys_enter_write" ] ||
		{ SHARE_WHY="the kernel has no syscall trace events"; share_cleanup; return 1; }
	SHARE_INST=$fs/instances/sesame-bench-$$
	mkdir "$SHARE_INST" 2> /dev/null ||
		{ SHARE_WHY="cannot make a tracing instance"; SHARE_INST=; share_cleanup; return 1; }
	echo 0 > "$SHARE_INST/tracing_on"
	# CLOCK_MONOTONIC, as fake-sesame's and publat's stamps.
	echo mono > "$SHARE_INST/trace_clock"
	echo 4096 > "$SHARE_INST/buffer_size_kb"
}

# The events share_on enables, as tracefs paths under events/.
share_events() {
	local w
	echo sched/sched_waking
	echo sched/sched_switch
	echo syscalls/sys_enter_write
	for w in $SHARE_WAITS; do
		echo "syscalls/sys_enter_$w"
		echo "syscalls/sys_exit_$w"
	done
}

# The trace names tasks by the kernel's pid, which a pid namespace of
# our own would hide.
share_kpid() {
	awk '/^NSpid:/ {print $2}' /proc/"$1"/status
}

share_on() {
	local e pid
	pid=$(share_kpid "$1")
	: > "$SHARE_INST/trace"
	for e in $(share_events); do
		case $e in
		sched/sched_waking) echo "pid == $pid" > "$SHARE_INST/events/$e/filter" ;;
		sched/sched_switch)
			echo "prev_pid == $pid || next_pid == $pid" > "$SHARE_INST/events/$e/filter" ;;
		*) echo "common_pid == $pid" > "$SHARE_INST/events/$e/filter" ;;
		esac
		echo 1 > "$SHARE_INST/events/$e/enable"
	done
	echo 1 > "$SHARE_INST/tracing_on"
}

share_off() {
	local e
	echo 0 > "$SHARE_INST/tracing_on"
	cat "$SHARE_INST/trace" > "$1"
	for e in $(share_events); do
		echo 0 > "$SHARE_INST/events/$e/enable"
	done
	# Events lost to a full buffer would leave spans unpaired.
	grep -h '^overrun\|^dropped' "$SHARE_INST"/per_cpu/cpu*/stats |
		awk '{s += $2} END {print "# lost", s + 0}' >> "$1"
}

share_cleanup() {
	[ -z "$SHARE_INST" ] || rmdir "$SHARE_INST" 2> /dev/null
	SHARE_INST=
	[ -z "$SHARE_MOUNTED" ] || umount "$SHARE_MOUNTED" 2> /dev/null
	SHARE_MOUNTED=
}
