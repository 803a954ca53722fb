/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sesame.h - what the parts of sesame.ko share: one servo's state.
 *
 * sesame-main.c   probe: device tree -> struct sesame, registration
 * sesame-pulse.c  the hrtimer pulse engine
 * sesame-cdev.c   /dev/sesame: commands in, status out
 * sesame-sysfs.c  calibration, position and timing statistics
 * sesame-core.c   the pure logic all of them use
 */
#ifndef SESAME_H
#define SESAME_H

#include <linux/gpio/consumer.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "sesame-core.h"

/* An edge later than this after its due time counts as late. */
#define SESAME_LATE_NS		5000
/* Upper bound of the busy-wait budget per edge, in microseconds. */
#define SESAME_BUSY_WAIT_MAX_US	500

struct sesame_stats {
	u64 pulses;		/* pulses sent */
	u64 late_edges;		/* edges more than SESAME_LATE_NS late */
	u64 missed_periods;	/* periods without their pulse: callback too late */
	u64 max_late_ns;	/* latest falling edge */
	u64 max_rise_late_ns;	/* latest rising edge, against its boundary */
};

struct sesame {
	struct kref ref;		/* probe holds one, each open file one */
	struct device *dev;		/* valid only while bound */
	struct list_head names;		/* in the list of names taken */
	struct gpio_desc *gpio;
	struct sesame_cfg cfg;		/* read-only after probe */
	char name[8 + SESAME_LABEL_MAX];	/* "sesame" or "sesame-<label>" */
	struct miscdevice misc;

	/*
	 * Shared by file operations, sysfs and the timer callback, which runs
	 * in hard interrupt context even on PREEMPT_RT: hence a raw spinlock.
	 * Protects motion, armed, gone, status_seq, busy_wait_ns and stats.
	 */
	raw_spinlock_t lock;
	struct sesame_motion motion;
	bool armed;			/* the timer is queued or running */
	bool gone;			/* unbound: files get -ENODEV */
	unsigned long status_seq;	/* bumped whenever the status changes */
	u32 busy_wait_ns;
	struct sesame_stats stats;

	/*
	 * Owned by the timer callback (one runs at a time), and set by
	 * whoever arms the timer while it is not armed.
	 */
	struct hrtimer timer;
	bool line_high;
	s64 boundary;			/* start of the current period */
	s64 fall_due;			/* when the line must go low */
	s64 rise_late;			/* how late the last rise was */
	u32 busy_ns;			/* busy-wait budget of this period */

	/* Readers learn of changes made in the timer through this. */
	struct irq_work notify;
	wait_queue_head_t waitq;
};

void sesame_put(struct sesame *s);

void sesame_pulse_init(struct sesame *s, u32 busy_wait_us);
int sesame_pulse_command(struct sesame *s, const struct sesame_cmd *cmd);
void sesame_pulse_halt(struct sesame *s);

int sesame_cdev_register(struct sesame *s);

extern const struct attribute_group *sesame_groups[];

#endif /* SESAME_H */
