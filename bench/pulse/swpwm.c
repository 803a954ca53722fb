// SPDX-License-Identifier: GPL-2.0
/*
 * swpwm.c - the best servo pulse train user space can make: what a user
 * would write instead of sesame.ko, for the benchmark to compare with.
 *
 * Usage: swpwm [-c CHIP] -l LINE -n PULSES [-p PERIOD_US] [-w WIDTH_US]
 *              [-P FIFO_PRIORITY] [-m TRACE_MARKER]
 *
 * A libgpiod (v1, Debian 12) line request on the GPIO character device, an
 * absolute schedule on CLOCK_MONOTONIC slept to with clock_nanosleep
 * (TIMER_ABSTIME, so that lateness never adds up), SCHED_FIFO and locked
 * memory, so that nothing of lower priority delays a wakeup. The rise of
 * pulse k is due at t0 + k * period, its fall at that plus the width. A
 * wakeup so late that the pulse would not fit its period skips the period
 * (no burst, as the driver does).
 *
 * With -m, one line goes to the kernel trace before the first pulse:
 *   swpwm: schedule t0=NS period=NS width=NS pulses=N
 * which gives the analysis every edge's due time. At the end one line on
 * stdout: "swpwm: pulses=N skipped=N cpu_ns=N wall_ns=N" (the CPU time of
 * the process, all of it system calls and wakeups).
 * Exit status: 0, 1 on a GPIO or system error, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_US	1000LL
#define NS_PER_S	1000000000LL
/* The first rise: far enough ahead for the line request to settle. */
#define LEAD_NS		(10 * 1000 * 1000LL)

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t / NS_PER_S, .tv_nsec = t % NS_PER_S };

	/* Interrupted by a signal: sleep on to the same absolute time. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static long parse_num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "swpwm: %s must be a number from %ld to %ld, not '%s'\n",
			what, lo, hi, s);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: swpwm [-c CHIP] -l LINE -n PULSES [-p PERIOD_US] "
		"[-w WIDTH_US] [-P FIFO_PRIORITY] [-m TRACE_MARKER]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *chipname = "gpiochip0", *marker = NULL;
	long offset = -1, pulses = -1, period_us = 20000, width_us = 1500, prio = 80;
	struct sched_param sp = { 0 };
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	int64_t t0, rise, cpu0, wall0;
	long k, sent = 0, skipped = 0;
	int opt;

	while ((opt = getopt(argc, argv, "c:l:n:p:w:P:m:")) != -1) {
		switch (opt) {
		case 'c':
			chipname = optarg;
			break;
		case 'l':
			offset = parse_num(optarg, 0, 1023, "LINE");
			break;
		case 'n':
			pulses = parse_num(optarg, 1, 10000000, "PULSES");
			break;
		case 'p':
			period_us = parse_num(optarg, 100, 1000000, "PERIOD_US");
			break;
		case 'w':
			width_us = parse_num(optarg, 1, 1000000, "WIDTH_US");
			break;
		case 'P':
			prio = parse_num(optarg, 1, 99, "FIFO_PRIORITY");
			break;
		case 'm':
			marker = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || offset < 0 || pulses < 0)
		usage();
	if (width_us >= period_us) {
		fprintf(stderr, "swpwm: WIDTH_US must be below PERIOD_US\n");
		return 2;
	}

	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		perror("swpwm: mlockall (going on unlocked)");
	sp.sched_priority = (int)prio;
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("swpwm: SCHED_FIFO");
		return 1;
	}

	chip = gpiod_chip_open_lookup(chipname);
	if (!chip) {
		fprintf(stderr, "swpwm: cannot open %s: %s\n", chipname, strerror(errno));
		return 1;
	}
	line = gpiod_chip_get_line(chip, (unsigned int)offset);
	if (!line || gpiod_line_request_output(line, "swpwm", 0)) {
		fprintf(stderr, "swpwm: cannot request line %ld of %s: %s\n",
			offset, chipname, strerror(errno));
		gpiod_chip_close(chip);
		return 1;
	}

	t0 = now_ns(CLOCK_MONOTONIC) + LEAD_NS;
	if (marker) {
		FILE *f = fopen(marker, "w");

		if (f) {
			fprintf(f, "swpwm: schedule t0=%lld period=%lld width=%lld pulses=%ld\n",
				(long long)t0, period_us * NS_PER_US, width_us * NS_PER_US, pulses);
			fclose(f);
		} else {
			perror("swpwm: trace marker");
		}
	}

	cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	wall0 = now_ns(CLOCK_MONOTONIC);
	for (k = 0; k < pulses; k++) {
		rise = t0 + k * period_us * NS_PER_US;
		sleep_until(rise);
		/* Too late for this pulse to fit its period: skip it. */
		if (now_ns(CLOCK_MONOTONIC) > rise + (period_us - width_us) * NS_PER_US) {
			skipped++;
			continue;
		}
		gpiod_line_set_value(line, 1);
		sleep_until(rise + width_us * NS_PER_US);
		gpiod_line_set_value(line, 0);
		sent++;
	}
	printf("swpwm: pulses=%ld skipped=%ld cpu_ns=%lld wall_ns=%lld\n", sent, skipped,
	       (long long)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0),
	       (long long)(now_ns(CLOCK_MONOTONIC) - wall0));

	gpiod_line_release(line);
	gpiod_chip_close(chip);
	return 0;
}
