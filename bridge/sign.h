/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sign.h - signed commands.
 *
 * Payload: "<command> <unix-time> <nonce> <mac>", single spaces, where the
 * nonce is 16 to 64 hex digits and the mac is the lower-case hex
 * HMAC-SHA256, keyed with the key file's bytes, over
 * "<topic>|<command>|<unix-time>|<nonce>" (each field exactly as sent;
 * topic is the command topic, B/set). A command is accepted within
 * +-window seconds of its time stamp, and each nonce only once.
 */
#ifndef SESAME_SIGN_H
#define SESAME_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "nonce.h"
#include "verdict.h"

#define SIGN_NONCE_MIN	16
#define SIGN_NONCE_MAX	64
#define SIGN_MAC_LEN	32
#define SIGN_MAC_HEX	64
#define SIGN_TIME_MAX	19	/* digits of INT64_MAX */

struct signed_payload {
	const char *word;
	size_t word_len;
	const char *time_text;
	size_t time_len;
	int64_t time;
	const char *nonce;
	size_t nonce_len;
	const char *mac;	/* SIGN_MAC_HEX characters */
};

struct signer {
	const unsigned char *key;
	size_t key_len;
	unsigned int window;
	struct nonce_cache nonces;
};

void signer_init(struct signer *s, const unsigned char *key, size_t key_len,
		 unsigned int window);

/*
 * Splits PAYLOAD into its four fields and checks their form. Returns
 * REASON_NONE, or REASON_MALFORMED with DETAIL filled.
 */
enum reason sign_parse(const char *payload, size_t len,
		       struct signed_payload *sp, char *detail, size_t detail_len);

/* The MAC of a command, as sesame-sign computes it. Returns 0 or -1. */
int sign_mac(const unsigned char *key, size_t key_len, const char *topic,
	     const char *word, size_t word_len, const char *time_text,
	     size_t time_len, const char *nonce, size_t nonce_len,
	     unsigned char mac[SIGN_MAC_LEN]);

/*
 * Checks the MAC (in constant time), the time window against NOW, and the
 * nonce, in that order, and remembers the nonce of a command that passes.
 * Returns REASON_NONE, or REASON_BAD_SIGNATURE, REASON_STALE or
 * REASON_REPLAY with DETAIL filled.
 */
enum reason sign_verify(struct signer *s, const char *topic,
			const struct signed_payload *sp, int64_t now,
			char *detail, size_t detail_len);

#endif
