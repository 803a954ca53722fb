/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz-check.h - the fuzz targets' check(): a broken promise of the code
 * under test, said plainly (file, line, the condition) before the abort
 * that libFuzzer reports as a crash.
 */
#ifndef SESAME_FUZZ_CHECK_H
#define SESAME_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define check(ok) do {							\
	if (!(ok)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #ok);			\
		abort();						\
	}								\
} while (0)

#endif
