// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-config.c - libFuzzer target: sesame-bridge's configuration as the
 * bridge reads it (bridge/conffile.c, config.c): the file, the -o lines of
 * the command line, the checks of the keys against each other, the HMAC
 * key file (secret.c), and what a good configuration feeds: the topics
 * and the Home Assistant discovery message.
 *
 * Input: four parts split at 0xff bytes: the host name, the file, the -o
 * lines (one per line), the HMAC key file. Files are memfds, read through
 * /proc/self/fd/N, so that the real file-reading code runs.
 *
 * Checked besides ASan and UBSan:
 * - an error names the file and a line that exists ("FILE:LINE: ..."),
 *   "command line:N: " for -o lines, or the file for missing keys;
 * - a file refused as "looks like a secret" is one by the rule of
 *   conffile.c (one lone word that is no key, or a PEM line), and the
 *   message then holds nothing of it;
 * - a file that parses gives exactly the same settings when its lines are
 *   given as -o lines instead: one parser serves both;
 * - an accepted configuration keeps every promise of sesame-bridge.conf(5)
 *   (ranges, topics without wildcards, disjoint payload words, TLS unless
 *   insecure_plaintext, room for signed payloads), its discovery message is
 *   valid JSON, and each of its payload words opens or closes;
 * - a key file is accepted only as one line of 32-128 bytes of hex, and
 *   decodes to exactly those bytes.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "config.h"
#include "discovery.h"
#include "hex.h"
#include "payload.h"
#include "secret.h"
#include "topics.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct part {
	const char *p;
	size_t n;
};

/* A memfd and the path that opens it anew, as fopen() needs. */
struct memfile {
	int fd;
	char path[64];
};

static void memfile_init(struct memfile *m, const char *name, mode_t mode)
{
	m->fd = memfd_create(name, MFD_CLOEXEC);
	check(m->fd >= 0 && fchmod(m->fd, mode) == 0);
	snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", m->fd);
}

static void memfile_set(struct memfile *m, const struct part *part)
{
	check(ftruncate(m->fd, 0) == 0);
	check(part->n == 0 || pwrite(m->fd, part->p, part->n, 0) == (ssize_t)part->n);
}

