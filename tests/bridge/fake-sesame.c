// SPDX-License-Identifier: GPL-2.0
/*
 * fake-sesame - a stand-in for /dev/sesame on a host without the driver.
 *
 * A FUSE file system with two files, so that sesame-bridge meets the same
 * protocol as with the real driver, through the same system calls. What the
 * device does with a command is the driver's own code (fake-device.c links
 * driver/sesame-core.c): the same grammar, widths, status line and hold.
 *
 *   MNT/sesame  one command per write(), as /dev/sesame takes it; anything
 *               else fails with EINVAL. read() at offset 0 returns one
 *               status line, then EOF. poll() reports POLLIN when the
 *               status changed since this open file last read it, and
 *               POLLHUP|POLLERR once "unplugged"; then read and write fail
 *               with ENODEV, as after rmmod.
 *   MNT/ctl     written by the tests to act as the kernel would:
 *               "expire"   the hold time ran out: back to closed
 *               "unplug"   the device goes away (module removed)
 *               "plug"     it comes back (state unknown, as after insmod)
 *               "fail ERR" the next command fails with errno ERR
 *                          (EIO, EINVAL or EBUSY)
 *               "deny"     opening the device fails with EPERM, as a
 *                          device policy (systemd's DeviceAllow=) makes it
 *               "allow"    opening works again
 *               read: "open_files=N commands=N\n"
 *
 * Every accepted command is appended, one per line, to LOG, so that a test
 * sees exactly what reached the "device". With -t each line starts with the
 * CLOCK_MONOTONIC time (ns) at which the write reached this program, for
 * the latency benchmark (bench/latency/).
 *
 * Usage: fake-sesame [-t] MOUNTPOINT LOG (runs in the foreground; SIGTERM
 *                                         unmounts and exits)
 */
#define FUSE_USE_VERSION 34
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fake-device.h"

#define INO_ROOT	1
#define INO_DEVICE	2
#define INO_CTL		3

#define MAX_CONTROL	64	/* longest write to MNT/ctl */

/* One open file of MNT/sesame: what it has seen, and who waits on it. */
struct opened {
	struct opened *next;
	unsigned long seen;		/* status version at its last read */
	struct fuse_pollhandle *ph;	/* a poller waiting for a change */
};

static struct {
	unsigned long version;	/* bumped whenever the status line changes */
	bool gone;
	bool deny;		/* opening the device fails with EPERM */
	int fail_next;		/* errno for the next command, or 0 */
	unsigned long commands;
	unsigned int open_files;
	struct opened *files;
	FILE *log;
	bool stamp;		/* -t: each log line starts with the write's time */
	struct timespec write_time;
} dev;

static void wake_pollers(void)
{
	struct opened *o;

	for (o = dev.files; o; o = o->next) {
		if (o->ph) {
			fuse_lowlevel_notify_poll(o->ph);
			fuse_pollhandle_destroy(o->ph);
			o->ph = NULL;
		}
	}
}

static void status_changed(void)
{
	dev.version++;
	wake_pollers();
}

/* One write() to MNT/sesame; returns 0 or an errno. */
static int run_command(const char *buf, size_t len)
{
	bool changed;
	int err;

	err = -fake_device_command(buf, len, &changed);
	if (changed)
		status_changed();
	if (err)
		return err;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (dev.stamp)
		fprintf(dev.log, "%lld%09ld ", (long long)dev.write_time.tv_sec,
			dev.write_time.tv_nsec);
	fprintf(dev.log, "%.*s\n", (int)len, buf);
	fflush(dev.log);
	dev.commands++;
	return 0;
}

static int run_control(const char *buf, size_t len)
{
	char cmd[MAX_CONTROL + 1];
	bool changed;

	if (len == 0 || len > MAX_CONTROL)
		return EINVAL;
	memcpy(cmd, buf, len);
	cmd[len] = '\0';
	cmd[strcspn(cmd, "\n")] = '\0';

	if (!strcmp(cmd, "expire")) {
		fake_device_expire(&changed);
		if (changed)
			status_changed();
	} else if (!strcmp(cmd, "unplug")) {
		dev.gone = true;
		wake_pollers();
	} else if (!strcmp(cmd, "plug")) {
		dev.gone = false;
		fake_device_reset();
		status_changed();
	} else if (!strcmp(cmd, "deny")) {
		dev.deny = true;
	} else if (!strcmp(cmd, "allow")) {
		dev.deny = false;
	} else if (!strcmp(cmd, "fail EIO")) {
		dev.fail_next = EIO;
	} else if (!strcmp(cmd, "fail EINVAL")) {
		dev.fail_next = EINVAL;
	} else if (!strcmp(cmd, "fail EBUSY")) {
		dev.fail_next = EBUSY;
	} else {
		return EINVAL;
	}
	return 0;
}

