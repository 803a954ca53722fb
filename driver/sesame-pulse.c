// SPDX-License-Identifier: GPL-2.0
/*
 * sesame-pulse.c - the pulse engine: one hard hrtimer per servo.
 *
 * Each period the timer fires twice, shortly before each edge is due, and
 * busy-waits the rest: hrtimer lateness alone would miss the width by tens
 * of microseconds. Both edges take the same path (wake, wait, write the
 * line), so that what delays one delays the other alike. Boundaries lie on
 * a fixed grid, so lateness never adds up; the fall is timed from when the
 * rise really happened (after the line was written), because the high time
 * positions the servo: a pulse may come out a little long, never short.
 *
 * What each period sends is decided by sesame_motion_boundary(), at the
 * boundary only: a new position, `stop`, the idle stop and removal
 * therefore never cut or stretch a pulse.
 */
#include <linux/gpio/consumer.h>
#include <linux/hrtimer.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/minmax.h>

#include "compat.h"
#include "sesame.h"

static u32 sesame_period_ns(const struct sesame *s)
{
	return s->cfg.period_us * NSEC_PER_USEC;
}

/* Called with the lock held; poll() reads the count without it. */
static void sesame_status_changed(struct sesame *s)
{
	WRITE_ONCE(s->status_seq, s->status_seq + 1);
}

/* Wakes poll()ers, outside the hard interrupt that changed the status. */
static void sesame_notify(struct irq_work *work)
{
	struct sesame *s = container_of(work, struct sesame, notify);

	wake_up_interruptible(&s->waitq);
}

/*
 * Busy-waits until @due. We asked to wake at most the busy-wait budget
 * early, and hrtimers never fire early: the budget bounds this loop.
 */
static s64 sesame_wait_until(s64 due)
{
	s64 now = ktime_get();

	while (now < due) {
		cpu_relax();
		now = ktime_get();
	}
	return now;
}

/* Sleeps until the edge due at @due, less the busy-wait budget. */
static enum hrtimer_restart sesame_wake_for(struct sesame *s, s64 due)
{
	hrtimer_set_expires(&s->timer, due - s->busy_ns);
	return HRTIMER_RESTART;
}

/* At a period boundary: raise the line, or skip or end the period. */
static enum hrtimer_restart sesame_rise(struct sesame *s)
{
	u32 period_ns = sesame_period_ns(s);
	enum sesame_step step;
	u32 width_ns, skipped;
	bool changed;
	s64 now;

	raw_spin_lock(&s->lock);
	step = sesame_motion_boundary(&s->motion, &s->cfg, s->boundary, &changed);
	width_ns = s->motion.pulse_us * NSEC_PER_USEC;
	s->busy_ns = s->busy_wait_ns;
	if (changed)
		sesame_status_changed(s);
	if (step == SESAME_STEP_STOP)
		s->armed = false;
	raw_spin_unlock(&s->lock);

	if (changed)
		irq_work_queue(&s->notify);
	if (step == SESAME_STEP_STOP)
		return HRTIMER_NORESTART;

	if (step == SESAME_STEP_PULSE) {
		now = sesame_wait_until(s->boundary);
		if (sesame_rise_in_time(s->boundary, now, period_ns, width_ns)) {
			gpiod_set_value(s->gpio, 1);
			/*
			 * Time the fall from after the write: whatever delayed
			 * the write can then only lengthen the pulse, never
			 * make a runt of it.
			 */
			now = ktime_get();
			s->line_high = true;
			s->rise_late = now - s->boundary;
			s->fall_due = now + width_ns;
			return sesame_wake_for(s, s->fall_due);
		}
	} else {
		now = ktime_get();
	}

	/* A tick without a pulse, or a rise too late to fit its period. */
	s->boundary = sesame_next_boundary(s->boundary, now, period_ns, &skipped);
	if (step == SESAME_STEP_PULSE) {
		raw_spin_lock(&s->lock);
		s->stats.missed_periods += skipped + 1;
		raw_spin_unlock(&s->lock);
	}
	return sesame_wake_for(s, s->boundary);
}

