// SPDX-License-Identifier: GPL-2.0
/*
 * sign.c - parse and verify signed commands (see sign.h).
 */
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

enum reason sign_parse(const char *payload, size_t len,
		       struct signed_payload *sp, char *detail, size_t detail_len)
{
	const char *field[4], *end = payload + len, *p = payload;
	size_t flen[4], i;
	int64_t t = 0;

	for (i = 0; i < 4; i++) {
		const char *sp_at = memchr(p, ' ', (size_t)(end - p));
		const char *stop = (i < 3 && sp_at) ? sp_at : end;

		if (i < 3 && !sp_at)
			return malformed(detail, detail_len,
					 "signed command needs 4 fields: COMMAND TIME NONCE MAC");
		field[i] = p;
		flen[i] = (size_t)(stop - p);
		if (flen[i] == 0)
			return malformed(detail, detail_len,
					 "signed command fields are separated by single spaces");
		p = stop + 1;
	}
	if (memchr(field[3], ' ', flen[3]))
		return malformed(detail, detail_len,
				 "signed command needs 4 fields: COMMAND TIME NONCE MAC");
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
	if (flen[3] != SIGN_MAC_HEX || !hex_is_lower_digits(field[3], flen[3]))
		return malformed(detail, detail_len, "mac must be 64 lower-case hex digits");

	sp->word = field[0];
	sp->word_len = flen[0];
	sp->time_text = field[1];
	sp->time_len = flen[1];
	sp->time = t;
	sp->nonce = field[2];
	sp->nonce_len = flen[2];
	sp->mac = field[3];
	return REASON_NONE;
}

int sign_mac(const unsigned char *key, size_t key_len, const char *topic,
	     const char *word, size_t word_len, const char *time_text,
	     size_t time_len, const char *nonce, size_t nonce_len,
	     unsigned char mac[SIGN_MAC_LEN])
{
	char msg[SIGN_TOPIC_MAX + 16 + 1 + SIGN_TIME_MAX + 1 + SIGN_NONCE_MAX + 4];
	unsigned int mac_len = 0;
	int n;

	if (strlen(topic) > SIGN_TOPIC_MAX || word_len > 16 ||
	    time_len > SIGN_TIME_MAX || nonce_len > SIGN_NONCE_MAX)
		return -1;
	n = snprintf(msg, sizeof(msg), "%s|%.*s|%.*s|%.*s", topic,
		     (int)word_len, word, (int)time_len, time_text,
		     (int)nonce_len, nonce);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
		  (size_t)n, mac, &mac_len) || mac_len != SIGN_MAC_LEN)
		return -1;
	return 0;
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
	unsigned char want[SIGN_MAC_LEN], got[SIGN_MAC_LEN];
	enum reason r;
	int64_t age;

	if (sign_mac(s->key, s->key_len, topic, sp->word, sp->word_len,
		     sp->time_text, sp->time_len, sp->nonce, sp->nonce_len, want) ||
	    hex_decode(sp->mac, SIGN_MAC_HEX, got) ||
	    CRYPTO_memcmp(want, got, SIGN_MAC_LEN) != 0) {
		snprintf(detail, detail_len, "mac does not match");
		return REASON_BAD_SIGNATURE;
	}
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
