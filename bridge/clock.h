/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h - the two clocks the bridge uses: monotonic milliseconds for
 * timers and rate limits, wall-clock seconds for signed time stamps.
 */
#ifndef SESAME_CLOCK_H
#define SESAME_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);
int64_t clock_wall_s(void);

#endif
