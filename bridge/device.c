// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - open, command, read and watch /dev/sesame (see device.h).
 */
#define _GNU_SOURCE
#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "log.h"

/* The directory events that can mean the node (re)appeared or became usable. */
#define WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR)

static void split_path(struct device *dev, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dev->dir, sizeof(dev->dir), ".");
		snprintf(dev->name, sizeof(dev->name), "%s", path);
	} else if (slash == path) {
		snprintf(dev->dir, sizeof(dev->dir), "/");
		snprintf(dev->name, sizeof(dev->name), "%s", slash + 1);
	} else {
		snprintf(dev->dir, sizeof(dev->dir), "%.*s", (int)(slash - path), path);
		snprintf(dev->name, sizeof(dev->name), "%s", slash + 1);
	}
}

static int watch(struct device *dev)
{
	if (dev->watch >= 0)
		return 0;
	dev->watch = inotify_add_watch(dev->inotify_fd, dev->dir, WATCH_MASK);
	if (dev->watch < 0) {
		log_warn("cannot watch %s for %s", dev->dir, dev->name);
		return -1;
	}
	return 0;
}

static void unwatch(struct device *dev)
{
	if (dev->watch >= 0)
		inotify_rm_watch(dev->inotify_fd, dev->watch);
	dev->watch = -1;
}

/*
 * The driver's node is a character device. A regular file is accepted only
 * on a FUSE file system, which is how the tests stand in for the driver
 * with the same poll() and read() behaviour; any other file would poll as
 * always readable.
 */
static int check_type(int fd)
{
	struct statfs sfs;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISCHR(st.st_mode))
		return 0;
	if (S_ISREG(st.st_mode) && fstatfs(fd, &sfs) == 0 &&
	    sfs.f_type == FUSE_SUPER_MAGIC)
		return 0;
	return -ENOTTY;
}

bool device_open(struct device *dev)
{
	int fd, err;

	if (dev->fd >= 0)
		return true;
	fd = open(dev->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	err = fd < 0 ? -errno : check_type(fd);
	if (err) {
		if (fd >= 0)
			close(fd);
		/* Say it once per cause: the watch may fire often. */
		if (-err != dev->open_errno) {
			if (err == -ENOTTY)
				log_warnx("%s is not a character device; waiting for it to be replaced",
					  dev->path);
			else if (err == -ENOENT)
				log_warnx("%s is missing; waiting for it to appear", dev->path);
			else
				log_warnx("cannot open %s: %s; waiting for it to change",
					  dev->path, strerror(-err));
			dev->open_errno = -err;
		}
		return false;
	}
	dev->fd = fd;
	dev->open_errno = 0;
	unwatch(dev);
	log_info("opened %s", dev->path);
	return true;
}

/*
 * EPERM, unlike EACCES, is not the file's permissions but a device policy:
 * typically systemd's DeviceAllow=, which it resolves when the service
 * starts, before the module made this node (again, maybe with another
 * minor number). Waiting cannot fix that; only a restart of the service.
 */
bool device_denied(const struct device *dev)
{
	return dev->fd < 0 && dev->open_errno == EPERM;
}

int device_init(struct device *dev, const char *path)
{
	memset(dev, 0, sizeof(*dev));
	dev->path = path;
	dev->fd = -1;
	dev->watch = -1;
	split_path(dev, path);
	dev->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (dev->inotify_fd < 0) {
		log_warn("inotify");
		return -1;
	}
	/* Watch first, then open: a node created in between is not missed. */
	if (watch(dev))
		return -1;
	device_open(dev);
	return 0;
}

bool device_inotify(struct device *dev)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool maybe = false;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(dev->inotify_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				maybe = true;
			else if (ev->len && !strcmp(ev->name, dev->name))
				maybe = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return maybe && dev->watch >= 0;
}

int device_lost(struct device *dev)
{
	if (dev->fd >= 0) {
		close(dev->fd);
		dev->fd = -1;
		log_warnx("%s went away", dev->path);
	}
	if (watch(dev))
		return -1;
	/* It may be back already (a quick unbind and bind). */
	device_open(dev);
	return 0;
}

int device_read_status(struct device *dev, enum dev_state *state)
{
	char line[STATUS_LINE_MAX + 2];
	size_t len = 0;
	ssize_t n;

	if (dev->fd < 0)
		return -ENODEV;
	/* One line, then EOF; a line that fills the buffer is too long. */
	while (len < sizeof(line)) {
		n = pread(dev->fd, line + len, sizeof(line) - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (status_parse(line, len, state)) {
		log_warnx("%s: unreadable status line (%zu bytes)", dev->path, len);
		return -EPROTO;
	}
	return 0;
}

int device_command(struct device *dev, enum command cmd)
{
	const char *word = command_name(cmd);
	ssize_t n;

	if (dev->fd < 0)
		return -ENODEV;
	if (!word)
		return -EINVAL;
	/* The driver takes one command per write(). */
	do
		n = write(dev->fd, word, strlen(word));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != strlen(word))
		return -EIO;
	return 0;
}

void device_close(struct device *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->inotify_fd >= 0)
		close(dev->inotify_fd);
	dev->fd = dev->inotify_fd = dev->watch = -1;
}
