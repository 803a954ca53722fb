/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secret.h - the files that hold secrets: the broker password, the TLS
 * client key and the HMAC key. Each must be a regular file that others
 * cannot read; the password and HMAC key are read into memory once.
 */
#ifndef SESAME_SECRET_H
#define SESAME_SECRET_H

#include <stddef.h>

#include "config.h"

#define SECRET_PASSWORD_MAX	256
#define SECRET_KEY_MIN		32	/* bytes: the HMAC-SHA256 block is 64 */
#define SECRET_KEY_MAX		128

struct secrets {
	char password[SECRET_PASSWORD_MAX];	/* "" when not configured */
	unsigned char hmac_key[SECRET_KEY_MAX];
	size_t hmac_key_len;			/* 0: commands are not signed */
};

/*
 * Reads the secrets CFG names. FILE names the configuration in messages.
 * Returns 0, or -1 with "FILE:LINE: ..." in ERR.
 */
int secrets_load(const struct config *cfg, const char *file,
		 struct secrets *sec, char *err, size_t errlen);

/*
 * Reads the HMAC key file at PATH: one line of hex, SECRET_KEY_MIN to
 * SECRET_KEY_MAX bytes. Returns 0, or -1 with a reason in WHY.
 */
int secret_read_hmac_key(const char *path, unsigned char *key, size_t *len,
			 char *why, size_t whylen);

void secrets_wipe(struct secrets *sec);

#endif
