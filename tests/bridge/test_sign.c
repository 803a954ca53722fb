// SPDX-License-Identifier: GPL-2.0
/*
 * test_sign.c - signed commands: the MAC against a known answer, replay,
 * stale and future time stamps, every kind of tampering, the form of each
 * field (nonce lengths 15/16/64/65, ...), the clock (not synchronised,
 * set back, stepped forward and back), the floor of a fresh start, and the
 * whole judgement of a command message; named commands (one key per
 * opener, hmac_keys_dir): their MAC, a revoked opener, a name swapped, the
 * form of the name, and the replay memory they share. The replay memory
 * itself: test_replay.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "config.h"
#include "hex.h"
#include "replay.h"
#include "sign.h"

#define TOPIC	"sesame/door/set"
#define NOW	1700000000LL
#define NONCE	"00112233445566778899aabbccddeeff"

static unsigned char key[32];
static struct signer signer;
static struct config cfg;

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	signer_init(&signer, key, sizeof(key), 30);
	config_init(&cfg, "door");
	return 0;
}

/* "WORD TIME NONCE MAC", signed with KEY over TOPIC. */
static void make(char *out, size_t size, const char *topic, const char *word,
		 long long time, const char *nonce)
{
	unsigned char mac[SIGN_MAC_LEN];
	char t[32], hex[SIGN_MAC_HEX + 1];

	snprintf(t, sizeof(t), "%lld", time);
	assert_int_equal(sign_mac(key, sizeof(key), topic, word, strlen(word), t,
				  strlen(t), nonce, strlen(nonce), mac), 0);
	hex_encode(mac, sizeof(mac), hex);
	snprintf(out, size, "%s %s %s %s", word, t, nonce, hex);
}

static char detail[VERDICT_DETAIL_MAX];

/* Judged at CLK; DETAIL keeps the last reason given. */
static enum reason verify_at(const char *payload, const struct sign_clock *clk)
{
	struct signed_payload sp;
	enum reason r;

	detail[0] = '\0';
	r = sign_parse(payload, strlen(payload), &sp, detail, sizeof(detail));
	if (r == REASON_NONE)
		r = sign_verify(&signer, TOPIC, &sp, clk, detail, sizeof(detail));
	if (r != REASON_NONE)
		assert_true(detail[0] != '\0');
	return r;
}

/* Judged at wall-clock time NOW, by a synchronised clock. */
static enum reason verify(const char *payload, long long now)
{
	struct sign_clock clk = { .wall_ms = now * 1000, .mono_ms = 0, .synced = true };

	return verify_at(payload, &clk);
}

static void test_known_answer(void **state)
{
	char p[256];

	(void)state;
	/* openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f over
	 * "sesame/door/set|open|1700000000|00112233445566778899aabbccddeeff" */
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE);
	assert_string_equal(p, "open 1700000000 " NONCE
			    " 7e15c0d0727dd9862e99923aab630ffa8b0e4009f9edbf35e51840a0d9a9da49");
}

static void test_accept_once(void **state)
{
	char p[256];

	(void)state;
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE);
	assert_int_equal(verify(p, NOW), REASON_NONE);
	/* The same message again: a replay, even a second later. */
	assert_int_equal(verify(p, NOW), REASON_REPLAY);
	assert_int_equal(verify(p, NOW + 1), REASON_REPLAY);
	/* A fresh nonce is fine. */
	make(p, sizeof(p), TOPIC, "open", NOW, "ffeeddccbbaa99887766554433221100");
	assert_int_equal(verify(p, NOW + 1), REASON_NONE);
}

static void test_window(void **state)
{
	char p[256];

	(void)state;
	make(p, sizeof(p), TOPIC, "open", NOW - 30, NONCE "01");
	assert_int_equal(verify(p, NOW), REASON_NONE);
	make(p, sizeof(p), TOPIC, "open", NOW - 31, NONCE "02");
	assert_int_equal(verify(p, NOW), REASON_STALE);
	make(p, sizeof(p), TOPIC, "open", NOW + 30, NONCE "03");
	assert_int_equal(verify(p, NOW), REASON_NONE);
	make(p, sizeof(p), TOPIC, "open", NOW + 31, NONCE "04");
	assert_int_equal(verify(p, NOW), REASON_STALE);
	make(p, sizeof(p), TOPIC, "open", 0, NONCE "05");
	assert_int_equal(verify(p, NOW), REASON_STALE);
	/* A replay after the window is stale, not accepted. */
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE "06");
	assert_int_equal(verify(p, NOW), REASON_NONE);
	assert_int_equal(verify(p, NOW + 31), REASON_STALE);
}

