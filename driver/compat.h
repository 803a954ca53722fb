/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - shims for the kernels sesame.ko builds against: Debian 12's
 * 6.1 and Raspberry Pi OS's 6.6, 6.12 and later.
 *
 * Kbuild tests the headers for each feature (SESAME_HAVE_*) rather than
 * comparing version numbers, so kernels with backports are served too.
 */
#ifndef SESAME_COMPAT_H
#define SESAME_COMPAT_H

#include <linux/hrtimer.h>

/* 6.13 added hrtimer_setup(); later kernels removed hrtimer_init(). */
#ifndef SESAME_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

#endif /* SESAME_COMPAT_H */
