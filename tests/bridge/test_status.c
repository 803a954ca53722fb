// SPDX-License-Identifier: GPL-2.0
/*
 * test_status.c - the /dev/sesame status line parser, and the mapping of
 * its states to B/state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "status.h"

static int parse(const char *line, enum dev_state *state)
{
	*state = (enum dev_state)-1;
	return status_parse(line, strlen(line), state);
}

static void accepts(const char *line, enum dev_state want)
{
	enum dev_state state;

	assert_int_equal(parse(line, &state), 0);
	assert_int_equal(state, want);
}

static void refuses(const char *line)
{
	enum dev_state state;

	assert_int_equal(parse(line, &state), -1);
}

static void test_states(void **state)
{
	(void)state;
	accepts("state=open pulse_us=2000 angle=135 pulsing=1 opens=3\n", DEV_STATE_OPEN);
	accepts("state=closed pulse_us=1000 angle=45 pulsing=0 opens=3\n", DEV_STATE_CLOSED);
	accepts("state=unknown pulse_us=0 angle=0 pulsing=0 opens=0\n", DEV_STATE_UNKNOWN);
	accepts("state=angle pulse_us=1500 angle=90 pulsing=1 opens=0\n", DEV_STATE_ANGLE);
	/* A state a later driver adds is not "open". */
	accepts("state=jammed\n", DEV_STATE_OTHER);
	accepts("state=opening\n", DEV_STATE_OTHER);
}

static void test_mapping(void **state)
{
	(void)state;
	assert_string_equal(status_mqtt(DEV_STATE_OPEN), "open");
	assert_string_equal(status_mqtt(DEV_STATE_CLOSED), "closed");
	assert_string_equal(status_mqtt(DEV_STATE_UNKNOWN), "closed");
	assert_string_equal(status_mqtt(DEV_STATE_ANGLE), "closed");
	assert_string_equal(status_mqtt(DEV_STATE_OTHER), "closed");
}

static void test_layout(void **state)
{
	(void)state;
	/* Keys in any order, unknown keys ignored, newline optional. */
	accepts("opens=3 state=open", DEV_STATE_OPEN);
	accepts("future_key=x state=closed later=y-z_1.5\n", DEV_STATE_CLOSED);
	accepts("state=open", DEV_STATE_OPEN);
}

static void test_refused(void **state)
{
	char line[STATUS_LINE_MAX + 16];
	enum dev_state st;

	(void)state;
	refuses("");
	refuses("\n");
	refuses("pulse_us=2000 angle=135\n");	/* no state */
	refuses("state=open state=closed\n");
	refuses("state=\n");
	refuses("state\n");
	refuses("=open\n");
	refuses("state=open  opens=3\n");
	refuses(" state=open\n");
	refuses("state=open \n");
	refuses("state=open\n\n");
	refuses("state=open\nstate=closed\n");
	refuses("State=open\n");
	refuses("state=op=en\n");
	refuses("state=open\topens=1\n");
	assert_int_equal(status_parse("state=open\0x", 12, &st), -1);
	memset(line, 'x', sizeof(line));
	memcpy(line, "state=open k=", 13);
	assert_int_equal(status_parse(line, STATUS_LINE_MAX + 1, &st), -1);
	assert_int_equal(status_parse(line, STATUS_LINE_MAX, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
