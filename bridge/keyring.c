// SPDX-License-Identifier: GPL-2.0
/*
 * keyring.c - the openers' key files (see keyring.h).
 */
#define _GNU_SOURCE
#include "keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "sign.h"

int keyring_open(struct keyring *kr, const char *dir, char *why, size_t whylen)
{
	struct stat st;
	int fd;

	kr->dirfd = -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open the directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "cannot stat %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & S_IWOTH) ||
	    ((st.st_mode & S_IWGRP) && st.st_gid != 0)) {
		snprintf(why, whylen,
			 "%s: others than its owner and root may add keys to it (owner %u, "
			 "mode %04o), and every key in it opens the door: run chmod go-w %s",
			 dir, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777), dir);
		goto fail;
	}
	kr->dirfd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

int keyring_lookup(void *ctx, const char *name, unsigned char *key, size_t *len,
		   char *why, size_t whylen)
{
	struct keyring *kr = ctx;
	int rc;

	/* sign_parse() let only [A-Za-z0-9_-] through: never a path. */
	if (kr->dirfd < 0 || !sign_name_ok(name, strlen(name))) {
		snprintf(why, whylen, "no key for this opener");
		return SIGN_LOOKUP_MISSING;
	}
	rc = secret_read_hmac_key_at(kr->dirfd, name, key, len, why, whylen);
	if (rc == -2)
		return SIGN_LOOKUP_MISSING;
	return rc ? SIGN_LOOKUP_UNUSABLE : 0;
}

void keyring_close(struct keyring *kr)
{
	if (kr->dirfd >= 0)
		close(kr->dirfd);
	kr->dirfd = -1;
}
