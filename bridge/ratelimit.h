/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ratelimit.h - a token bucket: COUNT tokens per PERIOD, at most COUNT
 * saved up. Integer arithmetic on a monotonic millisecond clock.
 */
#ifndef SESAME_RATELIMIT_H
#define SESAME_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	uint64_t level;		/* in units: one token is period_ms units */
	uint64_t capacity;	/* count * period_ms */
	uint64_t period_ms;
	uint64_t count;		/* units added per millisecond */
	int64_t last_ms;
};

/* Starts full. */
void ratelimit_init(struct ratelimit *rl, unsigned int count,
		    unsigned int period_ms, int64_t now_ms);

/* Takes a token if there is one. */
bool ratelimit_take(struct ratelimit *rl, int64_t now_ms);

/* Milliseconds until a token will be there (0: now). */
int64_t ratelimit_wait_ms(struct ratelimit *rl, int64_t now_ms);

#endif
