// SPDX-License-Identifier: GPL-2.0
/*
 * topics.c - build a bridge's topic names (see topics.h).
 */
#include "topics.h"

#include <stdio.h>

void topics_init(struct topics *t, const struct config *cfg)
{
	const char *c;
	size_t n = 0;

	snprintf(t->set, sizeof(t->set), "%s/set", cfg->topic);
	snprintf(t->state, sizeof(t->state), "%s/state", cfg->topic);
	snprintf(t->availability, sizeof(t->availability), "%s/availability", cfg->topic);
	snprintf(t->event, sizeof(t->event), "%s/event", cfg->topic);
	/* Home Assistant's node ids allow [a-zA-Z0-9_-] only. */
	for (c = cfg->client_id; *c && n + 1 < sizeof(t->node_id); c++) {
		int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';

		t->node_id[n++] = ok ? *c : '_';
	}
	t->node_id[n] = '\0';
	snprintf(t->ha_status, sizeof(t->ha_status), "%s/status", cfg->ha_prefix);
	snprintf(t->ha_config, sizeof(t->ha_config), "%s/lock/%s/config",
		 cfg->ha_prefix, t->node_id);
}
