// SPDX-License-Identifier: GPL-2.0
/*
 * test_ratelimit.c - the token bucket that limits opens and reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

static void test_burst_then_refill(void **state)
{
	struct ratelimit rl;
	int i;

	(void)state;
	ratelimit_init(&rl, 6, 60000, 1000);
	for (i = 0; i < 6; i++)
		assert_true(ratelimit_take(&rl, 1000));
	assert_false(ratelimit_take(&rl, 1000));
	/* One token per 10 s. */
	assert_int_equal(ratelimit_wait_ms(&rl, 1000), 10000);
	assert_false(ratelimit_take(&rl, 10999));
	assert_int_equal(ratelimit_wait_ms(&rl, 10999), 1);
	assert_true(ratelimit_take(&rl, 11000));
	assert_false(ratelimit_take(&rl, 11000));
}

static void test_capacity_is_bounded(void **state)
{
	struct ratelimit rl;
	int i;

	(void)state;
	ratelimit_init(&rl, 3, 1000, 0);
	/* A day of idling saves up no more than one burst. */
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_take(&rl, 86400000));
	assert_false(ratelimit_take(&rl, 86400000));
	assert_int_equal(ratelimit_wait_ms(&rl, 86400000), 334);
}

static void test_clock_not_moving(void **state)
{
	struct ratelimit rl;

	(void)state;
	ratelimit_init(&rl, 1, 1000, 5000);
	assert_true(ratelimit_take(&rl, 5000));
	/* An earlier time (never from CLOCK_MONOTONIC) adds nothing. */
	assert_false(ratelimit_take(&rl, 4000));
	assert_false(ratelimit_take(&rl, 5999));
	assert_true(ratelimit_take(&rl, 6000));
}

static void test_large_values(void **state)
{
	struct ratelimit rl;
	int i;

	(void)state;
	ratelimit_init(&rl, 1000, 86400000, 0);
	for (i = 0; i < 1000; i++)
		assert_true(ratelimit_take(&rl, 0));
	assert_false(ratelimit_take(&rl, 0));
	assert_int_equal(ratelimit_wait_ms(&rl, 0), 86400);
	assert_true(ratelimit_take(&rl, 86400));
	/* Far later: full again, without overflow. */
	assert_true(ratelimit_take(&rl, INT64_MAX / 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refill),
		cmocka_unit_test(test_capacity_is_bounded),
		cmocka_unit_test(test_clock_not_moving),
		cmocka_unit_test(test_large_values),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
