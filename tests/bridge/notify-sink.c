// SPDX-License-Identifier: GPL-2.0
/*
 * notify-sink - plays systemd's side of sd_notify() for the tests: binds a
 * datagram socket at PATH and writes each message it receives to stdout,
 * one line per assignment ("READY=1", "WATCHDOG=1", ...).
 *
 * Usage: notify-sink PATH     (runs until killed)
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: notify-sink PATH\n");
		return 2;
	}
	memcpy(addr.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("notify-sink");
		return 1;
	}
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		/* one message may hold several lines; each is one assignment */
		printf("%s%s", buf, n && buf[n - 1] == '\n' ? "" : "\n");
		fflush(stdout);
	}
	perror("notify-sink: recv");
	return 1;
}
