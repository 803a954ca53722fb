/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scratch.h - a scratch folder for the bridge's unit tests that read files
 * (keys, passwords): made by the cmocka group set-up, removed with all it
 * holds by the group tear-down, and files written into it with the mode a
 * case wants. Header-only, its functions static inline: each test program
 * is one file, and uses only some of them.
 */
#ifndef SESAME_TEST_SCRATCH_H
#define SESAME_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch_dir[] = "/tmp/sesame-unit-XXXXXX";
/* The path of the file scratch_write wrote last. */
static char scratch_path[256];

static inline int scratch_setup(void **state)
{
	(void)state;
	return mkdtemp(scratch_dir) ? 0 : -1;
}

static inline int scratch_teardown(void **state)
{
	char cmd[sizeof(scratch_dir) + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_dir);
	return system(cmd);
}

/* NAME in the folder, holding LEN bytes of DATA, with MODE (whatever the
 * umask): a file that was there is replaced. */
static inline void scratch_write(const char *name, const void *data, size_t len, mode_t mode)
{
	FILE *f;

	snprintf(scratch_path, sizeof(scratch_path), "%s/%s", scratch_dir, name);
	unlink(scratch_path);
	f = fopen(scratch_path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(scratch_path, mode), 0);
}

#endif
