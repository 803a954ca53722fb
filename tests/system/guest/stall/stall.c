// SPDX-License-Identifier: GPL-2.0
/*
 * stall.c - a test module for the emulated Pi: hold every CPU with
 * interrupts off for a while, so that a timer callback comes whole periods
 * late, as it can on a loaded machine. The system tests use it to check
 * that sesame skips the missed periods instead of firing a burst.
 *
 *   # insmod stall.ko ms=70 && rmmod stall     (all CPUs stall 70 ms)
 *
 * Test use only: it does to the machine exactly what a driver must not.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>

static unsigned int ms = 70;
module_param(ms, uint, 0444);
MODULE_PARM_DESC(ms, "How long every CPU spins with interrupts off (max 500)");

/* Runs on each CPU with interrupts off (on_each_cpu()). */
static void stall_cpu(void *unused)
{
	mdelay(ms);
}

static int __init stall_init(void)
{
	if (ms > 500)
		return -EINVAL;
	on_each_cpu(stall_cpu, NULL, 1);
	return 0;
}
module_init(stall_init);

/* Nothing to undo; an exit function makes the module removable. */
static void __exit stall_exit(void)
{
}
module_exit(stall_exit);

MODULE_DESCRIPTION("Test only: stall every CPU with interrupts off");
MODULE_LICENSE("GPL");
