// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-payload.c - libFuzzer target: what the bridge does with an MQTT
 * payload on its command topic (bridge/command.c: plain words, the
 * signed-command verifier with its replay memory, the retain flag and the
 * size cap), the audit event made from each verdict (bridge/event.c), and
 * the device's status line (bridge/status.c).
 *
 * Input: a flags byte (signed or plain, max_payload, custom words, time
 * window, a fresh start without saved state and with the clock
 * synchronised or not), then records of [type][length, 2 bytes LE][data]
 * (a signed command may be in the named form of one key per opener:
 * alice's, bob's until he is revoked, or an unknown opener's):
 *   0 raw payload           3 step the wall clock, either way, and say
 *   1 a correctly signed      whether it is synchronised
 *     command, maybe        4 raw status line
 *     tampered with one     5 a status line as the driver formats it
 *     byte
 *   2 a configured word, with case changes and blanks around it
 *   6 a replay state file's text (bridge/replay.c)
 * Bit 7 of the type sets the retain flag. The records run through one
 * signer, so nonces are remembered across them as in the bridge.
 *
 * Each verdict is checked against an independent model of the rules in
 * sesame-bridge(8): a retained message is never accepted; a signed one
 * only with the right HMAC (computed here with OpenSSL directly), while
 * the clock is synchronised and not behind the replay floor, inside the
 * window, above the floor (which only rises: to 2 x window before the
 * newest accepted time stamp, and to the start of a fresh start once the
 * clock is synchronised), and with a nonce not accepted before above the
 * floor; any tampered byte is rejected; the reason is exactly the one the
 * rules give. The event must be valid JSON that says the same, and its
 * detail our own printable words, never the payload's bytes.
 */
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "config.h"
#include "event.h"
#include "hex.h"
#include "replay.h"
#include "sign.h"
#include "status.h"
#include "fuzz-check.h"

#define TOPIC		"sesame/door/set"
#define OTHER_TOPIC	"sesame/other/set"
#define START_TIME	1700000000LL
#define ACCEPTED_MAX	1024	/* nonces the model remembers */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[32] = {
	0x5e, 0x5a, 0x3e, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13,
};
/* The openers of hmac_keys_dir: their keys differ from the single key. */
static const unsigned char key_alice[32] = { 0xa1, 0x1c, 0xe0 };
static const unsigned char key_bob[48] = { 0xb0, 0xb0, 0xb0, 0x01 };
static const char *const opener_names[] = { NULL, "alice", "bob", "mallory" };

/* One input's world: configuration, signer, clock and the model's memory. */
struct world {
	struct config cfg;
	struct signer signer;
	bool is_signed;
	int64_t now;
	bool synced;			/* the kernel's word on the clock */
	int64_t floor;			/* the model's replay floor */
	bool pending;			/* fresh start: the floor waits for sync */
	bool bob_revoked;		/* his key file was removed */
	uint64_t counter;		/* for fresh nonces */
	unsigned int n_accepted;
	struct {
		char nonce[SIGN_NONCE_MAX];
		size_t len;
		int64_t time;
	} accepted[ACCEPTED_MAX];
};

/* The keys directory: alice, and bob until his file is removed. */
static const unsigned char *opener_key(const struct world *w, const char *name,
				       size_t n, size_t *len)
{
	if (n == 5 && !memcmp(name, "alice", 5)) {
		*len = sizeof(key_alice);
		return key_alice;
	}
	if (n == 3 && !memcmp(name, "bob", 3) && !w->bob_revoked) {
		*len = sizeof(key_bob);
		return key_bob;
	}
	return NULL;
}

