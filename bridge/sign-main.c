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

int main(int argc, char **argv)
{
	static struct config cfg;
	const char *keyfile = NULL, *topic = NULL, *conf = NULL, *nonce = NULL;
	const char *time_arg = NULL, *word, *name = NULL;
	unsigned char key[SECRET_KEY_MAX], mac[SIGN_MAC_LEN], rnd[NONCE_BYTES];
	char nonce_hex[2 * NONCE_BYTES + 1], mac_hex[2 * SIGN_MAC_LEN + 1];
	char time_text[32], topic_buf[CONFIG_TOPIC_MAX + 8], why[1024];
	char key_buf[CONFIG_PATH_MAX + SIGN_NAME_MAX + 2];
	size_t key_len = 0, i;
	int ch;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	while ((ch = getopt(argc, argv, "c:hk:n:t:N:T:V")) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 't':
			topic = optarg;
			break;
		case 'N':
			nonce = optarg;
			break;
		case 'T':
			time_arg = optarg;
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
	if (optind != argc - 1 || (!conf && (!keyfile || !topic)) ||
	    (conf && (keyfile || topic))) {
		usage(stderr);
		return 2;
	}
	word = argv[optind];
	if (name && !sign_name_ok(name, strlen(name))) {
		fprintf(stderr, "sesame-sign: -n: an opener's name is 1 to %d of "
			"A-Z a-z 0-9 _ -\n", SIGN_NAME_MAX);
		return 2;
	}

	if (conf) {
		config_init(&cfg, "localhost");
		if (config_load_file(&cfg, conf, why, sizeof(why))) {
			fprintf(stderr, "sesame-sign: %s\n", why);
			return 1;
		}
		if (name && !cfg.hmac_keys_dir[0]) {
			fprintf(stderr, "sesame-sign: %s sets no hmac_keys_dir\n", conf);
			return 1;
		}
		if (!name && !cfg.hmac_key_file[0]) {
			fprintf(stderr, "sesame-sign: %s sets no hmac_key_file\n", conf);
			return 1;
		}
		if (!cfg.origin[KEY_TOPIC].file) {
			fprintf(stderr, "sesame-sign: %s sets no topic; the default depends "
				"on the bridge's host name\n", conf);
			return 1;
		}
		keyfile = cfg.hmac_key_file;
		if (name) {
			snprintf(key_buf, sizeof(key_buf), "%s/%s", cfg.hmac_keys_dir, name);
			keyfile = key_buf;
		}
		snprintf(topic_buf, sizeof(topic_buf), "%s/set", cfg.topic);
		topic = topic_buf;
	}

	for (i = 0; word[i]; i++)
		if ((unsigned char)word[i] <= ' ' || (unsigned char)word[i] >= 0x7f)
			break;
	if (word[i] || i == 0 || i > CONFIG_WORD_MAX) {
		fprintf(stderr, "sesame-sign: the command must be one word of at most %d "
			"printable characters, such as open\n", CONFIG_WORD_MAX);
		return 2;
	}
	if (nonce) {
		if (strlen(nonce) < SIGN_NONCE_MIN || strlen(nonce) > SIGN_NONCE_MAX ||
		    !hex_is_digits(nonce, strlen(nonce))) {
			fprintf(stderr, "sesame-sign: the nonce must be 16 to 64 hex digits\n");
			return 2;
		}
	} else {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			perror("sesame-sign: getrandom");
			return 1;
		}
		hex_encode(rnd, sizeof(rnd), nonce_hex);
		nonce = nonce_hex;
	}
	if (time_arg) {
		if (!*time_arg || strlen(time_arg) > SIGN_TIME_MAX ||
		    strspn(time_arg, "0123456789") != strlen(time_arg)) {
			fprintf(stderr, "sesame-sign: -T wants a unix time in seconds\n");
			return 2;
		}
		snprintf(time_text, sizeof(time_text), "%s", time_arg);
	} else {
		snprintf(time_text, sizeof(time_text), "%lld", (long long)time(NULL));
	}

	if (secret_read_hmac_key(keyfile, key, &key_len, why, sizeof(why))) {
		fprintf(stderr, "sesame-sign: %s\n", why);
		return 1;
	}
	if (sign_mac_named(key, key_len, topic, word, strlen(word), time_text,
			   strlen(time_text), nonce, strlen(nonce), name ? name : "",
			   name ? strlen(name) : 0, mac)) {
		explicit_bzero(key, sizeof(key));
		fprintf(stderr, "sesame-sign: cannot compute the MAC (topic too long?)\n");
		return 1;
	}
	explicit_bzero(key, sizeof(key));
	hex_encode(mac, sizeof(mac), mac_hex);
	if (name)
		printf("%s %s %s %s %s\n", word, time_text, nonce, name, mac_hex);
	else
		printf("%s %s %s %s\n", word, time_text, nonce, mac_hex);
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
