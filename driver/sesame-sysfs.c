// SPDX-License-Identifier: GPL-2.0
/*
 * sesame-sysfs.c - what a user debugging a servo looks at, under
 * /sys/class/misc/sesame[-<label>]/:
 *
 *   calibration (from the device tree, read-only): period_us min_pulse_us
 *       max_pulse_us closed_pulse_us open_pulse_us hold_ms idle_ms
 *   position: state pulse_us angle pulsing opens
 *   timing: pulses late_edges max_late_ns max_rise_late_ns missed_periods,
 *       busy_wait_us (root may tune it), reset_stats (write 1)
 *
 * Calibration stays in the device tree on purpose: a door's open and
 * closed positions should not change because something wrote to sysfs.
 */
#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>

#include "sesame.h"

static struct sesame *to_sesame(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct sesame, misc);
}

/*
 * A read-only number, the field _name of the struct _from: each gets its
 * own show function, which reads the field by name, so that the compiler
 * checks its type against the format (a u64 printed with %u fails the W=1
 * build) rather than trusting a cast.
 */
#define SESAME_RO_ATTR(_name, _fmt, _from)				\
	static ssize_t _name##_show(struct device *dev,			\
				    struct device_attribute *attr,	\
				    char *buf)				\
	{								\
		return sysfs_emit(buf, _fmt "\n", _from._name);		\
	}								\
	static struct device_attribute dev_attr_##_name = {		\
		.attr = { .name = #_name, .mode = 0444 },		\
		.show = _name##_show,					\
	}

/* Calibration, from the device tree. */
#define SESAME_CFG_ATTR(_name) \
	SESAME_RO_ATTR(_name, "%u", to_sesame(dev)->cfg)

SESAME_CFG_ATTR(period_us);
SESAME_CFG_ATTR(min_pulse_us);
SESAME_CFG_ATTR(max_pulse_us);
SESAME_CFG_ATTR(closed_pulse_us);
SESAME_CFG_ATTR(open_pulse_us);
SESAME_CFG_ATTR(hold_ms);
SESAME_CFG_ATTR(idle_ms);

static struct sesame_motion sesame_motion_now(struct sesame *s)
{
	struct sesame_motion motion;
	unsigned long flags;

	raw_spin_lock_irqsave(&s->lock, flags);
	motion = s->motion;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return motion;
}

/* Where the servo is told to be, read under the lock. */
#define SESAME_MOTION_ATTR(_name) \
	SESAME_RO_ATTR(_name, "%u", sesame_motion_now(to_sesame(dev)))

SESAME_MOTION_ATTR(pulse_us);
SESAME_MOTION_ATTR(opens);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct sesame_motion m = sesame_motion_now(to_sesame(dev));

	return sysfs_emit(buf, "%s\n", sesame_state_name(m.state));
}
static DEVICE_ATTR_RO(state);

static ssize_t angle_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct sesame *s = to_sesame(dev);
	struct sesame_motion m = sesame_motion_now(s);

	if (m.state == SESAME_STATE_UNKNOWN)
		return sysfs_emit(buf, "-1\n");
	return sysfs_emit(buf, "%u\n", sesame_us_to_angle(&s->cfg, m.pulse_us));
}
static DEVICE_ATTR_RO(angle);

static ssize_t pulsing_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct sesame_motion m = sesame_motion_now(to_sesame(dev));

	return sysfs_emit(buf, "%d\n", m.pulsing ? 1 : 0);
}
static DEVICE_ATTR_RO(pulsing);

static struct sesame_stats sesame_stats_now(struct sesame *s)
{
	struct sesame_stats stats;
	unsigned long flags;

	raw_spin_lock_irqsave(&s->lock, flags);
	stats = s->stats;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return stats;
}

/* The pulse engine's counters, read under the lock. */
#define SESAME_STAT_ATTR(_name) \
	SESAME_RO_ATTR(_name, "%llu", sesame_stats_now(to_sesame(dev)))

SESAME_STAT_ATTR(pulses);
SESAME_STAT_ATTR(late_edges);
SESAME_STAT_ATTR(missed_periods);
SESAME_STAT_ATTR(max_late_ns);
SESAME_STAT_ATTR(max_rise_late_ns);

static ssize_t reset_stats_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	struct sesame *s = to_sesame(dev);
	unsigned long flags;
	bool reset;
	int err;

	err = kstrtobool(buf, &reset);
	if (err)
		return err;
	if (!reset)
		return -EINVAL;
	raw_spin_lock_irqsave(&s->lock, flags);
	memset(&s->stats, 0, sizeof(s->stats));
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return count;
}
static DEVICE_ATTR_WO(reset_stats);

static ssize_t busy_wait_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct sesame *s = to_sesame(dev);
	unsigned long flags;
	u32 busy_ns;

	raw_spin_lock_irqsave(&s->lock, flags);
	busy_ns = s->busy_wait_ns;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return sysfs_emit(buf, "%u\n", busy_ns / (u32)NSEC_PER_USEC);
}

/* The budget is spent with interrupts off, once per pulse: keep it bounded. */
static ssize_t busy_wait_us_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct sesame *s = to_sesame(dev);
	unsigned long flags;
	u32 us;
	int err;

	err = kstrtou32(buf, 10, &us);
	if (err)
		return err;
	if (us > SESAME_BUSY_WAIT_MAX_US)
		return -ERANGE;
	raw_spin_lock_irqsave(&s->lock, flags);
	s->busy_wait_ns = us * NSEC_PER_USEC;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return count;
}
static DEVICE_ATTR_RW(busy_wait_us);

static struct attribute *sesame_attrs[] = {
	&dev_attr_period_us.attr,
	&dev_attr_min_pulse_us.attr,
	&dev_attr_max_pulse_us.attr,
	&dev_attr_closed_pulse_us.attr,
	&dev_attr_open_pulse_us.attr,
	&dev_attr_hold_ms.attr,
	&dev_attr_idle_ms.attr,
	&dev_attr_state.attr,
	&dev_attr_pulse_us.attr,
	&dev_attr_angle.attr,
	&dev_attr_pulsing.attr,
	&dev_attr_opens.attr,
	&dev_attr_pulses.attr,
	&dev_attr_late_edges.attr,
	&dev_attr_missed_periods.attr,
	&dev_attr_max_late_ns.attr,
	&dev_attr_max_rise_late_ns.attr,
	&dev_attr_reset_stats.attr,
	&dev_attr_busy_wait_us.attr,
	NULL
};

static const struct attribute_group sesame_group = {
	.attrs = sesame_attrs,
};

const struct attribute_group *sesame_groups[] = {
	&sesame_group,
	NULL
};
