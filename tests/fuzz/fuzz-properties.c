/*
 * fuzz-properties.c - libFuzzer target: device-tree property values as
 * sesame_cfg_check() sees them, and what an accepted configuration feeds
 * into (angle mapping, status line, the pulse schedule).
 *
 * Input: 7 u32 properties, then a label, then times. Checked: an accepted
 * configuration keeps every mapped width within min..max and below the
 * period, leaves slack for a late rise, and the schedule always moves
 * forward on its grid; a refused one names a property in its message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame-core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static u32 take_u32(const uint8_t **data, size_t *size)
{
	u32 v = 0;

	if (*size >= 4) {
		memcpy(&v, *data, 4);
		*data += 4;
		*size -= 4;
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sesame_cfg cfg;
	char msg[SESAME_MSG_MAX];
	char label[SESAME_LABEL_MAX + 8];
	size_t label_len;
	u32 deg, skipped;
	s64 b, now, next;

	cfg.period_us = take_u32(&data, &size);
	cfg.min_pulse_us = take_u32(&data, &size);
	cfg.max_pulse_us = take_u32(&data, &size);
	cfg.closed_pulse_us = take_u32(&data, &size);
	cfg.open_pulse_us = take_u32(&data, &size);
	cfg.hold_ms = take_u32(&data, &size);
	cfg.idle_ms = take_u32(&data, &size);

	label_len = size < sizeof(label) - 1 ? size : sizeof(label) - 1;
	memcpy(label, data, label_len);
	label[label_len] = '\0';
	if (sesame_label_valid(label))
		check(strlen(label) >= 1 && strlen(label) <= SESAME_LABEL_MAX &&
		      strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
		      strlen(label));

	msg[0] = '\0';
	if (sesame_cfg_check(&cfg, msg, sizeof(msg))) {
		check(strncmp(msg, "sesame,", 7) == 0);
		return 0;
	}

	for (deg = 0; deg <= SESAME_DEGREES; deg++) {
		u32 us = sesame_angle_to_us(&cfg, deg);

		check(us >= cfg.min_pulse_us && us <= cfg.max_pulse_us);
		check(us < cfg.period_us);
		check(sesame_us_to_angle(&cfg, us) <= SESAME_DEGREES);
		check(sesame_rise_in_time(0, 0, cfg.period_us * 1000, us * 1000));
	}

	b = (s64)take_u32(&data, &size) * 1000;
	now = b + (s64)take_u32(&data, &size) * 1000;
	next = sesame_next_boundary(b, now, cfg.period_us * 1000, &skipped);
	check(next > now && next > b);
	check((next - b) % ((s64)cfg.period_us * 1000) == 0);
	check(next - now <= (s64)cfg.period_us * 1000);
	check((next - b) / ((s64)cfg.period_us * 1000) == (s64)skipped + 1);
	return 0;
}
