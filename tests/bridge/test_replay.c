// SPDX-License-Identifier: GPL-2.0
/*
 * test_replay.c - the replay memory of signed commands and its state file:
 * the floor that only rises, the bounded memory, the text form and every
 * way it can be torn or edited, and the file on disk: missing, corrupt,
 * unsafe (writable by others, a FIFO, a link), locked by another bridge.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hex.h"
#include "replay.h"
#include "statefile.h"

#define NOW	1700000000LL
#define WINDOW	30

static struct replay r;
static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	replay_init(&r, WINDOW, NOW - 100, FLOOR_START);
	return 0;
}

static int setup_dir(void **state)
{
	setup(state);
	snprintf(dir, sizeof(dir), "/tmp/sesame-test-replay.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/replay.state", dir);
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static enum replay_verdict add(const char *nonce, long long time)
{
	return replay_add(&r, nonce, strlen(nonce), time);
}

static void test_each_nonce_once(void **state)
{
	(void)state;
	assert_int_equal(add("00112233445566778899aabbccddeeff", NOW), REPLAY_FRESH);
	assert_int_equal(add("00112233445566778899aabbccddeeff", NOW), REPLAY_SEEN);
	/* Nonces are compared as sent: another case is another nonce. */
	assert_int_equal(add("00112233445566778899AABBCCDDEEFF", NOW), REPLAY_FRESH);
	assert_int_equal(r.used, 2);
}

static void test_floor_follows_accepted(void **state)
{
	(void)state;
	assert_int_equal(add("aaaaaaaaaaaaaaaa", NOW), REPLAY_FRESH);
	/* Two windows behind the newest: a phone 30 s slow and one 30 s
	 * fast never refuse each other. */
	assert_int_equal(r.floor, NOW - 2 * WINDOW);
	assert_int_equal(r.origin, FLOOR_ACCEPTED);
	assert_int_equal(add("bbbbbbbbbbbbbbbb", NOW - 2 * WINDOW + 1), REPLAY_FRESH);
	assert_int_equal(add("cccccccccccccccc", NOW - 2 * WINDOW), REPLAY_OLDER);
	/* An older accepted command does not move it back. */
	assert_int_equal(r.floor, NOW - 2 * WINDOW);
	assert_false(replay_raise_floor(&r, NOW - 1000, FLOOR_START));
	assert_int_equal(r.floor, NOW - 2 * WINDOW);
	/* Nonces the floor passes are forgotten: it refuses them itself. */
	assert_int_equal(add("dddddddddddddddd", NOW + 100), REPLAY_FRESH);
	assert_int_equal(r.used, 1);
	assert_int_equal(add("aaaaaaaaaaaaaaaa", NOW), REPLAY_OLDER);
}

static void test_memory_is_bounded(void **state)
{
	char nonce[17];
	int i;

	(void)state;
	/* Fill it with nonces stamped NOW-20 .. NOW-13, 32 a second. */
	for (i = 0; i < REPLAY_SIZE; i++) {
		snprintf(nonce, sizeof(nonce), "%016x", i);
		assert_int_equal(add(nonce, NOW - 20 + i / 32), REPLAY_FRESH);
	}
	assert_int_equal(r.used, REPLAY_SIZE);
	/* One more forgets the oldest second and refuses its era... */
	assert_int_equal(add("ffffffffffffffff", NOW), REPLAY_FRESH);
	assert_int_equal(r.floor, NOW - 20);
	assert_int_equal(r.origin, FLOOR_FULL);
	assert_int_equal(r.used, REPLAY_SIZE - 32 + 1);
	/* ...so a forgotten nonce cannot come back, nor anything from then, */
	snprintf(nonce, sizeof(nonce), "%016x", 0);
	assert_int_equal(add(nonce, NOW - 20), REPLAY_OLDER);
	assert_int_equal(add("eeeeeeeeeeeeeeee", NOW - 20), REPLAY_OLDER);
	/* while the others are still remembered and newer commands pass. */
	snprintf(nonce, sizeof(nonce), "%016x", 32);
	assert_int_equal(add(nonce, NOW - 19), REPLAY_SEEN);
	assert_int_equal(add("dddddddddddddddd", NOW - 19), REPLAY_FRESH);
	/* A full memory of one second: the new command is refused, not a
	 * nonce of that second forgotten while it stays acceptable. */
	replay_init(&r, WINDOW, NOW - 100, FLOOR_START);
	for (i = 0; i < REPLAY_SIZE; i++) {
		snprintf(nonce, sizeof(nonce), "%016x", i);
		assert_int_equal(add(nonce, NOW), REPLAY_FRESH);
	}
	assert_int_equal(add("ffffffffffffffff", NOW), REPLAY_OLDER);
	assert_int_equal(r.floor, NOW);
	/* It never grows, however long it runs. */
	for (i = 0; i < 10 * REPLAY_SIZE; i++) {
		snprintf(nonce, sizeof(nonce), "%016x", 0x10000 + i);
		assert_int_equal(add(nonce, NOW + 1 + i / 7), REPLAY_FRESH);
		assert_true(r.used <= REPLAY_SIZE);
	}
}

