// SPDX-License-Identifier: GPL-2.0
/*
 * backoff.c - capped exponential backoff with jitter (see backoff.h).
 */
#include "backoff.h"

void backoff_init(struct backoff *b, unsigned int min_ms, unsigned int max_ms)
{
	b->min_ms = min_ms;
	b->max_ms = max_ms < min_ms ? min_ms : max_ms;
	b->failures = 0;
}

unsigned int backoff_next(struct backoff *b, uint32_t rnd)
{
	uint64_t step = b->min_ms;
	unsigned int i;

	for (i = 0; i < b->failures && step < b->max_ms; i++)
		step *= 2;
	if (step > b->max_ms)
		step = b->max_ms;
	if (b->failures < 64)
		b->failures++;
	return (unsigned int)(step - step / 2 + rnd % (step / 2 + 1));
}

void backoff_reset(struct backoff *b)
{
	b->failures = 0;
}
