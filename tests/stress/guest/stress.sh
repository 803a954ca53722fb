# stress.sh - guest half of the device stress test (tests/stress/): load
# sesame.ko, let hammer loose on both servos for the time given on the
# kernel command line (stress.seconds=N), then take the module out while
# both servos pulse, and have the kernel check its slabs. What the guest
# saw stays in /results; tests/stress/test_stress.py judges it.
#
# Debian's kernel has no lockdep, KASAN or KFENCE; the host boots it with
# slub_debug=FZPU (poisoned, red-zoned, checked slabs), so that a use after
# free or an overflow of the driver's objects shows in the kernel log.
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh
PATH=/opt:$PATH
secs=$(sed -n 's/.*stress\.seconds=\([0-9]*\).*/\1/p' /proc/cmdline)

step setup
# Keep the trace to what the pulse checks need: the timers of sleeping
# tasks and of the scheduler tick would be most of it under this load.
sym() { grep " $1\$" /proc/kallsyms | cut -d' ' -f1 | head -n 1; }
filter="function != 0x$(sym hrtimer_wakeup) && function != 0x$(sym tick_sched_timer)"
for ev in hrtimer_start hrtimer_expire_entry; do
	echo "$filter" > "$RIG_TRACE/events/timer/$ev/filter"
done
cat "$RIG_TRACE/events/timer/hrtimer_start/filter" > filter.out
# A task stuck in the driver is reported after 10 s, not 2 minutes.
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
# The slab debugging the host asked for, as the kernel took it.
for f in sanity_checks red_zone poison store_user; do
	echo "$f=$(cat /sys/kernel/slab/kmalloc-1k/$f)"
done > slub.out

run insmod insmod /lib/modules/sesame.ko
snapshot sesame 18
snapshot sesame-side 17

step stress
run hammer hammer -t "${secs:-30}" -m /lib/modules/sesame.ko -d sesame -d sesame-side \
	-o hammer.out

# Everything let go: no reference may be left on the module.
step settle
sleep 0.5
cat /sys/module/sesame/refcnt > refcnt.out 2>&1

# Taken out while both servos pulse: each ends with a whole pulse, low.
step final
devio /dev/sesame write open > final-main.out
devio /dev/sesame-side write 90 > final-side.out
sleep 0.3
run rmmod rmmod sesame
ls /dev/sesame* > nodes-after.out 2>&1
grep sesame /sys/kernel/debug/gpio > gpio-after.out
step after
sleep 0.3

# Every slab checked now: a write after free shows as poison overwritten.
step validate
for f in /sys/kernel/slab/*/validate; do
	echo 1 > "$f" 2>/dev/null
done
echo validated > validate.out
step end