static void test_tampered(void **state)
{
	char p[256], q[256];
	unsigned char other[32];

	(void)state;
	make(p, sizeof(p), TOPIC, "close", NOW, NONCE);
	/* Another command with the MAC of "close". */
	snprintf(q, sizeof(q), "open%s", p + 5);
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	/* Case is part of what was signed. */
	snprintf(q, sizeof(q), "CLOSE%s", p + 5);
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	/* Another time. */
	strcpy(q, p);
	q[strlen("close 17000000")] = '1';
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	/* Another nonce. */
	strcpy(q, p);
	q[strlen("close 1700000000 0")] = 'f';
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	/* One MAC digit. */
	strcpy(q, p);
	q[strlen(q) - 1] = q[strlen(q) - 1] == '0' ? '1' : '0';
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	/* Signed for another door. */
	make(q, sizeof(q), "sesame/back/set", "close", NOW, NONCE);
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	/* Signed with another key. */
	memset(other, 0x5a, sizeof(other));
	signer_init(&signer, other, sizeof(other), 30);
	assert_int_equal(verify(p, NOW), REASON_BAD_SIGNATURE);
	/* A bad signature does not burn the nonce. */
	signer_init(&signer, key, sizeof(key), 30);
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	assert_int_equal(verify(p, NOW), REASON_NONE);
}

static void test_nonce_lengths(void **state)
{
	char p[256], nonce[80];

	(void)state;
	memset(nonce, 'a', sizeof(nonce));
	nonce[15] = '\0';
	make(p, sizeof(p), TOPIC, "open", NOW, nonce);
	assert_int_equal(verify(p, NOW), REASON_MALFORMED);
	memset(nonce, 'b', sizeof(nonce));
	nonce[16] = '\0';
	make(p, sizeof(p), TOPIC, "open", NOW, nonce);
	assert_int_equal(verify(p, NOW), REASON_NONE);
	memset(nonce, 'C', sizeof(nonce));	/* upper-case hex is hex */
	nonce[64] = '\0';
	make(p, sizeof(p), TOPIC, "open", NOW, nonce);
	assert_int_equal(verify(p, NOW), REASON_NONE);
	memset(nonce, 'd', sizeof(nonce));
	nonce[65] = '\0';
	snprintf(p, sizeof(p), "open 1700000000 %s %064d", nonce, 0);
	assert_int_equal(verify(p, NOW), REASON_MALFORMED);
	make(p, sizeof(p), TOPIC, "open", NOW, "0011223344556677889g");
	assert_int_equal(verify(p, NOW), REASON_MALFORMED);
}

static void test_form(void **state)
{
	char p[256], q[300];
	size_t i;

	(void)state;
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE);
	assert_int_equal(verify("", NOW), REASON_MALFORMED);
	assert_int_equal(verify("open", NOW), REASON_MALFORMED);
	assert_int_equal(verify("open 1700000000 " NONCE, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "%s extra", p);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), " %s", p);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "%s ", p);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "%s\n", p);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "open  %s", p + 5);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	/* time: digits only, within 64 bits */
	snprintf(q, sizeof(q), "open -1 %s", p + 16);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "open 1.5 %s", p + 16);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "open 9223372036854775808 %s", p + 16);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "open 99999999999999999999 %s", p + 16);
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	snprintf(q, sizeof(q), "open 9223372036854775807 %s", p + 16);
	assert_int_equal(verify(q, NOW), REASON_BAD_SIGNATURE);
	/* mac: 64 lower-case hex digits */
	strcpy(q, p);
	for (i = strlen(q) - 64; q[i]; i++)
		if (q[i] >= 'a' && q[i] <= 'f')
			q[i] = (char)(q[i] - 'a' + 'A');
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	strcpy(q, p);
	q[strlen(q) - 1] = '\0';
	assert_int_equal(verify(q, NOW), REASON_MALFORMED);
	/* The real one still passes after all that. */
	assert_int_equal(verify(p, NOW), REASON_NONE);
}

