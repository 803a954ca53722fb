// SPDX-License-Identifier: GPL-2.0
/*
 * verdict.c - names of commands and rejection reasons, as they appear in
 * events and logs.
 */
#include "verdict.h"

#include <stddef.h>

const char *command_name(enum command cmd)
{
	switch (cmd) {
	case CMD_OPEN:
		return "open";
	case CMD_CLOSE:
		return "close";
	case CMD_NONE:
		break;
	}
	return NULL;
}

const char *reason_name(enum reason reason)
{
	static const char *const names[] = {
		[REASON_NONE] = "accepted",
		[REASON_RETAINED] = "retained",
		[REASON_REPLAY] = "replay",
		[REASON_OLDER] = "older",
		[REASON_STALE] = "stale",
		[REASON_CLOCK] = "clock not synchronised",
		[REASON_BAD_SIGNATURE] = "bad signature",
		[REASON_RATE_LIMITED] = "rate limited",
		[REASON_MALFORMED] = "malformed",
		[REASON_DEVICE_ERROR] = "device error",
		[REASON_STATE_ERROR] = "state error",
		[REASON_UNKNOWN_OPENER] = "unknown opener",
	};

	return names[reason];
}
