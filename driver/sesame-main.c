// SPDX-License-Identifier: GPL-2.0
/*
 * sesame-main.c - sesame.ko: a hobby servo on one GPIO, as /dev/sesame.
 *
 * A platform driver for device-tree nodes compatible with "sesame,servo"
 * (dts/sesame,servo.yaml; on a Raspberry Pi, dtoverlay=sesame,gpiopin=18).
 * The servo gets a pulse every period (50 Hz by default); the high time sets
 * its position. Usage:
 *
 *   # echo open > /dev/sesame      open, and close again after hold-ms
 *   # echo 90 > /dev/sesame        any angle, 0..180
 *   # echo 1500us > /dev/sesame    any pulse width within min..max
 *   # echo stop > /dev/sesame      go limp at the end of the period
 *   # cat /dev/sesame
 *   state=open pulse_us=2000 angle=135 pulsing=1 opens=1
 *
 * This file reads and checks the properties, claims the GPIO (low, so the
 * servo does not twitch at boot) and ties the parts together; everything
 * is undone by devm, in reverse, when the device goes away.
 */
#include <linux/gpio/consumer.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pinctrl/consumer.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "sesame.h"

static unsigned int busy_wait_us = 50;
module_param(busy_wait_us, uint, 0444);
MODULE_PARM_DESC(busy_wait_us,
		 "Busy-wait budget before each edge, in us (0: off; max 500). Per device in sysfs.");

/* Device names in use: two nodes with the same label must not collide. */
static DEFINE_MUTEX(sesame_names_lock);
static LIST_HEAD(sesame_names);

static void sesame_free(struct kref *ref)
{
	kfree(container_of(ref, struct sesame, ref));
}

void sesame_put(struct sesame *s)
{
	kref_put(&s->ref, sesame_free);
}

static void sesame_put_action(void *data)
{
	sesame_put(data);
}

/* An absent property keeps its default; a malformed one fails the probe. */
static int sesame_read_u32(struct device *dev, const char *prop, u32 *val)
{
	int err;

	if (!device_property_present(dev, prop))
		return 0;
	/* Reading one u32 would silently take the first of several cells. */
	if (device_property_count_u32(dev, prop) != 1)
		return dev_err_probe(dev, -EINVAL, "%s: must be one 32-bit cell\n", prop);
	err = device_property_read_u32(dev, prop, val);
	if (err)
		return dev_err_probe(dev, err, "%s: cannot read it\n", prop);
	return 0;
}

static int sesame_read_cfg(struct device *dev, struct sesame_cfg *cfg)
{
	/* Typed pointers: a field of another width would not compile. */
	const struct {
		const char *prop;
		u32 *val;
	} props[] = {
		{ "sesame,period-us", &cfg->period_us },
		{ "sesame,min-pulse-us", &cfg->min_pulse_us },
		{ "sesame,max-pulse-us", &cfg->max_pulse_us },
		{ "sesame,closed-pulse-us", &cfg->closed_pulse_us },
		{ "sesame,open-pulse-us", &cfg->open_pulse_us },
		{ "sesame,hold-ms", &cfg->hold_ms },
		{ "sesame,idle-ms", &cfg->idle_ms },
	};
	char msg[SESAME_MSG_MAX];
	unsigned int i;
	int err;

	*cfg = (struct sesame_cfg)SESAME_CFG_DEFAULTS;
	for (i = 0; i < ARRAY_SIZE(props); i++) {
		err = sesame_read_u32(dev, props[i].prop, props[i].val);
		if (err)
			return err;
	}

	err = sesame_cfg_check(cfg, msg, sizeof(msg));
	if (err)
		return dev_err_probe(dev, err, "%s\n", msg);
	return 0;
}

/* "sesame", or "sesame-<label>" when the node has a label. */
static int sesame_read_name(struct device *dev, struct sesame *s)
{
	const char *label;
	int err;

	if (!device_property_present(dev, "label")) {
		strscpy(s->name, "sesame", sizeof(s->name));
		return 0;
	}
	err = device_property_read_string(dev, "label", &label);
	if (err)
		return dev_err_probe(dev, err, "label: must be a string\n");
	if (!sesame_label_valid(label))
		return dev_err_probe(dev, -EINVAL,
				     "label \"%*pE\": must be 1..%d of a-z A-Z 0-9 - _\n",
				     (int)strlen(label), label, SESAME_LABEL_MAX);
	snprintf(s->name, sizeof(s->name), "sesame-%s", label);
	return 0;
}

static void sesame_release_name(void *data)
{
	struct sesame *s = data;

	mutex_lock(&sesame_names_lock);
	list_del(&s->names);
	mutex_unlock(&sesame_names_lock);
}

