// SPDX-License-Identifier: GPL-2.0
/*
 * devio.c - drive a character device from a guest test script, one system
 * call at a time, and print exactly what each call returned.
 *
 * Usage: devio DEVICE OP...    run the operations on one open file
 *        devio DEVICE -        read operations from stdin, one per line,
 *                              so that a script can hold the file open
 *                              while it does other things
 * Operations:
 *   write TEXT   one write(2) of TEXT, after C escapes (\n \0 \\ \xHH)
 *   writelen N   one write(2) of N bytes of '1'
 *   read         from the start of the file, read(2) until end of file
 *                into a poisoned buffer
 *   poll MS      poll(2) for POLLIN, at most MS milliseconds
 *   sleep MS     wait
 *   close        close the file (a later operation reopens it)
 *   ready        print "ready" (a point the script can wait for; on
 *                stdin, the whole line is printed: "ready 2")
 * Each result is one line on stdout, e.g. `write "open" = 4`,
 * `write "foo" = EINVAL`, `read = "state=open ...\n" eof`,
 * `poll 4000 = POLLIN after 2980 ms`. Each operation and its result are
 * also written to the kernel trace (trace_marker) as "devio NAME: write
 * open", "devio NAME: write -> 4", NAME being the device's file name, so
 * that the trace says what happened when.
 * Exit status: 0 when every operation ran (whatever it returned), 2 on
 * usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TEXT_MAX	4096
#define TRACE_MARKER	"/sys/kernel/tracing/trace_marker"

static const char *device;
static const char *device_name;	/* its last path component, for the trace */
static int dev_fd = -1;
static int marker_fd = -1;

