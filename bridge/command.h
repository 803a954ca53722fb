/* SPDX-License-Identifier: GPL-2.0 */
/*
 * command.h - judge one message on the command topic: is it a command,
 * and may it be acted on? Rate limiting and the device come after this
 * (bridge.c); nothing here does I/O.
 */
#ifndef SESAME_COMMAND_H
#define SESAME_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sign.h"
#include "verdict.h"

/*
 * Judges PAYLOAD (LEN bytes, not NUL-terminated) received on TOPIC with
 * the RETAIN flag, at time CLK (read only for signed commands). SIGNER is
 * NULL when commands are not signed. Fills V; V->reason is REASON_NONE
 * for an acceptable command.
 */
void command_judge(const struct config *cfg, struct signer *signer,
		   const char *topic, const char *payload, size_t len,
		   bool retain, const struct sign_clock *clk, struct verdict *v);

#endif
