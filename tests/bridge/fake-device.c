// SPDX-License-Identifier: GPL-2.0
/*
 * fake-device.c - the stand-in device's state, kept by the driver's core
 * (see fake-device.h). Built against tests/shim/ like the unit tests, so
 * that the parser, the angle mapping, the status line and the hold and
 * stop rules are those that run in sesame.ko.
 */
#include "sesame-core.h"
#include "fake-device.h"

static const struct sesame_cfg cfg = SESAME_CFG_DEFAULTS;
static struct sesame_motion motion;
static bool armed;	/* the driver's timer is running */
static s64 now_ns;	/* time as far as the tests have moved it */

/* What the driver's timer does at the boundary that follows. */
static bool boundary(void)
{
	bool changed;

	if (sesame_motion_boundary(&motion, &cfg, now_ns, &changed) == SESAME_STEP_STOP)
		armed = false;
	return changed;
}

int fake_device_command(const char *buf, size_t len, bool *changed)
{
	struct sesame_cmd cmd;
	int err;

	*changed = false;
	err = sesame_parse_cmd(buf, len, &cfg, &cmd);
	if (err)
		return err;
	sesame_motion_command(&motion, &cmd);
	/* As sesame_pulse_command(): any move is news and starts the timer. */
	if (cmd.kind != SESAME_CMD_STOP) {
		*changed = true;
		armed = true;
	}
	if (armed)
		*changed |= boundary();
	return 0;
}

void fake_device_expire(bool *changed)
{
	*changed = false;
	if (!armed || !motion.hold)
		return;
	if (now_ns < motion.hold_until)
		now_ns = motion.hold_until;
	*changed = boundary();
}

void fake_device_reset(void)
{
	motion = (struct sesame_motion){ 0 };
	armed = false;
}

size_t fake_device_status(char *buf, size_t size)
{
	return (size_t)sesame_format_status(buf, size, &cfg, &motion);
}
