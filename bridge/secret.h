/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secret.h - the files that hold secrets: the broker password, the TLS
 * client key and the HMAC key. Each must be a regular file that others
 * cannot read. Each is opened once, checked through that descriptor and
 * read from it into memory, so that the file checked is the file used
 * (OpenSSL gets the TLS key from memory, never the path). The openers'
 * keys (hmac_keys_dir) are read the same way, at each command (keyring.c).
 */
#ifndef SESAME_SECRET_H
#define SESAME_SECRET_H

#include <stddef.h>

#include "config.h"

#define SECRET_PASSWORD_MAX	256
#define SECRET_KEY_MIN		32	/* bytes: the HMAC-SHA256 block is 64 */
#define SECRET_KEY_MAX		128
#define SECRET_TLS_KEY_MAX	16384	/* a PEM private key, RSA 8192 fits */

struct secrets {
	char password[SECRET_PASSWORD_MAX];	/* "" when not configured */
	unsigned char hmac_key[SECRET_KEY_MAX];
	size_t hmac_key_len;			/* 0: commands are not signed */
	char tls_key[SECRET_TLS_KEY_MAX];	/* PEM; wiped once OpenSSL has it */
	size_t tls_key_len;			/* 0: no client certificate */
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

/*
 * Reads the key file NAME in the directory DIRFD (hmac_keys_dir), as
 * above, and not through a symbolic link. Returns 0, -2 when there is no
 * such file, or -1 with a reason in WHY (which names the file by NAME).
 */
int secret_read_hmac_key_at(int dirfd, const char *name, unsigned char *key,
			    size_t *len, char *why, size_t whylen);

/* Wipes the TLS key's PEM text, once the TLS context holds the key. */
void secrets_wipe_tls_key(struct secrets *sec);

void secrets_wipe(struct secrets *sec);

#endif
