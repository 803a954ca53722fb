// SPDX-License-Identifier: GPL-2.0
/*
 * discovery.c - Home Assistant's retained lock configuration (see
 * discovery.h).
 */
#include "discovery.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* HA's own payload word when the bridge accepts it, else the first word. */
static const char *pick(const struct config_words *w, const char *preferred)
{
	unsigned int i;

	for (i = 0; i < w->count; i++)
		if (!strcasecmp(w->word[i], preferred))
			return preferred;
	return w->word[0];
}

/* The node id without a leading "sesame-" or "sesame_". */
static const char *door_name(const char *node_id)
{
	if ((!strncmp(node_id, "sesame-", 7) || !strncmp(node_id, "sesame_", 7)) && node_id[7])
		return node_id + 7;
	return node_id;
}

int discovery_format(char *buf, size_t size, const struct config *cfg,
		     const struct topics *t, const char *version)
{
	char id[CONFIG_NAME_MAX + 8], name[CONFIG_NAME_MAX + 8];
	const char *ids[1] = { id };
	cJSON *o = cJSON_CreateObject(), *dev = NULL;
	int ok;

	if (!o)
		return -1;
	/* One prefix: the default client id already starts with sesame-. */
	snprintf(id, sizeof(id), "sesame_%s", door_name(t->node_id));
	snprintf(name, sizeof(name), "sesame %s", t->node_id);
	ok = cJSON_AddNullToObject(o, "name") &&	/* the device's name */
	     cJSON_AddStringToObject(o, "unique_id", id) &&
	     cJSON_AddStringToObject(o, "command_topic", t->set) &&
	     cJSON_AddStringToObject(o, "state_topic", t->state) &&
	     cJSON_AddStringToObject(o, "payload_lock", pick(&cfg->close_words, "LOCK")) &&
	     cJSON_AddStringToObject(o, "payload_unlock", pick(&cfg->open_words, "UNLOCK")) &&
	     cJSON_AddStringToObject(o, "payload_open", pick(&cfg->open_words, "OPEN")) &&
	     /* Home Assistant 2024.6 and later show "open" (the latch is
	      * held back); older ones ignore the key. */
	     cJSON_AddStringToObject(o, "state_locked", "closed") &&
	     cJSON_AddStringToObject(o, "state_open", "open") &&
	     cJSON_AddStringToObject(o, "availability_topic", t->availability) &&
	     cJSON_AddStringToObject(o, "payload_available", "online") &&
	     cJSON_AddStringToObject(o, "payload_not_available", "offline") &&
	     cJSON_AddBoolToObject(o, "optimistic", 0) &&
	     cJSON_AddNumberToObject(o, "qos", 1) &&
	     cJSON_AddBoolToObject(o, "retain", 0) &&
	     (dev = cJSON_AddObjectToObject(o, "device")) &&
	     cJSON_AddItemToObject(dev, "identifiers", cJSON_CreateStringArray(ids, 1)) &&
	     cJSON_AddStringToObject(dev, "name", name) &&
	     cJSON_AddStringToObject(dev, "manufacturer", "sesame") &&
	     cJSON_AddStringToObject(dev, "model", "sesame-bridge") &&
	     cJSON_AddStringToObject(dev, "sw_version", version);
	if (ok)
		ok = cJSON_PrintPreallocated(o, buf, (int)size, 0);
	cJSON_Delete(o);
	return ok ? (int)strlen(buf) : -1;
}
