/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backoff.h - reconnect delays: exponential, capped, with "equal jitter"
 * (a random delay in the upper half of the current step), so that many
 * bridges that lost the same broker do not come back in step.
 */
#ifndef SESAME_BACKOFF_H
#define SESAME_BACKOFF_H

#include <stdint.h>

struct backoff {
	unsigned int min_ms;
	unsigned int max_ms;
	unsigned int failures;	/* since the last success */
};

void backoff_init(struct backoff *b, unsigned int min_ms, unsigned int max_ms);

/* The delay before the next attempt; RND is a uniformly random number. */
unsigned int backoff_next(struct backoff *b, uint32_t rnd);

void backoff_reset(struct backoff *b);

#endif
