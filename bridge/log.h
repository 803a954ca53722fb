/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - the bridge's logging, in the style of OpenBSD's ntpd: log_warn()
 * appends strerror(errno), log_warnx() does not; fatal()/fatalx() log and
 * exit 1. Messages go to stderr as they are; when stderr is the systemd
 * journal, each line starts with its syslog priority ("<4>...").
 */
#ifndef SESAME_LOG_H
#define SESAME_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))

void log_init(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_notice(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_at(enum log_level level, const char *fmt, ...) LOG_PRINTF(2, 3);
void fatal(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
