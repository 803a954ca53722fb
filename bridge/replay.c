// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - the replay memory and its text form (see replay.h).
 */
#include "replay.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

#define HEADER		"sesame-replay 1\n"
#define SUM_KEY		"sha256 "
#define SUM_HEX		64

static const char *const origin_names[] = {
	[FLOOR_ACCEPTED] = "accepted",
	[FLOOR_FULL] = "full",
	[FLOOR_START] = "start",
};

const char *replay_origin_name(enum floor_origin origin)
{
	return origin_names[origin];
}

void replay_init(struct replay *r, unsigned int window, int64_t floor,
		 enum floor_origin origin)
{
	memset(r, 0, sizeof(*r));
	r->window = window;
	r->floor = floor;
	r->origin = origin;
}

/* Forgets the nonces the floor now refuses anyway. */
static void drop_below_floor(struct replay *r)
{
	unsigned int i = 0;

	while (i < r->used) {
		if (r->entry[i].time <= r->floor)
			r->entry[i] = r->entry[--r->used];
		else
			i++;
	}
}

bool replay_raise_floor(struct replay *r, int64_t floor, enum floor_origin origin)
{
	if (floor <= r->floor)
		return false;
	r->floor = floor;
	r->origin = origin;
	drop_below_floor(r);
	return true;
}

static bool seen(const struct replay *r, const char *nonce, size_t len)
{
	unsigned int i;

	for (i = 0; i < r->used; i++)
		if (r->entry[i].len == len && !memcmp(r->entry[i].nonce, nonce, len))
			return true;
	return false;
}

static const struct replay_entry *oldest(const struct replay *r)
{
	const struct replay_entry *o = &r->entry[0];
	unsigned int i;

	for (i = 1; i < r->used; i++)
		if (r->entry[i].time < o->time)
			o = &r->entry[i];
	return o;
}

enum replay_verdict replay_add(struct replay *r, const char *nonce, size_t len,
			       int64_t time)
{
	struct replay_entry *e;

	if (len == 0 || len > REPLAY_NONCE_MAX)
		return REPLAY_SEEN;	/* sign_parse() never lets these through */
	if (time <= r->floor)
		return REPLAY_OLDER;
	if (seen(r, nonce, len))
		return REPLAY_SEEN;
	/* Full of nonces above the floor: forget the oldest, refuse its era. */
	if (r->used == REPLAY_SIZE) {
		replay_raise_floor(r, oldest(r)->time, FLOOR_FULL);
		if (time <= r->floor)
			return REPLAY_OLDER;
	}
	e = &r->entry[r->used++];
	e->time = time;
	e->len = (uint8_t)len;
	memcpy(e->nonce, nonce, len);
	/* Subtraction cannot overflow: sign_parse() stamps are >= 0. */
	replay_raise_floor(r, time - 2 * (int64_t)r->window, FLOOR_ACCEPTED);
	return REPLAY_FRESH;
}