static void test_clock_not_synchronised(void **state)
{
	struct sign_clock clk = { .wall_ms = NOW * 1000, .synced = false };
	char p[256], q[256];

	(void)state;
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE);
	/* The MAC is judged first: junk is "bad signature", whatever the clock. */
	strcpy(q, p);
	q[strlen(q) - 1] = q[strlen(q) - 1] == '0' ? '1' : '0';
	assert_int_equal(verify_at(q, &clk), REASON_BAD_SIGNATURE);
	assert_int_equal(verify_at(p, &clk), REASON_CLOCK);
	assert_non_null(strstr(detail, "not synchronised"));
	assert_false(signer.dirty);
	/* Nothing was spent: once NTP has answered, it acts. */
	clk.synced = true;
	assert_int_equal(verify_at(p, &clk), REASON_NONE);
	assert_true(signer.dirty);
}

static void test_clock_set_back(void **state)
{
	char p[256];

	(void)state;
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE);
	assert_int_equal(verify(p, NOW), REASON_NONE);
	/* An hour back, every command fails, the one accepted included. */
	assert_int_equal(verify(p, NOW - 3600), REASON_CLOCK);
	assert_non_null(strstr(detail, "not past the replay floor"));
	make(p, sizeof(p), TOPIC, "open", NOW - 3600, NONCE "01");
	assert_int_equal(verify(p, NOW - 3600), REASON_CLOCK);
	/* A few seconds back is no reason to refuse a fresh command. */
	make(p, sizeof(p), TOPIC, "open", NOW - 5, NONCE "02");
	assert_int_equal(verify(p, NOW - 5), REASON_NONE);
}

/* The hole: a nonce forgotten while the clock ran ahead came back to life. */
static void test_clock_stepped_forward_and_back(void **state)
{
	char p1[256], p2[256];

	(void)state;
	make(p1, sizeof(p1), TOPIC, "open", NOW, NONCE);
	assert_int_equal(verify(p1, NOW), REASON_NONE);
	/* NTP steps the clock an hour ahead; a phone as wrong signs for it. */
	make(p2, sizeof(p2), TOPIC, "open", NOW + 3600, NONCE "aa");
	assert_int_equal(verify(p2, NOW + 3600), REASON_NONE);
	/* Back to the right time: the first command must not act again. */
	assert_int_equal(verify(p1, NOW + 5), REASON_CLOCK);
	/* Nor, once the clock has caught up, anything from before the floor. */
	assert_int_equal(verify(p1, NOW + 3600), REASON_STALE);
	make(p1, sizeof(p1), TOPIC, "open", NOW + 3600 - 60, NONCE "bb");
	assert_int_equal(verify(p1, NOW + 3600 - 30), REASON_OLDER);
	assert_non_null(strstr(detail, "older than the last accepted command"));
}

static void test_fresh_start(void **state)
{
	struct sign_clock clk = { .wall_ms = NOW * 1000, .mono_ms = 5000, .synced = true };
	char p[256];

	(void)state;
	signer_fresh_start(&signer, &clk);
	assert_true(signer.dirty);
	assert_false(signer.floor_at_sync);
	assert_int_equal(signer.replay.floor, NOW);
	make(p, sizeof(p), TOPIC, "open", NOW - 5, NONCE);
	assert_int_equal(verify(p, NOW + 1), REASON_OLDER);
	assert_non_null(strstr(detail, "signed before the bridge started"));
	make(p, sizeof(p), TOPIC, "open", NOW + 1, NONCE);
	assert_int_equal(verify(p, NOW + 1), REASON_NONE);
}

/* A Pi without its saved state, booted an hour behind: the floor is the
 * start as the synchronised clock tells it, not the wrong clock's. */