/* At the falling edge: lower the line, then plan the next period. */
static enum hrtimer_restart sesame_fall(struct sesame *s)
{
	u32 period_ns = sesame_period_ns(s);
	u32 skipped;
	s64 now, late;

	now = sesame_wait_until(s->fall_due);
	gpiod_set_value(s->gpio, 0);
	s->line_high = false;

	late = now - s->fall_due;
	s->boundary = sesame_next_boundary(s->boundary, now, period_ns, &skipped);

	raw_spin_lock(&s->lock);
	s->stats.pulses++;
	s->stats.late_edges += (s->rise_late > SESAME_LATE_NS) + (late > SESAME_LATE_NS);
	s->stats.max_late_ns = max_t(u64, s->stats.max_late_ns, late);
	s->stats.max_rise_late_ns = max_t(u64, s->stats.max_rise_late_ns, s->rise_late);
	s->stats.missed_periods += skipped;
	raw_spin_unlock(&s->lock);

	return sesame_wake_for(s, s->boundary);
}

static enum hrtimer_restart sesame_pulse_timer(struct hrtimer *timer)
{
	struct sesame *s = container_of(timer, struct sesame, timer);

	return s->line_high ? sesame_fall(s) : sesame_rise(s);
}

void sesame_pulse_init(struct sesame *s, u32 busy_wait_us)
{
	raw_spin_lock_init(&s->lock);
	init_waitqueue_head(&s->waitq);
	init_irq_work(&s->notify, sesame_notify);
	hrtimer_setup(&s->timer, sesame_pulse_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS_HARD);
	s->busy_wait_ns = busy_wait_us * NSEC_PER_USEC;
	/* Files start at 0: a fresh file has a status it has not read. */
	s->status_seq = 1;
}

/**
 * sesame_pulse_command() - apply a parsed command
 * @s: the servo
 * @cmd: the command
 *
 * The command is applied whole under the lock, so concurrent writers take
 * turns. A stopped engine starts at once: now is a period boundary.
 *
 * Return: 0, or -ENODEV once the device is unbound.
 */
int sesame_pulse_command(struct sesame *s, const struct sesame_cmd *cmd)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&s->lock, flags);
	if (s->gone) {
		raw_spin_unlock_irqrestore(&s->lock, flags);
		return -ENODEV;
	}
	sesame_motion_command(&s->motion, cmd);
	if (cmd->kind != SESAME_CMD_STOP) {
		sesame_status_changed(s);
		if (!s->armed) {
			s->armed = true;
			s->boundary = ktime_get();
			hrtimer_start(&s->timer, s->boundary, HRTIMER_MODE_ABS_HARD);
		}
	}
	raw_spin_unlock_irqrestore(&s->lock, flags);

	wake_up_interruptible(&s->waitq);
	return 0;
}

static bool sesame_armed(struct sesame *s)
{
	unsigned long flags;
	bool armed;

	raw_spin_lock_irqsave(&s->lock, flags);
	armed = s->armed;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return armed;
}

/**
 * sesame_pulse_halt() - stop for good, at a period boundary
 * @s: the servo, being unbound
 *
 * Files still open get -ENODEV from now on and poll() reports a hang-up.
 * The engine ends at the next boundary, so the last pulse is whole and the
 * line is left low. Cutting a pulse is the last resort, if the timer has
 * not stopped after two periods.
 */
void sesame_pulse_halt(struct sesame *s)
{
	u32 timeout_us = 2 * s->cfg.period_us + 100 * USEC_PER_MSEC;
	unsigned long flags;
	bool armed;

	raw_spin_lock_irqsave(&s->lock, flags);
	WRITE_ONCE(s->gone, true);	/* poll() and read() look without the lock */
	sesame_motion_halt(&s->motion);
	raw_spin_unlock_irqrestore(&s->lock, flags);

	if (read_poll_timeout(sesame_armed, armed, !armed, USEC_PER_MSEC,
			      timeout_us, false, s))
		dev_warn(s->dev, "pulse train did not end at a period boundary\n");
	hrtimer_cancel(&s->timer);
	if (s->line_high) {
		gpiod_set_value(s->gpio, 0);
		s->line_high = false;
	}

	irq_work_sync(&s->notify);
	wake_up_interruptible_all(&s->waitq);
}
