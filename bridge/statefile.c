// SPDX-License-Identifier: GPL-2.0
/*
 * statefile.c - load and durably save the replay memory (see statefile.h).
 */
#define _GNU_SOURCE
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_SUFFIX ".new"
#define LOCK_SUFFIX ".lock"

/* The directory part of PATH, into BUF. */
static const char *dir_of(const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s", path);
	return dirname(buf);
}

/*
 * The directory must exist and take new files: saves happen later.
 * Returns 0, STATEFILE_NO_DIR or -1, with WHY filled.
 */
static int check_dir(const char *path, char *why, size_t whylen)
{
	char buf[4096];
	const char *dir = dir_of(path, buf, sizeof(buf));
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "the directory %s is missing (the unit's StateDirectory= "
			 "makes /var/lib/sesame)", dir);
		return STATEFILE_NO_DIR;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(why, whylen, "cannot write in %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads all of FD, at most SIZE - 1 bytes; -2 if there is more. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size) {
		r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return (ssize_t)n;
		n += (size_t)r;
	}
	return -2;
}

int statefile_load(const char *path, unsigned int window, struct replay *r,
		   char *why, size_t whylen)
{
	char text[REPLAY_TEXT_MAX + 1], fault[128];
	struct stat st;
	ssize_t n;
	int fd;

	fd = check_dir(path, why, whylen);
	if (fd)
		return fd;
	/* Not through a link, and never waiting on a FIFO. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return STATEFILE_MISSING;
	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", path,
			 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "cannot stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a regular file", path);
		goto fail;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, whylen, "%s may be written by others than the bridge's user "
			 "(owner %u, mode %04o), who could let replays through: "
			 "chown it to the bridge's user and chmod go-w it",
			 path, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	n = read_all(fd, text, sizeof(text) - 1);
	if (n == -1) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	if (n == -2) {
		snprintf(why, whylen, "%s: larger than a replay state can be", path);
		return STATEFILE_CORRUPT;
	}
	if (replay_parse(r, window, text, (size_t)n, fault, sizeof(fault))) {
		snprintf(why, whylen, "%s: %s", path, fault);
		return STATEFILE_CORRUPT;
	}
	return STATEFILE_LOADED;
fail:
	close(fd);
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The rename is in the directory: it is durable once that is synced. */
static int sync_dir(const char *path)
{
	char buf[4096];
	int fd, rc;

	fd = open(dir_of(path, buf, sizeof(buf)), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int statefile_save(const char *path, const struct replay *r, char *why,
		   size_t whylen)
{
	char text[REPLAY_TEXT_MAX], tmp[4096];
	const char *step;
	int n, fd = -1;

	n = replay_format(r, text, sizeof(text));
	if (n < 0) {
		snprintf(why, whylen, "cannot format the replay state");
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, path) >= sizeof(tmp)) {
		snprintf(why, whylen, "%s: path too long", path);
		return -1;
	}
	step = "create";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	step = "write";
	if (write_all(fd, text, (size_t)n))
		goto fail;
	step = "sync";
	if (fsync(fd))
		goto fail;
	step = "close";
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	step = "rename";
	if (rename(tmp, path))
		goto fail;
	if (sync_dir(path)) {
		snprintf(why, whylen, "cannot sync the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	snprintf(why, whylen, "cannot %s %s: %s", step, tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int statefile_lock(const char *path, char *why, size_t whylen)
{
	char lock[4096];
	int fd;

	if (check_dir(path, why, whylen))
		return -1;
	if ((size_t)snprintf(lock, sizeof(lock), "%s" LOCK_SUFFIX, path) >= sizeof(lock)) {
		snprintf(why, whylen, "%s: path too long", path);
		return -1;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", lock, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(why, whylen, "%s is in use by another sesame-bridge: "
				 "each bridge needs a state_file of its own", path);
		else
			snprintf(why, whylen, "cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
