// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-bridge.c - libFuzzer target for everything the bridge parses from
 * outside: configuration lines, the device's status line, and command
 * payloads (plain and signed). The first byte picks the parser; the rest
 * is the input. Besides ASan and UBSan, it checks the promises the bridge
 * makes: a retained message is never accepted, an accepted one names a
 * command, and a rejection always says why.
 *
 * Registered with tests/fuzz/fuzz.mk from bridge/bridge.mk; seeds in
 * tests/fuzz/corpus/bridge/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "config.h"
#include "sign.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void judge(const struct config *cfg, struct signer *signer,
		  const char *payload, size_t len, int retain)
{
	struct verdict v;

	command_judge(cfg, signer, "sesame/door/set", payload, len, retain,
		      1700000000, &v);
	check(v.is_signed == (signer != NULL));
	if (retain)
		check(v.reason == REASON_RETAINED);
	if (v.reason == REASON_NONE)
		check(v.cmd == CMD_OPEN || v.cmd == CMD_CLOSE);
	else
		check(v.detail[0] != '\0' && memchr(v.detail, '\0', sizeof(v.detail)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static struct config cfg;
	static struct signer signer;
	char line[CONFIG_LINE_MAX + 64], err[1024];
	enum dev_state state;
	const char *text;
	size_t len;

	if (size < 1)
		return 0;
	text = (const char *)data + 1;
	len = size - 1;
	config_init(&cfg, "fuzz");
	switch (data[0] % 4) {
	case 0:
		if (len >= sizeof(line))
			return 0;
		memcpy(line, text, len);
		line[len] = '\0';
		err[0] = '\0';
		if (config_parse_line(&cfg, line, "f.conf", 1, err, sizeof(err)))
			check(!strncmp(err, "f.conf:1: ", 10));
		if (config_check(&cfg, "f.conf", err, sizeof(err)))
			check(err[0] != '\0');
		break;
	case 1:
		if (status_parse(text, len, &state) == 0)
			check(state <= DEV_STATE_OTHER);
		break;
	case 2:
		judge(&cfg, NULL, text, len, 0);
		judge(&cfg, NULL, text, len, 1);
		break;
	case 3:
		signer_init(&signer, key, sizeof(key), 30);
		judge(&cfg, &signer, text, len, 0);
		judge(&cfg, &signer, text, len, 1);
		break;
	}
	return 0;
}
