// SPDX-License-Identifier: GPL-2.0
/*
 * sign.c - parse and verify signed commands (see sign.h).
 */
#define _GNU_SOURCE
#include "sign.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

#define SIGN_TOPIC_MAX 512

void signer_init(struct signer *s, const unsigned char *key, size_t key_len,
		 unsigned int window)
{
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->key_len = key_len;
	s->window = window;
	replay_init(&s->replay, window, 0, FLOOR_ACCEPTED);
}

void signer_set_lookup(struct signer *s, sign_lookup_fn lookup, void *ctx)
{
	s->lookup = lookup;
	s->lookup_ctx = ctx;
}

void signer_restore(struct signer *s, const struct replay *saved)
{
	s->replay = *saved;
	s->replay.window = s->window;
	s->floor_at_sync = false;
	s->dirty = false;
}

/* Whole seconds of a time in milliseconds, rounded down (also before 1970). */
static int64_t seconds(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((999 - ms) / 1000);
}

void signer_fresh_start(struct signer *s, const struct sign_clock *now)
{
	int64_t wall = seconds(now->wall_ms);

	replay_init(&s->replay, s->window, wall > 0 ? wall : 0, FLOOR_START);
	s->floor_at_sync = !now->synced;
	s->start_mono_ms = now->mono_ms;
	s->dirty = true;
}

static enum reason malformed(char *detail, size_t detail_len, const char *why)
{
	snprintf(detail, detail_len, "%s", why);
	return REASON_MALFORMED;
}

bool sign_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > SIGN_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

#define FIELDS_WHY "signed command needs 4 fields: COMMAND TIME NONCE MAC " \
		   "(or 5: COMMAND TIME NONCE NAME MAC)"

enum reason sign_parse(const char *payload, size_t len,
		       struct signed_payload *sp, char *detail, size_t detail_len)
{
	const char *field[5], *end = payload + len, *p = payload;
	size_t flen[5], i, n = 1;
	int64_t t = 0;

	/* Four fields, or five with the opener's name before the MAC. */
	for (i = 0; i < len; i++)
		if (payload[i] == ' ')
			n++;
	if (n != 4 && n != 5)
		return malformed(detail, detail_len, FIELDS_WHY);
	for (i = 0; i < n; i++) {
		const char *sp_at = memchr(p, ' ', (size_t)(end - p));
		const char *stop = sp_at ? sp_at : end;

		field[i] = p;
		flen[i] = (size_t)(stop - p);
		if (flen[i] == 0)
			return malformed(detail, detail_len,
					 "signed command fields are separated by single spaces");
		p = stop + 1;
	}
	for (i = 0; i < flen[0]; i++) {
		unsigned char c = (unsigned char)field[0][i];

		if (c <= ' ' || c >= 0x7f)
			return malformed(detail, detail_len, "command is not a printable word");
	}
	if (flen[1] > SIGN_TIME_MAX)
		return malformed(detail, detail_len, "time is not a unix time in seconds");
	for (i = 0; i < flen[1]; i++) {
		char c = field[1][i];

		if (c < '0' || c > '9')
			return malformed(detail, detail_len, "time is not a unix time in seconds");
		if (t > (INT64_MAX - (c - '0')) / 10)
			return malformed(detail, detail_len, "time is not a unix time in seconds");
		t = t * 10 + (c - '0');
	}
	if (flen[2] < SIGN_NONCE_MIN || flen[2] > SIGN_NONCE_MAX ||
	    !hex_is_digits(field[2], flen[2]))
		return malformed(detail, detail_len, "nonce must be 16 to 64 hex digits");
	if (n == 5 && !sign_name_ok(field[3], flen[3]))
		return malformed(detail, detail_len,
				 "opener name must be 1 to 32 of A-Z a-z 0-9 _ -");
	if (flen[n - 1] != SIGN_MAC_HEX || !hex_is_lower_digits(field[n - 1], flen[n - 1]))
		return malformed(detail, detail_len, "mac must be 64 lower-case hex digits");

	sp->word = field[0];
	sp->word_len = flen[0];
	sp->time_text = field[1];
	sp->time_len = flen[1];
	sp->time = t;
	sp->nonce = field[2];
	sp->nonce_len = flen[2];
	sp->name = n == 5 ? field[3] : NULL;
	sp->name_len = n == 5 ? flen[3] : 0;
	sp->mac = field[n - 1];
	return REASON_NONE;
}

int sign_mac_named(const unsigned char *key, size_t key_len, const char *topic,
		   const char *word, size_t word_len, const char *time_text,
		   size_t time_len, const char *nonce, size_t nonce_len,
		   const char *name, size_t name_len, unsigned char mac[SIGN_MAC_LEN])
{
	char msg[SIGN_TOPIC_MAX + 16 + 1 + SIGN_TIME_MAX + 1 + SIGN_NONCE_MAX + 1 +
		 SIGN_NAME_MAX + 4];
	unsigned int mac_len = 0;
	int n;

	if (strlen(topic) > SIGN_TOPIC_MAX || word_len > 16 ||
	    time_len > SIGN_TIME_MAX || nonce_len > SIGN_NONCE_MAX ||
	    name_len > SIGN_NAME_MAX || !key || !key_len)
		return -1;
	n = snprintf(msg, sizeof(msg), "%s|%.*s|%.*s|%.*s%s%.*s", topic,
		     (int)word_len, word, (int)time_len, time_text,
		     (int)nonce_len, nonce, name_len ? "|" : "",
		     (int)name_len, name_len ? name : "");
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
		  (size_t)n, mac, &mac_len) || mac_len != SIGN_MAC_LEN)
		return -1;
	return 0;
}

