// SPDX-License-Identifier: GPL-2.0
/*
 * fake-sync.so - an LD_PRELOAD stand-in for the kernel's answer to "is the
 * wall clock synchronised?" (adjtimex(2) with modes 0), which the bridge
 * asks before it judges a signed command. A test machine's clock may or
 * may not be synchronised by NTP; the tests must be able to say which.
 *
 *   SESAME_FAKE_SYNC=FILE   FILE holds "synced" or "unsynced", read at each
 *                           call, so a test can change it while the bridge
 *                           runs (NTP answering after boot)
 *
 * Without the variable, or for a call that would change the clock, the
 * real adjtimex() answers. Only the sync state is faked: the time itself
 * comes from the real clock, or from libfaketime preloaded beside this.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

int adjtimex(struct timex *tx)
{
	static int (*real)(struct timex *);
	const char *file = getenv("SESAME_FAKE_SYNC");
	char word[16] = "";
	FILE *f;

	if (!file || tx->modes != 0) {
		if (!real)
			real = (int (*)(struct timex *))dlsym(RTLD_NEXT, "adjtimex");
		return real(tx);
	}
	f = fopen(file, "re");
	if (f) {
		if (!fgets(word, sizeof(word), f))
			word[0] = '\0';
		fclose(f);
	}
	memset(tx, 0, sizeof(*tx));
	if (!strncmp(word, "synced", 6)) {
		tx->status = STA_PLL;
		return TIME_OK;
	}
	tx->status = STA_UNSYNC;
	return TIME_ERROR;
}