static int lookup(void *ctx, const char *name, unsigned char *out, size_t *len,
		  char *why, size_t whylen)
{
	const unsigned char *k = opener_key(ctx, name, strlen(name), len);

	if (!k) {
		snprintf(why, whylen, "no key for opener %s: revoked, or never enrolled", name);
		return SIGN_LOOKUP_MISSING;
	}
	memcpy(out, k, *len);
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The command a configured word names (case-insensitive), or CMD_NONE. */
static enum command model_word(const struct config *cfg, const char *w, size_t n)
{
	unsigned int i;

	for (i = 0; i < cfg->open_words.count; i++)
		if (strlen(cfg->open_words.word[i]) == n &&
		    !strncasecmp(cfg->open_words.word[i], w, n))
			return CMD_OPEN;
	for (i = 0; i < cfg->close_words.count; i++)
		if (strlen(cfg->close_words.word[i]) == n &&
		    !strncasecmp(cfg->close_words.word[i], w, n))
			return CMD_CLOSE;
	return CMD_NONE;
}

/* A plain payload: one printable word, blanks around it ignored. */
static enum command model_plain(const struct config *cfg, const char *p, size_t n)
{
	size_t i;

	while (n && blank(p[0])) {
		p++;
		n--;
	}
	while (n && blank(p[n - 1]))
		n--;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
			return CMD_NONE;
	return n ? model_word(cfg, p, n) : CMD_NONE;
}

static bool all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

/*
 * The replay memory the rules describe: the time stamp of an earlier
 * accept of NONCE still above the floor, or INT64_MIN.
 */
static int64_t model_replay(const struct world *w, const char *nonce, size_t n)
{
	unsigned int i;

	for (i = 0; i < w->n_accepted; i++)
		if (w->accepted[i].len == n && !memcmp(w->accepted[i].nonce, nonce, n) &&
		    w->accepted[i].time > w->floor)
			return w->accepted[i].time;
	return INT64_MIN;
}

/*
 * What the rules say about a signed-mode payload: the reason, and the
 * command when accepted. For a replay, *EARLIER is the time stamp of the
 * accept it repeats.
 */
static enum reason model_signed(struct world *w, const char *topic,
				const char *p, size_t n, enum command *cmd,
				int64_t *time, const char **nonce, size_t *nonce_len,
				int64_t *earlier)
{
	const char *f[5], *end = p + n, *q = p;
	unsigned char mac[EVP_MAX_MD_SIZE], got[SIGN_MAC_LEN];
	const unsigned char *k = key;
	size_t fl[5], i, nf = 1, klen = sizeof(key);
	char msg[1024];
	unsigned int mac_len = 0;
	uint64_t t = 0;
	int len;

	if (!memchr(p, ' ', n) && model_plain(&w->cfg, p, n) != CMD_NONE)
		return REASON_BAD_SIGNATURE;	/* unsigned, but signatures are required */
	/* COMMAND TIME NONCE MAC, or COMMAND TIME NONCE NAME MAC */
	for (i = 0; i < n; i++)
		nf += p[i] == ' ';
	if (nf != 4 && nf != 5)
		return REASON_MALFORMED;
	for (i = 0; i < nf; i++) {
		const char *sp = memchr(q, ' ', (size_t)(end - q));

		f[i] = q;
		fl[i] = (size_t)((sp ? sp : end) - q);
		if (!fl[i])
			return REASON_MALFORMED;
		q = (sp ? sp : end) + 1;
	}
	for (i = 0; i < fl[0]; i++)
		if ((unsigned char)f[0][i] <= ' ' || (unsigned char)f[0][i] >= 0x7f)
			return REASON_MALFORMED;
	if (fl[1] > 19 || !all_in(f[1], fl[1], "0123456789"))
		return REASON_MALFORMED;
	for (i = 0; i < fl[1]; i++) {
		t = t * 10 + (uint64_t)(f[1][i] - '0');
		if (t > INT64_MAX)
			return REASON_MALFORMED;
	}
	if (fl[2] < 16 || fl[2] > 64 || !all_in(f[2], fl[2], "0123456789abcdefABCDEF"))
		return REASON_MALFORMED;
	if (nf == 5 && (fl[3] < 1 || fl[3] > 32 ||
			!all_in(f[3], fl[3], "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")))
		return REASON_MALFORMED;
	if (fl[nf - 1] != 64 || !all_in(f[nf - 1], fl[nf - 1], "0123456789abcdef"))
		return REASON_MALFORMED;
	*cmd = model_word(&w->cfg, f[0], fl[0]);
	if (*cmd == CMD_NONE)
		return REASON_MALFORMED;
	if (nf == 5) {
		k = opener_key(w, f[3], fl[3], &klen);
		if (!k)
			return REASON_UNKNOWN_OPENER;
		len = snprintf(msg, sizeof(msg), "%s|%.*s|%.*s|%.*s|%.*s", topic,
			       (int)fl[0], f[0], (int)fl[1], f[1], (int)fl[2], f[2],
			       (int)fl[3], f[3]);
	} else {
		len = snprintf(msg, sizeof(msg), "%s|%.*s|%.*s|%.*s", topic, (int)fl[0], f[0],
			       (int)fl[1], f[1], (int)fl[2], f[2]);
	}
	check(len > 0 && (size_t)len < sizeof(msg));
	check(HMAC(EVP_sha256(), k, (int)klen, (const unsigned char *)msg,
		   (size_t)len, mac, &mac_len) != NULL && mac_len == SIGN_MAC_LEN);
	check(hex_decode(f[nf - 1], 64, got) == 0);
	if (memcmp(mac, got, SIGN_MAC_LEN))
		return REASON_BAD_SIGNATURE;
	if (!w->synced)
		return REASON_CLOCK;
	if (w->pending) {
		/* The start, in the clock now synchronised (no time passed). */
		w->pending = false;
		if (w->now > w->floor)
			w->floor = w->now;
	}
	if (w->now < w->floor)
		return REASON_CLOCK;
	if (w->now - (int64_t)t > (int64_t)w->signer.window ||
	    (int64_t)t - w->now > (int64_t)w->signer.window)
		return REASON_STALE;
	*time = (int64_t)t;
	*nonce = f[2];
	*nonce_len = fl[2];
	if (*time <= w->floor)
		return REASON_OLDER;
	*earlier = model_replay(w, f[2], fl[2]);
	return *earlier != INT64_MIN ? REASON_REPLAY : REASON_NONE;
}

/*
 * The memory is bounded (replay.h): when full, it forgets its oldest
 * nonces and raises its floor past them, which the model's floor never
 * does. Where the two floors differ, the bridge may refuse what the model
 * accepts, for that floor only; and a nonce so forgotten may come again
 * with a later time stamp. The same message, never.
 */
static bool bounded_memory_explains(const struct world *w, enum reason got,
				    enum reason want, int64_t time, int64_t earlier)
{
	int64_t floor = w->signer.replay.floor;

	if (floor <= w->floor)
		return false;
	if (got == REASON_CLOCK)
		return w->now < floor && want != REASON_BAD_SIGNATURE &&
		       want != REASON_MALFORMED && want != REASON_RETAINED &&
		       want != REASON_UNKNOWN_OPENER;
	if (got == REASON_OLDER)
		return (want == REASON_NONE || want == REASON_REPLAY) && time <= floor;
	if (got == REASON_NONE)
		return want == REASON_REPLAY && earlier <= floor && time > floor;
	return false;
}

static void check_event(const struct verdict *v, int64_t now)
{
	char json[EVENT_JSON_MAX];
	const cJSON *item;
	cJSON *o;
	size_t i;

	/* The detail is ours: printable ASCII, never bytes of the payload. */
	for (i = 0; v->detail[i]; i++)
		check(v->detail[i] >= 0x20 && v->detail[i] < 0x7f);
	check(event_format(json, sizeof(json), v, now, v->reason ? 3 : 0) > 0);
	o = cJSON_Parse(json);
	check(o != NULL);
	item = cJSON_GetObjectItemCaseSensitive(o, "accepted");
	check(cJSON_IsBool(item) && cJSON_IsTrue(item) == (v->reason == REASON_NONE));
	item = cJSON_GetObjectItemCaseSensitive(o, "reason");
	if (v->reason == REASON_NONE)
		check(item == NULL);
	else
		check(cJSON_IsString(item) && !strcmp(item->valuestring, reason_name(v->reason)));
	item = cJSON_GetObjectItemCaseSensitive(o, "command");
	check(command_name(v->cmd) ? cJSON_IsString(item) &&
	      !strcmp(item->valuestring, command_name(v->cmd)) : cJSON_IsNull(item));
	/* The opener, when named, is a name: 1 to 32 of [A-Za-z0-9_-]. */
	item = cJSON_GetObjectItemCaseSensitive(o, "opener");
	if (v->opener[0])
		check(cJSON_IsString(item) && !strcmp(item->valuestring, v->opener) &&
		      sign_name_ok(v->opener, strlen(v->opener)));
	else
		check(item == NULL);
	cJSON_Delete(o);
}

/* Judges one message as the bridge does, and holds it against the model. */
static void judge(struct world *w, const char *topic, const char *p, size_t n,
		  bool retain)
{
	enum command want_cmd = CMD_NONE;
	const char *nonce = NULL;
	size_t nonce_len = 0;
	int64_t time = 0, earlier = INT64_MIN;
	enum reason want;
	struct verdict v;

	struct sign_clock clk = { .wall_ms = w->now * 1000, .synced = w->synced };

	command_judge(&w->cfg, w->is_signed ? &w->signer : NULL, topic, p, n, retain,
		      &clk, &v);
	check(v.is_signed == w->is_signed);
	if (retain)
		want = REASON_RETAINED;
	else if (n > w->cfg.max_payload)
		want = REASON_MALFORMED;
	else if (!w->is_signed)
		want = (want_cmd = model_plain(&w->cfg, p, n)) ? REASON_NONE : REASON_MALFORMED;
	else
		want = model_signed(w, topic, p, n, &want_cmd, &time, &nonce, &nonce_len,
				    &earlier);

	/* The floor only rises, and never below the model's. */
	check(!w->is_signed || w->signer.replay.floor >= w->floor);
	if (v.reason != want)
		check(bounded_memory_explains(w, v.reason, want, time, earlier));
	if (v.reason == REASON_NONE) {
		check(v.cmd == want_cmd && want_cmd != CMD_NONE);
		if (nonce && time - 2 * (int64_t)w->signer.window > w->floor)
			w->floor = time - 2 * (int64_t)w->signer.window;
		if (nonce && w->n_accepted < ACCEPTED_MAX) {
			memcpy(w->accepted[w->n_accepted].nonce, nonce, nonce_len);
			w->accepted[w->n_accepted].len = nonce_len;
			w->accepted[w->n_accepted].time = time;
			w->n_accepted++;
		}
	} else {
		check(v.detail[0] != '\0');
	}
	check_event(&v, w->now);
}

/* Bytes of a record, or zero past its end. */
static uint8_t at(const uint8_t *d, size_t n, size_t i)
{
	return i < n ? d[i] : 0;
}

/* A configured word: index, case changes, blanks around it. */
static void rec_word(struct world *w, const uint8_t *d, size_t n, bool retain)
{
	const struct config *cfg = &w->cfg;
	unsigned int count = cfg->open_words.count + cfg->close_words.count;
	unsigned int idx = at(d, n, 0) % count, i;
	const char *word = idx < cfg->open_words.count ? cfg->open_words.word[idx] :
			   cfg->close_words.word[idx - cfg->open_words.count];
	static const char blanks[] = " \t\r\n";
	char p[CONFIG_WORD_MAX + 16];
	size_t len = 0;

	for (i = 0; i < at(d, n, 2) % 4; i++)
		p[len++] = blanks[at(d, n, 3 + i) % 4];
	for (i = 0; word[i]; i++) {
		char c = word[i];

		if (at(d, n, 1) & (1u << (i % 8)))
			c = (char)(c >= 'a' && c <= 'z' ? c - 32 : c >= 'A' && c <= 'Z' ? c + 32 : c);
		p[len++] = c;
	}
	for (i = 0; i < (at(d, n, 2) >> 2) % 4; i++)
		p[len++] = blanks[at(d, n, 7 + i) % 4];
	judge(w, TOPIC, p, len, retain);
}

/*
 * A signed command as sesame-sign makes it: [word][flags][time offset, 2]
 * [byte to change, 2][xor][nonce length][nonce bytes], for this topic or
 * another (flags bit 0); bit 1 writes the nonce in upper case, bit 2 the
 * time with a leading zero, bit 3 takes a fresh nonce from a counter, so
 * that short records can fill the nonce memory; bits 4-5 sign as no one
 * (the single key), alice, bob or mallory (unknown; he signs with the
 * single key); bit 6 removes bob's key file first.
 */
static void rec_signed(struct world *w, const uint8_t *d, size_t n, bool retain)
{
	const struct config *cfg = &w->cfg;
	unsigned int count = cfg->open_words.count + cfg->close_words.count;
	unsigned int idx = at(d, n, 0) % count;
	const char *word = idx < cfg->open_words.count ? cfg->open_words.word[idx] :
			   cfg->close_words.word[idx - cfg->open_words.count];
	uint8_t flags = at(d, n, 1);
	int16_t dt = (int16_t)(at(d, n, 2) | at(d, n, 3) << 8);
	size_t pos = (size_t)(at(d, n, 4) | at(d, n, 5) << 8);
	uint8_t xor = at(d, n, 6);
	size_t nonce_bytes = 8 + at(d, n, 7) % 25, i;
	unsigned char raw[32], mac[SIGN_MAC_LEN];
	char nonce[65], t[24], hex[SIGN_MAC_HEX + 1], p[256];
	const char *topic = flags & 1 ? OTHER_TOPIC : TOPIC;
	const char *name = opener_names[(flags >> 4) & 3];
	const unsigned char *k = key;
	size_t klen = sizeof(key);
	int len;

	if (flags & 0x40)
		w->bob_revoked = true;
	if (name && strcmp(name, "mallory")) {
		k = !strcmp(name, "alice") ? key_alice : key_bob;
		klen = !strcmp(name, "alice") ? sizeof(key_alice) : sizeof(key_bob);
	}

	if (flags & 8) {
		nonce_bytes = 8;
		w->counter++;
		for (i = 0; i < 8; i++)
			raw[i] = (uint8_t)(w->counter >> (8 * (7 - i)));
	} else {
		for (i = 0; i < nonce_bytes; i++)
			raw[i] = at(d, n, 8 + i);
	}
	hex_encode(raw, nonce_bytes, nonce);
	if (flags & 2)
		for (i = 0; nonce[i]; i++)
			nonce[i] = (char)(nonce[i] >= 'a' ? nonce[i] - 32 : nonce[i]);
	snprintf(t, sizeof(t), flags & 4 ? "0%lld" : "%lld", (long long)(w->now + dt));
	check(sign_mac_named(k, klen, topic, word, strlen(word), t, strlen(t), nonce,
			     strlen(nonce), name ? name : "", name ? strlen(name) : 0,
			     mac) == 0);
	hex_encode(mac, sizeof(mac), hex);
	if (name)
		len = snprintf(p, sizeof(p), "%s %s %s %s %s", word, t, nonce, name, hex);
	else
		len = snprintf(p, sizeof(p), "%s %s %s %s", word, t, nonce, hex);
	check(len > 0 && (size_t)len < sizeof(p));
	/* Any byte changed makes another message, which the key never signed. */
	pos %= (size_t)len + 16;
	if (xor && pos < (size_t)len)
		p[pos] = (char)(p[pos] ^ xor);
	judge(w, TOPIC, p, (size_t)len, retain);
}

/* The status grammar of status.h, written out again. */
static int model_status(const char *p, size_t n, enum dev_state *state)
{
	static const char *const names[] = { "unknown", "open", "closed", "angle" };
	const char *end, *tok;
	bool have = false;
	size_t i;

	if (n && p[n - 1] == '\n')
		n--;
	if (!n || n > STATUS_LINE_MAX)
		return -1;
	end = p + n;
	for (tok = p; tok < end;) {
		const char *sp = memchr(tok, ' ', (size_t)(end - tok)), *eq;
		const char *stop = sp ? sp : end;

		eq = memchr(tok, '=', (size_t)(stop - tok));
		if (!eq || eq == tok || eq + 1 == stop ||
		    !all_in(tok, (size_t)(eq - tok), "abcdefghijklmnopqrstuvwxyz0123456789_"))
			return -1;
		for (i = 1; eq + i < stop; i++)
			if ((unsigned char)eq[i] <= ' ' || (unsigned char)eq[i] >= 0x7f ||
			    eq[i] == '=')
				return -1;
		if (eq - tok == 5 && !memcmp(tok, "state", 5)) {
			if (have)
				return -1;
			have = true;
			*state = DEV_STATE_OTHER;
			for (i = 0; i < 4; i++)
				if ((size_t)(stop - eq - 1) == strlen(names[i]) &&
				    !memcmp(eq + 1, names[i], strlen(names[i])))
					*state = (enum dev_state)i;
		}
		if (sp && sp + 1 == end)
			return -1;	/* a trailing space */
		tok = sp ? sp + 1 : end;
	}
	return have ? 0 : -1;
}

static void rec_status(const char *p, size_t n)
{
	enum dev_state got = DEV_STATE_OTHER, want = DEV_STATE_OTHER;
	int rc = status_parse(p, n, &got), mrc = model_status(p, n, &want);

	check(rc == mrc);
	if (!rc)
		check(got == want);
}

/* A line as the driver's sesame_format_status() writes it must parse. */
static void rec_driver_status(const uint8_t *d, size_t n)
{
	static const char *const names[] = { "unknown", "open", "closed", "angle" };
	unsigned int s = at(d, n, 0) % 4;
	enum dev_state got = DEV_STATE_OTHER;
	char line[160];
	int len;

	len = snprintf(line, sizeof(line), "state=%s pulse_us=%u angle=%d pulsing=%u opens=%u\n",
		       names[s], at(d, n, 1) * 10u, s ? at(d, n, 2) % 181 : -1,
		       at(d, n, 3) & 1, (unsigned int)(at(d, n, 4) | at(d, n, 5) << 8));
	check(status_parse(line, (size_t)len, &got) == 0 && got == (enum dev_state)s);
}

/*
 * A state file's text: refused, or taken whole with every nonce above the
 * floor and none twice; what it gives is written back byte for byte.
 */
static void rec_replay_state(const char *p, size_t n)
{
	static struct replay r, again;
	static char text[REPLAY_TEXT_MAX];
	char why[128] = "";
	unsigned int i, j;
	int len;

	if (replay_parse(&r, 30, p, n, why, sizeof(why))) {
		check(!strncmp(why, "line ", 5));
		return;
	}
	check(r.used <= REPLAY_SIZE && r.window == 30);
	for (i = 0; i < r.used; i++) {
		check(r.entry[i].time > r.floor);
		check(r.entry[i].len >= 16 && r.entry[i].len <= REPLAY_NONCE_MAX);
		for (j = i + 1; j < r.used; j++)
			check(r.entry[i].len != r.entry[j].len ||
			      memcmp(r.entry[i].nonce, r.entry[j].nonce, r.entry[i].len));
	}
	len = replay_format(&r, text, sizeof(text));
	check(len > 0 && (size_t)len == n && !memcmp(text, p, n));
	check(replay_parse(&again, 30, text, (size_t)len, why, sizeof(why)) == 0);
	check(!memcmp(&again, &r, sizeof(r)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int max_payload[] = { 256, 32, 4096, 160 };
	static struct world w;
	char err[512];
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	memset(&w, 0, sizeof(w));
	config_init(&w.cfg, "door");
	w.cfg.max_payload = max_payload[(flags >> 1) & 3];
	if (flags & 8) {
		check(config_parse_line(&w.cfg, "open_words Sesam open-1 X_2", "f", 1,
					err, sizeof(err)) == 0);
		check(config_parse_line(&w.cfg, "close_words shut ZU", "f", 2,
					err, sizeof(err)) == 0);
	}
	w.is_signed = flags & 1;
	signer_init(&w.signer, key, sizeof(key), flags & 0x10 ? 5 : 30);
	signer_set_lookup(&w.signer, lookup, &w);
	w.now = START_TIME;
	w.synced = true;
	if (flags & 0x20) {
		/* No saved state: the floor is the start, once synchronised. */
		struct sign_clock clk = { .wall_ms = START_TIME * 1000, .synced = !(flags & 0x40) };

		signer_fresh_start(&w.signer, &clk);
		w.synced = clk.synced;
		w.floor = START_TIME;
		w.pending = !clk.synced;
	}

	while (size >= 3) {
		uint8_t type = data[0];
		size_t len = (size_t)(data[1] | data[2] << 8);
		const uint8_t *rec = data + 3;
		bool retain = type & 0x80;

		size -= 3;
		if (len > size)
			len = size;
		data = rec + len;
		size -= len;
		switch ((type & 0x7f) % 7) {
		case 0:
			judge(&w, TOPIC, (const char *)rec, len, retain);
			break;
		case 1:
			rec_signed(&w, rec, len, retain);
			break;
		case 2:
			rec_word(&w, rec, len, retain);
			break;
		case 3:
			/* Wall-clock steps, either way; never before 1970. */
			w.now += (int16_t)(at(rec, len, 0) | at(rec, len, 1) << 8);
			if (w.now < 0)
				w.now = 0;
			w.synced = !(at(rec, len, 2) & 1);
			break;
		case 4:
			rec_status((const char *)rec, len);
			break;
		case 5:
			rec_driver_status(rec, len);
			break;
		case 6:
			rec_replay_state((const char *)rec, len);
			break;
		}
	}
	return 0;
}
