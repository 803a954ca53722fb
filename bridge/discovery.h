/* SPDX-License-Identifier: GPL-2.0 */
/*
 * discovery.h - the Home Assistant MQTT discovery message: a lock entity
 * whose "unlock" and "open" send the bridge's open words and whose "lock"
 * sends a close word; B/state "open" shows as unlocked, "closed" as
 * locked; availability follows B/availability.
 */
#ifndef SESAME_DISCOVERY_H
#define SESAME_DISCOVERY_H

#include <stddef.h>

#include "config.h"
#include "topics.h"

#define DISCOVERY_JSON_MAX 2048

/* Returns the length written to BUF, or -1. */
int discovery_format(char *buf, size_t size, const struct config *cfg,
		     const struct topics *t, const char *version);

#endif
