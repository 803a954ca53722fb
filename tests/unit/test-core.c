/*
 * test-core.c - unit tests of the driver's pure logic (driver/sesame-core.c),
 * compiled from the very source that goes into sesame.ko.
 *
 * Covers every accepted and rejected command form, the angle mapping over
 * all of 0..180, every combination of a grid of property values against an
 * independent statement of the rules, the schedule arithmetic (late and
 * missed periods), and the open / hold / auto-close / idle state machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sesame-core.h"

#define MS	1000000LL	/* ns */
#define PERIOD	(20 * MS)

static const struct sesame_cfg defaults = SESAME_CFG_DEFAULTS;

/* A command struct nobody would write: proves a failed parse left it alone. */
static const struct sesame_cmd poison = { .kind = (enum sesame_cmd_kind)0x5a5a,
					  .pulse_us = 0xdeadbeef };

static int parse(const char *s, size_t len, struct sesame_cmd *cmd)
{
	*cmd = poison;
	return sesame_parse_cmd(s, len, &defaults, cmd);
}

static void expect_cmd(const char *s, enum sesame_cmd_kind kind, u32 pulse_us)
{
	struct sesame_cmd cmd;

	if (parse(s, strlen(s), &cmd) != 0)
		fail_msg("\"%s\" was refused", s);
	assert_int_equal(cmd.kind, kind);
	assert_int_equal(cmd.pulse_us, pulse_us);
}

static void expect_einval(const char *s, size_t len)
{
	struct sesame_cmd cmd;

	if (parse(s, len, &cmd) != -EINVAL)
		fail_msg("\"%.*s\" (%zu bytes) was accepted", (int)len, s, len);
	assert_memory_equal(&cmd, &poison, sizeof(cmd));
}

static void test_parse_accepts_every_form(void **state)
{
	(void)state;
	expect_cmd("open", SESAME_CMD_OPEN, 2000);
	expect_cmd("open\n", SESAME_CMD_OPEN, 2000);
	expect_cmd("close", SESAME_CMD_CLOSE, 1000);
	expect_cmd("close\n", SESAME_CMD_CLOSE, 1000);
	expect_cmd("stop", SESAME_CMD_STOP, 0);
	expect_cmd("stop\n", SESAME_CMD_STOP, 0);
	expect_cmd("0", SESAME_CMD_MOVE, 500);
	expect_cmd("90", SESAME_CMD_MOVE, 1500);
	expect_cmd("90\n", SESAME_CMD_MOVE, 1500);
	expect_cmd("180", SESAME_CMD_MOVE, 2500);
	expect_cmd("045", SESAME_CMD_MOVE, 1000);	/* decimal, not octal */
	expect_cmd("angle 0", SESAME_CMD_MOVE, 500);
	expect_cmd("angle 135\n", SESAME_CMD_MOVE, 2000);
	expect_cmd("angle 180", SESAME_CMD_MOVE, 2500);
	expect_cmd("500us", SESAME_CMD_MOVE, 500);
	expect_cmd("1234us\n", SESAME_CMD_MOVE, 1234);
	expect_cmd("2500us", SESAME_CMD_MOVE, 2500);
}

