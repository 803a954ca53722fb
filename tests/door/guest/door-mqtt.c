// SPDX-License-Identifier: GPL-2.0
/*
 * door-mqtt.c - the whole-door tests' MQTT client in the emulated Pi: it
 * publishes or subscribes like mosquitto_pub and mosquitto_sub, and marks
 * each message it sends or receives in the kernel trace, so that MQTT and
 * the servo's pulses (gpio_value events) are seen on one clock.
 *
 * Usage: door-mqtt [-h HOST] [-p PORT] -C CAFILE -u USER -P PASSWORD_FILE MODE ...
 *   pub [-r] TOPIC PAYLOAD...
 *        one connection; each PAYLOAD published at QoS 1 (retained with -r)
 *        once the one before it was acknowledged; prints "published
 *        PAYLOAD" for each
 *   pub [-r] TOPIC -
 *        the same, for lines "MS PAYLOAD" on standard input: each payload
 *        published MS milliseconds after the one before it
 *   sub TOPIC...
 *        prints each message as "live|retained TOPIC PAYLOAD", until killed
 * The password is read from a file (first line), never from the command
 * line. TLS is always on: the broker's certificate is checked against
 * CAFILE and HOST (default 127.0.0.1, port 8883).
 *
 * Trace markers: "door-mqtt TOPIC: publish PAYLOAD" just before the publish
 * goes to the socket (libmosquitto writes it from mosquitto_publish() when
 * no loop thread runs), and "door-mqtt TOPIC: got PAYLOAD" (with
 * " (retained)") as soon as a message is delivered.
 * Exit status: 0, 1 when the broker cannot be reached or refuses us, 2 on
 * usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACE_MARKER	"/sys/kernel/tracing/trace_marker"
#define TEXT_MAX	512
#define PASSWORD_MAX	256

static int marker_fd = -1;
static int connack = -1;	/* the broker's answer; -1 while waiting */
static int acked_mid = -1;	/* the last publish the broker acknowledged */
static char **sub_topics;	/* sub: what to subscribe to, on each connect */
static int sub_count, sub_acked;

static void mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mark(const char *fmt, ...)
{
	char line[TEXT_MAX];
	va_list ap;

	if (marker_fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(marker_fd, line, strlen(line)) < 0)
		marker_fd = -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: door-mqtt [-h HOST] [-p PORT] -C CAFILE -u USER -P PASSWORD_FILE\n"
		"                 pub [-r] TOPIC PAYLOAD... | pub [-r] TOPIC - | sub TOPIC...\n");
	exit(2);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A payload as one printable line: anything else shows as '?'. */
static void printable(const void *payload, int len, char *out, size_t size)
{
	const unsigned char *p = payload;
	size_t i;

	for (i = 0; i < (size_t)len && i + 1 < size; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[i] = '\0';
}

static void read_password(const char *path, char *pw, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(pw, (int)size, f)) {
		fprintf(stderr, "door-mqtt: cannot read the password from %s: %s\n",
			path, f ? "empty file" : strerror(errno));
		exit(1);
	}
	fclose(f);
	pw[strcspn(pw, "\r\n")] = '\0';
}

static void on_connect(struct mosquitto *mosq, void *data, int rc)
{
	int i;

	(void)data;
	connack = rc;
	/* A clean session: subscribe again on every connection. */
	for (i = 0; rc == 0 && i < sub_count; i++)
		mosquitto_subscribe(mosq, NULL, sub_topics[i], 1);
}

/* "subscribed" once the broker acknowledged every topic: from then on,
 * nothing published is missed (a script waits for this line). */
static void on_subscribe(struct mosquitto *mosq, void *data, int mid,
			 int count, const int *granted)
{
	(void)mosq;
	(void)data;
	(void)mid;
	(void)count;
	(void)granted;
	if (++sub_acked == sub_count) {
		printf("subscribed\n");
		fflush(stdout);
	}
}

static void on_publish(struct mosquitto *mosq, void *data, int mid)
{
	(void)mosq;
	(void)data;
	acked_mid = mid;
}

static void on_message(struct mosquitto *mosq, void *data,
		       const struct mosquitto_message *msg)
{
	char text[TEXT_MAX - 64];

	(void)mosq;
	(void)data;
	printable(msg->payload, msg->payloadlen, text, sizeof(text));
	mark("door-mqtt %s: got %s%s", msg->topic, text, msg->retain ? " (retained)" : "");
	printf("%s %s %s\n", msg->retain ? "retained" : "live", msg->topic, text);
	fflush(stdout);
}

