/* SPDX-License-Identifier: GPL-2.0 */
/*
 * topics.h - the MQTT topics of one bridge, made once from the base topic
 * B and the Home Assistant prefix.
 */
#ifndef SESAME_TOPICS_H
#define SESAME_TOPICS_H

#include "config.h"

#define TOPIC_MAX (CONFIG_TOPIC_MAX + CONFIG_NAME_MAX + 32)

struct topics {
	char set[TOPIC_MAX];		/* B/set: commands */
	char state[TOPIC_MAX];		/* B/state: open or closed, retained */
	char availability[TOPIC_MAX];	/* B/availability: online/offline */
	char event[TOPIC_MAX];		/* B/event: the audit trail */
	char ha_status[TOPIC_MAX];	/* <prefix>/status: HA's birth */
	char ha_config[TOPIC_MAX];	/* <prefix>/lock/<node>/config */
	char node_id[CONFIG_NAME_MAX];	/* client id, as HA allows it */
};

void topics_init(struct topics *t, const struct config *cfg);

#endif
