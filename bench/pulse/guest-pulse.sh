# guest-pulse.sh - guest half of the pulse benchmark (busybox sh, run by the
# rig's init in the emulated Pi; the host half is bench/pulse/pulse.sh).
#
# Every approach drives GPIO18 in turn, in this one boot, for the same
# number of pulses (20 ms period, 1500 us wide), first with the guest idle,
# then under CPU and I/O load (stress-ng: a CPU hog per CPU it may use, file
# writes with fsync and sync(2) on the SD card's ext4):
#   sesame-bN    sesame.ko with its busy-wait budget set to N us
#   swpwm        user-space C: libgpiod + clock_nanosleep(TIMER_ABSTIME),
#                SCHED_FIFO (bench/pulse/swpwm.c)
#   python-gpiod Python, RPi.GPIO's software PWM loop on python3-libgpiod
#                (bench/pulse/pwm_gpiod.py)
# and, per phase, a window in which /dev/sesame-idle (GPIO23) has been told
# a position and idle-ms has passed: its timer should not fire at all.
# Each run is framed in the trace by "bench begin PHASE/NAME" and "bench end
# PHASE/NAME" markers; what each program or sysfs said is left in
# /results/PHASE-NAME.*. RPi.GPIO itself is tried once (rpigpio-probe.sh).
#
# Everything here runs on CPU0 (its affinity), the load too; the host half
# boots the kernel with CPUs 1-3 isolated (isolcpus, nohz_full, rcu_nocbs,
# irqaffinity), so that the kernel's own work stays on CPU0 as well and the
# other three vCPUs just sleep. The reason is qemu: under instruction
# counting it runs its four vCPUs in turn, so an interrupt for one busy vCPU
# waits for the others' turns, and a lock held on one vCPU is held for as
# long as the others run (seen: the DMA interrupt handler spinning 3.5 ms
# on a lock held by a kworker on CPU1). A real Pi does neither. On one
# busy vCPU interrupts come in time, and every approach competes with the
# load for the same CPU, as on a Pi whose cores are all busy.
# bench.spread=1 (pulse.sh -U) leaves all four CPUs to the scheduler.
#
# Parameters on the kernel command line (qemu.sh -a): bench.pulses=N,
# bench.budgets=0,10,..., bench.phases=idle,load and bench.spread=1.
# shellcheck shell=sh disable=SC1091
. /opt/sesame-lib.sh
PATH=/opt:/usr/bin:$PATH
T=/sys/kernel/tracing
PERIOD_US=20000
WIDTH_US=1500

arg() {
	sed -n "s/.*bench\.$1=\([^ ]*\).*/\1/p" /proc/cmdline
}
pulses=$(arg pulses)
budgets=$(arg budgets | tr , ' ')
phases=$(arg phases | tr , ' ')
: "${pulses:=500}" "${budgets:=0 50}" "${phases:=idle load}"
[ "$(arg spread)" = 1 ] || taskset -p 1 $$ > /dev/null

# The rig traces GPIO levels and hrtimer starts and expiries. The
# scheduler tick's own timer is left out: under load it would fill the
# buffer with lines no figure needs. Interrupt handlers other than the
# timer's are added, to tell what held a late edge up.
echo 0 > $T/tracing_on
echo 32768 > $T/buffer_size_kb
echo > $T/trace
tick=$(sed -n 's/^\([0-9a-f]*\) t tick_sched_timer$/\1/p' /proc/kallsyms)
if [ -n "$tick" ]; then
	for ev in hrtimer_start hrtimer_expire_entry; do
		echo "function != 0x$tick" > $T/events/timer/$ev/filter
	done
fi
timer_irq=$(sed -n 's/^ *\([0-9]*\):.*arch_timer$/\1/p' /proc/interrupts | head -n 1)
for ev in irq_handler_entry irq_handler_exit; do
	[ -z "$timer_irq" ] || echo "irq != $timer_irq" > $T/events/irq/$ev/filter
	echo 1 > $T/events/irq/$ev/enable
done
echo 1 > $T/tracing_on

{
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc --all)"
	echo "cpus_used=$(nproc)"
	echo "pulses=$pulses"
	echo "period_us=$PERIOD_US"
	echo "width_us=$WIDTH_US"
	echo "budgets=$budgets"
	echo "phases=$phases"
	echo "tick_filtered=${tick:+1}"
} > bench-info

# The SD card, for the I/O half of the load.
mkdir -p /mnt/sd
mount -t ext4 /dev/mmcblk0 /mnt/sd || echo "guest-pulse: no SD card; I/O load goes to tmpfs"

# begin NAME / end NAME: frame a run in the trace.
begin() {
	echo "== $phase/$1"
	mark "bench begin $phase/$1"
}
end() {
	mark "bench end $phase/$1"
}

load_sesame() {
	insmod /lib/modules/sesame.ko || exit 1
	snapshot sesame 18
	snapshot sesame-idle 23
}

sesame_run() {
	sys=/sys/class/misc/sesame
	echo "$1" > $sys/busy_wait_us
	echo 1 > $sys/reset_stats
	begin "sesame-b$1"
	echo "${WIDTH_US}us" > /dev/sesame
	msleep $(((pulses + 3) * PERIOD_US / 1000))
	echo stop > /dev/sesame
	msleep 60
	end "sesame-b$1"
	for f in busy_wait_us pulses late_edges max_late_ns max_rise_late_ns missed_periods; do
		echo "$f=$(cat $sys/$f)"
	done > "$phase-sesame-b$1.sysfs"
}

# After a command and idle-ms, the idle servo's timer must stay quiet.
idle_window() {
	idle_ms=$(cat /sys/class/misc/sesame-idle/idle_ms)
	echo "${WIDTH_US}us" > /dev/sesame-idle
	msleep $((idle_ms + 500))
	begin module-idle
	sleep 5
	end module-idle
}

cpu_stat() {
	head -n 1 /proc/stat
}

for phase in $phases; do
	if [ "$phase" = load ]; then
		# CPU on every core, and file I/O (writes, fsync, reads) on the
		# SD card's ext4: the kind of load a busy Pi has.
		stress-ng --cpu "$(nproc)" --cpu-method int64 --hdd 1 --hdd-bytes 4M --io 1 \
			--temp-path /mnt/sd --metrics-brief > load-stress-ng.log 2>&1 &
		stress=$!
		sleep 2
	fi
	cpu_stat > "$phase-cpu.before"
	load_sesame
	idle_window
	for b in $budgets; do
		sesame_run "$b"
	done
	rmmod sesame

	begin swpwm
	swpwm -c gpiochip0 -l 18 -n "$pulses" -p $PERIOD_US -w $WIDTH_US -m $T/trace_marker \
		> "$phase-swpwm.out" 2>&1
	end swpwm

	begin python-gpiod
	python3 /opt/pwm_gpiod.py gpiochip0 18 "$pulses" $PERIOD_US $WIDTH_US $T/trace_marker \
		> "$phase-python-gpiod.out" 2>&1
	end python-gpiod
	cpu_stat > "$phase-cpu.after"

	if [ "$phase" = load ]; then
		kill "$stress"
		wait "$stress"
	fi
	cat /proc/loadavg > "$phase-loadavg"
done

. /opt/rpigpio-probe.sh
