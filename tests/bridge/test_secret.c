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

static char dir[] = "/tmp/sesame-secret-XXXXXX";
static char path[256];
static struct config cfg;
static struct secrets sec;
static char err[1024];

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void write_file(const char *name, const char *content, size_t len, mode_t mode)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

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
	write_file("pw", "s3cret pass\n", 12, 0600);
	snprintf(line, sizeof(line), "password_file %s", path);
	conf(line);
	assert_int_equal(load(), 0);
	assert_string_equal(sec.password, "s3cret pass");

	/* Group-readable is how the packaged service reads it. */
	write_file("pw", "p\r\n", 3, 0640);
	assert_int_equal(load(), 0);
	assert_string_equal(sec.password, "p");

	write_file("pw", "p\n", 2, 0644);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want),
		 "s.conf:4: password_file: %s is accessible by others (mode 0644): run chmod o-rwx %s",
		 path, path);
	assert_string_equal(err, want);
	assert_string_equal(sec.password, "");

	write_file("pw", "p\n", 2, 0602);
	assert_int_equal(load(), -1);
	write_file("pw", "", 0, 0600);
	assert_int_equal(load(), -1);
	write_file("pw", "\n", 1, 0600);
	assert_int_equal(load(), -1);
	write_file("pw", "one\ntwo\n", 8, 0600);
	assert_int_equal(load(), -1);
	write_file("pw", "a\0b\n", 4, 0600);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want), "s.conf:4: password_file: %s must hold the password on one line", path);
	assert_string_equal(err, want);

	snprintf(line, sizeof(line), "%s/missing", dir);
	config_init(&cfg, "door");
	snprintf(want, sizeof(want), "password_file %s", line);
	conf(want);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want), "s.conf:4: password_file: cannot open %s: No such file or directory", line);
	assert_string_equal(err, want);

	config_init(&cfg, "door");
	snprintf(line, sizeof(line), "password_file %s", dir);
	conf(line);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(load(), -1);
	snprintf(want, sizeof(want), "s.conf:4: password_file: %s is not a regular file (a directory)",
		 dir);
	assert_string_equal(err, want);

	/* A FIFO is refused at once: open() must not wait for a writer. */
	snprintf(line, sizeof(line), "%s/fifo", dir);
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
	write_file("key", hex, 65, 0600);
	snprintf(line, sizeof(line), "hmac_key_file %s", path);
	conf(line);
	assert_int_equal(load(), 0);
	assert_int_equal(sec.hmac_key_len, 32);
	assert_int_equal(sec.hmac_key[0], 0x01);
	assert_int_equal(sec.hmac_key[31], 0xef);

	/* Upper case, no newline, 128 bytes: fine. */
	memset(hex, 'A', 256);
	write_file("key", hex, 256, 0600);
	assert_int_equal(secret_read_hmac_key(path, key, &len, why, sizeof(why)), 0);
	assert_int_equal(len, 128);
	assert_int_equal(key[127], 0xaa);

	write_file("key", hex, 62, 0600);
	assert_int_equal(secret_read_hmac_key(path, key, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "holds 31 bytes; a key has 32 to 128"));
	write_file("key", hex, 258, 0600);
	assert_int_equal(secret_read_hmac_key(path, key, &len, why, sizeof(why)), -1);
	write_file("key", hex, 65, 0600);
	assert_int_equal(secret_read_hmac_key(path, key, &len, why, sizeof(why)), -1);
	hex[10] = 'x';
	write_file("key", hex, 64, 0600);
	assert_int_equal(secret_read_hmac_key(path, key, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "one line of hex digits"));
	memset(hex, 'a', 64);
	write_file("key", hex, 64, 0604);
	assert_int_equal(secret_read_hmac_key(path, key, &len, why, sizeof(why)), -1);
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
	write_file("tls.key", "-----BEGIN PRIVATE KEY-----\n", 28, 0644);
	snprintf(line, sizeof(line), "keyfile %s", path);
	conf(line);
	assert_int_equal(load(), -1);
	assert_non_null(strstr(err, "s.conf:4: keyfile: "));
	assert_non_null(strstr(err, "accessible by others (mode 0644)"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(load(), 0);
	/* Read once, from the descriptor that was checked, for OpenSSL to
	 * parse from memory; wiped once it has. */
	assert_int_equal(sec.tls_key_len, 28);
	assert_memory_equal(sec.tls_key, "-----BEGIN PRIVATE KEY-----\n", 28);
	secrets_wipe_tls_key(&sec);
	assert_int_equal(sec.tls_key_len, 0);
	assert_int_equal(sec.tls_key[0], 0);
	write_file("tls.key", "", 0, 0600);
	assert_int_equal(load(), -1);
	assert_non_null(strstr(err, "it is empty"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(load(), -1);
	assert_non_null(strstr(err, "is not a regular file (a FIFO)"));
	assert_int_equal(unlink(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_hmac_key),
		cmocka_unit_test(test_tls_key),
	};

	return cmocka_run_group_tests_name("secret", tests, group_setup, group_teardown);
}