static void mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mark(const char *fmt, ...)
{
	char line[TEXT_MAX + 64];
	va_list ap;
	int n;

	if (marker_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "devio %s: ", device_name);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (write(marker_fd, line, strlen(line)) < 0)
		marker_fd = -1;
}

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case EBUSY: return "EBUSY";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EFAULT: return "EFAULT";
	case EAGAIN: return "EAGAIN";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENOENT: return "ENOENT";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOSPC: return "ENOSPC";
	default: return strerror(err);
	}
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Prints @buf with C escapes, so that results stay on one line. */
static void print_escaped(const char *buf, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\\' || c == '"')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Decodes C escapes of @text into @out; returns the length. */
static size_t unescape(const char *text, char *out, size_t size)
{
	size_t n = 0;

	while (*text && n < size) {
		if (*text != '\\' || !text[1]) {
			out[n++] = *text++;
			continue;
		}
		text++;
		switch (*text) {
		case 'n': out[n++] = '\n'; text++; break;
		case 't': out[n++] = '\t'; text++; break;
		case '0': out[n++] = '\0'; text++; break;
		case 'x': {
			char hex[3] = { 0 };

			if (text[1] && text[2]) {
				hex[0] = text[1];
				hex[1] = text[2];
				out[n++] = (char)strtoul(hex, NULL, 16);
				text += 3;
			} else {
				out[n++] = *text++;
			}
			break;
		}
		default: out[n++] = *text++; break;
		}
	}
	return n;
}

static int ensure_open(void)
{
	if (dev_fd >= 0)
		return 0;
	dev_fd = open(device, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		printf("open = %s\n", errno_name(errno));
		return -1;
	}
	return 0;
}

static void op_write(const char *buf, size_t len)
{
	ssize_t ret;

	if (ensure_open())
		return;
	mark("write %.*s", (int)(len > 80 ? 80 : len), buf);
	ret = write(dev_fd, buf, len);
	fputs("write ", stdout);
	print_escaped(buf, len > 80 ? 80 : len);
	if (len > 80)
		printf("...(%zu bytes)", len);
	if (ret < 0) {
		printf(" = %s\n", errno_name(errno));
		mark("write -> %s", errno_name(errno));
	} else {
		printf(" = %zd\n", ret);
		mark("write -> %zd", ret);
	}
}

static void op_read(void)
{
	char buf[TEXT_MAX];
	size_t total = 0;
	ssize_t ret;
	int reads = 0;

	if (ensure_open())
		return;
	/* Each read op reads the status afresh, from the start. */
	if (lseek(dev_fd, 0, SEEK_SET) < 0 && errno != ESPIPE) {
		printf("read = lseek %s\n", errno_name(errno));
		return;
	}
	/* Poison, so that bytes the driver did not write cannot pass. */
	memset(buf, 0xa5, sizeof(buf));
	mark("read");
	for (;;) {
		ret = read(dev_fd, buf + total, sizeof(buf) - total);
		if (ret <= 0 || ++reads > 8)
			break;
		total += (size_t)ret;
	}
	fputs("read = ", stdout);
	if (ret < 0 && total == 0) {
		printf("%s\n", errno_name(errno));
		mark("read -> %s", errno_name(errno));
		return;
	}
	print_escaped(buf, total);
	printf(ret == 0 ? " eof\n" : ret < 0 ? " then %s\n" : " no-eof\n",
	       ret < 0 ? errno_name(errno) : "");
	mark("read -> %.*s", (int)total, buf);
}

/* "POLLIN|POLLHUP": the poll bits a test looks at, by name. */
static const char *revents_names(short revents)
{
	static const struct {
		short bit;
		const char *name;
	} bits[] = {
		{ POLLIN, "POLLIN" }, { POLLOUT, "POLLOUT" }, { POLLHUP, "POLLHUP" },
		{ POLLERR, "POLLERR" }, { POLLNVAL, "POLLNVAL" }, { POLLPRI, "POLLPRI" },
	};
	static char names[64];
	size_t i;

	names[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (!(revents & bits[i].bit))
			continue;
		if (names[0])
			strcat(names, "|");
		strcat(names, bits[i].name);
	}
	return names;
}

static void op_poll(int timeout_ms)
{
	struct pollfd pfd;
	long start;
	int ret;

	if (ensure_open())
		return;
	pfd.fd = dev_fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	mark("poll %d", timeout_ms);
	start = now_ms();
	ret = poll(&pfd, 1, timeout_ms);
	printf("poll %d = ", timeout_ms);
	if (ret < 0) {
		printf("%s\n", errno_name(errno));
		return;
	}
	if (ret == 0) {
		printf("timeout after %ld ms\n", now_ms() - start);
		mark("poll -> timeout");
		return;
	}
	printf("%s after %ld ms\n", revents_names(pfd.revents), now_ms() - start);
	mark("poll -> revents 0x%x", pfd.revents);
}

static int run_op(char **argv, int argc, int *used)
{
	static char buf[TEXT_MAX];
	const char *op = argv[0];
	const char *arg = argc > 1 ? argv[1] : NULL;

	*used = 1;
	if (!strcmp(op, "read")) {
		op_read();
	} else if (!strcmp(op, "close")) {
		if (dev_fd >= 0)
			printf("close = %s\n", close(dev_fd) ? errno_name(errno) : "0");
		dev_fd = -1;
	} else if (!strcmp(op, "ready")) {
		printf("ready\n");
	} else if (!arg) {
		fprintf(stderr, "devio: %s: unknown or missing its argument\n", op);
		return -1;
	} else if (!strcmp(op, "write")) {
		*used = 2;
		op_write(buf, unescape(arg, buf, sizeof(buf)));
	} else if (!strcmp(op, "writelen")) {
		size_t len = strtoul(arg, NULL, 10);

		*used = 2;
		if (len > sizeof(buf))
			len = sizeof(buf);
		memset(buf, '1', len);
		op_write(buf, len);
	} else if (!strcmp(op, "poll")) {
		*used = 2;
		op_poll(atoi(arg));
	} else if (!strcmp(op, "sleep")) {
		*used = 2;
		usleep((useconds_t)atoi(arg) * 1000);
	} else {
		fprintf(stderr, "devio: unknown operation %s\n", op);
		return -1;
	}
	fflush(stdout);
	return 0;
}

/* One operation per line: the operation, a space, the rest as argument. */
static int run_stdin(void)
{
	char line[TEXT_MAX];

	while (fgets(line, sizeof(line), stdin)) {
		char *args[2] = { line, NULL };
		char *space;
		int used;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (!strncmp(line, "ready", 5)) {
			printf("%s\n", line);
			continue;
		}
		space = strchr(line, ' ');
		if (space) {
			*space = '\0';
			args[1] = space + 1;
		}
		if (run_op(args, args[1] ? 2 : 1, &used))
			return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, used;

	if (argc < 3) {
		fprintf(stderr, "usage: devio DEVICE OP... | devio DEVICE -\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	device = argv[1];
	device_name = strrchr(device, '/') ? strrchr(device, '/') + 1 : device;
	marker_fd = open(TRACE_MARKER, O_WRONLY | O_CLOEXEC);
	if (ensure_open())
		return 0;
	if (!strcmp(argv[2], "-"))
		return run_stdin();
	for (i = 2; i < argc; i += used)
		if (run_op(argv + i, argc - i, &used))
			return 2;
	return 0;
}
