#!/usr/bin/env python3
"""pwm_gpiod.py - the original door project's kind of servo code: a Python
software PWM, through the kernel's GPIO character device.

Usage: pwm_gpiod.py CHIP LINE PULSES [PERIOD_US WIDTH_US [TRACE_MARKER]]

RPi.GPIO's software PWM (what gpiozero's Servo uses with RPi.GPIO) is a
thread that sets the pin, sleeps the high time, clears it, sleeps the low
time, over and over, each sleep relative to when the previous one ended.
This is the same loop in Python, on python3-libgpiod (libgpiod v1, Debian
12), so that the kernel's trace sees every edge (RPi.GPIO writes the GPIO
registers through /dev/mem, which no trace sees). It runs as a user's
script would: default scheduling, nothing locked.

With TRACE_MARKER, a line "pwm_gpiod: start period=NS width=NS pulses=N"
goes to the kernel trace first. At the end one line on stdout:
"pwm_gpiod: pulses=N cpu_ns=N wall_ns=N".
"""
import sys
import time

import gpiod


def main(argv):
    if len(argv) not in (4, 6, 7):
        sys.exit(__doc__.split("\n\n")[1])
    chip_name, offset, pulses = argv[1], int(argv[2]), int(argv[3])
    period_us, width_us = (int(argv[4]), int(argv[5])) if len(argv) > 4 else (20000, 1500)
    on, off = width_us / 1e6, (period_us - width_us) / 1e6

    chip = gpiod.Chip(chip_name)
    line = chip.get_line(offset)
    line.request(consumer="pwm_gpiod", type=gpiod.LINE_REQ_DIR_OUT, default_vals=[0])
    if len(argv) == 7:
        with open(argv[6], "w") as marker:
            marker.write(f"pwm_gpiod: start period={period_us * 1000} "
                         f"width={width_us * 1000} pulses={pulses}\n")

    cpu0, wall0 = time.process_time_ns(), time.monotonic_ns()
    for _ in range(pulses):
        line.set_value(1)
        time.sleep(on)
        line.set_value(0)
        time.sleep(off)
    print(f"pwm_gpiod: pulses={pulses} cpu_ns={time.process_time_ns() - cpu0} "
          f"wall_ns={time.monotonic_ns() - wall0}")
    line.release()
    chip.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
