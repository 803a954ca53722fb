// SPDX-License-Identifier: GPL-2.0
/*
 * payload.c - map plain-text payload words to commands.
 */
#include "payload.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool in_words(const struct config_words *w, const char *word, size_t len)
{
	unsigned int i;

	for (i = 0; i < w->count; i++)
		if (strlen(w->word[i]) == len && !strncasecmp(w->word[i], word, len))
			return true;
	return false;
}

enum command payload_word(const struct config *cfg, const char *word, size_t len)
{
	if (len == 0 || len > CONFIG_WORD_MAX || memchr(word, '\0', len))
		return CMD_NONE;
	if (in_words(&cfg->open_words, word, len))
		return CMD_OPEN;
	if (in_words(&cfg->close_words, word, len))
		return CMD_CLOSE;
	return CMD_NONE;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum reason payload_plain(const struct config *cfg, const char *payload,
			  size_t len, enum command *cmd, char *detail,
			  size_t detail_len)
{
	size_t i;

	while (len > 0 && is_blank(payload[0])) {
		payload++;
		len--;
	}
	while (len > 0 && is_blank(payload[len - 1]))
		len--;
	if (len == 0) {
		snprintf(detail, detail_len, "empty payload");
		return REASON_MALFORMED;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)payload[i];

		if (c <= ' ' || c >= 0x7f) {
			snprintf(detail, detail_len, "not a single printable word");
			return REASON_MALFORMED;
		}
	}
	*cmd = payload_word(cfg, payload, len);
	if (*cmd == CMD_NONE) {
		snprintf(detail, detail_len, "unknown command");
		return REASON_MALFORMED;
	}
	return REASON_NONE;
}
