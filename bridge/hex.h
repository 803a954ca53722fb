/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hex.h - hexadecimal text to bytes and back, for keys, nonces and MACs.
 */
#ifndef SESAME_HEX_H
#define SESAME_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* Writes 2 * LEN lower-case hex digits and a NUL to OUT. */
void hex_encode(const unsigned char *in, size_t len, char *out);

/*
 * Decodes LEN hex digits (either case) from IN into LEN / 2 bytes at OUT.
 * Returns 0, or -1 if LEN is odd or a character is not a hex digit.
 */
int hex_decode(const char *in, size_t len, unsigned char *out);

bool hex_is_digits(const char *s, size_t len);
bool hex_is_lower_digits(const char *s, size_t len);

#endif