static void test_fresh_start_before_ntp(void **state)
{
	struct sign_clock clk = { .wall_ms = (NOW - 3600) * 1000, .mono_ms = 5000, .synced = false };
	char p[256];

	(void)state;
	signer_fresh_start(&signer, &clk);
	assert_true(signer.floor_at_sync);
	make(p, sizeof(p), TOPIC, "open", NOW - 3600, NONCE);
	assert_int_equal(verify_at(p, &clk), REASON_CLOCK);
	/* 20.5 s after the start NTP answers: the start was at NOW - 20.5,
	 * in the second NOW - 21. */
	clk.wall_ms = NOW * 1000;
	clk.mono_ms += 20500;
	clk.synced = true;
	make(p, sizeof(p), TOPIC, "open", NOW - 21, NONCE "01");
	assert_int_equal(verify_at(p, &clk), REASON_OLDER);
	assert_int_equal(signer.replay.floor, NOW - 21);
	assert_false(signer.floor_at_sync);
	make(p, sizeof(p), TOPIC, "open", NOW - 10, NONCE "02");
	assert_int_equal(verify_at(p, &clk), REASON_NONE);
}

/* What was saved before a restart is what is refused after it. */
static void test_restore(void **state)
{
	struct replay saved;
	char p[256];

	(void)state;
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE);
	assert_int_equal(verify(p, NOW), REASON_NONE);
	saved = signer.replay;
	signer_init(&signer, key, sizeof(key), 30);
	assert_int_equal(verify(p, NOW + 2), REASON_NONE);	/* forgotten: the hole */
	signer_init(&signer, key, sizeof(key), 30);
	signer_restore(&signer, &saved);
	assert_false(signer.dirty);
	assert_int_equal(verify(p, NOW + 2), REASON_REPLAY);
	assert_string_equal(detail, "nonce already used");
}

static void judge(const char *payload, bool retain, bool signed_, enum reason want,
		  enum command want_cmd)
{
	struct sign_clock clk = { .wall_ms = NOW * 1000, .synced = true };
	struct verdict v;

	command_judge(&cfg, signed_ ? &signer : NULL, TOPIC, payload, strlen(payload),
		      retain, &clk, &v);
	assert_int_equal(v.reason, want);
	assert_int_equal(v.cmd, want_cmd);
	assert_int_equal(v.is_signed, signed_);
	if (want != REASON_NONE)
		assert_true(v.detail[0] != '\0');
}

