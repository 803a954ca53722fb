/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sesame-core.h - the servo driver's pure logic: command parsing, angle
 * mapping, configuration checks and the pulse schedule arithmetic.
 *
 * Nothing in sesame-core.c calls into the kernel, so the same file is built
 * into sesame.ko and into the user-space unit tests and fuzzers, where
 * tests/shim/ stands in for the few kernel headers it includes.
 * Times are CLOCK_MONOTONIC nanoseconds held in s64, as ktime_t is.
 */
#ifndef SESAME_CORE_H
#define SESAME_CORE_H

#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/types.h>

#define SESAME_CMD_MAX		64	/* longest write accepted, in bytes */
#define SESAME_DEGREES		180	/* full travel, mapped onto min..max */
#define SESAME_LABEL_MAX	32
#define SESAME_MSG_MAX		128	/* room for a sesame_cfg_check() message */

/* Bounds of the binding, as in dts/sesame,servo.yaml. */
#define SESAME_PERIOD_MIN_US	2500
#define SESAME_PERIOD_MAX_US	100000
#define SESAME_PULSE_MIN_US	100
#define SESAME_TIME_MAX_MS	3600000	/* hold and idle: at most an hour */

/* Calibration and timing of one servo, from its device-tree node. */
struct sesame_cfg {
	u32 period_us;
	u32 min_pulse_us;
	u32 max_pulse_us;
	u32 closed_pulse_us;
	u32 open_pulse_us;
	u32 hold_ms;		/* open -> closed after this long; 0: stay */
	u32 idle_ms;		/* stop pulsing this long after a move; 0: never */
};

/* The binding's defaults: a common 9 g hobby servo at 50 Hz. */
#define SESAME_CFG_DEFAULTS {			\
	.period_us = 20000,			\
	.min_pulse_us = 500,			\
	.max_pulse_us = 2500,			\
	.closed_pulse_us = 1000,		\
	.open_pulse_us = 2000,			\
	.hold_ms = 3000,			\
	.idle_ms = 1000,			\
}

enum sesame_cmd_kind {
	SESAME_CMD_OPEN,	/* to open_pulse_us, then back after hold_ms */
	SESAME_CMD_CLOSE,	/* to closed_pulse_us */
	SESAME_CMD_MOVE,	/* to any width in min..max (angle or raw us) */
	SESAME_CMD_STOP,	/* end the pulse train at the next boundary */
};

struct sesame_cmd {
	enum sesame_cmd_kind kind;
	u32 pulse_us;		/* the width to go to; 0 for STOP */
};

int sesame_parse_cmd(const char *buf, size_t len, const struct sesame_cfg *cfg,
		     struct sesame_cmd *cmd);

u32 sesame_angle_to_us(const struct sesame_cfg *cfg, u32 deg);
u32 sesame_us_to_angle(const struct sesame_cfg *cfg, u32 us);

int sesame_cfg_check(const struct sesame_cfg *cfg, char *msg, size_t size);
bool sesame_label_valid(const char *label);

enum sesame_state {
	SESAME_STATE_UNKNOWN,	/* nothing commanded since probe */
	SESAME_STATE_CLOSED,
	SESAME_STATE_OPEN,
	SESAME_STATE_ANGLE,	/* an angle or raw width was commanded */
};

const char *sesame_state_name(enum sesame_state state);

/*
 * Where the servo is told to be, and the clocks that move it on by itself.
 * Commands change it at once; the pulse engine reads it only at period
 * boundaries, which is what makes every change land on a boundary.
 */
struct sesame_motion {
	enum sesame_state state;
	u32 pulse_us;		/* width to send from the next boundary on */
	u32 opens;		/* open commands accepted since probe */
	bool pulsing;		/* pulses are going out */
	bool limp;		/* send nothing from the next boundary on */
	bool fresh;		/* a move since the last boundary: restart clocks */
	bool hold;		/* auto-close due at hold_until */
	bool idle;		/* idle stop due at idle_at */
	s64 hold_until;
	s64 idle_at;
};

/* What the engine does at a period boundary. */
enum sesame_step {
	SESAME_STEP_PULSE,	/* send one pulse of pulse_us */
	SESAME_STEP_TICK,	/* send nothing, but come back next boundary */
	SESAME_STEP_STOP,	/* send nothing and stop the timer */
};

void sesame_motion_command(struct sesame_motion *m, const struct sesame_cmd *cmd);
enum sesame_step sesame_motion_boundary(struct sesame_motion *m,
					const struct sesame_cfg *cfg,
					s64 boundary, bool *changed);
void sesame_motion_halt(struct sesame_motion *m);

#define SESAME_STATUS_MAX	96	/* room for a status line */
int sesame_format_status(char *buf, size_t size, const struct sesame_cfg *cfg,
			 const struct sesame_motion *m);

/*
 * The pulse schedule. Period boundaries lie on a fixed grid
 * (start + k * period), so a late callback never shifts later periods.
 */
bool sesame_rise_in_time(s64 boundary, s64 now, u32 period_ns, u32 width_ns);
s64 sesame_next_boundary(s64 boundary, s64 now, u32 period_ns, u32 *skipped);

#endif /* SESAME_CORE_H */
