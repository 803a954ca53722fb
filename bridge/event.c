// SPDX-License-Identifier: GPL-2.0
/*
 * event.c - format B/event messages with cJSON (see event.h).
 */
#include "event.h"

#include <cjson/cJSON.h>
#include <string.h>

int event_format(char *buf, size_t size, const struct verdict *v,
		 int64_t time, unsigned long suppressed)
{
	const char *cmd = command_name(v->cmd);
	cJSON *o = cJSON_CreateObject();
	int ok;

	if (!o)
		return -1;
	ok = cJSON_AddNumberToObject(o, "time", (double)time) &&
	     cJSON_AddBoolToObject(o, "accepted", v->reason == REASON_NONE) &&
	     (cmd ? cJSON_AddStringToObject(o, "command", cmd) :
		    cJSON_AddNullToObject(o, "command")) &&
	     cJSON_AddBoolToObject(o, "signed", v->is_signed);
	if (ok && v->opener[0])
		ok = cJSON_AddStringToObject(o, "opener", v->opener) != NULL;
	if (ok && v->reason != REASON_NONE)
		ok = cJSON_AddStringToObject(o, "reason", reason_name(v->reason)) &&
		     cJSON_AddStringToObject(o, "detail", v->detail);
	if (ok && suppressed)
		ok = cJSON_AddNumberToObject(o, "suppressed", (double)suppressed) != NULL;
	if (ok)
		ok = cJSON_PrintPreallocated(o, buf, (int)size, 0);
	cJSON_Delete(o);
	return ok ? (int)strlen(buf) : -1;
}
