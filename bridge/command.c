// SPDX-License-Identifier: GPL-2.0
/*
 * command.c - judge a command message (see command.h).
 *
 * The checks run from the cheapest to the dearest, so that junk costs
 * little: the retain flag, the size, the form, then the MAC, the clock,
 * the time window, the replay floor and the nonce.
 */
#include "command.h"

#include <stdio.h>
#include <string.h>

#include "payload.h"

void command_judge(const struct config *cfg, struct signer *signer,
		   const char *topic, const char *payload, size_t len,
		   bool retain, const struct sign_clock *clk, struct verdict *v)
{
	struct signed_payload sp;

	memset(v, 0, sizeof(*v));
	v->is_signed = signer != NULL;
	if (retain) {
		/* A retained command would fire again at every (re)subscribe. */
		v->reason = REASON_RETAINED;
		snprintf(v->detail, sizeof(v->detail),
			 "commands sent with the retain flag are never acted on");
		return;
	}
	if (len > cfg->max_payload) {
		v->reason = REASON_MALFORMED;
		snprintf(v->detail, sizeof(v->detail),
			 "payload of %zu bytes is over max_payload %u", len, cfg->max_payload);
		return;
	}
	if (!signer) {
		v->reason = payload_plain(cfg, payload, len, &v->cmd, v->detail,
					  sizeof(v->detail));
		return;
	}
	if (!memchr(payload, ' ', len) &&
	    payload_plain(cfg, payload, len, &v->cmd, v->detail,
			  sizeof(v->detail)) == REASON_NONE) {
		v->reason = REASON_BAD_SIGNATURE;
		snprintf(v->detail, sizeof(v->detail),
			 "command is not signed, and signatures are required");
		return;
	}
	v->cmd = CMD_NONE;
	v->reason = sign_parse(payload, len, &sp, v->detail, sizeof(v->detail));
	if (v->reason != REASON_NONE)
		return;
	/* Checked by sign_parse(): a name, safe to repeat in events and logs. */
	if (sp.name_len) {
		memcpy(v->opener, sp.name, sp.name_len);
		v->opener[sp.name_len] = '\0';
	}
	v->cmd = payload_word(cfg, sp.word, sp.word_len);
	if (v->cmd == CMD_NONE) {
		v->reason = REASON_MALFORMED;
		snprintf(v->detail, sizeof(v->detail), "unknown command");
		return;
	}
	v->reason = sign_verify(signer, topic, &sp, clk, v->detail, sizeof(v->detail));
}
