/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event.h - the JSON object published on B/event for every command
 * message, accepted or not:
 *
 *   {"time":1700000000,"accepted":false,"command":"open","signed":true,
 *    "reason":"stale","detail":"signed 95 s ago; the window is 30 s"}
 *
 * "command" is null when the payload named none; "opener" (after
 * "signed") names the opener of a named signed command; "reason" and "detail"
 * are there only for a rejection; "suppressed" counts the rejections not
 * reported since the previous event (see the flood guard in bridge.c).
 */
#ifndef SESAME_EVENT_H
#define SESAME_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

#define EVENT_JSON_MAX 512

/* Returns the length written to BUF, or -1. */
int event_format(char *buf, size_t size, const struct verdict *v,
		 int64_t time, unsigned long suppressed);

#endif
