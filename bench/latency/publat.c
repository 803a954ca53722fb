// SPDX-License-Identifier: GPL-2.0
/*
 * publat.c - publish door commands at a steady pace and note, for each,
 * the CLOCK_MONOTONIC time just before it was handed to the network: one
 * half of the command-latency benchmark (the other half is the time the
 * command reached the device, stamped by the /dev/sesame stand-in).
 *
 * Usage: publat -p PORT --cafile CA --cert CRT --key KEY -t TOPIC
 *               -n COUNT -i INTERVAL_MS -w DEVICE_LOG -o STAMPS
 *
 * MQTT 3.1.1 over TLS to 127.0.0.1, QoS 1, not retained. First it warms
 * up: it publishes "close" every 100 ms until DEVICE_LOG grows (the
 * subscriber is connected and acting), then waits a second for any
 * warm-up command still on its way (saying "settling" on stdout as that
 * second starts). Then it publishes COUNT commands,
 * "open" and "close" in turn, one every INTERVAL_MS on an absolute
 * schedule, and writes STAMPS: a first line "lines_before=N" (the device
 * log's lines before the measured commands), then "k ns payload" per
 * command. One thread: mosquitto_publish() writes the packet at once, and
 * mosquitto_loop() takes the PUBACKs between commands.
 * Exit status: 0, 1 on a connection or publish error, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <mosquitto.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_MS	1000000LL
#define NS_PER_S	1000000000LL

static bool connected;
static int connect_rc = -1;
static long acked;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)obj;
	connect_rc = rc;
	connected = rc == 0;
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	(void)mid;
	acked++;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Runs the network loop until @deadline (CLOCK_MONOTONIC ns). */
static int loop_until(struct mosquitto *m, int64_t deadline)
{
	int64_t left;
	int rc;

	while ((left = deadline - now_ns()) > 0) {
		rc = mosquitto_loop(m, (int)((left + NS_PER_MS - 1) / NS_PER_MS), 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "publat: %s\n", mosquitto_strerror(rc));
			return -1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: publat -p PORT --cafile CA --cert CRT --key KEY -t TOPIC "
		"-n COUNT -i INTERVAL_MS -w DEVICE_LOG -o STAMPS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cafile", required_argument, NULL, 'C' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cafile = NULL, *cert = NULL, *key = NULL, *topic = NULL;
	const char *devlog = NULL, *out = NULL;
	long count = 0, interval_ms = 0, port = 0, k, before, acked0;
	int64_t *stamps, t0, give_up;
	struct mosquitto *m = NULL;
	FILE *f;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "p:t:n:i:w:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C':
			cafile = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 't':
			topic = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'i':
			interval_ms = strtol(optarg, NULL, 10);
			break;
		case 'w':
			devlog = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !cafile || !cert || !key || !topic || !devlog || !out ||
	    port <= 0 || port > 65535 || count <= 0 || interval_ms <= 0)
		usage();
	stamps = calloc((size_t)count, sizeof(*stamps));
	if (!stamps)
		return 1;

	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	if (!m || mosquitto_tls_set(m, cafile, NULL, cert, key, NULL) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "publat: cannot set up the client and TLS\n");
		goto out;
	}
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_publish_callback_set(m, on_publish);
	if (mosquitto_connect(m, "127.0.0.1", (int)port, 60) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "publat: cannot connect to 127.0.0.1:%ld\n", port);
		goto out;
	}
	give_up = now_ns() + 10 * NS_PER_S;
	while (!connected && connect_rc <= 0 && now_ns() < give_up)
		if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS)
			break;
	if (!connected) {
		fprintf(stderr, "publat: not connected (%d)\n", connect_rc);
		goto out;
	}

	/* Warm up until the subscriber acts, then let stragglers land. */
	before = count_lines(devlog);
	give_up = now_ns() + 30 * NS_PER_S;
	while (count_lines(devlog) == before) {
		if (now_ns() > give_up) {
			fprintf(stderr, "publat: nothing reached %s in 30 s\n", devlog);
			goto out;
		}
		if (mosquitto_publish(m, NULL, topic, 5, "close", 1, false) != MOSQ_ERR_SUCCESS ||
		    loop_until(m, now_ns() + 100 * NS_PER_MS))
			goto out;
	}
	/* Tells the harness to sample the subscriber's CPU time now. */
	printf("settling\n");
	fflush(stdout);
	if (loop_until(m, now_ns() + NS_PER_S))
		goto out;
	before = count_lines(devlog);

	acked0 = acked;
	t0 = now_ns() + 10 * NS_PER_MS;
	for (k = 0; k < count; k++) {
		const char *payload = k % 2 ? "close" : "open";

		if (loop_until(m, t0 + k * interval_ms * NS_PER_MS))
			goto out;
		stamps[k] = now_ns();
		if (mosquitto_publish(m, NULL, topic, (int)strlen(payload), payload, 1,
				      false) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "publat: publish %ld failed\n", k);
			goto out;
		}
	}
	/* The last PUBACKs. */
	give_up = now_ns() + 10 * NS_PER_S;
	while (acked - acked0 < count && now_ns() < give_up)
		if (loop_until(m, now_ns() + 10 * NS_PER_MS))
			goto out;

	f = fopen(out, "w");
	if (!f) {
		perror(out);
		goto out;
	}
	fprintf(f, "lines_before=%ld\n", before);
	for (k = 0; k < count; k++)
		fprintf(f, "%ld %lld %s\n", k, (long long)stamps[k], k % 2 ? "close" : "open");
	rc = fclose(f) ? 1 : 0;
out:
	if (m) {
		mosquitto_disconnect(m);
		mosquitto_destroy(m);
	}
	mosquitto_lib_cleanup();
	free(stamps);
	return rc;
}
