// SPDX-License-Identifier: GPL-2.0
/*
 * sesame-core.c - the servo driver's pure logic (see sesame-core.h).
 *
 * Only plain C and the string/format helpers that the kernel and libc share
 * are used here, so that tests/unit and tests/fuzz exercise the very code
 * that runs in sesame.ko.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "sesame-core.h"

#define NS_PER_MS	1000000LL
#define NUMBER_MAX_LEN	6	/* digits; keeps every accepted number in u32 */

static bool word_is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(s, word, len);
}

/* A decimal number that is all of s[0..len): no sign, no space, no suffix. */
static int parse_number(const char *s, size_t len, u32 *val)
{
	u32 v = 0;
	size_t i;

	if (len == 0 || len > NUMBER_MAX_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (u32)(s[i] - '0');
	}
	*val = v;
	return 0;
}

/**
 * sesame_parse_cmd() - parse one write to /dev/sesame
 * @buf: the bytes written (not NUL-terminated)
 * @len: how many
 * @cfg: the servo's calibration, for range checks
 * @cmd: the command, filled in only on success
 *
 * Accepts `open`, `close`, `stop`, `<deg>`, `angle <deg>` and `<n>us`, with
 * one optional trailing newline. Everything else, including an empty write,
 * stray spaces, NUL bytes and values out of range, is refused whole.
 *
 * Return: 0, or -EINVAL.
 */
int sesame_parse_cmd(const char *buf, size_t len, const struct sesame_cfg *cfg,
		     struct sesame_cmd *cmd)
{
	static const char angle_prefix[] = "angle ";
	const size_t prefix_len = sizeof(angle_prefix) - 1;
	u32 v;

	if (len > SESAME_CMD_MAX)
		return -EINVAL;
	if (len > 0 && buf[len - 1] == '\n')
		len--;

	if (word_is(buf, len, "open")) {
		cmd->kind = SESAME_CMD_OPEN;
		cmd->pulse_us = cfg->open_pulse_us;
		return 0;
	}
	if (word_is(buf, len, "close")) {
		cmd->kind = SESAME_CMD_CLOSE;
		cmd->pulse_us = cfg->closed_pulse_us;
		return 0;
	}
	if (word_is(buf, len, "stop")) {
		cmd->kind = SESAME_CMD_STOP;
		cmd->pulse_us = 0;
		return 0;
	}

	if (len > 2 && !memcmp(buf + len - 2, "us", 2)) {
		if (parse_number(buf, len - 2, &v) ||
		    v < cfg->min_pulse_us || v > cfg->max_pulse_us)
			return -EINVAL;
		cmd->kind = SESAME_CMD_MOVE;
		cmd->pulse_us = v;
		return 0;
	}

	if (len > prefix_len && !memcmp(buf, angle_prefix, prefix_len)) {
		buf += prefix_len;
		len -= prefix_len;
	}
	if (parse_number(buf, len, &v) || v > SESAME_DEGREES)
		return -EINVAL;
	cmd->kind = SESAME_CMD_MOVE;
	cmd->pulse_us = sesame_angle_to_us(cfg, v);
	return 0;
}

/* Angles map linearly onto min..max, rounded to the nearest microsecond. */
u32 sesame_angle_to_us(const struct sesame_cfg *cfg, u32 deg)
{
	u32 span = cfg->max_pulse_us - cfg->min_pulse_us;

	if (deg > SESAME_DEGREES)
		deg = SESAME_DEGREES;
	return cfg->min_pulse_us +
	       (u32)div_u64((u64)span * deg + SESAME_DEGREES / 2, SESAME_DEGREES);
}

u32 sesame_us_to_angle(const struct sesame_cfg *cfg, u32 us)
{
	u32 span = cfg->max_pulse_us - cfg->min_pulse_us;

	if (us <= cfg->min_pulse_us || span == 0)
		return 0;
	if (us >= cfg->max_pulse_us)
		return SESAME_DEGREES;
	return (u32)div_u64((u64)(us - cfg->min_pulse_us) * SESAME_DEGREES + span / 2,
			    span);
}

/**
 * sesame_cfg_check() - check that a servo's properties fit together
 * @cfg: the values read from the device tree (or defaults)
 * @msg: where to write why not, naming the property and its value
 * @size: room at @msg (SESAME_MSG_MAX is enough)
 *
 * Return: 0, or -EINVAL with @msg filled in.
 */