static void test_judge(void **state)
{
	char p[256], big[300];

	(void)state;
	judge("open", false, false, REASON_NONE, CMD_OPEN);
	judge("LOCK", false, false, REASON_NONE, CMD_CLOSE);
	judge("open", true, false, REASON_RETAINED, CMD_NONE);
	judge("bogus", false, false, REASON_MALFORMED, CMD_NONE);
	memset(big, 'o', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	judge(big, false, false, REASON_MALFORMED, CMD_NONE);

	/* With a key, only signed commands count. */
	judge("open", false, true, REASON_BAD_SIGNATURE, CMD_OPEN);
	judge("bogus", false, true, REASON_MALFORMED, CMD_NONE);
	make(p, sizeof(p), TOPIC, "UNLOCK", NOW, NONCE);
	judge(p, true, true, REASON_RETAINED, CMD_NONE);	/* nonce not spent */
	judge(p, false, true, REASON_NONE, CMD_OPEN);
	judge(p, false, true, REASON_REPLAY, CMD_OPEN);
	make(p, sizeof(p), TOPIC, "sesame", NOW, NONCE "aa");
	judge(p, false, true, REASON_MALFORMED, CMD_NONE);
	make(p, sizeof(p), TOPIC, "off", NOW - 100, NONCE "bb");
	judge(p, false, true, REASON_STALE, CMD_CLOSE);
}

/* The openers a stub of hmac_keys_dir knows: alice has KEY, bob another. */
static bool bob_revoked;

static int lookup(void *ctx, const char *name, unsigned char *out, size_t *len,
		  char *why, size_t whylen)
{
	(void)ctx;
	if (!strcmp(name, "alice")) {
		memcpy(out, key, sizeof(key));
		*len = sizeof(key);
		return 0;
	}
	if (!strcmp(name, "bob") && !bob_revoked) {
		memset(out, 0xb0, 40);
		*len = 40;
		return 0;
	}
	snprintf(why, whylen, "no key for opener %s: revoked, or never enrolled", name);
	return SIGN_LOOKUP_MISSING;
}

static int setup_named(void **state)
{
	setup(state);
	bob_revoked = false;
	signer_set_lookup(&signer, lookup, NULL);
	return 0;
}

/* "WORD TIME NONCE NAME MAC", signed with K over TOPIC. */
static void make_named(char *out, size_t size, const unsigned char *k, size_t klen,
		       const char *word, long long time, const char *nonce,
		       const char *name)
{
	unsigned char mac[SIGN_MAC_LEN];
	char t[32], hex[SIGN_MAC_HEX + 1];

	snprintf(t, sizeof(t), "%lld", time);
	assert_int_equal(sign_mac_named(k, klen, TOPIC, word, strlen(word), t, strlen(t),
					nonce, strlen(nonce), name, strlen(name), mac), 0);
	hex_encode(mac, sizeof(mac), hex);
	snprintf(out, size, "%s %s %s %s %s", word, t, nonce, name, hex);
}

static void test_named_known_answer(void **state)
{
	char p[256];

	(void)state;
	/* openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f over
	 * "sesame/door/set|open|1700000000|00112233445566778899aabbccddeeff|alice" */
	make_named(p, sizeof(p), key, sizeof(key), "open", NOW, NONCE, "alice");
	assert_string_equal(p, "open 1700000000 " NONCE " alice"
			    " b921c9041d020e55181d29a86320bc9343b236b97ddc497756aad2fa66155813");
	assert_int_equal(verify(p, NOW), REASON_NONE);
	assert_int_equal(verify(p, NOW), REASON_REPLAY);
}

static void test_named_openers(void **state)
{
	unsigned char bob[40];
	char p[256], q[256];

	(void)state;
	memset(bob, 0xb0, sizeof(bob));
	make_named(p, sizeof(p), bob, sizeof(bob), "open", NOW, NONCE, "bob");
	assert_int_equal(verify(p, NOW), REASON_NONE);
	/* Replay memory is shared: bob's nonce is spent for alice too. */
	make_named(q, sizeof(q), key, sizeof(key), "open", NOW, NONCE, "alice");
	assert_int_equal(verify(q, NOW), REASON_REPLAY);
	/* alice's MAC under bob's name, and bob's key claiming to be alice. */
	make_named(q, sizeof(q), key, sizeof(key), "open", NOW, NONCE "01", "alice");
	snprintf(p, sizeof(p), "open %lld %s01 bob %s", NOW, NONCE, q + strlen(q) - 64);
	assert_int_equal(verify(p, NOW), REASON_BAD_SIGNATURE);
	make_named(p, sizeof(p), bob, sizeof(bob), "open", NOW, NONCE "02", "alice");
	assert_int_equal(verify(p, NOW), REASON_BAD_SIGNATURE);
	/* The name is signed: the same key cannot pass as another opener. */
	make_named(p, sizeof(p), key, sizeof(key), "open", NOW, NONCE "03", "carol");
	assert_int_equal(verify(p, NOW), REASON_UNKNOWN_OPENER);
	assert_string_equal(detail, "no key for opener carol: revoked, or never enrolled");
	/* Revoked: bob's file is gone, his next press is refused. */
	bob_revoked = true;
	make_named(p, sizeof(p), bob, sizeof(bob), "open", NOW, NONCE "04", "bob");
	assert_int_equal(verify(p, NOW), REASON_UNKNOWN_OPENER);
	/* alice is untouched. */
	assert_int_equal(verify(q, NOW), REASON_NONE);
	/* The unnamed form still takes the single key. */
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE "05");
	assert_int_equal(verify(p, NOW), REASON_NONE);
}