static int sesame_claim_name(struct device *dev, struct sesame *s)
{
	struct sesame *other;
	int err = 0;

	mutex_lock(&sesame_names_lock);
	list_for_each_entry(other, &sesame_names, names) {
		if (!strcmp(other->name, s->name)) {
			err = dev_err_probe(dev, -EEXIST,
					    "label: /dev/%s is taken by %s; give each servo its own label\n",
					    s->name, dev_name(other->dev));
			break;
		}
	}
	if (!err)
		list_add(&s->names, &sesame_names);
	mutex_unlock(&sesame_names_lock);
	if (err)
		return err;
	return devm_add_action_or_reset(dev, sesame_release_name, s);
}

/*
 * The pin's state is named "servo", not "default", and selected here: the
 * driver core selects "default" before probe, and when another device
 * already holds the pin it fails the device without calling us, so sesame
 * would say nothing. pinctrl's own message just before names the holder;
 * this one says what to do. A node without pin settings is left to the
 * GPIO's controller.
 */
static int sesame_claim_pin(struct device *dev)
{
	struct fwnode_reference_args args;
	struct pinctrl *pins;
	int err;

	pins = devm_pinctrl_get_select(dev, "servo");
	if (!IS_ERR(pins))
		return 0;
	err = PTR_ERR(pins);
	if (err == -ENODEV)
		return 0;
	if (fwnode_property_get_reference_args(dev_fwnode(dev), "servo-gpios",
					       "#gpio-cells", 0, 0, &args) ||
	    args.nargs < 1)
		return dev_err_probe(dev, err,
				     "servo-gpios: pinctrl refused the pin (the lines above say why)\n");
	fwnode_handle_put(args.fwnode);
	return dev_err_probe(dev, err,
			     "GPIO%llu is taken: pinctrl refused it (the lines above name the device holding it); use another pin (dtoverlay=sesame,gpiopin=N) or free this one\n",
			     args.args[0]);
}

static void sesame_halt_action(void *data)
{
	sesame_pulse_halt(data);
}

static void sesame_deregister_action(void *data)
{
	struct sesame *s = data;

	misc_deregister(&s->misc);
}

static int sesame_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct sesame *s;
	int err;

	/* Not devm: an open file may keep it after the device is gone. */
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	kref_init(&s->ref);
	s->dev = dev;
	err = devm_add_action_or_reset(dev, sesame_put_action, s);
	if (err)
		return err;

	err = sesame_read_cfg(dev, &s->cfg);
	if (err)
		return err;
	err = sesame_read_name(dev, s);
	if (err)
		return err;
	err = sesame_claim_name(dev, s);
	if (err)
		return err;

	err = sesame_claim_pin(dev);
	if (err)
		return err;

	/*
	 * Taken as it is (the overlay holds it as an input pulled low), so
	 * that a GPIO refused below is never touched.
	 */
	s->gpio = devm_gpiod_get(dev, "servo", GPIOD_ASIS);
	if (IS_ERR(s->gpio))
		return dev_err_probe(dev, PTR_ERR(s->gpio),
				     "servo-gpios: cannot get the GPIO\n");
	if (gpiod_cansleep(s->gpio))
		return dev_err_probe(dev, -EINVAL,
				     "servo-gpios: this GPIO can sleep, so a timer cannot drive it; use a SoC GPIO\n");
	/* Driven low from here on: the servo must not twitch at boot. */
	err = gpiod_direction_output(s->gpio, 0);
	if (err)
		return dev_err_probe(dev, err, "servo-gpios: cannot drive it low\n");
	gpiod_set_consumer_name(s->gpio, s->name);

	sesame_pulse_init(s, min_t(u32, busy_wait_us, SESAME_BUSY_WAIT_MAX_US));
	err = devm_add_action_or_reset(dev, sesame_halt_action, s);
	if (err)
		return err;

	err = sesame_cdev_register(s);
	if (err)
		return dev_err_probe(dev, err, "cannot register /dev/%s\n", s->name);
	err = devm_add_action_or_reset(dev, sesame_deregister_action, s);
	if (err)
		return err;

	dev_info(dev, "/dev/%s: %u us period, %u..%u us, closed %u us, open %u us\n",
		 s->name, s->cfg.period_us, s->cfg.min_pulse_us,
		 s->cfg.max_pulse_us, s->cfg.closed_pulse_us,
		 s->cfg.open_pulse_us);
	return 0;
}

static const struct of_device_id sesame_of_match[] = {
	{ .compatible = "sesame,servo" },
	{ }
};
MODULE_DEVICE_TABLE(of, sesame_of_match);

static struct platform_driver sesame_driver = {
	.probe = sesame_probe,
	.driver = {
		.name = "sesame",
		.of_match_table = sesame_of_match,
	},
};
module_platform_driver(sesame_driver);

MODULE_DESCRIPTION("Hobby servo on a GPIO with hrtimer-timed pulses, as /dev/sesame");
MODULE_AUTHOR("The sesame authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(SESAME_VERSION);
