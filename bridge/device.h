/* SPDX-License-Identifier: GPL-2.0 */
/*
 * device.h - /dev/sesame as the bridge uses it: write "open" or "close",
 * read the status line with pread() at offset 0, and poll() for POLLIN
 * (the status changed, e.g. the driver closed by itself after its hold
 * time) and POLLHUP|POLLERR (the device was unbound or its module
 * removed).
 *
 * While the node is missing or unusable the fd is closed (so that rmmod
 * is not refused because the bridge holds the module), and an inotify
 * watch on its directory says when to try again: no timer, no wakeup
 * while nothing happens.
 */
#ifndef SESAME_DEVICE_H
#define SESAME_DEVICE_H

#include <stdbool.h>

#include "config.h"
#include "status.h"
#include "verdict.h"

struct device {
	const char *path;
	char dir[CONFIG_PATH_MAX];
	char name[CONFIG_PATH_MAX];
	int fd;			/* -1 while the device is absent */
	int inotify_fd;
	int watch;		/* -1 while not watching */
	int open_errno;		/* of the last failed open, to log changes */
};

/*
 * Opens PATH if it is there, or starts watching for it. Returns 0, or -1
 * (logged) if its directory cannot be watched.
 */
int device_init(struct device *dev, const char *path);

static inline bool device_present(const struct device *dev)
{
	return dev->fd >= 0;
}

/*
 * Tries to open the device (after an inotify event). Returns true if it is
 * open now.
 */
bool device_open(struct device *dev);
bool device_denied(const struct device *dev);

/* Drains the inotify fd; true if the device's name may have come back. */
bool device_inotify(struct device *dev);

/*
 * Closes the fd at once and watches for the node to come back. Returns 0,
 * or -1 (logged) if the watch cannot be set.
 */
int device_lost(struct device *dev);

/*
 * Reads the status line. Returns 0 with *STATE set, -ENODEV when the
 * device went away (call device_lost()), or another negative errno
 * (-EPROTO for a line that does not parse).
 */
int device_read_status(struct device *dev, enum dev_state *state);

/* Writes CMD. Returns 0 or a negative errno (-ENODEV: gone). */
int device_command(struct device *dev, enum command cmd);

void device_close(struct device *dev);

#endif
