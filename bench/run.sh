#!/bin/sh
# run.sh - `make bench`: every benchmark once, then bench/RESULTS.md and
# its plots (bench/img/). make builds what this needs first (bench/bench.mk).
#
# Usage: bench/run.sh OUTDIR      (default build/bench)
# Environment (bench.mk sets them): BENCH_PULSES, BENCH_BUDGETS,
# BENCH_BUDGETS_HOST, BENCH_COMMANDS, BENCH_ROUNDS, BENCH_IDLE_S,
# BENCH_BASELINE, BENCH_KERNEL (the peer's and the servos' kernel),
# BENCH_KERNELS (the pulse table's other kernels); BENCH_BUDGETS_KERNELS and
# BENCH_BUDGETS_SERVOS (0,5,50).
set -eu

out=${1:-build/bench}
here=$(cd "$(dirname "$0")" && pwd)
pulses=${BENCH_PULSES:-300}
budgets=${BENCH_BUDGETS:-0,5,10,20,50}
budgets_host=${BENCH_BUDGETS_HOST:-0,50}
commands=${BENCH_COMMANDS:-1000}
rounds=${BENCH_ROUNDS:-3}
idle=${BENCH_IDLE_S:-60}
baseline=$out/baseline/build/bridge/sesame-bridge
kernel=${BENCH_KERNEL:-trixie-arm64}
kernels=${BENCH_KERNELS:-trixie-arm64 trixie-rt-arm64}
# The other kernels' pulse table and the servos: off, a little, the default.
budgets_kernels=${BENCH_BUDGETS_KERNELS:-0,5,50}
budgets_servos=${BENCH_BUDGETS_SERVOS:-0,5,50}
mkdir -p "$out/img"

# What the figures were measured on, and how busy it was: the machine is
# often shared, and its load goes into the results as it was.
load() {
	echo "$1 $(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
}
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "cores=$(nproc)"
	echo "memory_mb=$(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo)"
	echo "host_kernel=$(uname -r)"
	echo "os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
	echo "virtualization=$(systemd-detect-virt 2>/dev/null || echo unknown)"
	echo "qemu=$(qemu-system-aarch64 --version | head -n 1)"
	echo "guest_kernel=$(cat build/guest/kver)"
	echo "kernels=$kernels"
	for k in $kernels; do echo "guest_kernel_$k=$(cat "build/kernels/$k/kver")"; done
	echo "mosquitto=$(dpkg-query -W -f '${Version}' mosquitto)"
	echo "openssl=$(openssl version)"
	echo "paho=$(dpkg-query -W -f '${Version}' python3-paho-mqtt)"
	echo "commit=$(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo "pulses=$pulses"
	echo "budgets=$budgets"
	echo "budgets_host=$budgets_host"
	echo "commands=$commands"
	echo "rounds=$rounds"
	echo "idle_s=$idle"
} > "$out/machine.txt"
: > "$out/load.txt"

echo "== 1. pulse precision in the emulated Pi, instruction-counted time"
load pulse-start
"$here/pulse/pulse.sh" "$out/pulse" -n "$pulses" -b "$budgets"
load pulse-end
python3 "$here/pulse/analyse.py" "$out/pulse/run/results" "$out/pulse.json" --plot-dir "$out/img"

echo "== 1b. the same in host time (supplementary: shows the host's noise)"
load pulse-host-start
"$here/pulse/pulse.sh" "$out/pulse-host" -H -n "$pulses" -b "$budgets_host"
load pulse-host-end
python3 "$here/pulse/analyse.py" "$out/pulse-host/run/results" "$out/pulse-host.json"

echo "== 4. sesame's pulses on the other kernels ($kernels)"
for k in $kernels; do
	load "pulse-$k-start"
	"$here/pulse/pulse.sh" "$out/pulse-$k" -k "$k" -n "$pulses" -b "$budgets_kernels"
	load "pulse-$k-end"
	python3 "$here/pulse/analyse.py" "$out/pulse-$k/run/results" "$out/pulse-$k.json"
done

echo "== 5. sesame.ko against mainline's pwm-gpio.ko ($kernel)"
load peer-start
"$here/pulse/pulse.sh" "$out/peer" -k "$kernel" -s peer -n "$pulses"
load peer-end
cp "build/bench/pwm-gpio-$kernel/source-version" "$out/peer/run/results/pwm-gpio-source"
python3 "$here/pulse/peer.py" "$out/peer/run/results" "$out/peer.json"

echo "== 6. several servos at once ($kernel)"
load servos-start
"$here/pulse/pulse.sh" "$out/servos" -k "$kernel" -s servos -n "$pulses" -b "$budgets_servos" -p idle
load servos-end
python3 "$here/pulse/servos.py" "$out/servos/run/results" "$out/servos.json"

echo "== 2-3. command latency, the subscribers' own share of it (kernel trace), memory and idle cost on this host"
load latency-start
[ -x "$baseline" ] || baseline=
BASELINE=$baseline "$here/latency/latency.sh" "$out/latency" -n "$commands" -r "$rounds" -w "$idle"
load latency-end
python3 "$here/latency/analyse.py" "$out/latency" "$out/latency.json" --plot "$out/img/latency.png"

echo "== 2c. memory beside mosquitto_sub, on bookworm and in a trixie chroot"
load memory-start
"$here/latency/memory-peers.sh" "$out/memory" "$out/memory.json" -n "$commands"
load memory-end

echo "== the report"
python3 "$here/report.py" "$out" "$here/RESULTS.md"
mkdir -p "$here/img"
cp "$out"/img/*.png "$here/img/"
echo "bench: wrote $here/RESULTS.md and $here/img/"
