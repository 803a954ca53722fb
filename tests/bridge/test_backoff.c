// SPDX-License-Identifier: GPL-2.0
/*
 * test_backoff.c - reconnect delays: doubling, capped, jittered into the
 * upper half of each step, and back to the start after a success.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"

static void test_doubling_and_cap(void **state)
{
	static const unsigned int steps[] = { 1000, 2000, 4000, 8000, 16000, 32000,
					      60000, 60000, 60000 };
	struct backoff lo, hi;
	unsigned int i;

	(void)state;
	backoff_init(&lo, 1000, 60000);
	backoff_init(&hi, 1000, 60000);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* The smallest and the largest random number: both ends of the step. */
		assert_int_equal(backoff_next(&lo, 0), steps[i] / 2);
		assert_int_equal(backoff_next(&hi, steps[i] / 2), steps[i]);
	}
	for (i = 0; i < 1000; i++)
		assert_int_equal(backoff_next(&hi, UINT32_MAX) <= 60000, 1);
}

static void test_jitter_range(void **state)
{
	struct backoff b;
	uint32_t r;
	unsigned int d;

	(void)state;
	for (r = 0; r < 5000; r += 7) {
		backoff_init(&b, 1000, 60000);
		backoff_next(&b, 0);
		backoff_next(&b, 0);
		d = backoff_next(&b, r * 2654435761u);	/* third step: 4 s */
		assert_in_range(d, 2000, 4000);
	}
}

static void test_reset(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 500, 10000);
	backoff_next(&b, 0);
	backoff_next(&b, 0);
	backoff_next(&b, 0);
	backoff_reset(&b);
	assert_int_equal(backoff_next(&b, 250), 500);
}

static void test_many_failures(void **state)
{
	struct backoff b;
	int i;

	(void)state;
	/* No overflow, however long the broker is away. */
	backoff_init(&b, 1000, 3600000);
	for (i = 0; i < 100000; i++)
		assert_in_range(backoff_next(&b, (uint32_t)i), 500, 3600000);
	assert_int_equal(backoff_next(&b, 0), 1800000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubling_and_cap),
		cmocka_unit_test(test_jitter_range),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_many_failures),
	};

	return cmocka_run_group_tests_name("backoff", tests, NULL, NULL);
}
