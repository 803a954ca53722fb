/*
 * fuzz-command.c - libFuzzer target: writes to /dev/sesame, as the driver
 * parses and applies them (driver/sesame-core.c, built as in the module).
 *
 * Input: bytes, split at 0xff into successive writes. Each is parsed; each
 * accepted command drives the motion state machine through a few period
 * boundaries. Checked after every step: a refused write changes nothing,
 * an accepted one is within the calibration, and the servo is never sent
 * a width outside min..max.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame-core.h"

#define PERIOD_NS (20000 * 1000LL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sesame_cfg cfg = SESAME_CFG_DEFAULTS;
	struct sesame_motion m = { 0 };
	s64 t = 0;
	size_t start = 0;

	while (start <= size) {
		const uint8_t *end = memchr(data + start, 0xff, size - start);
		size_t len = end ? (size_t)(end - data) - start : size - start;
		struct sesame_cmd cmd, before;
		int i;

		memset(&cmd, 0xa5, sizeof(cmd));
		before = cmd;
		if (sesame_parse_cmd((const char *)data + start, len, &cfg, &cmd)) {
			check(memcmp(&cmd, &before, sizeof(cmd)) == 0);
		} else {
			check(len <= SESAME_CMD_MAX);
			if (cmd.kind == SESAME_CMD_STOP)
				check(cmd.pulse_us == 0);
			else
				check(cmd.pulse_us >= cfg.min_pulse_us &&
				      cmd.pulse_us <= cfg.max_pulse_us);
			sesame_motion_command(&m, &cmd);
		}
		for (i = 0; i < 3; i++, t += 700 * PERIOD_NS / 10) {
			char line[SESAME_STATUS_MAX];
			bool changed;
			enum sesame_step step = sesame_motion_boundary(&m, &cfg, t, &changed);

			if (step == SESAME_STEP_PULSE)
				check(m.pulse_us >= cfg.min_pulse_us &&
				      m.pulse_us <= cfg.max_pulse_us && m.pulsing);
			else
				check(!m.pulsing);
			check(sesame_format_status(line, sizeof(line), &cfg, &m) <
			      (int)sizeof(line));
		}
		start += len + 1;
	}
	return 0;
}