int sesame_cfg_check(const struct sesame_cfg *cfg, char *msg, size_t size)
{
	if (cfg->period_us < SESAME_PERIOD_MIN_US ||
	    cfg->period_us > SESAME_PERIOD_MAX_US) {
		snprintf(msg, size, "sesame,period-us is %u; it must be %u..%u",
			 cfg->period_us, SESAME_PERIOD_MIN_US, SESAME_PERIOD_MAX_US);
		return -EINVAL;
	}
	if (cfg->min_pulse_us < SESAME_PULSE_MIN_US) {
		snprintf(msg, size, "sesame,min-pulse-us is %u; it must be at least %u",
			 cfg->min_pulse_us, SESAME_PULSE_MIN_US);
		return -EINVAL;
	}
	if (cfg->max_pulse_us <= cfg->min_pulse_us) {
		snprintf(msg, size,
			 "sesame,max-pulse-us (%u) must be above sesame,min-pulse-us (%u)",
			 cfg->max_pulse_us, cfg->min_pulse_us);
		return -EINVAL;
	}
	if (cfg->max_pulse_us >= cfg->period_us) {
		snprintf(msg, size,
			 "sesame,max-pulse-us (%u) must be below sesame,period-us (%u)",
			 cfg->max_pulse_us, cfg->period_us);
		return -EINVAL;
	}
	if (cfg->closed_pulse_us < cfg->min_pulse_us ||
	    cfg->closed_pulse_us > cfg->max_pulse_us) {
		snprintf(msg, size,
			 "sesame,closed-pulse-us (%u) must be within min..max pulse (%u..%u)",
			 cfg->closed_pulse_us, cfg->min_pulse_us, cfg->max_pulse_us);
		return -EINVAL;
	}
	if (cfg->open_pulse_us < cfg->min_pulse_us ||
	    cfg->open_pulse_us > cfg->max_pulse_us) {
		snprintf(msg, size,
			 "sesame,open-pulse-us (%u) must be within min..max pulse (%u..%u)",
			 cfg->open_pulse_us, cfg->min_pulse_us, cfg->max_pulse_us);
		return -EINVAL;
	}
	if (cfg->hold_ms > SESAME_TIME_MAX_MS) {
		snprintf(msg, size, "sesame,hold-ms is %u; it must be at most %u",
			 cfg->hold_ms, SESAME_TIME_MAX_MS);
		return -EINVAL;
	}
	if (cfg->idle_ms > SESAME_TIME_MAX_MS) {
		snprintf(msg, size, "sesame,idle-ms is %u; it must be at most %u",
			 cfg->idle_ms, SESAME_TIME_MAX_MS);
		return -EINVAL;
	}
	return 0;
}

