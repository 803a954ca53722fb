// SPDX-License-Identifier: GPL-2.0
/*
 * status.c - parse the driver's status line (see status.h).
 */
#include "status.h"

#include <stdbool.h>
#include <string.h>

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool value_char(char c)
{
	return c > ' ' && c < 0x7f;
}

int status_parse(const char *buf, size_t len, enum dev_state *state)
{
	static const struct {
		const char *name;
		enum dev_state state;
	} states[] = {
		{ "unknown", DEV_STATE_UNKNOWN },
		{ "open", DEV_STATE_OPEN },
		{ "closed", DEV_STATE_CLOSED },
		{ "angle", DEV_STATE_ANGLE },
	};
	const char *p = buf, *end;
	bool have_state = false;
	size_t i;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len > STATUS_LINE_MAX)
		return -1;
	end = buf + len;
	while (p < end) {
		const char *key = p, *eq, *val, *tok_end;

		while (p < end && key_char(*p))
			p++;
		if (p == key || p == end || *p != '=')
			return -1;
		eq = p++;
		val = p;
		while (p < end && value_char(*p) && *p != '=')
			p++;
		if (p == val)
			return -1;
		tok_end = p;
		if (p < end) {
			if (*p != ' ' || p + 1 == end)
				return -1;
			p++;
		}
		if ((size_t)(eq - key) == 5 && !memcmp(key, "state", 5)) {
			if (have_state)
				return -1;
			have_state = true;
			*state = DEV_STATE_OTHER;
			for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
				if (strlen(states[i].name) == (size_t)(tok_end - val) &&
				    !memcmp(states[i].name, val, (size_t)(tok_end - val)))
					*state = states[i].state;
		}
	}
	return have_state ? 0 : -1;
}

const char *status_mqtt(enum dev_state state)
{
	return state == DEV_STATE_OPEN ? "open" : "closed";
}
