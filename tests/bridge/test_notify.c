// SPDX-License-Identifier: GPL-2.0
/*
 * test_notify.c - systemd's notify protocol without libsystemd: which
 * $NOTIFY_SOCKET values name a socket (path or abstract) and which mean
 * "not supervised", when the watchdog is on, and one message really sent
 * to a socket of our own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

static void test_path_address(void **state)
{
	struct sockaddr_un sa;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(notify_address("/run/systemd/notify", &sa, &len), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, "/run/systemd/notify");
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 20);
}

static void test_abstract_address(void **state)
{
	struct sockaddr_un sa;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(notify_address("@sd-notify/42", &sa, &len), 0);
	assert_int_equal(sa.sun_path[0], '\0');
	assert_memory_equal(sa.sun_path + 1, "sd-notify/42", 12);
	/* Exactly its bytes: a trailing NUL would name another socket. */
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 13);
}

static void test_unusable_addresses(void **state)
{
	char longest[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];
	struct sockaddr_un sa;
	socklen_t len;

	(void)state;
	assert_int_equal(notify_address(NULL, &sa, &len), -1);
	assert_int_equal(notify_address("", &sa, &len), -1);
	assert_int_equal(notify_address("relative/notify", &sa, &len), -1);
	assert_int_equal(notify_address("vsock:2:1234", &sa, &len), -1);
	assert_int_equal(notify_address("@", &sa, &len), -1);
	assert_int_equal(notify_address("/", &sa, &len), -1);
	/* A path needs room for its NUL; an abstract name does not. */
	memset(longest, 'x', sizeof(longest));
	longest[0] = '/';
	longest[sizeof(sa.sun_path)] = '\0';
	assert_int_equal(notify_address(longest, &sa, &len), -1);
	longest[0] = '@';
	assert_int_equal(notify_address(longest, &sa, &len), 0);
	longest[sizeof(sa.sun_path)] = 'x';
	longest[sizeof(sa.sun_path) + 1] = '\0';
	assert_int_equal(notify_address(longest, &sa, &len), -1);
}

static void test_watchdog(void **state)
{
	(void)state;
	assert_int_equal(notify_watchdog_usec("30000000", NULL, 77), 30000000);
	assert_int_equal(notify_watchdog_usec("30000000", "77", 77), 30000000);
	/* Meant for another process (e.g. the shell that started us). */
	assert_int_equal(notify_watchdog_usec("30000000", "78", 77), 0);
	assert_int_equal(notify_watchdog_usec(NULL, "77", 77), 0);
	assert_int_equal(notify_watchdog_usec("0", NULL, 77), 0);
	assert_int_equal(notify_watchdog_usec("", NULL, 77), 0);
	assert_int_equal(notify_watchdog_usec("-5", NULL, 77), 0);
	assert_int_equal(notify_watchdog_usec("30s", NULL, 77), 0);
	assert_int_equal(notify_watchdog_usec("99999999999999999999999", NULL, 77), 0);
	assert_int_equal(notify_watchdog_usec("30000000", "77x", 77), 0);
}

static void test_send(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/test_notify.XXXXXX", buf[128];
	ssize_t n;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	assert_int_equal(notify("READY=1\nSTATUS=bridging %s", "/dev/sesame"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 35);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1\nSTATUS=bridging /dev/sesame");

	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
	/* Nobody listens any more: an error, not a crash. */
	assert_int_equal(notify("WATCHDOG=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_address),
		cmocka_unit_test(test_abstract_address),
		cmocka_unit_test(test_unusable_addresses),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
