// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c - monotonic and wall-clock time, and the clock's sync state
 * (see clock.h).
 */
#include "clock.h"

#include <errno.h>
#include <sys/timex.h>
#include <time.h>

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t clock_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int clock_synced(void)
{
	/* modes 0: only read; no privilege is needed for that. */
	struct timex tx = { .modes = 0 };
	int state = adjtimex(&tx);

	if (state < 0)
		return -errno;
	return state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}
