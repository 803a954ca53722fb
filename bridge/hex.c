// SPDX-License-Identifier: GPL-2.0
/*
 * hex.c - hexadecimal text to bytes and back.
 */
#include "hex.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

int hex_decode(const char *in, size_t len, unsigned char *out)
{
	size_t i;

	if (len % 2)
		return -1;
	for (i = 0; i < len; i += 2) {
		int hi = nibble(in[i]), lo = nibble(in[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

bool hex_is_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (nibble(s[i]) < 0)
			return false;
	return true;
}

bool hex_is_lower_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}