static void test_text_round_trip(void **state)
{
	static const char want[] = "sesame-replay 1\nfloor 1699999940 accepted\n"
		"nonce 1700000000 00112233445566778899aabbccddeeff\n"
		"nonce 1699999995 0123456789ABCDEF\nsha256 ";
	char text[REPLAY_TEXT_MAX], why[128];
	struct replay back;
	int n;

	(void)state;
	add("00112233445566778899aabbccddeeff", NOW);
	add("0123456789ABCDEF", NOW - 5);
	n = replay_format(&r, text, sizeof(text));
	assert_true(n > 0);
	assert_memory_equal(text, want, strlen(want));
	assert_int_equal(replay_parse(&back, WINDOW, text, (size_t)n, why, sizeof(why)), 0);
	assert_int_equal(back.floor, r.floor);
	assert_int_equal(back.origin, r.origin);
	assert_int_equal(back.used, 2);
	assert_int_equal(replay_add(&back, "0123456789ABCDEF", 16, NOW - 5), REPLAY_SEEN);
	/* The largest memory fits the largest text. */
	replay_init(&r, WINDOW, 0, FLOOR_FULL);
	for (n = 0; n < REPLAY_SIZE; n++) {
		snprintf(text, 65, "%064d", n);
		assert_int_equal(replay_add(&r, text, 64, INT64_MAX), REPLAY_FRESH);
	}
	assert_int_equal(r.used, REPLAY_SIZE);
	n = replay_format(&r, text, sizeof(text));
	assert_true(n > 0);
	assert_int_equal(replay_parse(&back, WINDOW, text, (size_t)n, why, sizeof(why)), 0);
	assert_int_equal(back.used, REPLAY_SIZE);
	assert_int_equal(replay_format(&r, text, 100), -1);
}

/* BODY with the checksum line a writer would add, into OUT. */
static size_t with_sum(const char *body, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	assert_true(EVP_Digest(body, strlen(body), md, &md_len, EVP_sha256(), NULL));
	hex_encode(md, md_len, hex);
	snprintf(out, size, "%ssha256 %s\n", body, hex);
	return strlen(out);
}

static void refused(const char *body, const char *want_why, bool add_sum)
{
	char text[REPLAY_TEXT_MAX], why[128] = "";
	struct replay back = r;
	size_t n;

	if (add_sum) {
		n = with_sum(body, text, sizeof(text));
	} else {
		snprintf(text, sizeof(text), "%s", body);
		n = strlen(text);
	}
	assert_int_equal(replay_parse(&back, WINDOW, text, n, why, sizeof(why)), -1);
	if (!strstr(why, want_why))
		fail_msg("'%s' gave '%s', not '%s'", body, why, want_why);
	/* Left alone. */
	assert_memory_equal(&back, &r, sizeof(r));
}

