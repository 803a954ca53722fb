// SPDX-License-Identifier: GPL-2.0
/*
 * nonce.c - bounded replay memory for signed commands (see nonce.h).
 */
#include "nonce.h"

#include <string.h>

void nonce_cache_init(struct nonce_cache *nc, unsigned int window)
{
	memset(nc, 0, sizeof(*nc));
	nc->window = window;
	nc->floor = INT64_MIN;
}

/* A command stamped TIME is accepted only until TIME + window. */
static bool expired(const struct nonce_cache *nc, const struct nonce_entry *e,
		    int64_t now)
{
	return e->time < now - (int64_t)nc->window;
}

bool nonce_cache_add(struct nonce_cache *nc, const char *nonce, size_t len,
		     int64_t time, int64_t now)
{
	struct nonce_entry *slot = NULL, *oldest = NULL, *e;
	unsigned int i;

	if (len == 0 || len > NONCE_MAX || time <= nc->floor)
		return false;
	for (i = 0; i < nc->used; i++) {
		e = &nc->entry[i];
		if (expired(nc, e, now)) {
			if (!slot)
				slot = e;
			continue;
		}
		if (e->len == len && !memcmp(e->nonce, nonce, len))
			return false;
		if (!oldest || e->time < oldest->time)
			oldest = e;
	}
	if (!slot && nc->used < NONCE_CACHE_SIZE)
		slot = &nc->entry[nc->used++];
	if (!slot) {
		/* Full of live nonces: forget the oldest, refuse its era. */
		slot = oldest;
		nc->floor = oldest->time;
		if (time <= nc->floor)
			return false;
	}
	slot->time = time;
	slot->len = (uint8_t)len;
	memcpy(slot->nonce, nonce, len);
	return true;
}
