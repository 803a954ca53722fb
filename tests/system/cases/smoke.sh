# smoke.sh - guest half of the one boot each further kernel gets (the
# kernel matrix: RT, backports, the Pi 2): the overlay's servo opens,
# closes by itself, stops at idle, and goes away cleanly. The host
# (test_driver.py, boot "smoke") checks.
#
# Around it, the function tracer watches the sleeping locks (rt_spin_lock,
# rt_mutex_lock*, mutex_lock*, down*) and schedule(): none may run inside
# sesame's hard timer callback. On PREEMPT_RT a spinlock_t is a sleeping
# rt_spin_lock, and Debian's RT kernel has no might_sleep() debugging to
# say so by itself.
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh
PATH=/opt:$PATH
T=/sys/kernel/tracing

# Only the functions this kernel has; a name it lacks is refused.
for f in rt_spin_lock rt_read_lock rt_write_lock 'rt_mutex_lock*' 'mutex_lock*' \
	 down down_interruptible down_killable down_timeout down_read down_write schedule; do
	echo "$f" >> "$T/set_ftrace_filter" 2> /dev/null
done
cat "$T/set_ftrace_filter" > ftrace-filter.out
echo 1 > "$T/events/timer/hrtimer_expire_exit/enable"
# Before anything is traced: a change of tracer empties the trace.
echo function > "$T/current_tracer"
uname -v > uname.out

step probe
run insmod insmod /lib/modules/sesame.ko
snapshot sesame 18
stat -c '%n %a %u %g %F' /dev/sesame* > nodes.out 2>&1
cat /sys/kernel/debug/gpio > gpio-probe.out

# open, hold 3 s, auto-close, idle stop 1 s later; poll() sees both.
step open
devio /dev/sesame write open sleep 200 read poll 6000 read poll 4000 read > open.out
sleep 0.3

step rmmod
# Where the module's code was: once it is gone, the trace names its
# functions by address only.
echo 0 > /proc/sys/kernel/kptr_restrict
grep '^sesame ' /proc/modules > module.out
run rmmod rmmod sesame
ls /dev/sesame* > nodes-after-rmmod.out 2>&1
# The tracer stays on: changing it would empty the trace.
step end
