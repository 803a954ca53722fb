// SPDX-License-Identifier: GPL-2.0
/*
 * poke.c - write a file at planned moments, for the pulse benchmarks in
 * the emulated Pi: a new width or a stop sent to a PWM in the middle of
 * its period, at every phase of the period in turn.
 *
 * Usage: poke [-m MARKER] [-j STEP_US -c CYCLE_US] FILE[,FILE...]
 *             INTERVAL_US COUNT VALUE...
 *   Writes VALUE 1, 2, ... (round and round) to FILE, COUNT times, the
 *   first at once, each next one INTERVAL_US after the one before it on
 *   CLOCK_MONOTONIC, plus (k * STEP_US) mod CYCLE_US before the k-th: so
 *   that, against a PWM whose period is CYCLE_US, write k lands at another
 *   point of the period than write k-1, whether the period runs on from
 *   the first write (a new width) or restarts at each write (stop, start).
 *   -j 1300 -c 20000 visits 16 points of a 20 ms period in 32 writes.
 *   Each write opens FILE, writes the value and closes it (a sysfs
 *   attribute reads a write from its start), and is framed in the trace
 *   (MARKER, the tracefs trace_marker) by "poke VALUE" and "poke -> RET",
 *   so that the analysis knows when each was asked for.
 *   Several FILEs, comma-separated, are opened before each moment and
 *   written one right after another: several servos started as nearly
 *   together as one CPU can, so that their edges coincide.
 * Exit status: 0 when every write succeeded, 1 otherwise, 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int marker_fd = -1;

/* A line in the trace; a marker that fails once is given up. */
static void mark(const char *line)
{
	if (marker_fd >= 0 && write(marker_fd, line, strlen(line)) < 0)
		marker_fd = -1;
}

#define MAX_FILES 16

/* Splits a comma-separated list in place; returns the count, 0 if too many. */
static int split_files(char *list, char **files)
{
	int n = 0;
	char *save = NULL;

	for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		if (n == MAX_FILES)
			return 0;
		files[n++] = f;
	}
	return n;
}

/*
 * Opens every file, then writes the value to each in turn. Returns the
 * first write's result, or the first error (-errno).
 */
static long write_all(char **files, int nfiles, const char *value)
{
	int fds[MAX_FILES];
	long ret = 0, first = 0;
	int i;

	for (i = 0; i < nfiles; i++) {
		fds[i] = open(files[i], O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0 && ret >= 0)
			ret = -errno;
	}
	for (i = 0; i < nfiles; i++) {
		ssize_t n;

		if (fds[i] < 0)
			continue;
		n = write(fds[i], value, strlen(value));
		if (n < 0 && ret >= 0)
			ret = -errno;
		if (i == 0)
			first = (long)n;
	}
	for (i = 0; i < nfiles; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret < 0 ? ret : first;
}

static void add_us(struct timespec *t, long us)
{
	t->tv_nsec += (us % 1000000) * 1000;
	t->tv_sec += us / 1000000 + t->tv_nsec / 1000000000;
	t->tv_nsec %= 1000000000;
}

int main(int argc, char **argv)
{
	const char *marker = NULL;
	char *files[MAX_FILES];
	struct timespec next;
	long interval, count, i, step = 0, cycle = 1;
	int failed = 0, nfiles, nvalues, opt;

	while ((opt = getopt(argc, argv, "m:j:c:")) != -1) {
		switch (opt) {
		case 'm':
			marker = optarg;
			break;
		case 'j':
			step = strtol(optarg, NULL, 10);
			break;
		case 'c':
			cycle = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 4) {
		fprintf(stderr, "usage: poke [-m MARKER] [-j STEP_US -c CYCLE_US] FILE[,FILE...] INTERVAL_US COUNT VALUE...\n");
		return 2;
	}
	nfiles = split_files(argv[optind], files);
	if (!nfiles) {
		fprintf(stderr, "poke: from 1 to %d files\n", MAX_FILES);
		return 2;
	}
	interval = strtol(argv[optind + 1], NULL, 10);
	count = strtol(argv[optind + 2], NULL, 10);
	nvalues = argc - optind - 3;
	if (interval <= 0 || count <= 0 || step < 0 || cycle <= 0) {
		fprintf(stderr, "poke: INTERVAL_US, COUNT and CYCLE_US must be positive, STEP_US not negative\n");
		return 2;
	}
	if (marker)
		marker_fd = open(marker, O_WRONLY | O_CLOEXEC);

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 0; i < count; i++) {
		const char *value = argv[optind + 3 + i % nvalues];
		char line[128];
		long ret;

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		snprintf(line, sizeof(line), "poke %s", value);
		mark(line);
		ret = write_all(files, nfiles, value);
		snprintf(line, sizeof(line), "poke -> %ld", ret);
		mark(line);
		if (ret < 0) {
			fprintf(stderr, "poke: writing %s (%d file(s) from %s): %s\n",
				value, nfiles, files[0], strerror((int)-ret));
			failed = 1;
		}
		add_us(&next, interval + ((i + 1) * step) % cycle);
	}
	printf("poke: %ld writes to %d file(s), one every %ld us\n", count, nfiles, interval);
	return failed;
}
