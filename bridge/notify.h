/* SPDX-License-Identifier: GPL-2.0 */
/*
 * notify.h - tell systemd how the service is doing, without libsystemd.
 *
 * systemd documents its notification protocol for daemons that do not
 * link libsystemd (sd_notify(3), "the notify protocol"): one datagram of
 * newline-separated KEY=VALUE assignments, sent to the AF_UNIX socket
 * that $NOTIFY_SOCKET names (a path, or an abstract name written with a
 * leading "@"). The watchdog is on when $WATCHDOG_USEC is set and
 * $WATCHDOG_PID, if set, is this process. Speaking it directly saves the
 * bridge libsystemd and the libraries it loads (about 1 MB resident).
 */
#ifndef SESAME_NOTIFY_H
#define SESAME_NOTIFY_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/*
 * The address $NOTIFY_SOCKET names. Return: 0 and *sa, *len filled; -1
 * for an unset, empty or unusable value (relative path, too long, another
 * address family), which means: not under systemd's supervision.
 */
int notify_address(const char *env, struct sockaddr_un *sa, socklen_t *len);

/*
 * The watchdog period in microseconds, from the values of $WATCHDOG_USEC
 * and $WATCHDOG_PID (either may be NULL); 0 when the watchdog is off, not
 * meant for process @self, or a value is malformed.
 */
uint64_t notify_watchdog_usec(const char *usec, const char *pid, pid_t self);

/*
 * Sends one message (printf format) to $NOTIFY_SOCKET. Return: 1 sent, 0
 * not under systemd, -1 when sending failed (errno set).
 */
int notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