static int sum_hex(const char *text, size_t len, char out[SUM_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (!EVP_Digest(text, len, md, &md_len, EVP_sha256(), NULL) || md_len != SUM_HEX / 2)
		return -1;
	hex_encode(md, md_len, out);
	return 0;
}

int replay_format(const struct replay *r, char *buf, size_t size)
{
	char sum[SUM_HEX + 1];
	size_t n = 0;
	unsigned int i;
	int w;

#define PUT(...)							\
	do {								\
		w = snprintf(buf + n, size - n, __VA_ARGS__);		\
		if (w < 0 || (size_t)w >= size - n)			\
			return -1;					\
		n += (size_t)w;						\
	} while (0)

	if (size == 0)
		return -1;
	PUT(HEADER);
	PUT("floor %lld %s\n", (long long)r->floor, origin_names[r->origin]);
	for (i = 0; i < r->used; i++)
		PUT("nonce %lld %.*s\n", (long long)r->entry[i].time,
		    (int)r->entry[i].len, r->entry[i].nonce);
	if (sum_hex(buf, n, sum))
		return -1;
	PUT(SUM_KEY "%s\n", sum);
#undef PUT
	return (int)n;
}

/* A time stamp as replay_format() writes it: decimal digits, no sign, no
 * leading zero, within int64_t. */
static int parse_time(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || len > 19 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int bad(char *why, size_t whylen, unsigned int lineno, const char *what)
{
	snprintf(why, whylen, "line %u: %s", lineno, what);
	return -1;
}

/* "floor TIME ORIGIN" */
static int parse_floor(struct replay *r, const char *s, size_t len)
{
	const char *sp = memchr(s, ' ', len);
	size_t i;

	if (!sp || parse_time(s, (size_t)(sp - s), &r->floor))
		return -1;
	for (i = 0; i < sizeof(origin_names) / sizeof(origin_names[0]); i++) {
		if ((size_t)(s + len - sp - 1) == strlen(origin_names[i]) &&
		    !memcmp(sp + 1, origin_names[i], strlen(origin_names[i]))) {
			r->origin = (enum floor_origin)i;
			return 0;
		}
	}
	return -1;
}

/* "nonce TIME HEX", above the floor and not a second time. */
static const char *parse_nonce(struct replay *r, const char *s, size_t len)
{
	const char *sp = memchr(s, ' ', len);
	struct replay_entry *e;
	size_t n;
	int64_t t;

	if (!sp || parse_time(s, (size_t)(sp - s), &t))
		return "a nonce line needs a time stamp and the nonce";
	n = (size_t)(s + len - sp - 1);
	if (n < REPLAY_NONCE_MIN || n > REPLAY_NONCE_MAX || !hex_is_digits(sp + 1, n))
		return "a nonce must be 16 to 64 hex digits";
	if (t <= r->floor)
		return "a nonce at or below the floor";
	if (seen(r, sp + 1, n))
		return "a nonce listed twice";
	if (r->used == REPLAY_SIZE)
		return "more nonces than the memory holds";
	e = &r->entry[r->used++];
	e->time = t;
	e->len = (uint8_t)n;
	memcpy(e->nonce, sp + 1, n);
	return NULL;
}

int replay_parse(struct replay *r, unsigned int window, const char *text,
		 size_t len, char *why, size_t whylen)
{
	const char *p = text, *end = text + len, *nl, *fault;
	char sum[SUM_HEX + 1];
	unsigned int lineno = 0;
	struct replay tmp;
	size_t n;

	replay_init(&tmp, window, 0, FLOOR_ACCEPTED);
	if (len < strlen(HEADER) || memcmp(text, HEADER, strlen(HEADER)))
		return bad(why, whylen, 1, "not a sesame replay state (version 1)");
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		if (!nl)
			return bad(why, whylen, lineno, "cut short (no checksum line)");
		n = (size_t)(nl - p);
		if (lineno == 1) {
			/* the header, compared above */
		} else if (lineno == 2) {
			if (n < 6 || memcmp(p, "floor ", 6) || parse_floor(&tmp, p + 6, n - 6))
				return bad(why, whylen, lineno, "not \"floor TIME ORIGIN\"");
		} else if (n > 6 && !memcmp(p, "nonce ", 6)) {
			fault = parse_nonce(&tmp, p + 6, n - 6);
			if (fault)
				return bad(why, whylen, lineno, fault);
		} else if (n == strlen(SUM_KEY) + SUM_HEX && !memcmp(p, SUM_KEY, strlen(SUM_KEY))) {
			if (nl + 1 != end)
				return bad(why, whylen, lineno + 1, "text after the checksum");
			if (sum_hex(text, (size_t)(p - text), sum) ||
			    memcmp(sum, p + strlen(SUM_KEY), SUM_HEX))
				return bad(why, whylen, lineno, "checksum does not match");
			break;
		} else {
			return bad(why, whylen, lineno, "neither a nonce nor the checksum");
		}
		p = nl + 1;
	}
	*r = tmp;
	return 0;
}
