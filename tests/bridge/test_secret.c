// SPDX-License-Identifier: GPL-2.0
/*
 * test_secret.c - secret files: refused when others may read them, when
 * they are not regular files (a FIFO at once, without waiting), or when
 * their content is not one password or one hex key of 32 to 128 bytes;
 * the TLS key read into memory once, and wiped.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "secret.h"
#include "scratch.h"

static struct config cfg;
static struct secrets sec;
static char err[1024];

static void conf(const char *line)
{
	assert_int_equal(config_parse_line(&cfg, line, "s.conf", 4, err, sizeof(err)), 0);
}

static int load(void)
{
	return secrets_load(&cfg, "s.conf", &sec, err, sizeof(err));
}

static void test_password(void **state)
{
	char line[300], want[600];

	(void)state;
	config_init(&cfg, "door");
	scratch_write("pw", "s3cret pass\n", 12, 0600);
	snprintf(line, sizeof(line), "password_file %s", scratch_path);
	conf(line);
	assert_int_equal(load(), 0);
	assert_string_equal(sec.password, "s3cret pass");

	/* Group-readable is how the packaged service reads it. */
	scratch_write("pw", "p\r\n", 3, 0640);
	assert_int_equal(load(), 0);
	assert_string_equal(sec.password, "p");

	scratch_write("pw", "p\n", 2, 0644);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want),
		 "s.conf:4: password_file: %s is accessible by others (mode 0644): run chmod o-rwx %s",
		 scratch_path, scratch_path);
	assert_string_equal(err, want);
	assert_string_equal(sec.password, "");

	scratch_write("pw", "p\n", 2, 0602);
	assert_int_equal(load(), -1);
	scratch_write("pw", "", 0, 0600);
	assert_int_equal(load(), -1);
	scratch_write("pw", "\n", 1, 0600);
	assert_int_equal(load(), -1);
	scratch_write("pw", "one\ntwo\n", 8, 0600);
	assert_int_equal(load(), -1);
	scratch_write("pw", "a\0b\n", 4, 0600);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want), "s.conf:4: password_file: %s must hold the password on one line", scratch_path);
	assert_string_equal(err, want);

	snprintf(line, sizeof(line), "%s/missing", scratch_dir);
	config_init(&cfg, "door");
	snprintf(want, sizeof(want), "password_file %s", line);
	conf(want);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want), "s.conf:4: password_file: cannot open %s: No such file or directory", line);
	assert_string_equal(err, want);

	config_init(&cfg, "door");
	snprintf(line, sizeof(line), "password_file %s", scratch_dir);
	conf(line);
	assert_int_equal(chmod(scratch_dir, 0700), 0);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want), "s.conf:4: password_file: %s is not a regular file (a directory)",
		 scratch_dir);
	assert_string_equal(err, want);

	/* A FIFO is refused at once: open() must not wait for a writer. */
	snprintf(line, sizeof(line), "%s/fifo", scratch_dir);
	assert_int_equal(mkfifo(line, 0600), 0);
	config_init(&cfg, "door");
	snprintf(want, sizeof(want), "password_file %s", line);
	conf(want);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want), "s.conf:4: password_file: %s is not a regular file (a FIFO)",
		 line);
	assert_string_equal(err, want);
	assert_int_equal(unlink(line), 0);
}

static void test_hmac_key(void **state)
{
	char line[300], hex[300];
	unsigned char key[SECRET_KEY_MAX];
	size_t len = 0;
	char why[512];
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		hex[i] = "0123456789abcdef"[i % 16];
	hex[64] = '\n';
	config_init(&cfg, "door");
	scratch_write("key", hex, 65, 0600);
	snprintf(line, sizeof(line), "hmac_key_file %s", scratch_path);
	conf(line);
	assert_int_equal(load(), 0);
	assert_int_equal(sec.hmac_key_len, 32);
	assert_int_equal(sec.hmac_key[0], 0x01);
	assert_int_equal(sec.hmac_key[31], 0xef);

	/* Upper case, no newline, 128 bytes: fine. */
	memset(hex, 'A', 256);
	scratch_write("key", hex, 256, 0600);
	assert_int_equal(secret_read_hmac_key(scratch_path, key, &len, why, sizeof(why)), 0);
	assert_int_equal(len, 128);
	assert_int_equal(key[127], 0xaa);

	scratch_write("key", hex, 62, 0600);
	assert_int_equal(secret_read_hmac_key(scratch_path, key, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "holds 31 bytes; a key has 32 to 128"));
	scratch_write("key", hex, 258, 0600);
	assert_int_equal(secret_read_hmac_key(scratch_path, key, &len, why, sizeof(why)), -1);
	scratch_write("key", hex, 65, 0600);
	assert_int_equal(secret_read_hmac_key(scratch_path, key, &len, why, sizeof(why)), -1);
	hex[10] = 'x';
	scratch_write("key", hex, 64, 0600);
	assert_int_equal(secret_read_hmac_key(scratch_path, key, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "one line of hex digits"));
	memset(hex, 'a', 64);
	scratch_write("key", hex, 64, 0604);
	assert_int_equal(secret_read_hmac_key(scratch_path, key, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "accessible by others (mode 0604)"));
	assert_int_equal(load(), -1);
	assert_non_null(strstr(err, "s.conf:4: hmac_key_file: "));
	assert_int_equal(sec.hmac_key_len, 0);
}

static void test_tls_key(void **state)
{
	char line[300];

	(void)state;
	config_init(&cfg, "door");
	scratch_write("tls.key", "-----BEGIN PRIVATE KEY-----\n", 28, 0644);
	snprintf(line, sizeof(line), "keyfile %s", scratch_path);
	conf(line);
	assert_int_equal(load(), -1);
	assert_non_null(strstr(err, "s.conf:4: keyfile: "));
	assert_non_null(strstr(err, "accessible by others (mode 0644)"));
	assert_int_equal(chmod(scratch_path, 0600), 0);
	assert_int_equal(load(), 0);
	/* Read once, from the descriptor that was checked, for OpenSSL to
	 * parse from memory; wiped once it has. */
	assert_int_equal(sec.tls_key_len, 28);
	assert_memory_equal(sec.tls_key, "-----BEGIN PRIVATE KEY-----\n", 28);
	secrets_wipe_tls_key(&sec);
	assert_int_equal(sec.tls_key_len, 0);
	assert_int_equal(sec.tls_key[0], 0);
	scratch_write("tls.key", "", 0, 0600);
	assert_int_equal(load(), -1);
	assert_non_null(strstr(err, "it is empty"));
	assert_int_equal(unlink(scratch_path), 0);
	assert_int_equal(mkfifo(scratch_path, 0600), 0);
	assert_int_equal(load(), -1);
	assert_non_null(strstr(err, "is not a regular file (a FIFO)"));
	assert_int_equal(unlink(scratch_path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_hmac_key),
		cmocka_unit_test(test_tls_key),
	};

	return cmocka_run_group_tests_name("secret", tests, scratch_setup, scratch_teardown);
}
