/* SPDX-License-Identifier: GPL-2.0 */
/*
 * statefile.h - the replay memory on disk (state_file, by default in
 * /var/lib/sesame/, systemd's StateDirectory=), so that a restart or a
 * crash forgets no nonce.
 *
 * A save is durable before it returns: the text goes to FILE.new, which is
 * written, fsync()ed and renamed over FILE, and the directory is fsync()ed,
 * so that after any crash the file holds either the old memory or the new
 * one, whole. The bridge saves before it writes an accepted command to the
 * device. The file must be a regular file of the bridge's user (or root)
 * that nobody else may write: whoever can write it can let replays through.
 */
#ifndef SESAME_STATEFILE_H
#define SESAME_STATEFILE_H

#include <stddef.h>

#include "replay.h"

enum statefile_status {
	STATEFILE_LOADED,
	STATEFILE_MISSING,	/* no file yet: a first start, or it was lost */
	STATEFILE_CORRUPT,	/* WHY says where; the caller fails closed */
	STATEFILE_NO_DIR,	/* its directory is missing (WHY says so) */
};

/*
 * Loads PATH into R (WINDOW: the configured signature window). Returns a
 * status, or -1 with WHY filled when the file or its directory cannot be
 * used at all (not a regular file, writable by others, unreadable, a
 * directory the bridge may not write in).
 */
int statefile_load(const char *path, unsigned int window, struct replay *r,
		   char *why, size_t whylen);

/*
 * Takes PATH for this process (an flock() on PATH.lock), so that two
 * bridges given the same file do not overwrite each other's memory.
 * Returns the lock's fd, to keep open, or -1 with WHY filled.
 */
int statefile_lock(const char *path, char *why, size_t whylen);

/* Saves R to PATH durably. Returns 0, or -1 with WHY filled. */
int statefile_save(const char *path, const struct replay *r, char *why,
		   size_t whylen);

#endif
