// SPDX-License-Identifier: GPL-2.0
/*
 * ratelimit.c - token bucket (see ratelimit.h).
 */
#include "ratelimit.h"

void ratelimit_init(struct ratelimit *rl, unsigned int count,
		    unsigned int period_ms, int64_t now_ms)
{
	rl->count = count;
	rl->period_ms = period_ms;
	rl->capacity = (uint64_t)count * period_ms;
	rl->level = rl->capacity;
	rl->last_ms = now_ms;
}

static void refill(struct ratelimit *rl, int64_t now_ms)
{
	uint64_t elapsed;

	if (now_ms <= rl->last_ms)
		return;
	elapsed = (uint64_t)(now_ms - rl->last_ms);
	/* After one period the bucket is full: this also bounds the product. */
	if (elapsed >= rl->period_ms)
		rl->level = rl->capacity;
	else if (rl->level + elapsed * rl->count >= rl->capacity)
		rl->level = rl->capacity;
	else
		rl->level += elapsed * rl->count;
	rl->last_ms = now_ms;
}

bool ratelimit_take(struct ratelimit *rl, int64_t now_ms)
{
	refill(rl, now_ms);
	if (rl->level < rl->period_ms)
		return false;
	rl->level -= rl->period_ms;
	return true;
}

int64_t ratelimit_wait_ms(struct ratelimit *rl, int64_t now_ms)
{
	refill(rl, now_ms);
	if (rl->level >= rl->period_ms)
		return 0;
	/* round up: a token needs period_ms units at count units per ms */
	return (int64_t)((rl->period_ms - rl->level + rl->count - 1) / rl->count);
}
