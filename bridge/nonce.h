/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nonce.h - a fixed-size memory of the nonces of accepted signed commands,
 * so that each is accepted once while its time stamp is in the window.
 *
 * It never grows. When it is full of nonces that are all still in the
 * window, the oldest is forgotten and its time stamp becomes a floor:
 * commands stamped at or before the floor are refused as possible replays.
 * A forgotten nonce can so never be replayed; at worst a legitimate but
 * very late command is refused.
 */
#ifndef SESAME_NONCE_H
#define SESAME_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NONCE_CACHE_SIZE	256
#define NONCE_MAX		64

struct nonce_entry {
	int64_t time;		/* the command's time stamp */
	uint8_t len;
	char nonce[NONCE_MAX];
};

struct nonce_cache {
	unsigned int window;	/* seconds */
	unsigned int used;
	int64_t floor;		/* refuse time stamps <= floor */
	struct nonce_entry entry[NONCE_CACHE_SIZE];
};

void nonce_cache_init(struct nonce_cache *nc, unsigned int window);

/*
 * Records NONCE for a command stamped TIME, at wall-clock time NOW.
 * Returns false, recording nothing, if the nonce is remembered already or
 * TIME is at or below the floor.
 */
bool nonce_cache_add(struct nonce_cache *nc, const char *nonce, size_t len,
		     int64_t time, int64_t now);

#endif
