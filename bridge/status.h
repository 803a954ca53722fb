/* SPDX-License-Identifier: GPL-2.0 */
/*
 * status.h - the /dev/sesame status line, such as
 * "state=open pulse_us=2000 angle=135 pulsing=1 opens=3\n".
 *
 * Only "state" matters to the bridge; other keys, including ones a later
 * driver adds, are checked for form and otherwise ignored. For MQTT,
 * "open" is open and every other state is closed: "unknown" (nothing
 * commanded since the module loaded, so the servo has not been moved to
 * open), "closed", and "angle" (a raw position set by hand).
 */
#ifndef SESAME_STATUS_H
#define SESAME_STATUS_H

#include <stddef.h>

enum dev_state {
	DEV_STATE_UNKNOWN,
	DEV_STATE_OPEN,
	DEV_STATE_CLOSED,
	DEV_STATE_ANGLE,
	DEV_STATE_OTHER,	/* a state this bridge does not know yet */
};

#define STATUS_LINE_MAX 256

/* Returns 0 with *STATE set, or -1 if BUF is not one well-formed line. */
int status_parse(const char *buf, size_t len, enum dev_state *state);

/* The retained B/state payload: "open" or "closed". */
const char *status_mqtt(enum dev_state state);

#endif