static void fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == INO_ROOT) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0600;
		st->st_nlink = 1;
	}
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	if (parent != INO_ROOT) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!strcmp(name, "sesame"))
		e.ino = INO_DEVICE;
	else if (!strcmp(name, "ctl"))
		e.ino = INO_CTL;
	else {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (ino != INO_ROOT && ino != INO_DEVICE && ino != INO_CTL) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(ino, &st);
	fuse_reply_attr(req, &st, 0);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct opened *o;

	if (ino == INO_ROOT) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->direct_io = 1;	/* every write() arrives whole, reads are ours */
	if (ino == INO_CTL) {
		fuse_reply_open(req, fi);
		return;
	}
	if (dev.gone) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	if (dev.deny) {
		fuse_reply_err(req, EPERM);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	o->seen = dev.version;
	o->next = dev.files;
	dev.files = o;
	dev.open_files++;
	fi->fh = (uintptr_t)o;
	if (fuse_reply_open(req, fi) != 0) {
		dev.files = o->next;
		dev.open_files--;
		free(o);
	}
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct opened **pp, *o = (struct opened *)(uintptr_t)fi->fh;

	if (ino == INO_DEVICE && o) {
		for (pp = &dev.files; *pp; pp = &(*pp)->next) {
			if (*pp == o) {
				*pp = o->next;
				break;
			}
		}
		if (o->ph)
			fuse_pollhandle_destroy(o->ph);
		free(o);
		dev.open_files--;
	}
	fuse_reply_err(req, 0);
}

static void reply_slice(fuse_req_t req, const char *text, size_t size, off_t off)
{
	size_t len = strlen(text);

	if ((size_t)off >= len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, text + off,
			       len - (size_t)off < size ? len - (size_t)off : size);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct opened *o = (struct opened *)(uintptr_t)fi->fh;
	char line[160];

	if (ino == INO_CTL) {
		snprintf(line, sizeof(line), "open_files=%u commands=%lu\n",
			 dev.open_files, dev.commands);
		reply_slice(req, line, size, off);
		return;
	}
	if (dev.gone) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	fake_device_status(line, sizeof(line));
	if (off == 0)
		o->seen = dev.version;
	reply_slice(req, line, size, off);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	int err;

	(void)off;
	(void)fi;
	clock_gettime(CLOCK_MONOTONIC, &dev.write_time);
	if (ino == INO_CTL) {
		err = run_control(buf, size);
	} else if (dev.gone) {
		err = ENODEV;
	} else if (dev.fail_next) {
		err = dev.fail_next;
		dev.fail_next = 0;
	} else {
		err = run_command(buf, size);
	}
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_write(req, size);
}

static void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph)
{
	struct opened *o = (struct opened *)(uintptr_t)fi->fh;
	unsigned int revents = 0;

	if (ino != INO_DEVICE || !o) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLIN | POLLOUT);
		return;
	}
	if (ph) {
		if (o->ph)
			fuse_pollhandle_destroy(o->ph);
		o->ph = ph;
	}
	if (dev.gone)
		revents = POLLHUP | POLLERR;
	else {
		revents = POLLOUT | POLLWRNORM;
		if (o->seen != dev.version)
			revents |= POLLIN | POLLRDNORM;
	}
	fuse_reply_poll(req, revents);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = op_lookup,
	.getattr = op_getattr,
	.open = op_open,
	.release = op_release,
	.read = op_read,
	.write = op_write,
	.poll = op_poll,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], "-o", "fsname=fake-sesame,subtype=sesame", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse_session *se;
	int rc = 1;

	if (argc == 4 && !strcmp(argv[1], "-t")) {
		dev.stamp = true;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: fake-sesame [-t] MOUNTPOINT LOG\n");
		return 2;
	}
	dev.log = fopen(argv[2], "a");
	if (!dev.log) {
		perror(argv[2]);
		return 1;
	}
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!se)
		return 1;
	if (fuse_set_signal_handlers(se) == 0) {
		if (fuse_session_mount(se, argv[1]) == 0) {
			rc = fuse_session_loop(se) ? 1 : 0;
			fuse_session_unmount(se);
		}
		fuse_remove_signal_handlers(se);
	}
	fuse_session_destroy(se);
	fclose(dev.log);
	return rc;
}
