// SPDX-License-Identifier: GPL-2.0
/*
 * sign-main.c - sesame-sign: print a signed sesame command, for scripts
 * and phone shortcuts.
 *
 *   sesame-sign -k KEYFILE -t TOPIC [-n NAME] [-T UNIXTIME] [-N NONCE] COMMAND
 *   sesame-sign -c /etc/sesame/bridge.conf [-n NAME] COMMAND
 *
 *   mosquitto_pub ... -t sesame/door/set -m "$(sesame-sign -k key -t sesame/door/set open)"
 *
 * The key is read from a file that others cannot read, never from the
 * command line, by a process that cannot dump core or be traced. The nonce
 * is 16 random bytes unless given. With -n NAME it prints the named form
 * of one key per opener (hmac_keys_dir): with -c, the key is that
 * directory's file NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "conffile.h"
#include "config.h"
#include "hex.h"
#include "secret.h"
#include "sign.h"

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

#define NONCE_BYTES 16

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sesame-sign -k KEYFILE -t TOPIC [-n NAME] [-T UNIXTIME] [-N NONCE] COMMAND\n"
		"       sesame-sign -c CONFIG [-n NAME] [-T UNIXTIME] [-N NONCE] COMMAND\n"
		"  -k KEYFILE  the HMAC key file (one line of hex, not readable by others)\n"
		"  -t TOPIC    the command topic, such as sesame/door/set\n"
		"  -c CONFIG   take hmac_key_file and topic from a sesame-bridge configuration\n"
		"              (with -n: the key file NAME in its hmac_keys_dir)\n"
		"  -n NAME     sign as the opener NAME (one key per opener, hmac_keys_dir)\n"
		"  -T UNIXTIME sign for this time instead of now\n"
		"  -N NONCE    use this nonce (16 to 64 hex digits) instead of a random one\n");
}

/* The command line, then what -c's configuration adds to it. */
struct sign_args {
	const char *keyfile, *topic, *conf, *nonce, *time_arg, *name, *word;
	char topic_buf[CONFIG_TOPIC_MAX + 8];
	char key_buf[CONFIG_PATH_MAX + SIGN_NAME_MAX + 2];
	char nonce_hex[2 * NONCE_BYTES + 1];
	char time_text[32];
};