static void test_parse_rejects_everything_else(void **state)
{
	static const char *const bad[] = {
		"", "\n", "\n\n", "open\n\n", "open ", " open", "OPEN", "Open",
		"open\r\n", "opens", "ope", "close now", "stop\t", "start",
		"181", "999", "-1", "+90", "90.5", "9 0", "0x10", "1e2", "1234567",
		"angle", "angle ", "angle  90", "angle90", "angle 181", "angle -1",
		"Angle 90", "angle 90 ", "angle 90us",
		"us", "499us", "2501us", "1500 us", "1500uS", "1500us ",
		"1500uss", "-1500us", "0us", "9999999us", "us1500",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_einval(bad[i], strlen(bad[i]));
}

static void test_parse_rejects_nul_bytes_and_long_writes(void **state)
{
	char buf[SESAME_CMD_MAX + 2];

	(void)state;
	expect_einval("open\0", 5);
	expect_einval("\0open", 5);
	expect_einval("op\0en", 5);
	expect_einval("9\0", 2);
	expect_einval("90\0us", 5);
	expect_einval("\0", 1);

	/* 64 bytes is the limit; a valid word padded past it is refused. */
	memset(buf, '0', sizeof(buf));
	memcpy(buf + SESAME_CMD_MAX - 2, "90", 2);
	expect_einval(buf, SESAME_CMD_MAX);		/* 64 digits: too many */
	memcpy(buf, "open\n", 5);
	expect_einval(buf, SESAME_CMD_MAX + 1);		/* over the limit */
	expect_cmd("open", SESAME_CMD_OPEN, 2000);
}

/* The mapping, computed independently in floating point. */
static u32 expected_us(const struct sesame_cfg *cfg, u32 deg)
{
	double span = cfg->max_pulse_us - cfg->min_pulse_us;

	return (u32)floor(cfg->min_pulse_us + span * deg / 180.0 + 0.5);
}

static void check_mapping(const struct sesame_cfg *cfg)
{
	u32 deg, prev = 0;

	for (deg = 0; deg <= 180; deg++) {
		u32 us = sesame_angle_to_us(cfg, deg);

		assert_int_equal(us, expected_us(cfg, deg));
		assert_true(us >= cfg->min_pulse_us && us <= cfg->max_pulse_us);
		if (deg > 0)
			assert_true(us >= prev);
		prev = us;
		/* Enough resolution (>= 1 us per degree): the angle reads back. */
		if (cfg->max_pulse_us - cfg->min_pulse_us >= 180)
			assert_int_equal(sesame_us_to_angle(cfg, us), deg);
	}
	assert_int_equal(sesame_angle_to_us(cfg, 0), cfg->min_pulse_us);
	assert_int_equal(sesame_angle_to_us(cfg, 180), cfg->max_pulse_us);
}

static void test_angle_mapping_over_all_degrees(void **state)
{
	struct sesame_cfg cfg = defaults;

	(void)state;
	check_mapping(&cfg);
	cfg.min_pulse_us = 1000, cfg.max_pulse_us = 2000;
	check_mapping(&cfg);
	cfg.min_pulse_us = 600, cfg.max_pulse_us = 2400;
	check_mapping(&cfg);
	cfg.min_pulse_us = 900, cfg.max_pulse_us = 1001;	/* coarse servo */
	check_mapping(&cfg);
	/* Readback clamps outside the calibrated range. */
	assert_int_equal(sesame_us_to_angle(&defaults, 100), 0);
	assert_int_equal(sesame_us_to_angle(&defaults, 3000), 180);
	assert_int_equal(sesame_us_to_angle(&defaults, 2000), 135);
}

/* The binding's rules, stated independently of sesame_cfg_check(). */
static const char *oracle(const struct sesame_cfg *c)
{
	if (c->period_us < 2500 || c->period_us > 100000)
		return "sesame,period-us";
	if (c->min_pulse_us < 100)
		return "sesame,min-pulse-us";
	if (c->max_pulse_us <= c->min_pulse_us || c->max_pulse_us >= c->period_us)
		return "sesame,max-pulse-us";
	if (c->closed_pulse_us < c->min_pulse_us || c->closed_pulse_us > c->max_pulse_us)
		return "sesame,closed-pulse-us";
	if (c->open_pulse_us < c->min_pulse_us || c->open_pulse_us > c->max_pulse_us)
		return "sesame,open-pulse-us";
	if (c->hold_ms > 3600000)
		return "sesame,hold-ms";
	if (c->idle_ms > 3600000)
		return "sesame,idle-ms";
	return NULL;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_every_property_combination(void **state)
{
	/* Values on and around every bound, plus the defaults. */
	static const u32 periods[] = { 0, 2499, 2500, 2501, 20000, 100000, 100001, 0xffffffff };
	static const u32 pulses[] = { 0, 99, 100, 500, 1000, 2000, 2499, 2500, 2501, 19999, 20000 };
	static const u32 times[] = { 0, 1, 3000, 3600000, 3600001, 0xffffffff };
	struct sesame_cfg c;
	size_t a, b, d, e, f, g, h;
	unsigned long checked = 0, valid = 0;
	char msg[SESAME_MSG_MAX];

	(void)state;
	for (a = 0; a < N_OF(periods); a++)
	for (b = 0; b < N_OF(pulses); b++)
	for (d = 0; d < N_OF(pulses); d++)
	for (e = 0; e < N_OF(pulses); e++)
	for (f = 0; f < N_OF(pulses); f++)
	for (g = 0; g < N_OF(times); g++)
	for (h = 0; h < N_OF(times); h++) {
		const char *expected;
		int err;

		c.period_us = periods[a];
		c.min_pulse_us = pulses[b];
		c.max_pulse_us = pulses[d];
		c.closed_pulse_us = pulses[e];
		c.open_pulse_us = pulses[f];
		c.hold_ms = times[g];
		c.idle_ms = times[h];
		expected = oracle(&c);
		memset(msg, 0, sizeof(msg));
		err = sesame_cfg_check(&c, msg, sizeof(msg));
		checked++;
		if (!expected) {
			valid++;
			if (err)
				fail_msg("valid config refused: %s", msg);
			continue;
		}
		assert_int_equal(err, -EINVAL);
		/* The message starts with the property at fault. */
		if (strncmp(msg, expected, strlen(expected)))
			fail_msg("expected a message about %s, got \"%s\"", expected, msg);
	}
	printf("checked %lu combinations, %lu valid\n", checked, valid);
	assert_true(valid > 100);
}

static void test_property_messages(void **state)
{
	struct sesame_cfg c = defaults;
	char msg[SESAME_MSG_MAX];

	(void)state;
	assert_int_equal(sesame_cfg_check(&c, msg, sizeof(msg)), 0);
	c.max_pulse_us = 20000;
	assert_int_equal(sesame_cfg_check(&c, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "sesame,max-pulse-us (20000) must be below sesame,period-us (20000)");
	c = defaults;
	c.open_pulse_us = 3000;
	assert_int_equal(sesame_cfg_check(&c, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "sesame,open-pulse-us (3000) must be within min..max pulse (500..2500)");
	/* A short buffer truncates, never overflows. */
	assert_int_equal(sesame_cfg_check(&c, msg, 8), -EINVAL);
	assert_string_equal(msg, "sesame,");
}

static void test_labels(void **state)
{
	char longest[SESAME_LABEL_MAX + 2];

	(void)state;
	assert_true(sesame_label_valid("front"));
	assert_true(sesame_label_valid("Back_door-2"));
	assert_false(sesame_label_valid(""));
	assert_false(sesame_label_valid("front door"));
	assert_false(sesame_label_valid("a/b"));
	assert_false(sesame_label_valid("../x"));
	assert_false(sesame_label_valid("t\xc3\xbcr"));
	memset(longest, 'a', sizeof(longest));
	longest[SESAME_LABEL_MAX] = '\0';
	assert_true(sesame_label_valid(longest));
	longest[SESAME_LABEL_MAX] = 'a';
	longest[SESAME_LABEL_MAX + 1] = '\0';
	assert_false(sesame_label_valid(longest));
}

static void test_next_boundary(void **state)
{
	const s64 b = 1000 * MS;
	u32 skipped = 99;

	(void)state;
	/* On time, or late within the period: the next grid point. */
	assert_int_equal(sesame_next_boundary(b, b, PERIOD, &skipped), b + PERIOD);
	assert_int_equal(skipped, 0);
	assert_int_equal(sesame_next_boundary(b, b + PERIOD - 1, PERIOD, &skipped), b + PERIOD);
	assert_int_equal(skipped, 0);
	/* Exactly one period late: that boundary has passed, take the next. */
	assert_int_equal(sesame_next_boundary(b, b + PERIOD, PERIOD, &skipped), b + 2 * PERIOD);
	assert_int_equal(skipped, 1);
	/* Very late: skip ahead on the grid, never a burst. */
	assert_int_equal(sesame_next_boundary(b, b + 5 * PERIOD + 7, PERIOD, &skipped),
			 b + 6 * PERIOD);
	assert_int_equal(skipped, 5);
	assert_int_equal(sesame_next_boundary(b, b + 3600000 * MS, PERIOD, &skipped),
			 b + 3600000 * MS + PERIOD);
	assert_int_equal(skipped, 180000);
}

static void test_rise_in_time(void **state)
{
	const s64 b = 1000 * MS;
	const u32 width = 2000000;	/* 2 ms: slack is (20 - 2) / 2 = 9 ms */

	(void)state;
	assert_true(sesame_rise_in_time(b, b, PERIOD, width));
	assert_true(sesame_rise_in_time(b, b + 9 * MS, PERIOD, width));
	assert_false(sesame_rise_in_time(b, b + 9 * MS + 1, PERIOD, width));
	assert_false(sesame_rise_in_time(b, b + PERIOD, PERIOD, width));
	/* The widest pulse in the shortest period still has slack. */
	assert_true(sesame_rise_in_time(b, b + 50000, 2500000, 2400000));
	assert_false(sesame_rise_in_time(b, b + 50001, 2500000, 2400000));
}

/* Runs boundaries every period from *t until one returns @want; returns it. */
static s64 run_until(struct sesame_motion *m, const struct sesame_cfg *cfg,
		     s64 *t, enum sesame_step want, int max_periods)
{
	bool changed;
	int i;

	for (i = 0; i < max_periods; i++, *t += cfg->period_us * 1000LL)
		if (sesame_motion_boundary(m, cfg, *t, &changed) == want)
			return *t;
	fail_msg("step %d not reached in %d periods", want, max_periods);
	return -1;
}

static void command(struct sesame_motion *m, const struct sesame_cfg *cfg,
		    const char *text)
{
	struct sesame_cmd cmd;

	assert_int_equal(sesame_parse_cmd(text, strlen(text), cfg, &cmd), 0);
	sesame_motion_command(m, &cmd);
}

static void test_open_hold_autoclose_idle(void **state)
{
	struct sesame_motion m = { 0 };
	s64 t = 5000 * MS, start, closed_at, idle_at;
	bool changed;

	(void)state;
	command(&m, &defaults, "open");
	assert_int_equal(m.state, SESAME_STATE_OPEN);
	assert_int_equal(m.opens, 1);

	start = t;
	assert_int_equal(sesame_motion_boundary(&m, &defaults, t, &changed), SESAME_STEP_PULSE);
	assert_true(changed);			/* pulsing 0 -> 1 */
	assert_int_equal(m.pulse_us, 2000);

	/* Held open for hold_ms, pulsing all along (no idle stop meanwhile). */
	for (t += PERIOD; t < start + 3000 * MS; t += PERIOD) {
		assert_int_equal(sesame_motion_boundary(&m, &defaults, t, &changed),
				 SESAME_STEP_PULSE);
		assert_false(changed);
		assert_int_equal(m.pulse_us, 2000);
	}
	/* At the first boundary at or after hold_ms: closed, by itself. */
	closed_at = t;
	assert_int_equal(closed_at, start + 3000 * MS);
	assert_int_equal(sesame_motion_boundary(&m, &defaults, t, &changed), SESAME_STEP_PULSE);
	assert_true(changed);
	assert_int_equal(m.state, SESAME_STATE_CLOSED);
	assert_int_equal(m.pulse_us, 1000);

	/* Then idle_ms later, the pulses stop. */
	t += PERIOD;
	idle_at = run_until(&m, &defaults, &t, SESAME_STEP_STOP, 100);
	assert_int_equal(idle_at, closed_at + 1000 * MS);
	assert_false(m.pulsing);
	assert_int_equal(m.state, SESAME_STATE_CLOSED);
}

static void test_stop_during_hold_still_closes(void **state)
{
	struct sesame_motion m = { 0 };
	s64 t = 0;
	bool changed;

	(void)state;
	command(&m, &defaults, "open");
	assert_int_equal(sesame_motion_boundary(&m, &defaults, t, &changed), SESAME_STEP_PULSE);
	command(&m, &defaults, "stop");
	assert_int_equal(m.state, SESAME_STATE_OPEN);	/* status waits for the boundary */
	t += PERIOD;
	assert_int_equal(sesame_motion_boundary(&m, &defaults, t, &changed), SESAME_STEP_TICK);
	assert_true(changed);
	assert_false(m.pulsing);
	/* No pulses while limp, but the auto-close comes on time. */
	t += PERIOD;
	t = run_until(&m, &defaults, &t, SESAME_STEP_PULSE, 200);
	assert_int_equal(t, 3000 * MS);
	assert_int_equal(m.state, SESAME_STATE_CLOSED);
	assert_int_equal(m.pulse_us, 1000);
}

static void test_moves_restart_clocks(void **state)
{
	struct sesame_motion m = { 0 };
	struct sesame_cfg cfg = defaults;
	s64 t = 0;
	bool changed;

	(void)state;
	/* A plain move goes idle after idle_ms. */
	command(&m, &cfg, "angle 90");
	assert_int_equal(m.state, SESAME_STATE_ANGLE);
	assert_int_equal(run_until(&m, &cfg, &t, SESAME_STEP_STOP, 100), 1000 * MS);

	/* A new command wakes it; a second open extends the hold. */
	command(&m, &cfg, "open");
	t = 2000 * MS;
	assert_int_equal(sesame_motion_boundary(&m, &cfg, t, &changed), SESAME_STEP_PULSE);
	command(&m, &cfg, "open");
	assert_int_equal(m.opens, 2);
	t = 4000 * MS;
	assert_int_equal(sesame_motion_boundary(&m, &cfg, t, &changed), SESAME_STEP_PULSE);
	t += 2980 * MS;
	assert_int_equal(sesame_motion_boundary(&m, &cfg, t, &changed), SESAME_STEP_PULSE);
	assert_int_equal(m.state, SESAME_STATE_OPEN);
	t += PERIOD;
	assert_int_equal(sesame_motion_boundary(&m, &cfg, t, &changed), SESAME_STEP_PULSE);
	assert_int_equal(m.state, SESAME_STATE_CLOSED);

	/* hold 0 stays open; idle 0 keeps pulsing. */
	cfg.hold_ms = 0;
	cfg.idle_ms = 0;
	command(&m, &cfg, "open");
	for (t = 0; t < 10000 * MS; t += PERIOD)
		assert_int_equal(sesame_motion_boundary(&m, &cfg, t, &changed),
				 SESAME_STEP_PULSE);
	assert_int_equal(m.state, SESAME_STATE_OPEN);

	/* hold 0 with idle: open, then rest at the open position. */
	cfg.idle_ms = 500;
	command(&m, &cfg, "open");
	t = 0;
	assert_int_equal(run_until(&m, &cfg, &t, SESAME_STEP_STOP, 100), 500 * MS);
	assert_int_equal(m.state, SESAME_STATE_OPEN);
}

static void test_halt_stops_at_next_boundary(void **state)
{
	struct sesame_motion m = { 0 };
	bool changed;

	(void)state;
	command(&m, &defaults, "open");
	assert_int_equal(sesame_motion_boundary(&m, &defaults, 0, &changed), SESAME_STEP_PULSE);
	sesame_motion_halt(&m);
	/* No auto-close survives removal: the timer must stop. */
	assert_int_equal(sesame_motion_boundary(&m, &defaults, PERIOD, &changed),
			 SESAME_STEP_STOP);
	assert_true(changed);
}

/* Found by tests/fuzz/fuzz-command (empty input): no command, no pulse. */
static void test_boundary_before_any_command_sends_nothing(void **state)
{
	struct sesame_motion m = { 0 };
	bool changed;

	(void)state;
	assert_int_equal(sesame_motion_boundary(&m, &defaults, 0, &changed), SESAME_STEP_STOP);
	assert_false(changed);
	assert_false(m.pulsing);
	command(&m, &defaults, "stop");
	assert_int_equal(sesame_motion_boundary(&m, &defaults, PERIOD, &changed),
			 SESAME_STEP_STOP);
	assert_false(m.pulsing);
}

static void test_status_line(void **state)
{
	struct sesame_motion m = { 0 };
	char buf[SESAME_STATUS_MAX];
	bool changed;
	int len;

	(void)state;
	len = sesame_format_status(buf, sizeof(buf), &defaults, &m);
	assert_string_equal(buf, "state=unknown pulse_us=0 angle=-1 pulsing=0 opens=0\n");
	assert_int_equal(len, (int)strlen(buf));

	command(&m, &defaults, "open");
	sesame_motion_boundary(&m, &defaults, 0, &changed);
	sesame_format_status(buf, sizeof(buf), &defaults, &m);
	assert_string_equal(buf, "state=open pulse_us=2000 angle=135 pulsing=1 opens=1\n");

	command(&m, &defaults, "1500us");
	sesame_format_status(buf, sizeof(buf), &defaults, &m);
	assert_string_equal(buf, "state=angle pulse_us=1500 angle=90 pulsing=1 opens=1\n");

	/* Truncation reports what was written, not what would have been. */
	len = sesame_format_status(buf, 10, &defaults, &m);
	assert_int_equal(len, 9);
	assert_string_equal(buf, "state=ang");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_every_form),
		cmocka_unit_test(test_parse_rejects_everything_else),
		cmocka_unit_test(test_parse_rejects_nul_bytes_and_long_writes),
		cmocka_unit_test(test_angle_mapping_over_all_degrees),
		cmocka_unit_test(test_every_property_combination),
		cmocka_unit_test(test_property_messages),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_next_boundary),
		cmocka_unit_test(test_rise_in_time),
		cmocka_unit_test(test_open_hold_autoclose_idle),
		cmocka_unit_test(test_stop_during_hold_still_closes),
		cmocka_unit_test(test_moves_restart_clocks),
		cmocka_unit_test(test_halt_stops_at_next_boundary),
		cmocka_unit_test(test_boundary_before_any_command_sends_nothing),
		cmocka_unit_test(test_status_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
