// SPDX-License-Identifier: GPL-2.0
/*
 * test_payload.c - plain-text payload words: the documented mapping, case
 * and white space, and everything that must not move the servo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "config.h"
#include "payload.h"

static struct config cfg;

static int setup(void **state)
{
	(void)state;
	config_init(&cfg, "door");
	return 0;
}

static enum command judge(const char *payload, size_t len, enum reason want)
{
	char detail[VERDICT_DETAIL_MAX] = "";
	enum command cmd = CMD_NONE;

	assert_int_equal(payload_plain(&cfg, payload, len, &cmd, detail, sizeof(detail)), want);
	if (want != REASON_NONE)
		assert_true(detail[0] != '\0');
	return cmd;
}

#define OPENS(s)  assert_int_equal(judge(s, strlen(s), REASON_NONE), CMD_OPEN)
#define CLOSES(s) assert_int_equal(judge(s, strlen(s), REASON_NONE), CMD_CLOSE)
#define REFUSED(s, n) judge(s, n, REASON_MALFORMED)

static void test_default_mapping(void **state)
{
	(void)state;
	/* Plain words, Home Assistant's lock payloads, switch-style aliases. */
	OPENS("open");
	OPENS("OPEN");
	OPENS("Open");
	OPENS("unlock");
	OPENS("UNLOCK");
	OPENS("press");
	OPENS("PRESS");
	OPENS("on");
	OPENS("ON");
	CLOSES("close");
	CLOSES("CLOSE");
	CLOSES("lock");
	CLOSES("LOCK");
	CLOSES("off");
	CLOSES("OFF");
}

static void test_white_space(void **state)
{
	(void)state;
	OPENS("open\n");
	OPENS("open\r\n");
	OPENS("  open\t");
	CLOSES("\nlock\n");
}

static void test_refused(void **state)
{
	(void)state;
	REFUSED("", 0);
	REFUSED("   \n", 4);
	REFUSED("opened", 6);
	REFUSED("ope", 3);
	REFUSED("open now", 8);
	REFUSED("open!", 5);
	REFUSED("\"open\"", 6);
	REFUSED("open\0", 5);
	REFUSED("op\0en", 5);
	REFUSED("\xc3\xb6" "ffnen", 7);
	REFUSED("1", 1);
	REFUSED("true", 4);
	REFUSED("unlockunlockunlock", 18);
	/* No prefix matching on a payload cut short by its length. */
	assert_int_equal(judge("openx", 4, REASON_NONE), CMD_OPEN);
	REFUSED("openx", 5);
}

static void test_custom_words(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(config_parse_line(&cfg, "open_words sesam", "t", 1, err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&cfg, "close_words zu", "t", 2, err, sizeof(err)), 0);
	OPENS("Sesam");
	CLOSES("ZU");
	/* The defaults are replaced, not extended. */
	REFUSED("open", 4);
	REFUSED("lock", 4);
}

static void test_payload_word(void **state)
{
	(void)state;
	assert_int_equal(payload_word(&cfg, "unlock", 6), CMD_OPEN);
	assert_int_equal(payload_word(&cfg, "unlock", 5), CMD_NONE);
	assert_int_equal(payload_word(&cfg, "", 0), CMD_NONE);
	assert_int_equal(payload_word(&cfg, "o\0", 2), CMD_NONE);
	assert_string_equal(command_name(CMD_OPEN), "open");
	assert_string_equal(command_name(CMD_CLOSE), "close");
	assert_null(command_name(CMD_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_default_mapping, setup),
		cmocka_unit_test_setup(test_white_space, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test_setup(test_custom_words, setup),
		cmocka_unit_test_setup(test_payload_word, setup),
	};

	return cmocka_run_group_tests_name("payload", tests, NULL, NULL);
}