static void test_text_refused(void **state)
{
	char text[REPLAY_TEXT_MAX], why[128];
	struct replay back;
	int n;

	(void)state;
	/* The helper's checksums are right: a good body passes. */
	n = (int)with_sum("sesame-replay 1\nfloor 5 start\nnonce 6 0123456789abcdef\n",
			  text, sizeof(text));
	assert_int_equal(replay_parse(&back, WINDOW, text, (size_t)n, why, sizeof(why)), 0);
	assert_int_equal(back.floor, 5);
	assert_int_equal(back.origin, FLOOR_START);

	refused("", "not a sesame replay state", false);
	refused("sesame-replay 2\nfloor 5 start\n", "not a sesame replay state", true);
	refused("sesame-replay 1\nfloor 5 start\n", "cut short", false);
	refused("sesame-replay 1\nfloor 5 start\nnonce 6 0123456789abcdef\n", "cut short", false);
	refused("sesame-replay 1\nfloor -5 start\n", "line 2: not \"floor", true);
	refused("sesame-replay 1\nfloor 5\n", "line 2: not \"floor", true);
	refused("sesame-replay 1\nfloor 5 later\n", "line 2: not \"floor", true);
	refused("sesame-replay 1\nfloor 99999999999999999999 start\n", "line 2", true);
	refused("sesame-replay 1\nfloor 5 start\nnonce 5 0123456789abcdef\n",
		"line 3: a nonce at or below the floor", true);
	refused("sesame-replay 1\nfloor 5 start\nnonce 6 0123456789abcdef\nnonce 7 0123456789abcdef\n",
		"line 4: a nonce listed twice", true);
	refused("sesame-replay 1\nfloor 5 start\nnonce 6 0123456789abcdeg\n",
		"line 3: a nonce must be 16 to 64 hex digits", true);
	refused("sesame-replay 1\nfloor 5 start\nnonce 6 0123456789abcde\n",
		"line 3: a nonce must be 16 to 64 hex digits", true);
	refused("sesame-replay 1\nfloor 5 start\nnonce x 0123456789abcdef\n",
		"line 3: a nonce line needs", true);
	refused("sesame-replay 1\nfloor 5 start\nbogus\n", "line 3: neither", true);
	/* One digit changed after the checksum was taken. */
	n = (int)with_sum("sesame-replay 1\nfloor 5 start\nnonce 6 0123456789abcdef\n",
			  text, sizeof(text));
	text[strlen("sesame-replay 1\nfloor ")] = '4';
	assert_int_equal(replay_parse(&back, WINDOW, text, (size_t)n, why, sizeof(why)), -1);
	assert_string_equal(why, "line 4: checksum does not match");
	/* Anything after the checksum. */
	n = (int)with_sum("sesame-replay 1\nfloor 5 start\n", text, sizeof(text));
	strcat(text, "x\n");
	assert_int_equal(replay_parse(&back, WINDOW, text, (size_t)n + 2, why, sizeof(why)), -1);
	assert_string_equal(why, "line 4: text after the checksum");
}

static void write_file(const char *p, const char *text, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
}

static void test_file_missing_saved_loaded(void **state)
{
	struct replay back;
	char why[512];
	struct stat st;

	(void)state;
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)),
			 STATEFILE_MISSING);
	add("00112233445566778899aabbccddeeff", NOW);
	assert_int_equal(statefile_save(path, &r, why, sizeof(why)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)),
			 STATEFILE_LOADED);
	assert_int_equal(back.floor, r.floor);
	assert_int_equal(back.used, 1);
	/* Saved again: replaced whole, no temporary file left. */
	add("ffeeddccbbaa99887766554433221100", NOW + 1);
	assert_int_equal(statefile_save(path, &r, why, sizeof(why)), 0);
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)),
			 STATEFILE_LOADED);
	assert_int_equal(back.used, 2);
	snprintf(why, sizeof(why), "%s.new", path);
	assert_int_equal(access(why, F_OK), -1);
}

static void test_file_corrupt(void **state)
{
	struct replay back;
	char why[512];

	(void)state;
	write_file(path, "sesame-replay 1\nfloor 5 start\n", 0600);
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)),
			 STATEFILE_CORRUPT);
	assert_non_null(strstr(why, "cut short"));
	assert_non_null(strstr(why, path));
	write_file(path, "", 0600);
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)),
			 STATEFILE_CORRUPT);
}

static void test_file_unsafe(void **state)
{
	char why[512], other[160];
	struct replay back;

	(void)state;
	assert_int_equal(statefile_save(path, &r, why, sizeof(why)), 0);
	assert_int_equal(chmod(path, 0622), 0);
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "may be written by others"));
	assert_int_equal(chmod(path, 0600), 0);
	/* A link could point anywhere. */
	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	assert_int_equal(rename(path, other), 0);
	assert_int_equal(symlink(other, path), 0);
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "symbolic link"));
	/* A FIFO is refused at once, not waited on. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(statefile_load(path, WINDOW, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a regular file"));
	/* A directory that is not there cannot take the saves to come. */
	snprintf(other, sizeof(other), "%s/gone/replay.state", dir);
	assert_int_equal(statefile_load(other, WINDOW, &back, why, sizeof(why)),
			 STATEFILE_NO_DIR);
	assert_non_null(strstr(why, "is missing"));
	assert_int_equal(statefile_lock(other, why, sizeof(why)), -1);
}

static void test_file_locked(void **state)
{
	char why[512];
	int fd;

	(void)state;
	fd = statefile_lock(path, why, sizeof(why));
	assert_true(fd >= 0);
	/* Another open file description: another bridge. */
	assert_int_equal(statefile_lock(path, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "in use by another sesame-bridge"));
	close(fd);
	fd = statefile_lock(path, why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_each_nonce_once, setup),
		cmocka_unit_test_setup(test_floor_follows_accepted, setup),
		cmocka_unit_test_setup(test_memory_is_bounded, setup),
		cmocka_unit_test_setup(test_text_round_trip, setup),
		cmocka_unit_test_setup(test_text_refused, setup),
		cmocka_unit_test_setup_teardown(test_file_missing_saved_loaded, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_file_corrupt, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_file_unsafe, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_file_locked, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