/* "PREFIX:N: " with 1 <= N <= MAX_LINE, and some words after it. */
static void check_where(const char *err, const char *prefix, unsigned int max_line)
{
	size_t n = strlen(prefix);
	char *end;
	unsigned long line;

	check(!strncmp(err, prefix, n) && err[n] == ':');
	line = strtoul(err + n + 1, &end, 10);
	check(end != err + n + 1 && line >= 1 && line <= max_line);
	check(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
}

static bool str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool topic_ok(const char *t)
{
	size_t n = strlen(t);

	return n > 0 && t[0] != '$' && !strpbrk(t, "+# \t") && t[n - 1] != '/';
}

static bool word_ok(const char *w)
{
	size_t n = strlen(w);

	return n >= 1 && n <= CONFIG_WORD_MAX &&
	       strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* What sesame-bridge.conf(5) promises of a configuration that passed. */
static void check_accepted(const struct config *c)
{
	unsigned int i, j;

	check(str_ok(c->host, sizeof(c->host)) && str_ok(c->cafile, sizeof(c->cafile)) &&
	      str_ok(c->capath, sizeof(c->capath)) && str_ok(c->certfile, sizeof(c->certfile)) &&
	      str_ok(c->keyfile, sizeof(c->keyfile)) && str_ok(c->client_id, sizeof(c->client_id)) &&
	      str_ok(c->username, sizeof(c->username)) &&
	      str_ok(c->password_file, sizeof(c->password_file)) &&
	      str_ok(c->topic, sizeof(c->topic)) && str_ok(c->device, sizeof(c->device)) &&
	      str_ok(c->hmac_key_file, sizeof(c->hmac_key_file)) &&
	      str_ok(c->hmac_keys_dir, sizeof(c->hmac_keys_dir)) &&
	      str_ok(c->ha_prefix, sizeof(c->ha_prefix)));
	check(c->port >= 1 && c->port <= 65535);
	check(c->keepalive >= 5 && c->keepalive <= 65535);
	check(c->reconnect_max >= 1 && c->reconnect_max <= 3600);
	check(c->mqtt_version == MQTT_PROTOCOL_AUTO || c->mqtt_version == MQTT_PROTOCOL_5 ||
	      c->mqtt_version == MQTT_PROTOCOL_311);
	check(c->republish_interval == 0 ||
	      (c->republish_interval >= 10 && c->republish_interval <= 86400));
	/* Every broker has a name, no space or comma in it, and a port. */
	check(c->brokers >= 1 && c->brokers <= CONFIG_BROKERS_MAX);
	for (i = 0; i < c->brokers; i++) {
		check(str_ok(c->broker[i].name, sizeof(c->broker[i].name)) && c->broker[i].name[0]);
		check(!strpbrk(c->broker[i].name, " \t,"));
		check(config_broker_port(c, i) >= 1 && config_broker_port(c, i) <= 65535);
		for (j = 0; j < i; j++)
			check(strcmp(c->broker[i].name, c->broker[j].name) ||
			      config_broker_port(c, i) != config_broker_port(c, j));
	}
	check(!strcmp(c->tls_version, "tlsv1.2") || !strcmp(c->tls_version, "tlsv1.3"));
	check(c->rate_count >= 1 && c->rate_count <= 1000);
	check(c->rate_seconds >= 1 && c->rate_seconds <= 86400);
	check(c->max_payload >= 32 && c->max_payload <= 4096);
	check(c->signature_window >= 1 && c->signature_window <= 3600);
	check(c->log_level <= LOG_LEVEL_DEBUG);
	check(topic_ok(c->topic) && topic_ok(c->ha_prefix));
	/* TLS, unless asked for by name; and then no TLS file at all. */
	if (c->insecure_plaintext)
		check(!c->cafile[0] && !c->capath[0] && !c->certfile[0] && !c->keyfile[0]);
	else
		check(c->cafile[0] || c->capath[0]);
	check(!c->certfile[0] == !c->keyfile[0]);
	check(!c->password_file[0] || c->username[0]);
	check(c->open_words.count >= 1 && c->open_words.count <= CONFIG_WORDS_MAX);
	check(c->close_words.count >= 1 && c->close_words.count <= CONFIG_WORDS_MAX);
	for (i = 0; i < c->open_words.count; i++) {
		check(word_ok(c->open_words.word[i]));
		for (j = 0; j < c->close_words.count; j++)
			check(strcasecmp(c->open_words.word[i], c->close_words.word[j]) != 0);
	}
	for (j = 0; j < c->close_words.count; j++)
		check(word_ok(c->close_words.word[j]));
	if (c->hmac_key_file[0] || c->hmac_keys_dir[0])
		check(c->max_payload >= config_signed_payload_max(c));
	/* The longest signed command fits, with a 32-character opener's name
	 * whenever a keys directory is set (counted here, not by config.c). */
	if (c->hmac_key_file[0] || c->hmac_keys_dir[0]) {
		size_t longest = 0;

		for (i = 0; i < c->open_words.count; i++)
			if (strlen(c->open_words.word[i]) > longest)
				longest = strlen(c->open_words.word[i]);
		for (j = 0; j < c->close_words.count; j++)
			if (strlen(c->close_words.word[j]) > longest)
				longest = strlen(c->close_words.word[j]);
		check(c->max_payload >= longest + 1 + 20 + 1 + 64 + 1 + 64 +
		      (c->hmac_keys_dir[0] ? 1 + 32 : 0));
	}
}

/* Topics, discovery and payload words of an accepted configuration. */
static void check_uses(const struct config *c)
{
	static struct topics t;
	char json[DISCOVERY_JSON_MAX], detail[128], want[TOPIC_MAX];
	const cJSON *item;
	enum command cmd;
	unsigned int i;
	cJSON *o;

	topics_init(&t, c);
	snprintf(want, sizeof(want), "%s/set", c->topic);
	check(!strcmp(t.set, want) && topic_ok(t.set));
	check(strspn(t.node_id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
	      strlen(t.node_id));
	check(discovery_format(json, sizeof(json), c, &t, "0.0-fuzz") > 0);
	o = cJSON_Parse(json);
	check(o != NULL);
	item = cJSON_GetObjectItemCaseSensitive(o, "command_topic");
	check(cJSON_IsString(item) && !strcmp(item->valuestring, t.set));
	item = cJSON_GetObjectItemCaseSensitive(o, "payload_lock");
	check(cJSON_IsString(item) && payload_word(c, item->valuestring,
						   strlen(item->valuestring)) == CMD_CLOSE);
	item = cJSON_GetObjectItemCaseSensitive(o, "payload_unlock");
	check(cJSON_IsString(item) && payload_word(c, item->valuestring,
						   strlen(item->valuestring)) == CMD_OPEN);
	cJSON_Delete(o);
	for (i = 0; i < c->open_words.count; i++) {
		check(payload_plain(c, c->open_words.word[i], strlen(c->open_words.word[i]),
				    &cmd, detail, sizeof(detail)) == REASON_NONE);
		check(cmd == CMD_OPEN);
	}
	for (i = 0; i < c->close_words.count; i++) {
		check(payload_plain(c, c->close_words.word[i], strlen(c->close_words.word[i]),
				    &cmd, detail, sizeof(detail)) == REASON_NONE);
		check(cmd == CMD_CLOSE);
	}
}

/* The key file: one line of hex, 32..128 bytes, decoded exactly. */
static void check_key(struct memfile *m, const struct part *part)
{
	unsigned char key[SECRET_KEY_MAX], want[SECRET_KEY_MAX];
	char why[256] = "";
	size_t len = 0, hexlen, i;

	memfile_set(m, part);
	if (secret_read_hmac_key(m->path, key, &len, why, sizeof(why))) {
		check(why[0] != '\0');
		return;
	}
	for (hexlen = 0; hexlen < part->n && part->p[hexlen] != '\r' &&
	     part->p[hexlen] != '\n'; hexlen++)
		;
	check(hexlen == 2 * len);
	check(len >= SECRET_KEY_MIN && len <= SECRET_KEY_MAX);
	for (i = hexlen; i < part->n; i++)
		check(part->p[i] == '\r' || part->p[i] == '\n');
	check(hex_decode(part->p, hexlen, want) == 0 && !memcmp(key, want, len));
}

/* One word, blanks after it allowed, that is not a key: conffile.c's rule. */
static bool lone_word(const char *p)
{
	size_t w = strcspn(p, " \t\r");
	unsigned int i;

	if (p[w + strspn(p + w, " \t\r")] != '\0')
		return false;
	for (i = 0; i < KEY_COUNT; i++)
		if (strlen(config_key_name(i)) == w && !strncmp(p, config_key_name(i), w))
			return false;
	return true;
}

/*
 * The file looks like a secret: its only line (blank lines and comments
 * aside) is a lone word, or a line starts "-----BEGIN "; up to the first
 * line too long or with a NUL byte, where conffile.c stops reading.
 */
static bool model_secret(const struct part *part)
{
	const char *p = part->p, *end = part->p + part->n, *nl;
	char line[CONFIG_LINE_MAX + 1];
	unsigned int lines = 0;
	bool word = false;
	size_t len;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)((nl ? nl : end) - p);
		if (len > CONFIG_LINE_MAX || memchr(p, '\0', len))
			break;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : end;
		len = strspn(line, " \t\r");
		if (!line[len] || line[len] == '#')
			continue;
		if (!strncmp(line + len, "-----BEGIN ", 11))
			return true;
		lines++;
		word = lone_word(line + len);
	}
	return lines == 1 && word;
}

/* Each line of PART (without its newline) into LINE, NUL-terminated. */
static size_t next_line(const struct part *part, size_t *off, char *line, size_t size)
{
	const char *nl = memchr(part->p + *off, '\n', part->n - *off);
	size_t len = (nl ? (size_t)(nl - part->p) : part->n) - *off;
	size_t copy = len < size - 1 ? len : size - 1;

	memcpy(line, part->p + *off, copy);
	line[copy] = '\0';
	*off += len + 1;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memfile conf, key;
	static struct config cfg, again;
	struct part parts[4] = { { 0 } };
	char host[256], line[CONFIG_LINE_MAX + 64], err[2048];
	unsigned int i, lines, lineno;
	size_t off, k = 0;

	if (!conf.path[0]) {
		memfile_init(&conf, "fuzz.conf", 0644);
		memfile_init(&key, "fuzz.key", 0600);
	}
	parts[0].p = (const char *)data;
	for (off = 0; off < size; off++) {
		if (data[off] == 0xff && k < 3) {
			parts[k].n = off - (size_t)(parts[k].p - (const char *)data);
			parts[++k].p = (const char *)data + off + 1;
		}
	}
	parts[k].n = size - (size_t)(parts[k].p - (const char *)data);
	for (i = k + 1; i < 4; i++)
		parts[i].p = "";

	/* The host name gives the default client id and topic. */
	snprintf(host, sizeof(host), "%.*s", (int)parts[0].n, parts[0].p);
	config_init(&cfg, host);
	check(!strncmp(cfg.client_id, "sesame-", 7) && !strncmp(cfg.topic, "sesame/", 7));
	check(topic_ok(cfg.topic) && strlen(cfg.topic) > 7);
	check(cfg.port == 8883 && cfg.open_words.count == 4 && cfg.close_words.count == 3);

	memfile_set(&conf, &parts[1]);
	for (off = 0, lines = 1; off < parts[1].n; off++)
		lines += parts[1].p[off] == '\n';
	if (config_load_file(&cfg, conf.path, err, sizeof(err))) {
		char secret[sizeof(err)];

		snprintf(secret, sizeof(secret), "%s: this looks like a secret (a password, key "
			 "or certificate file), not a sesame-bridge configuration; nothing of it "
			 "is shown", conf.path);
		if (!strcmp(err, secret))
			check(model_secret(&parts[1]));
		else
			check_where(err, conf.path, lines);
		return 0;
	}

	/* The same lines as -o options give the same settings. */
	config_init(&again, host);
	for (off = 0, lineno = 1; off < parts[1].n; lineno++) {
		next_line(&parts[1], &off, line, sizeof(line));
		check(config_parse_line(&again, line, CONFIG_CMDLINE, lineno, err, sizeof(err)) == 0);
	}
	check(!memcmp(&cfg, &again, offsetof(struct config, origin)));

	for (off = 0, lineno = 1; off < parts[2].n && lineno <= 64; lineno++) {
		next_line(&parts[2], &off, line, sizeof(line));
		if (config_parse_line(&cfg, line, CONFIG_CMDLINE, lineno, err, sizeof(err))) {
			check_where(err, CONFIG_CMDLINE, lineno);
			check(strtoul(err + strlen(CONFIG_CMDLINE) + 1, NULL, 10) == lineno);
			return 0;
		}
	}
	if (config_check(&cfg, conf.path, err, sizeof(err))) {
		check(!strncmp(err, conf.path, strlen(conf.path)) ||
		      !strncmp(err, CONFIG_CMDLINE ":", strlen(CONFIG_CMDLINE) + 1));
		check(strstr(err, ": ") && strstr(err, ": ")[2] != '\0');
	} else {
		check_accepted(&cfg);
		check_uses(&cfg);
	}
	if (parts[3].n)
		check_key(&key, &parts[3]);
	return 0;
}
