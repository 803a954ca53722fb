// SPDX-License-Identifier: GPL-2.0
/*
 * notify.c - systemd's notify protocol, spoken directly (see notify.h).
 */
#define _GNU_SOURCE
#include "notify.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int notify_address(const char *env, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n;

	if (!env || (env[0] != '/' && env[0] != '@'))
		return -1;
	n = strlen(env);
	if (n < 2 || n > sizeof(sa->sun_path))
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, env, n);
	/* An abstract name: a NUL first, and only its own bytes count. */
	if (env[0] == '@')
		sa->sun_path[0] = '\0';
	else if (n == sizeof(sa->sun_path))
		return -1;	/* no room for the path's NUL */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (env[0] == '/'));
	return 0;
}

static int parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

uint64_t notify_watchdog_usec(const char *usec, const char *pid, pid_t self)
{
	unsigned long long v, p;

	if (parse_u64(usec, &v) || v == 0)
		return 0;
	if (pid && (parse_u64(pid, &p) || p != (unsigned long long)self))
		return 0;
	return v;
}

int notify(const char *fmt, ...)
{
	struct sockaddr_un sa;
	char msg[512];
	socklen_t len;
	va_list ap;
	ssize_t sent;
	int fd, n, err;

	if (notify_address(getenv("NOTIFY_SOCKET"), &sa, &len))
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg)) {
		errno = EMSGSIZE;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	sent = sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	err = errno;
	close(fd);
	errno = err;
	return sent == n ? 1 : -1;
}
