/* SPDX-License-Identifier: GPL-2.0 */
/*
 * verdict.h - what the bridge decided about one command message: the
 * command it names, and why it was rejected (the reason codes of the
 * B/event audit trail, documented in sesame-bridge(8)).
 */
#ifndef SESAME_VERDICT_H
#define SESAME_VERDICT_H

#include <stdbool.h>

enum command {
	CMD_NONE,
	CMD_OPEN,
	CMD_CLOSE,
};

enum reason {
	REASON_NONE,		/* accepted */
	REASON_RETAINED,
	REASON_REPLAY,		/* the nonce was accepted before */
	REASON_OLDER,		/* at or below the replay floor */
	REASON_STALE,		/* outside the time window */
	REASON_CLOCK,		/* the clock cannot judge time stamps */
	REASON_BAD_SIGNATURE,
	REASON_RATE_LIMITED,
	REASON_MALFORMED,
	REASON_DEVICE_ERROR,
	REASON_STATE_ERROR,	/* the replay state could not be saved */
	REASON_UNKNOWN_OPENER,	/* a named command without a key: revoked? */
};

#define VERDICT_DETAIL_MAX 128
#define VERDICT_OPENER_MAX 32	/* SIGN_NAME_MAX */

struct verdict {
	enum command cmd;
	enum reason reason;
	bool is_signed;
	char detail[VERDICT_DETAIL_MAX];	/* our words, never the payload's */
	char opener[VERDICT_OPENER_MAX + 1];	/* a named command's opener, or "" */
};

const char *command_name(enum command cmd);	/* "open", "close" or NULL */
const char *reason_name(enum reason reason);	/* "rate limited", ... */

#endif
