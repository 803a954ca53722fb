// SPDX-License-Identifier: GPL-2.0
/*
 * test_json.c - what the bridge publishes as JSON: the B/event audit
 * record and the Home Assistant discovery message, read back with cJSON
 * the way a consumer would; and the topic names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "discovery.h"
#include "event.h"
#include "topics.h"

static const char *str(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_non_null(v);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void test_event_accepted(void **state)
{
	struct verdict v = { .cmd = CMD_OPEN, .reason = REASON_NONE, .is_signed = true };
	char buf[EVENT_JSON_MAX];
	cJSON *o;

	(void)state;
	assert_true(event_format(buf, sizeof(buf), &v, 1700000000, 0) > 0);
	o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_int_equal(cJSON_GetObjectItem(o, "time")->valuedouble, 1700000000);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "accepted")));
	assert_string_equal(str(o, "command"), "open");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "signed")));
	assert_null(cJSON_GetObjectItem(o, "reason"));
	assert_null(cJSON_GetObjectItem(o, "suppressed"));
	assert_null(cJSON_GetObjectItem(o, "opener"));
	cJSON_Delete(o);
}

/* A named command's event says who: the page and the audit trail need it. */
static void test_event_opener(void **state)
{
	struct verdict v = { .cmd = CMD_OPEN, .reason = REASON_UNKNOWN_OPENER,
			     .is_signed = true, .opener = "bob" };
	char buf[EVENT_JSON_MAX];
	cJSON *o;

	(void)state;
	snprintf(v.detail, sizeof(v.detail), "no key for opener bob: revoked, or never enrolled");
	assert_true(event_format(buf, sizeof(buf), &v, 1700000000, 0) > 0);
	o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_string_equal(str(o, "opener"), "bob");
	assert_string_equal(str(o, "reason"), "unknown opener");
	cJSON_Delete(o);
}

static void test_event_rejected(void **state)
{
	static const struct {
		enum reason reason;
		const char *name;
	} reasons[] = {
		{ REASON_RETAINED, "retained" },
		{ REASON_REPLAY, "replay" },
		{ REASON_STALE, "stale" },
		{ REASON_BAD_SIGNATURE, "bad signature" },
		{ REASON_RATE_LIMITED, "rate limited" },
		{ REASON_MALFORMED, "malformed" },
		{ REASON_DEVICE_ERROR, "device error" },
	};
	struct verdict v = { .cmd = CMD_NONE };
	char buf[EVENT_JSON_MAX];
	unsigned int i;
	cJSON *o;

	(void)state;
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		v.reason = reasons[i].reason;
		/* Quotes and backslashes in a detail stay inside the string. */
		snprintf(v.detail, sizeof(v.detail), "detail \"%u\" \\", i);
		assert_true(event_format(buf, sizeof(buf), &v, 1, i) > 0);
		o = cJSON_Parse(buf);
		assert_non_null(o);
		assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "accepted")));
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "command")));
		assert_string_equal(str(o, "reason"), reasons[i].name);
		assert_string_equal(str(o, "detail"), v.detail);
		if (i)
			assert_int_equal(cJSON_GetObjectItem(o, "suppressed")->valuedouble, i);
		else
			assert_null(cJSON_GetObjectItem(o, "suppressed"));
		cJSON_Delete(o);
	}
	/* Too small a buffer fails cleanly. */
	assert_int_equal(event_format(buf, 20, &v, 1, 0), -1);
}

static void test_topics(void **state)
{
	struct config cfg;
	struct topics t;
	char err[256];

	(void)state;
	config_init(&cfg, "door");
	assert_int_equal(config_parse_line(&cfg, "topic home/front", "t", 1, err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&cfg, "client_id front.door@1", "t", 2, err, sizeof(err)), 0);
	topics_init(&t, &cfg);
	assert_string_equal(t.set, "home/front/set");
	assert_string_equal(t.state, "home/front/state");
	assert_string_equal(t.availability, "home/front/availability");
	assert_string_equal(t.event, "home/front/event");
	assert_string_equal(t.ha_status, "homeassistant/status");
	assert_string_equal(t.node_id, "front_door_1");
	assert_string_equal(t.ha_config, "homeassistant/lock/front_door_1/config");
}

static void test_discovery(void **state)
{
	char buf[DISCOVERY_JSON_MAX], err[256];
	struct config cfg;
	struct topics t;
	cJSON *o, *dev;

	(void)state;
	config_init(&cfg, "door");
	topics_init(&t, &cfg);
	assert_true(discovery_format(buf, sizeof(buf), &cfg, &t, "1.2.3") > 0);
	o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "name")));
	/* One prefix, though the client id is sesame-door. */
	assert_string_equal(str(o, "unique_id"), "sesame_door");
	assert_string_equal(str(o, "command_topic"), "sesame/door/set");
	assert_string_equal(str(o, "state_topic"), "sesame/door/state");
	assert_string_equal(str(o, "availability_topic"), "sesame/door/availability");
	assert_string_equal(str(o, "payload_lock"), "LOCK");
	assert_string_equal(str(o, "payload_unlock"), "UNLOCK");
	assert_string_equal(str(o, "payload_open"), "OPEN");
	assert_string_equal(str(o, "state_locked"), "closed");
	assert_string_equal(str(o, "state_open"), "open");
	/* "open" is HA's open, not "unlocked": one state per payload. */
	assert_null(cJSON_GetObjectItem(o, "state_unlocked"));
	assert_string_equal(str(o, "payload_available"), "online");
	assert_string_equal(str(o, "payload_not_available"), "offline");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "retain")));
	dev = cJSON_GetObjectItem(o, "device");
	assert_non_null(dev);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(dev, "identifiers"), 0)->valuestring,
			    "sesame_door");
	assert_string_equal(str(dev, "sw_version"), "1.2.3");
	cJSON_Delete(o);

	/* With other words, HA is told words the bridge accepts. */
	assert_int_equal(config_parse_line(&cfg, "open_words sesam", "t", 1, err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&cfg, "close_words zu lock", "t", 2, err, sizeof(err)), 0);
	assert_true(discovery_format(buf, sizeof(buf), &cfg, &t, "1") > 0);
	o = cJSON_Parse(buf);
	assert_string_equal(str(o, "payload_unlock"), "sesam");
	assert_string_equal(str(o, "payload_open"), "sesam");
	assert_string_equal(str(o, "payload_lock"), "LOCK");
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_accepted),
		cmocka_unit_test(test_event_opener),
		cmocka_unit_test(test_event_rejected),
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_discovery),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