int sign_mac(const unsigned char *key, size_t key_len, const char *topic,
	     const char *word, size_t word_len, const char *time_text,
	     size_t time_len, const char *nonce, size_t nonce_len,
	     unsigned char mac[SIGN_MAC_LEN])
{
	return sign_mac_named(key, key_len, topic, word, word_len, time_text,
			      time_len, nonce, nonce_len, NULL, 0, mac);
}

/*
 * The MAC must match the key of the form used: the single key for the
 * unnamed form, the opener's own for the named one, read now (a revoked
 * opener's file is gone) and wiped as soon as the MAC is computed.
 */
static enum reason check_mac(const struct signer *s, const char *topic,
			     const struct signed_payload *sp, char *detail,
			     size_t detail_len)
{
	unsigned char want[SIGN_MAC_LEN], got[SIGN_MAC_LEN], key[SIGN_KEY_MAX];
	const unsigned char *k = s->key;
	char name[SIGN_NAME_MAX + 1];
	size_t klen = s->key_len;
	int rc;

	if (sp->name_len) {
		if (!s->lookup) {
			snprintf(detail, detail_len, "named signed commands need hmac_keys_dir");
			return REASON_BAD_SIGNATURE;
		}
		memcpy(name, sp->name, sp->name_len);
		name[sp->name_len] = '\0';
		klen = 0;
		rc = s->lookup(s->lookup_ctx, name, key, &klen, detail, detail_len);
		if (rc || klen == 0 || klen > sizeof(key)) {
			explicit_bzero(key, sizeof(key));
			if (!rc)
				snprintf(detail, detail_len, "the key of opener %s cannot be used", name);
			return REASON_UNKNOWN_OPENER;
		}
		k = key;
	} else if (!s->key) {
		snprintf(detail, detail_len, "unnamed signed commands need hmac_key_file");
		return REASON_BAD_SIGNATURE;
	}
	rc = sign_mac_named(k, klen, topic, sp->word, sp->word_len, sp->time_text,
			    sp->time_len, sp->nonce, sp->nonce_len, sp->name,
			    sp->name_len, want);
	explicit_bzero(key, sizeof(key));
	if (rc || hex_decode(sp->mac, SIGN_MAC_HEX, got) ||
	    CRYPTO_memcmp(want, got, SIGN_MAC_LEN) != 0) {
		snprintf(detail, detail_len, "mac does not match");
		return REASON_BAD_SIGNATURE;
	}
	return REASON_NONE;
}

/*
 * The clock must be synchronised, and not behind the floor: a clock set back
 * behind the commands already accepted makes every command fail until it
 * is right again, never lets an old one through.
 */
static enum reason check_clock(struct signer *s, const struct sign_clock *clk,
			       char *detail, size_t detail_len)
{
	int64_t wall = seconds(clk->wall_ms);

	if (!clk->synced) {
		snprintf(detail, detail_len,
			 "the system clock is not synchronised yet (NTP); signed commands wait for it");
		return REASON_CLOCK;
	}
	if (s->floor_at_sync) {
		s->floor_at_sync = false;
		s->dirty = true;
		/* The second the bridge started in, read in the synchronised clock. */
		replay_raise_floor(&s->replay,
				   seconds(clk->wall_ms - (clk->mono_ms - s->start_mono_ms)),
				   FLOOR_START);
	}
	if (wall < s->replay.floor) {
		snprintf(detail, detail_len,
			 "the system clock (%lld) is not past the replay floor (%lld): was it set back?",
			 (long long)wall, (long long)s->replay.floor);
		return REASON_CLOCK;
	}
	return REASON_NONE;
}

static enum reason older(const struct signer *s, const struct signed_payload *sp,
			 char *detail, size_t detail_len)
{
	static const char *const why[] = {
		[FLOOR_ACCEPTED] = "older than the last accepted command",
		[FLOOR_FULL] = "older than the oldest command remembered",
		[FLOOR_START] = "signed before the bridge started without its replay state",
	};

	snprintf(detail, detail_len, "%s (signed at %lld, floor %lld)",
		 why[s->replay.origin], (long long)sp->time, (long long)s->replay.floor);
	return REASON_OLDER;
}

enum reason sign_verify(struct signer *s, const char *topic,
			const struct signed_payload *sp,
			const struct sign_clock *clk, char *detail,
			size_t detail_len)
{
	enum reason r;
	int64_t age;

	r = check_mac(s, topic, sp, detail, detail_len);
	if (r != REASON_NONE)
		return r;
	r = check_clock(s, clk, detail, detail_len);
	if (r != REASON_NONE)
		return r;
	age = seconds(clk->wall_ms) - sp->time;
	if (age > (int64_t)s->window) {
		snprintf(detail, detail_len, "signed %lld s ago; the window is %u s",
			 (long long)age, s->window);
		return REASON_STALE;
	}
	if (-age > (int64_t)s->window) {
		snprintf(detail, detail_len, "signed %lld s in the future; the window is %u s",
			 (long long)-age, s->window);
		return REASON_STALE;
	}
	switch (replay_add(&s->replay, sp->nonce, sp->nonce_len, sp->time)) {
	case REPLAY_OLDER:
		/* A full memory may have raised the floor on the way. */
		s->dirty = true;
		return older(s, sp, detail, detail_len);
	case REPLAY_SEEN:
		snprintf(detail, detail_len, "nonce already used");
		return REASON_REPLAY;
	case REPLAY_FRESH:
		break;
	}
	s->dirty = true;
	return REASON_NONE;
}
