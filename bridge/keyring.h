/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keyring.h - the openers' keys (hmac_keys_dir): one file per opener,
 * named by the opener, read at each named command through a descriptor of
 * the directory held from the start, so that removing a file revokes that
 * opener at once, without a restart, and nothing else is touched.
 *
 * The directory must be owned by root or the bridge's user, and writable
 * by nobody else (a group other than root's included): whoever could add
 * a file could add an opener. Each key file follows the rules of
 * hmac_key_file (secret.h), and may not be a symbolic link.
 */
#ifndef SESAME_KEYRING_H
#define SESAME_KEYRING_H

#include <stddef.h>

struct keyring {
	int dirfd;		/* -1: no hmac_keys_dir */
};

/* Opens and checks DIR. Returns 0, or -1 with WHY filled. */
int keyring_open(struct keyring *kr, const char *dir, char *why, size_t whylen);

/* A sign_lookup_fn (sign.h); CTX is the struct keyring. */
int keyring_lookup(void *ctx, const char *name, unsigned char *key, size_t *len,
		   char *why, size_t whylen);

void keyring_close(struct keyring *kr);

#endif
