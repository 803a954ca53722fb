/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sign.h - signed commands.
 *
 * Payload: "<command> <unix-time> <nonce> <mac>", single spaces, where the
 * nonce is 16 to 64 hex digits and the mac is the lower-case hex
 * HMAC-SHA256, keyed with the key file's bytes, over
 * "<topic>|<command>|<unix-time>|<nonce>" (each field exactly as sent;
 * topic is the command topic, B/set). The named form, one key per opener
 * (hmac_keys_dir), is "<command> <unix-time> <nonce> <name> <mac>", the
 * name being 1 to 32 of [A-Za-z0-9_-] and signed too:
 * "<topic>|<command>|<unix-time>|<nonce>|<name>", so that no opener's key
 * can sign in another's name. The replay memory is shared by all openers.
 * A command is accepted only while
 * the system clock is synchronised, within +-window seconds of its time
 * stamp, above the replay floor, and each nonce only once (replay.h).
 */
#ifndef SESAME_SIGN_H
#define SESAME_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay.h"
#include "verdict.h"

#define SIGN_NONCE_MIN	16
#define SIGN_NONCE_MAX	64
#define SIGN_MAC_LEN	32
#define SIGN_MAC_HEX	64
#define SIGN_TIME_MAX	19	/* digits of INT64_MAX */
#define SIGN_NAME_MAX	32	/* an opener's name: [A-Za-z0-9_-] */
#define SIGN_KEY_MAX	128	/* bytes, as secret.h reads them */

/* What a key lookup returns besides 0. */
#define SIGN_LOOKUP_MISSING	(-1)	/* no such opener: revoked, never enrolled */
#define SIGN_LOOKUP_UNUSABLE	(-2)	/* a key file that must not be trusted */

/*
 * Finds the key of opener NAME (NUL-terminated, already checked to be a
 * name): hmac_keys_dir/NAME, read at each command so that removing the
 * file revokes that opener at once. Returns 0 with KEY and LEN filled, or
 * a SIGN_LOOKUP_* with WHY filled (our words, safe for an event).
 */
typedef int (*sign_lookup_fn)(void *ctx, const char *name, unsigned char *key,
			      size_t *len, char *why, size_t whylen);

struct signed_payload {
	const char *word;
	size_t word_len;
	const char *time_text;
	size_t time_len;
	int64_t time;
	const char *nonce;
	size_t nonce_len;
	const char *name;	/* the opener; name_len 0 in the unnamed form */
	size_t name_len;
	const char *mac;	/* SIGN_MAC_HEX characters */
};

/* What the bridge knows of the time when a command arrives. */
struct sign_clock {
	int64_t wall_ms;	/* CLOCK_REALTIME, in milliseconds */
	int64_t mono_ms;	/* CLOCK_MONOTONIC, in milliseconds */
	bool synced;		/* the kernel says the wall clock was set by NTP */
};

struct signer {
	const unsigned char *key;	/* hmac_key_file: the unnamed form; or NULL */
	size_t key_len;
	sign_lookup_fn lookup;		/* hmac_keys_dir: the named form; or NULL */
	void *lookup_ctx;
	unsigned int window;
	struct replay replay;
	/*
	 * Started without saved state: once the clock can be trusted, the
	 * floor becomes the moment of the start, read in that clock (the
	 * wall clock at the start may have been hours off).
	 */
	bool floor_at_sync;
	int64_t start_mono_ms;
	bool dirty;		/* replay changed: save it before acting */
};

/* A signer whose replay memory is empty, with a floor of 0. */
void signer_init(struct signer *s, const unsigned char *key, size_t key_len,
		 unsigned int window);

/* Named commands: their keys come from LOOKUP (see sign_lookup_fn). */
void signer_set_lookup(struct signer *s, sign_lookup_fn lookup, void *ctx);

/* Takes over the replay memory the bridge saved before it stopped. */
void signer_restore(struct signer *s, const struct replay *saved);

/*
 * No saved replay memory (a first start, a lost or corrupt file): refuse
 * every command signed before NOW, fail closed; if the clock is not
 * synchronised yet, the floor moves to the start as that clock will tell it
 * once it is. Marks the memory dirty.
 */
void signer_fresh_start(struct signer *s, const struct sign_clock *now);

/*
 * Splits PAYLOAD into its four fields (five, named) and checks their form.
 * Returns REASON_NONE, or REASON_MALFORMED with DETAIL filled.
 */
enum reason sign_parse(const char *payload, size_t len,
		       struct signed_payload *sp, char *detail, size_t detail_len);

/* The MAC of a command, as sesame-sign computes it. Returns 0 or -1. */
int sign_mac(const unsigned char *key, size_t key_len, const char *topic,
	     const char *word, size_t word_len, const char *time_text,
	     size_t time_len, const char *nonce, size_t nonce_len,
	     unsigned char mac[SIGN_MAC_LEN]);

/* The MAC of a named command: NAME (NAME_LEN bytes) is signed too. */
int sign_mac_named(const unsigned char *key, size_t key_len, const char *topic,
		   const char *word, size_t word_len, const char *time_text,
		   size_t time_len, const char *nonce, size_t nonce_len,
		   const char *name, size_t name_len, unsigned char mac[SIGN_MAC_LEN]);

/* Whether NAME (LEN bytes) is an opener's name: 1 to 32 of [A-Za-z0-9_-]. */
bool sign_name_ok(const char *name, size_t len);

/*
 * Finds the key (the opener's, for a named command), checks the MAC (in
 * constant time), the clock, the time window, the floor and the nonce, in
 * that order, and remembers the nonce of a command that passes (setting
 * s->dirty). Returns REASON_NONE, or REASON_UNKNOWN_OPENER,
 * REASON_BAD_SIGNATURE, REASON_CLOCK, REASON_STALE, REASON_OLDER or
 * REASON_REPLAY with DETAIL filled.
 */
enum reason sign_verify(struct signer *s, const char *topic,
			const struct signed_payload *sp,
			const struct sign_clock *clk, char *detail,
			size_t detail_len);

#endif
