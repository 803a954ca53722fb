/* SPDX-License-Identifier: GPL-2.0 */
/*
 * payload.h - plain-text command payloads: "open", "UNLOCK", "off", ...
 * The words are case-insensitive and come from the open_words and
 * close_words settings; nothing else is a command.
 */
#ifndef SESAME_PAYLOAD_H
#define SESAME_PAYLOAD_H

#include <stddef.h>

#include "config.h"
#include "verdict.h"

/* The command WORD (LEN bytes, exactly) names, or CMD_NONE. */
enum command payload_word(const struct config *cfg, const char *word, size_t len);

/*
 * Judges an unsigned payload. Surrounding white space (as some apps add a
 * newline) is ignored. Returns REASON_NONE with *CMD set, or
 * REASON_MALFORMED with a reason in DETAIL.
 */
enum reason payload_plain(const struct config *cfg, const char *payload,
			  size_t len, enum command *cmd, char *detail,
			  size_t detail_len);

#endif
