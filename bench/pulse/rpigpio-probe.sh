# rpigpio-probe.sh - what the original project's RPi.GPIO does in the
# emulated Pi (sourced by guest-pulse.sh; busybox sh).
#
# The script a user would run: set GPIO18 up as an output and start a 50 Hz
# software PWM with RPi.GPIO (Debian's python3-rpi.gpio). It is tried twice
# under strace, which shows every file it opens and what each mmap returned:
#   1. as the guest is (Debian's kernel and device tree);
#   2. with /proc/cpuinfo replaced by one that names a Pi 3 (the Hardware
#      and Revision lines of Raspberry Pi OS's kernel), to get past the
#      board check and see where it stops next.
# Results: rpigpio-N.out (the script's output), rpigpio-N.strace (the
# lines of the trace about the board check and the GPIO registers).
# shellcheck shell=sh

cat > /tmp/rpigpio-servo.py <<'EOF'
import sys, time
try:
    import RPi.GPIO as GPIO
except Exception as e:
    print(f"import RPi.GPIO: {type(e).__name__}: {e}")
    sys.exit(1)
print(f"import RPi.GPIO: ok, RPI_INFO={GPIO.RPI_INFO}")
try:
    GPIO.setmode(GPIO.BCM)
    GPIO.setup(18, GPIO.OUT)
except Exception as e:
    print(f"GPIO.setup(18, GPIO.OUT): {type(e).__name__}: {e}")
    sys.exit(1)
pwm = GPIO.PWM(18, 50)
pwm.start(7.5)
time.sleep(1)
pwm.stop()
GPIO.cleanup()
print("GPIO.PWM(18, 50) ran for 1 s")
EOF

rpigpio_try() {
	mark "bench begin rpigpio/$1"
	strace -f -e trace=openat,mmap -o "/tmp/rpigpio-$1.strace" \
		python3 /tmp/rpigpio-servo.py > "rpigpio-$1.out" 2>&1
	echo "exit=$?" >> "rpigpio-$1.out"
	mark "bench end rpigpio/$1"
	grep -E 'cpuinfo|device-tree|gpiomem|/dev/mem|mmap\(.*MAP_SHARED.*, 0x' \
		"/tmp/rpigpio-$1.strace" > "rpigpio-$1.strace"
}

echo "== RPi.GPIO"
rpigpio_try 1
printf 'Hardware\t: BCM2835\nRevision\t: a02082\n' > /tmp/cpuinfo
mount -o bind /tmp/cpuinfo /proc/cpuinfo
rpigpio_try 2
umount /proc/cpuinfo
