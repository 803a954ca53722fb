# guest-bench-lib.sh - what every guest half of the pulse benchmarks shares
# (busybox sh, sourced in the emulated Pi after /opt/sesame-lib.sh): its
# parameters, the trace it reads, the SD card, the load, and the markers
# that frame each run.
#
# Parameters on the kernel command line (pulse.sh sets them): bench.pulses=N,
# bench.budgets=0,10,..., bench.phases=idle,load and bench.spread=1.
#
# Everything runs on CPU0 (its affinity), the load too; pulse.sh boots the
# kernel with CPUs 1-3 isolated (isolcpus, nohz_full, rcu_nocbs,
# irqaffinity), so that the kernel's own work stays on CPU0 as well and the
# other three vCPUs just sleep. The reason is qemu: under instruction
# counting it runs its four vCPUs in turn, so an interrupt for one busy vCPU
# waits for the others' turns, and a lock held on one vCPU is held for as
# long as the others run (seen: the DMA interrupt handler spinning 3.5 ms
# on a lock held by a kworker on CPU1). A real Pi does neither. On one
# busy vCPU interrupts come in time, and every approach competes with the
# load for the same CPU, as on a Pi whose cores are all busy.
# bench.spread=1 (pulse.sh -U) leaves all four CPUs to the scheduler.
# shellcheck shell=sh
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
bench_trace() {
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
}

# bench-info: what the analysers need to know of this boot.
bench_info() {
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc --all)"
	echo "cpus_used=$(nproc)"
	echo "pulses=$pulses"
	echo "period_us=$PERIOD_US"
	echo "width_us=$WIDTH_US"
	echo "budgets=$budgets"
	echo "phases=$phases"
	echo "tick_filtered=${tick:+1}"
}

# The SD card, for the I/O half of the load.
bench_sd() {
	mkdir -p /mnt/sd
	mount -t ext4 /dev/mmcblk0 /mnt/sd || echo "guest: no SD card; I/O load goes to tmpfs"
}

# load_start / load_stop: CPU on every core, and file I/O (writes, fsync,
# reads) on the SD card's ext4: the kind of load a busy Pi has. $phase is
# the caller's, as for begin and end.
# shellcheck disable=SC2154
load_start() {
	stress-ng --cpu "$(nproc)" --cpu-method int64 --hdd 1 --hdd-bytes 4M --io 1 \
		--temp-path /mnt/sd --metrics-brief > "$phase-stress-ng.log" 2>&1 &
	stress=$!
	sleep 2
}
load_stop() {
	kill "$stress"
	wait "$stress"
}

# begin NAME / end NAME: frame a run of the current $phase in the trace.
begin() {
	echo "== $phase/$1"
	mark "bench begin $phase/$1"
}
end() {
	mark "bench end $phase/$1"
}