/* Returns -1 to go on, or the exit status (-h, -V, a misuse). */
static int parse_args(int argc, char **argv, struct sign_args *a)
{
	int ch;

	while ((ch = getopt(argc, argv, "c:hk:n:t:N:T:V")) != -1) {
		switch (ch) {
		case 'n':
			a->name = optarg;
			break;
		case 'c':
			a->conf = optarg;
			break;
		case 'k':
			a->keyfile = optarg;
			break;
		case 't':
			a->topic = optarg;
			break;
		case 'N':
			a->nonce = optarg;
			break;
		case 'T':
			a->time_arg = optarg;
			break;
		case 'V':
			printf("sesame-sign %s\n", SESAME_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || (!a->conf && (!a->keyfile || !a->topic)) ||
	    (a->conf && (a->keyfile || a->topic))) {
		usage(stderr);
		return 2;
	}
	a->word = argv[optind];
	if (a->name && !sign_name_ok(a->name, strlen(a->name))) {
		fprintf(stderr, "sesame-sign: -n: an opener's name is 1 to %d of "
			"A-Z a-z 0-9 _ -\n", SIGN_NAME_MAX);
		return 2;
	}
	return -1;
}

/* -c: the key file and topic the bridge itself would use; 0 or 1. */
static int from_config(struct sign_args *a)
{
	static struct config cfg;
	char why[1024];

	config_init(&cfg, "localhost");
	if (config_load_file(&cfg, a->conf, why, sizeof(why))) {
		fprintf(stderr, "sesame-sign: %s\n", why);
		return 1;
	}
	if (a->name && !cfg.hmac_keys_dir[0]) {
		fprintf(stderr, "sesame-sign: %s sets no hmac_keys_dir\n", a->conf);
		return 1;
	}
	if (!a->name && !cfg.hmac_key_file[0]) {
		fprintf(stderr, "sesame-sign: %s sets no hmac_key_file\n", a->conf);
		return 1;
	}
	if (!cfg.origin[KEY_TOPIC].file) {
		fprintf(stderr, "sesame-sign: %s sets no topic; the default depends "
			"on the bridge's host name\n", a->conf);
		return 1;
	}
	a->keyfile = cfg.hmac_key_file;
	if (a->name) {
		snprintf(a->key_buf, sizeof(a->key_buf), "%s/%s", cfg.hmac_keys_dir, a->name);
		a->keyfile = a->key_buf;
	}
	snprintf(a->topic_buf, sizeof(a->topic_buf), "%s/set", cfg.topic);
	a->topic = a->topic_buf;
	return 0;
}

/* The word, nonce and time that will be signed; 0, 1 or 2 (a misuse). */
static int fill_fields(struct sign_args *a)
{
	unsigned char rnd[NONCE_BYTES];
	size_t i;

	for (i = 0; a->word[i]; i++)
		if ((unsigned char)a->word[i] <= ' ' || (unsigned char)a->word[i] >= 0x7f)
			break;
	if (a->word[i] || i == 0 || i > CONFIG_WORD_MAX) {
		fprintf(stderr, "sesame-sign: the command must be one word of at most %d "
			"printable characters, such as open\n", CONFIG_WORD_MAX);
		return 2;
	}
	if (a->nonce) {
		if (strlen(a->nonce) < SIGN_NONCE_MIN || strlen(a->nonce) > SIGN_NONCE_MAX ||
		    !hex_is_digits(a->nonce, strlen(a->nonce))) {
			fprintf(stderr, "sesame-sign: the nonce must be 16 to 64 hex digits\n");
			return 2;
		}
	} else {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			perror("sesame-sign: getrandom");
			return 1;
		}
		hex_encode(rnd, sizeof(rnd), a->nonce_hex);
		a->nonce = a->nonce_hex;
	}
	if (a->time_arg) {
		if (!*a->time_arg || strlen(a->time_arg) > SIGN_TIME_MAX ||
		    strspn(a->time_arg, "0123456789") != strlen(a->time_arg)) {
			fprintf(stderr, "sesame-sign: -T wants a unix time in seconds\n");
			return 2;
		}
		snprintf(a->time_text, sizeof(a->time_text), "%s", a->time_arg);
	} else {
		snprintf(a->time_text, sizeof(a->time_text), "%lld", (long long)time(NULL));
	}
	return 0;
}

/* Reads the key, prints the signed command line, wipes the key. */
static int sign_and_print(const struct sign_args *a)
{
	unsigned char key[SECRET_KEY_MAX], mac[SIGN_MAC_LEN];
	char mac_hex[2 * SIGN_MAC_LEN + 1], why[1024];
	const char *name = a->name ? a->name : "";
	size_t key_len = 0;
	int failed;

	if (secret_read_hmac_key(a->keyfile, key, &key_len, why, sizeof(why))) {
		fprintf(stderr, "sesame-sign: %s\n", why);
		return 1;
	}
	failed = sign_mac_named(key, key_len, a->topic, a->word, strlen(a->word),
				a->time_text, strlen(a->time_text), a->nonce, strlen(a->nonce),
				name, strlen(name), mac);
	explicit_bzero(key, sizeof(key));
	if (failed) {
		fprintf(stderr, "sesame-sign: cannot compute the MAC (topic too long?)\n");
		return 1;
	}
	hex_encode(mac, sizeof(mac), mac_hex);
	if (a->name)
		printf("%s %s %s %s %s\n", a->word, a->time_text, a->nonce, a->name, mac_hex);
	else
		printf("%s %s %s %s\n", a->word, a->time_text, a->nonce, mac_hex);
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct sign_args args;
	int rc;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	rc = parse_args(argc, argv, &args);
	if (rc >= 0)
		return rc;
	if (args.conf && (rc = from_config(&args)) != 0)
		return rc;
	rc = fill_fields(&args);
	if (rc)
		return rc;
	return sign_and_print(&args);
}
