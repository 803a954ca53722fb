/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay.h - the memory that lets each signed command act at most once,
 * across restarts, crashes and clock steps.
 *
 * Two parts: a floor, a time stamp at or below which every command is
 * refused, and the nonces of the accepted commands stamped above it. The
 * floor only ever rises:
 *   - to 2 x window before the newest accepted time stamp: two commands
 *     whose stamps are each within the window of the bridge's clock are
 *     never that far apart, so the floor refuses no command the window
 *     lets through, whoever's clock signed it; and every nonce is kept
 *     until the floor passes it, whatever the system clock does;
 *   - to the stamp of the oldest nonce, when the memory is full and that
 *     nonce must be forgotten;
 *   - to the bridge's start, when it starts without its saved state.
 * Nothing here reads a clock or a file: sign.c decides with it, and
 * statefile.c keeps its text form (replay_format, replay_parse) on disk.
 */
#ifndef SESAME_REPLAY_H
#define SESAME_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLAY_SIZE		256	/* nonces remembered */
#define REPLAY_NONCE_MAX	64	/* hex digits, as sign.h allows */
#define REPLAY_NONCE_MIN	16
/* The text form: header, floor, one line per nonce, checksum. */
#define REPLAY_TEXT_MAX		(64 + REPLAY_SIZE * (6 + 20 + 1 + REPLAY_NONCE_MAX + 1) + 80)

/* Why the floor is where it is: the words of the text form, and of the
 * detail of a refusal. */
enum floor_origin {
	FLOOR_ACCEPTED,		/* 2 x window before the newest accepted command */
	FLOOR_FULL,		/* the oldest nonce, forgotten to make room */
	FLOOR_START,		/* the start of a bridge that had no saved state */
};

struct replay_entry {
	int64_t time;		/* the command's time stamp */
	uint8_t len;
	char nonce[REPLAY_NONCE_MAX];
};

struct replay {
	unsigned int window;	/* seconds */
	int64_t floor;		/* refuse time stamps <= floor */
	enum floor_origin origin;
	unsigned int used;
	struct replay_entry entry[REPLAY_SIZE];
};

enum replay_verdict {
	REPLAY_FRESH,		/* recorded */
	REPLAY_OLDER,		/* at or below the floor */
	REPLAY_SEEN,		/* the nonce was accepted before */
};

/* An empty memory whose floor is FLOOR, for ORIGIN. */
void replay_init(struct replay *r, unsigned int window, int64_t floor,
		 enum floor_origin origin);

/*
 * Records the nonce of a command stamped TIME that passed every other
 * check. Returns REPLAY_FRESH, or why it must be refused (then nothing is
 * recorded, though a full memory may have raised its floor).
 */
enum replay_verdict replay_add(struct replay *r, const char *nonce, size_t len,
			       int64_t time);

/* Raises the floor to FLOOR if that is higher. Returns true if it moved. */
bool replay_raise_floor(struct replay *r, int64_t floor, enum floor_origin origin);

/* "accepted", "full" or "start". */
const char *replay_origin_name(enum floor_origin origin);

/*
 * The text form, for the state file:
 *
 *   sesame-replay 1
 *   floor 1700000000 accepted
 *   nonce 1700000042 00112233445566778899aabbccddeeff
 *   sha256 <64 hex digits over every line before this one>
 *
 * replay_format() returns the length written to BUF (REPLAY_TEXT_MAX is
 * always enough), or -1. replay_parse() takes exactly that form; anything
 * else (a torn or edited file) returns -1 with the first fault in WHY, and
 * leaves R alone.
 */
int replay_format(const struct replay *r, char *buf, size_t size);
int replay_parse(struct replay *r, unsigned int window, const char *text,
		 size_t len, char *why, size_t whylen);

#endif