/* A label becomes part of a device name: keep it short and plain. */
bool sesame_label_valid(const char *label)
{
	size_t i;

	for (i = 0; label[i]; i++) {
		char c = label[i];

		if (i >= SESAME_LABEL_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return i > 0;
}

const char *sesame_state_name(enum sesame_state state)
{
	switch (state) {
	case SESAME_STATE_CLOSED:
		return "closed";
	case SESAME_STATE_OPEN:
		return "open";
	case SESAME_STATE_ANGLE:
		return "angle";
	default:
		return "unknown";
	}
}

/* A command takes effect at once here, and on the wire at the next boundary. */
void sesame_motion_command(struct sesame_motion *m, const struct sesame_cmd *cmd)
{
	switch (cmd->kind) {
	case SESAME_CMD_STOP:
		/* Limp, but a pending auto-close still happens: see below. */
		m->limp = true;
		return;
	case SESAME_CMD_OPEN:
		m->state = SESAME_STATE_OPEN;
		m->opens++;
		break;
	case SESAME_CMD_CLOSE:
		m->state = SESAME_STATE_CLOSED;
		break;
	case SESAME_CMD_MOVE:
		m->state = SESAME_STATE_ANGLE;
		break;
	}
	m->pulse_us = cmd->pulse_us;
	m->limp = false;
	m->fresh = true;
}

/**
 * sesame_motion_boundary() - decide what the period starting now sends
 * @m: the motion, under the driver's lock
 * @cfg: the servo's timing
 * @boundary: when this period starts (its place on the grid, not "now")
 * @changed: set to true when the status a reader sees has changed
 *
 * The hold and idle clocks start at the boundary where a move reaches the
 * wire. An open being held is never left limp for good: even after `stop`,
 * the engine keeps ticking (without pulses) until the auto-close is due,
 * so that a door is not left open because someone stopped the servo.
 *
 * Return: what to do in this period.
 */
enum sesame_step sesame_motion_boundary(struct sesame_motion *m,
					const struct sesame_cfg *cfg,
					s64 boundary, bool *changed)
{
	*changed = false;

	/* Nothing was ever commanded: there is no width to send. */
	if (m->state == SESAME_STATE_UNKNOWN)
		return SESAME_STEP_STOP;

	if (m->fresh) {
		m->fresh = false;
		m->hold = m->state == SESAME_STATE_OPEN && cfg->hold_ms != 0;
		m->hold_until = boundary + cfg->hold_ms * NS_PER_MS;
		/* Holding the latch open needs torque: no idle stop then. */
		m->idle = !m->hold && cfg->idle_ms != 0;
		m->idle_at = boundary + cfg->idle_ms * NS_PER_MS;
	}

	if (m->hold && boundary >= m->hold_until) {
		m->hold = false;
		m->state = SESAME_STATE_CLOSED;
		m->pulse_us = cfg->closed_pulse_us;
		m->limp = false;
		m->idle = cfg->idle_ms != 0;
		m->idle_at = boundary + cfg->idle_ms * NS_PER_MS;
		*changed = true;
	}

	if (m->idle && boundary >= m->idle_at) {
		m->idle = false;
		m->limp = true;
	}

	if (m->limp) {
		if (m->pulsing) {
			m->pulsing = false;
			*changed = true;
		}
		return m->hold ? SESAME_STEP_TICK : SESAME_STEP_STOP;
	}

	if (!m->pulsing) {
		m->pulsing = true;
		*changed = true;
	}
	return SESAME_STEP_PULSE;
}

/* Removal: stop at the next boundary, whatever was pending. */
void sesame_motion_halt(struct sesame_motion *m)
{
	m->limp = true;
	m->hold = false;
	m->fresh = false;
}

int sesame_format_status(char *buf, size_t size, const struct sesame_cfg *cfg,
			 const struct sesame_motion *m)
{
	int angle = -1;
	int len;

	if (m->state != SESAME_STATE_UNKNOWN)
		angle = (int)sesame_us_to_angle(cfg, m->pulse_us);
	len = snprintf(buf, size, "state=%s pulse_us=%u angle=%d pulsing=%d opens=%u\n",
		       sesame_state_name(m->state), m->pulse_us, angle,
		       m->pulsing ? 1 : 0, m->opens);
	/* snprintf() says what it would have written: never more than fits. */
	if (len >= (int)size)
		len = size ? (int)size - 1 : 0;
	return len;
}

/**
 * sesame_rise_in_time() - may the pulse of this period still start now?
 * @boundary: when it was due
 * @now: when the timer callback runs
 * @period_ns: the period
 * @width_ns: the pulse width
 *
 * A late rise still gives a full-width pulse, because the fall is timed
 * from it. It is refused when so little of the period is left that the
 * pulse would run into the next one: it must end within the first half of
 * the low time that remains, leaving the other half as margin for a late
 * falling edge.
 */
bool sesame_rise_in_time(s64 boundary, s64 now, u32 period_ns, u32 width_ns)
{
	s64 slack = ((s64)period_ns - width_ns) / 2;

	return now - boundary <= slack;
}

/**
 * sesame_next_boundary() - the first boundary on the grid after @now
 * @boundary: the boundary of the current period
 * @now: the current time, at or after @boundary
 * @period_ns: the period
 * @skipped: how many whole periods passed unseen (callback very late)
 *
 * Return: @boundary + k * @period_ns, for the smallest k >= 1 that is
 * after @now. Catching up this way never fires a burst of pulses.
 */
s64 sesame_next_boundary(s64 boundary, s64 now, u32 period_ns, u32 *skipped)
{
	u64 k = 1;

	if (now >= boundary + period_ns)
		k = div_u64((u64)(now - boundary), period_ns) + 1;
	*skipped = (u32)(k - 1);
	return boundary + (s64)k * period_ns;
}
