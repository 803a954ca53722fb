/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h - the clocks the bridge uses: monotonic milliseconds for timers
 * and rate limits, wall-clock seconds for signed time stamps, and the
 * kernel's word on whether the wall clock can be trusted.
 */
#ifndef SESAME_CLOCK_H
#define SESAME_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);
int64_t clock_wall_s(void);
int64_t clock_wall_ms(void);

/*
 * Whether the wall clock is synchronised, as the kernel keeps it for NTP
 * (adjtimex(2): not TIME_ERROR, no STA_UNSYNC; what timedatectl shows as
 * "System clock synchronized"). A Raspberry Pi has no real-time clock: it
 * boots with a saved or made-up time, and this says "no" until
 * systemd-timesyncd, chrony or ntpd has set it. Returns 1 or 0, or -errno
 * when the kernel cannot be asked (a sandbox that denies adjtimex()).
 */
int clock_synced(void);

#endif
