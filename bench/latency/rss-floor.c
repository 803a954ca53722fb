// SPDX-License-Identifier: GPL-2.0
/*
 * rss-floor.c - the least memory a program that uses OpenSSL can have: it
 * loads libcrypto, initialises it, and waits. The latency benchmark
 * measures its resident memory next to the bridge's, as the floor that no
 * TLS client linked against Debian's shared OpenSSL can go below.
 *
 * Usage: rss-floor     (waits for a signal)
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	if (!OPENSSL_init_crypto(0, NULL)) {
		fprintf(stderr, "rss-floor: OpenSSL does not initialise\n");
		return 1;
	}
	pause();
	return 0;
}