/* Runs the network loop until @done says so, or an error; false on error. */
static bool loop_until(struct mosquitto *mosq, bool (*done)(int), int arg)
{
	int rc;

	while (!done(arg)) {
		rc = mosquitto_loop(mosq, 1000, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "door-mqtt: %s\n", mosquitto_strerror(rc));
			return false;
		}
	}
	return true;
}

static bool connected(int unused)
{
	(void)unused;
	return connack >= 0;
}

static bool acked(int mid)
{
	return acked_mid == mid;
}

/* Serves the connection until the clock reaches @when (CLOCK_MONOTONIC, ms). */
static bool wait_until(struct mosquitto *mosq, long when)
{
	while (now_ms() < when) {
		if (mosquitto_loop(mosq, (int)(when - now_ms()), 1) != MOSQ_ERR_SUCCESS)
			return false;
	}
	return true;
}

static bool publish_one(struct mosquitto *mosq, const char *topic, const char *payload,
			bool retain)
{
	int mid;

	mark("door-mqtt %s: publish %s", topic, payload);
	if (mosquitto_publish(mosq, &mid, topic, (int)strlen(payload), payload, 1,
			      retain) != MOSQ_ERR_SUCCESS ||
	    !loop_until(mosq, acked, mid))
		return false;
	printf("published %s\n", payload);
	fflush(stdout);
	return true;
}

static int publish(struct mosquitto *mosq, int argc, char **argv)
{
	char line[TEXT_MAX], *payload;
	bool retain = false;
	long at = now_ms(), delay;
	int opt, i;

	optind = 1;
	while ((opt = getopt(argc, argv, "+r")) != -1) {
		if (opt != 'r')
			usage();
		retain = true;
	}
	if (argc - optind < 2)
		usage();
	if (strcmp(argv[optind + 1], "-")) {
		for (i = optind + 1; i < argc; i++) {
			if (!publish_one(mosq, argv[optind], argv[i], retain))
				return 1;
		}
	} else {
		/* A schedule: "MS PAYLOAD" lines, MS after the publish before. */
		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			delay = strtol(line, &payload, 10);
			if (payload == line || *payload != ' ' || delay < 0) {
				fprintf(stderr, "door-mqtt: bad schedule line: %s\n", line);
				return 2;
			}
			at += delay;
			if (!wait_until(mosq, at) ||
			    !publish_one(mosq, argv[optind], payload + 1, retain))
				return 1;
		}
	}
	mosquitto_disconnect(mosq);
	mosquitto_loop(mosq, 100, 1);
	return 0;
}

static int subscribe(struct mosquitto *mosq)
{
	int rc = mosquitto_loop_forever(mosq, -1, 1);

	fprintf(stderr, "door-mqtt: %s\n", mosquitto_strerror(rc));
	return 1;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *cafile = NULL, *user = NULL, *pwfile = NULL;
	char password[PASSWORD_MAX];
	struct mosquitto *mosq;
	int port = 8883, opt, rc;

	while ((opt = getopt(argc, argv, "+h:p:C:u:P:")) != -1) {
		switch (opt) {
		case 'h': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'C': cafile = optarg; break;
		case 'u': user = optarg; break;
		case 'P': pwfile = optarg; break;
		default: usage();
		}
	}
	if (!cafile || !user || !pwfile || optind >= argc)
		usage();
	argc -= optind;
	argv += optind;
	if (!strcmp(argv[0], "sub")) {
		if (argc < 2)
			usage();
		sub_topics = argv + 1;
		sub_count = argc - 1;
	} else if (strcmp(argv[0], "pub")) {
		usage();
	}
	read_password(pwfile, password, sizeof(password));
	marker_fd = open(TRACE_MARKER, O_WRONLY | O_CLOEXEC);

	mosquitto_lib_init();
	mosq = mosquitto_new(NULL, true, NULL);
	if (!mosq)
		return 1;
	mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_message_callback_set(mosq, on_message);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	if (mosquitto_tls_set(mosq, cafile, NULL, NULL, NULL, NULL) ||
	    mosquitto_username_pw_set(mosq, user, password)) {
		fprintf(stderr, "door-mqtt: bad TLS or credential settings\n");
		return 1;
	}
	memset(password, 0, sizeof(password));
	rc = mosquitto_connect(mosq, host, port, 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "door-mqtt: connect: %s\n", mosquitto_strerror(rc));
		return 1;
	}
	if (!loop_until(mosq, connected, 0))
		return 1;
	if (connack) {
		fprintf(stderr, "door-mqtt: %s\n", mosquitto_connack_string(connack));
		return 1;
	}
	rc = sub_count ? subscribe(mosq) : publish(mosq, argc, argv);
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return rc;
}