static void test_named_form(void **state)
{
	char p[256], name[40];

	(void)state;
	memset(name, 'n', sizeof(name));
	name[32] = '\0';
	make_named(p, sizeof(p), key, sizeof(key), "open", NOW, NONCE, name);
	assert_int_equal(verify(p, NOW), REASON_UNKNOWN_OPENER);
	name[32] = 'n';
	name[33] = '\0';
	snprintf(p, sizeof(p), "open %lld %s %s %064d", NOW, NONCE, name, 0);
	assert_int_equal(verify(p, NOW), REASON_MALFORMED);
	assert_string_equal(detail, "opener name must be 1 to 32 of A-Z a-z 0-9 _ -");
	make_named(p, sizeof(p), key, sizeof(key), "open", NOW, NONCE, "al.ce");
	assert_int_equal(verify(p, NOW), REASON_MALFORMED);
	make_named(p, sizeof(p), key, sizeof(key), "open", NOW, NONCE, "../x");
	assert_int_equal(verify(p, NOW), REASON_MALFORMED);
	make_named(p, sizeof(p), key, sizeof(key), "open", NOW, NONCE, "a_B-9");
	assert_int_equal(verify(p, NOW), REASON_UNKNOWN_OPENER);
	snprintf(p, sizeof(p), "open %lld %s alice x %064d", NOW, NONCE, 0);
	assert_int_equal(verify(p, NOW), REASON_MALFORMED);
}

static void test_named_needs_keys_dir(void **state)
{
	char p[256];
	struct signer only_dir;

	(void)state;
	/* A bridge with hmac_key_file alone refuses names it cannot look up. */
	make_named(p, sizeof(p), key, sizeof(key), "open", NOW, NONCE, "alice");
	assert_int_equal(verify(p, NOW), REASON_BAD_SIGNATURE);
	assert_string_equal(detail, "named signed commands need hmac_keys_dir");
	/* One with hmac_keys_dir alone refuses the unnamed form. */
	signer_init(&only_dir, NULL, 0, 30);
	signer_set_lookup(&only_dir, lookup, NULL);
	signer = only_dir;
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE);
	assert_int_equal(verify(p, NOW), REASON_BAD_SIGNATURE);
	assert_string_equal(detail, "unnamed signed commands need hmac_key_file");
}

static void test_named_judge(void **state)
{
	struct sign_clock clk = { .wall_ms = NOW * 1000, .synced = true };
	struct verdict v;
	char p[256];

	(void)state;
	make_named(p, sizeof(p), key, sizeof(key), "close", NOW, NONCE, "alice");
	command_judge(&cfg, &signer, TOPIC, p, strlen(p), false, &clk, &v);
	assert_int_equal(v.reason, REASON_NONE);
	assert_int_equal(v.cmd, CMD_CLOSE);
	assert_string_equal(v.opener, "alice");
	/* Refused ones name the opener too: the audit trail says who. */
	command_judge(&cfg, &signer, TOPIC, p, strlen(p), false, &clk, &v);
	assert_int_equal(v.reason, REASON_REPLAY);
	assert_string_equal(v.opener, "alice");
	make(p, sizeof(p), TOPIC, "open", NOW, NONCE "01");
	command_judge(&cfg, &signer, TOPIC, p, strlen(p), false, &clk, &v);
	assert_int_equal(v.reason, REASON_NONE);
	assert_string_equal(v.opener, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_known_answer, setup),
		cmocka_unit_test_setup(test_accept_once, setup),
		cmocka_unit_test_setup(test_window, setup),
		cmocka_unit_test_setup(test_tampered, setup),
		cmocka_unit_test_setup(test_nonce_lengths, setup),
		cmocka_unit_test_setup(test_form, setup),
		cmocka_unit_test_setup(test_clock_not_synchronised, setup),
		cmocka_unit_test_setup(test_clock_set_back, setup),
		cmocka_unit_test_setup(test_clock_stepped_forward_and_back, setup),
		cmocka_unit_test_setup(test_fresh_start, setup),
		cmocka_unit_test_setup(test_fresh_start_before_ntp, setup),
		cmocka_unit_test_setup(test_restore, setup),
		cmocka_unit_test_setup(test_judge, setup),
		cmocka_unit_test_setup(test_named_known_answer, setup_named),
		cmocka_unit_test_setup(test_named_openers, setup_named),
		cmocka_unit_test_setup(test_named_form, setup_named),
		cmocka_unit_test_setup(test_named_needs_keys_dir, setup),
		cmocka_unit_test_setup(test_named_judge, setup_named),
	};

	return cmocka_run_group_tests_name("sign", tests, NULL, NULL);
}
