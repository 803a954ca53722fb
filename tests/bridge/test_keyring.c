// SPDX-License-Identifier: GPL-2.0
/*
 * test_keyring.c - hmac_keys_dir: a directory others may write is
 * refused; each opener's key is read when asked for, so that removing the
 * file revokes that opener at once and leaves the others; a key file that
 * others may read, a symbolic link or a bad key is refused, not used.
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

#include "keyring.h"
#include "scratch.h"
#include "sign.h"

static char why[256];

static void put(const char *name, const char *text, mode_t mode)
{
	scratch_write(name, text, strlen(text), mode);
}

#define KEY_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"

static int lookup(struct keyring *kr, const char *name)
{
	unsigned char key[SIGN_KEY_MAX];
	size_t len = 0;

	why[0] = '\0';
	return keyring_lookup(kr, name, key, &len, why, sizeof(why));
}

static void test_revoke(void **state)
{
	struct keyring kr;
	char path[300];

	(void)state;
	assert_int_equal(chmod(scratch_dir, 0755), 0);
	assert_int_equal(keyring_open(&kr, scratch_dir, why, sizeof(why)), 0);
	put("alice", KEY_A, 0640);
	put("bob", KEY_A, 0600);
	assert_int_equal(lookup(&kr, "alice"), 0);
	assert_int_equal(lookup(&kr, "bob"), 0);
	/* A file added after the start counts at once, so does its removal. */
	put("carol", KEY_A, 0600);
	assert_int_equal(lookup(&kr, "carol"), 0);
	snprintf(path, sizeof(path), "%s/bob", scratch_dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(lookup(&kr, "bob"), SIGN_LOOKUP_MISSING);
	assert_string_equal(why, "no key for opener bob: revoked, or never enrolled");
	assert_int_equal(lookup(&kr, "alice"), 0);
	/* Never a path, whatever the caller passes. */
	assert_int_equal(lookup(&kr, "../alice"), SIGN_LOOKUP_MISSING);
	assert_int_equal(lookup(&kr, ""), SIGN_LOOKUP_MISSING);
	keyring_close(&kr);
}

static void test_bad_key_files(void **state)
{
	struct keyring kr;
	char path[300], target[300];

	(void)state;
	assert_int_equal(keyring_open(&kr, scratch_dir, why, sizeof(why)), 0);
	put("open", KEY_A, 0644);
	assert_int_equal(lookup(&kr, "open"), SIGN_LOOKUP_UNUSABLE);
	assert_string_equal(why, "the key file of open is accessible by others (mode 0644): "
			    "run chmod o-rwx on it");
	put("short", "00112233\n", 0600);
	assert_int_equal(lookup(&kr, "short"), SIGN_LOOKUP_UNUSABLE);
	assert_non_null(strstr(why, "holds 4 bytes"));
	assert_null(strstr(why, "00112233"));
	put("alice", KEY_A, 0600);
	snprintf(path, sizeof(path), "%s/link", scratch_dir);
	snprintf(target, sizeof(target), "%s/alice", scratch_dir);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(lookup(&kr, "link"), SIGN_LOOKUP_UNUSABLE);
	assert_non_null(strstr(why, "symbolic link"));
	snprintf(path, sizeof(path), "%s/sub", scratch_dir);
	mkdir(path, 0700);
	assert_int_equal(lookup(&kr, "sub"), SIGN_LOOKUP_UNUSABLE);
	keyring_close(&kr);
}

static void test_directory_rules(void **state)
{
	struct keyring kr;
	char path[300];

	(void)state;
	assert_int_equal(chmod(scratch_dir, 0757), 0);
	assert_int_equal(keyring_open(&kr, scratch_dir, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "others than its owner and root may add keys to it"));
	assert_int_equal(kr.dirfd, -1);
	assert_int_equal(chmod(scratch_dir, 0775), 0);
	if (getegid() != 0) {
		assert_int_equal(keyring_open(&kr, scratch_dir, why, sizeof(why)), -1);
	} else {
		assert_int_equal(keyring_open(&kr, scratch_dir, why, sizeof(why)), 0);
		keyring_close(&kr);
	}
	assert_int_equal(chmod(scratch_dir, 0750), 0);
	snprintf(path, sizeof(path), "%s/alice", scratch_dir);
	assert_int_equal(keyring_open(&kr, path, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot open the directory"));
	snprintf(path, sizeof(path), "%s/missing", scratch_dir);
	assert_int_equal(keyring_open(&kr, path, why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_bad_key_files),
		cmocka_unit_test(test_directory_rules),
	};

	return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
