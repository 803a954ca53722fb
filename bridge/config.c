// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - parse sesame-bridge's "key value" lines into a struct config.
 *
 * A table lists every key with its type and limits, so that the file and
 * the -o options go through exactly the same checks. Nothing here reads a
 * file: conffile.c feeds the lines, and secret.c reads what the keys name.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key_type {
	T_STRING,	/* printable text, max length = field size - 1 */
	T_PATH,		/* like T_STRING, but without spaces */
	T_TOPIC,	/* an MQTT topic name without wildcards */
	T_UINT,		/* decimal, between min and max */
	T_BOOL,		/* true or false */
	T_TLS_VERSION,
	T_MQTT_VERSION,
	T_LOG_LEVEL,
	T_WORDS,
	T_RATE,		/* COUNT/SECONDS */
	T_HOSTS,	/* host[:port],... */
};

struct key_desc {
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;		/* of the field, for strings */
	unsigned int min, max;	/* for T_UINT */
};

/*
 * The table reaches each field by its offset. So that a field of another
 * type cannot be read or written through the wrong one, each entry's
 * macro checks the field's type when it compiles (a negative array size
 * otherwise), and the accessors below are the only casts.
 */
#define FIELD_IS(f, T) (sizeof(char[1 - 2 * !__builtin_types_compatible_p( \
			__typeof__(((struct config *)0)->f), T)]) - 1)
#define FIELD(f, T) (offsetof(struct config, f) + FIELD_IS(f, T))
#define FIELD_SIZE(f) sizeof(((struct config *)0)->f)

#define STR(k, t, f) { k, t, FIELD(f, char[FIELD_SIZE(f)]), FIELD_SIZE(f), 0, 0 }
#define UINT(k, f, lo, hi) { k, T_UINT, FIELD(f, unsigned int), \
			     sizeof(unsigned int), lo, hi }
#define BOOL(k, f) { k, T_BOOL, FIELD(f, bool), sizeof(bool), 0, 0 }
#define WORDS(k, f) { k, T_WORDS, FIELD(f, struct config_words), \
		      sizeof(struct config_words), 0, 0 }
/* Parsed into named fields by their own functions: no offset is used. */
#define OTHER(k, t) { k, t, 0, 0, 0, 0 }

/* Indexed by enum config_key. */
static const struct key_desc keys[KEY_COUNT] = {
	[KEY_HOST]		= STR("host", T_HOSTS, host),
	[KEY_PORT]		= UINT("port", port, 1, 65535),
	[KEY_CAFILE]		= STR("cafile", T_PATH, cafile),
	[KEY_CAPATH]		= STR("capath", T_PATH, capath),
	[KEY_CERTFILE]		= STR("certfile", T_PATH, certfile),
	[KEY_KEYFILE]		= STR("keyfile", T_PATH, keyfile),
	[KEY_TLS_VERSION]	= OTHER("tls_version", T_TLS_VERSION),
	[KEY_INSECURE_PLAINTEXT] = BOOL("insecure_plaintext", insecure_plaintext),
	[KEY_CLIENT_ID]		= STR("client_id", T_PATH, client_id),
	/* libmosquitto refuses a keepalive under 5 s */
	[KEY_KEEPALIVE]		= UINT("keepalive", keepalive, 5, 65535),
	[KEY_MQTT_VERSION]	= OTHER("mqtt_version", T_MQTT_VERSION),
	[KEY_RECONNECT_MAX]	= UINT("reconnect_max", reconnect_max, 1, 3600),
	[KEY_USERNAME]		= STR("username", T_STRING, username),
	[KEY_PASSWORD_FILE]	= STR("password_file", T_PATH, password_file),
	[KEY_TOPIC]		= STR("topic", T_TOPIC, topic),
	[KEY_DEVICE]		= STR("device", T_PATH, device),
	[KEY_OPEN_WORDS]	= WORDS("open_words", open_words),
	[KEY_CLOSE_WORDS]	= WORDS("close_words", close_words),
	[KEY_RATE_LIMIT]	= OTHER("rate_limit", T_RATE),
	[KEY_MAX_PAYLOAD]	= UINT("max_payload", max_payload, 32, 4096),
	[KEY_HMAC_KEY_FILE]	= STR("hmac_key_file", T_PATH, hmac_key_file),
	[KEY_HMAC_KEYS_DIR]	= STR("hmac_keys_dir", T_PATH, hmac_keys_dir),
	[KEY_SIGNATURE_WINDOW]	= UINT("signature_window", signature_window, 1, 3600),
	[KEY_STATE_FILE]	= STR("state_file", T_PATH, state_file),
	[KEY_REQUIRE_CLOCK_SYNC] = BOOL("require_clock_sync", require_clock_sync),
	[KEY_HA_DISCOVERY]	= BOOL("ha_discovery", ha_discovery),
	[KEY_HA_PREFIX]		= STR("ha_prefix", T_TOPIC, ha_prefix),
	[KEY_LOG_LEVEL]		= OTHER("log_level", T_LOG_LEVEL),
	[KEY_REPUBLISH_INTERVAL] = UINT("republish_interval", republish_interval, 0, 86400),
};

/* Under this, re-publishing would be traffic rather than a safety net. */
#define REPUBLISH_MIN	10

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

const char *config_key_name(enum config_key key)
{
	return keys[key].name;
}

static void set_words(struct config_words *w, const char *const *list)
{
	w->count = 0;
	while (*list && w->count < CONFIG_WORDS_MAX)
		snprintf(w->word[w->count++], sizeof(w->word[0]), "%s", *list++);
}

/*
 * Keeps the characters a client id and a topic level can safely carry.
 * The name is the host name's first label; without one (no host name, or
 * one that starts with a dot) it is "localhost", so that the topic never
 * ends with its separator.
 */
static void name_from_host(char *dst, size_t size, const char *prefix,
			   const char *hostname)
{
	size_t n = (size_t)snprintf(dst, size, "%s", prefix);
	const char *h = hostname && *hostname && *hostname != '.' ? hostname : "localhost";

	for (; *h && *h != '.' && n + 1 < size; h++) {
		unsigned char c = (unsigned char)*h;

		dst[n++] = (c > ' ' && c < 0x7f && c != '+' && c != '#' &&
			    c != '/') ? (char)c : '_';
	}
	dst[n] = '\0';
}

void config_init(struct config *cfg, const char *hostname)
{
	static const char *const open_default[] = { "open", "unlock", "press", "on", NULL };
	static const char *const close_default[] = { "close", "lock", "off", NULL };

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->host, sizeof(cfg->host), "localhost");
	snprintf(cfg->broker[0].name, sizeof(cfg->broker[0].name), "localhost");
	cfg->brokers = 1;
	cfg->port = 8883;
	snprintf(cfg->tls_version, sizeof(cfg->tls_version), "tlsv1.2");
	name_from_host(cfg->client_id, sizeof(cfg->client_id), "sesame-", hostname);
	cfg->keepalive = 60;
	cfg->mqtt_version = MQTT_PROTOCOL_AUTO;
	cfg->republish_interval = 300;
	cfg->reconnect_max = 60;
	name_from_host(cfg->topic, sizeof(cfg->topic), "sesame/", hostname);
	snprintf(cfg->device, sizeof(cfg->device), "/dev/sesame");
	set_words(&cfg->open_words, open_default);
	set_words(&cfg->close_words, close_default);
	cfg->rate_count = 6;
	cfg->rate_seconds = 60;
	cfg->max_payload = 256;
	cfg->signature_window = 30;
	snprintf(cfg->state_file, sizeof(cfg->state_file), CONFIG_DEFAULT_STATE);
	cfg->require_clock_sync = true;
	cfg->ha_discovery = true;
	snprintf(cfg->ha_prefix, sizeof(cfg->ha_prefix), "homeassistant");
	cfg->log_level = LOG_LEVEL_INFO;
}

static int fail(char *err, size_t errlen, const char *src, unsigned int lineno,
		const char *fmt, ...) LOG_PRINTF(5, 6);

static int fail(char *err, size_t errlen, const char *src, unsigned int lineno,
		const char *fmt, ...)
{
	int n = snprintf(err, errlen, "%s:%u: ", src, lineno);
	va_list ap;

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Tabs separate, like spaces; any other control character is a mistake. */
static bool is_printable(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') ||
		    (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/* Parses a decimal number without sign, spaces or overflow. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -2;	/* too big, even if still digits */
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

static bool topic_ok(const char *t, const char **why)
{
	size_t n = strlen(t);

	if (t[0] == '$') {
		*why = "must not start with $ (reserved for the broker)";
		return false;
	}
	if (strpbrk(t, "+#")) {
		*why = "must not contain the wildcards + or #";
		return false;
	}
	if (t[n - 1] == '/') {
		*why = "must not end with /";
		return false;
	}
	if (strchr(t, ' ')) {
		*why = "must not contain spaces";
		return false;
	}
	return true;
}

static int parse_words(struct config_words *w, char *value, const char *key,
		       char *err, size_t errlen, const char *src,
		       unsigned int lineno)
{
	struct config_words nw = { 0 };
	char *tok, *save = NULL;
	unsigned int i;

	for (tok = strtok_r(value, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		size_t n = strlen(tok);

		if (nw.count == CONFIG_WORDS_MAX)
			return fail(err, errlen, src, lineno,
				    "%s: more than %d words", key, CONFIG_WORDS_MAX);
		if (n > CONFIG_WORD_MAX)
			return fail(err, errlen, src, lineno,
				    "%s: word '%.20s...' is longer than %d characters",
				    key, tok, CONFIG_WORD_MAX);
		for (i = 0; i < n; i++) {
			char c = tok[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '-'))
				return fail(err, errlen, src, lineno,
					    "%s: word '%s' may only contain letters, digits, _ and -",
					    key, tok);
		}
		for (i = 0; i < nw.count; i++)
			if (!strcasecmp(nw.word[i], tok))
				return fail(err, errlen, src, lineno,
					    "%s: word '%s' is listed twice", key, tok);
		memcpy(nw.word[nw.count++], tok, n + 1);
	}
	*w = nw;
	return 0;
}

/*
 * One entry of the host list: "name", "name:port", "[v6]" or "[v6]:port".
 * An address with several colons and no brackets is all name (no port).
 */
static int parse_broker(struct config_broker *b, char *entry, const char **why)
{
	char *name = entry, *port = NULL, *close;
	unsigned long v;

	if (*entry == '[') {
		close = strchr(entry, ']');
		if (!close || (close[1] && close[1] != ':')) {
			*why = "has an unclosed or misplaced ']'";
			return -1;
		}
		*close = '\0';
		name = entry + 1;
		port = close[1] ? close + 2 : NULL;
	} else if ((port = strchr(entry, ':')) && !strchr(port + 1, ':')) {
		*port++ = '\0';
	} else {
		port = NULL;
	}
	if (!*name) {
		*why = "names no host";
		return -1;
	}
	if (strlen(name) >= sizeof(b->name)) {
		*why = "is too long";
		return -1;
	}
	if (port && (parse_uint(port, 65535, &v) || v < 1)) {
		*why = "has a port that is not a number from 1 to 65535";
		return -1;
	}
	memcpy(b->name, name, strlen(name) + 1);
	b->port = port ? (unsigned int)v : 0;
	return 0;
}

/* "a:8883,b" into CFG's brokers: all of them, or none on an error. */
static int parse_hosts(struct config *cfg, char *value, char *err, size_t errlen,
		       const char *src, unsigned int lineno)
{
	struct config_broker list[CONFIG_BROKERS_MAX];
	char copy[CONFIG_NAME_MAX], entry[CONFIG_NAME_MAX];
	unsigned int n = 0;
	const char *why;
	char *next, *p;

	/* Whole, so that two equal lists compare equal byte for byte. */
	memset(list, 0, sizeof(list));
	memcpy(copy, value, strlen(value) + 1);
	for (p = copy; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (n == CONFIG_BROKERS_MAX)
			return fail(err, errlen, src, lineno,
				    "host: more than %d brokers", CONFIG_BROKERS_MAX);
		memcpy(entry, p, strlen(p) + 1);
		if (parse_broker(&list[n], p, &why))
			return fail(err, errlen, src, lineno, "host: '%s' %s", entry, why);
		n++;
	}
	memcpy(cfg->broker, list, sizeof(list));
	cfg->brokers = n;
	memcpy(cfg->host, value, strlen(value) + 1);
	return 0;
}

/* The typed views of a table entry's field: the only casts of its offset. */
static char *text_field(struct config *cfg, const struct key_desc *k)
{
	return (char *)cfg + k->offset;
}

static unsigned int *uint_field(struct config *cfg, const struct key_desc *k)
{
	return (unsigned int *)(void *)((char *)cfg + k->offset);
}

static bool *bool_field(struct config *cfg, const struct key_desc *k)
{
	return (bool *)(void *)((char *)cfg + k->offset);
}

static struct config_words *words_field(struct config *cfg, const struct key_desc *k)
{
	return (struct config_words *)(void *)((char *)cfg + k->offset);
}

/* T_PATH, T_TOPIC, T_STRING: a string that must fit, and be a topic where one. */
static int parse_text(struct config *cfg, const struct key_desc *k, const char *value,
		      char *err, size_t errlen, const char *src, unsigned int lineno)
{
	const char *why;

	if (k->type != T_STRING && strpbrk(value, " \t"))
		return fail(err, errlen, src, lineno,
			    "%s: '%s' must not contain spaces", k->name, value);
	if (strlen(value) >= k->size)
		return fail(err, errlen, src, lineno,
			    "%s: longer than %zu characters", k->name, k->size - 1);
	if (k->type == T_TOPIC && !topic_ok(value, &why))
		return fail(err, errlen, src, lineno, "%s: '%s' %s", k->name, value, why);
	memcpy(text_field(cfg, k), value, strlen(value) + 1);
	return 0;
}

static int parse_number(struct config *cfg, const struct key_desc *k, const char *value,
			char *err, size_t errlen, const char *src, unsigned int lineno)
{
	unsigned long v;

	if (parse_uint(value, k->max, &v) || v < k->min)
		return fail(err, errlen, src, lineno,
			    "%s: '%s' is not a whole number from %u to %u",
			    k->name, value, k->min, k->max);
	if (k == &keys[KEY_REPUBLISH_INTERVAL] && v && v < REPUBLISH_MIN)
		return fail(err, errlen, src, lineno,
			    "republish_interval: %lu s is too often: 0 (never) or "
			    "%d to %u seconds", v, REPUBLISH_MIN, k->max);
	*uint_field(cfg, k) = (unsigned int)v;
	return 0;
}

static int parse_bool(struct config *cfg, const struct key_desc *k, const char *value,
		      char *err, size_t errlen, const char *src, unsigned int lineno)
{
	if (strcmp(value, "true") && strcmp(value, "false"))
		return fail(err, errlen, src, lineno,
			    "%s: '%s' is neither true nor false", k->name, value);
	*bool_field(cfg, k) = !strcmp(value, "true");
	return 0;
}

static int parse_tls_version(struct config *cfg, const char *value,
			     char *err, size_t errlen, const char *src, unsigned int lineno)
{
	if (strcmp(value, "tlsv1.2") && strcmp(value, "tlsv1.3"))
		return fail(err, errlen, src, lineno,
			    "tls_version: '%s' is neither tlsv1.2 nor tlsv1.3", value);
	snprintf(cfg->tls_version, sizeof(cfg->tls_version), "%s", value);
	return 0;
}

static int parse_mqtt_version(struct config *cfg, const char *value,
			      char *err, size_t errlen, const char *src, unsigned int lineno)
{
	if (!strcmp(value, "auto"))
		cfg->mqtt_version = MQTT_PROTOCOL_AUTO;
	else if (!strcmp(value, "5"))
		cfg->mqtt_version = MQTT_PROTOCOL_5;
	else if (!strcmp(value, "3.1.1"))
		cfg->mqtt_version = MQTT_PROTOCOL_311;
	else
		return fail(err, errlen, src, lineno,
			    "mqtt_version: '%s' is not auto, 5 or 3.1.1", value);
	return 0;
}

static int parse_log_level(struct config *cfg, const char *value,
			   char *err, size_t errlen, const char *src, unsigned int lineno)
{
	unsigned int v;

	for (v = 0; v <= LOG_LEVEL_DEBUG; v++) {
		if (!strcmp(value, level_names[v])) {
			cfg->log_level = (enum log_level)v;
			return 0;
		}
	}
	return fail(err, errlen, src, lineno,
		    "log_level: '%s' is not one of error, warning, notice, info, debug", value);
}

/* COUNT/SECONDS, such as 6/60. */
static int parse_rate(struct config *cfg, char *value,
		      char *err, size_t errlen, const char *src, unsigned int lineno)
{
	char *slash = strchr(value, '/');
	unsigned long count, secs;

	if (!slash)
		return fail(err, errlen, src, lineno,
			    "rate_limit: '%s' is not COUNT/SECONDS, such as 6/60", value);
	*slash = '\0';
	if (parse_uint(value, 1000, &count) || count < 1 ||
	    parse_uint(slash + 1, 86400, &secs) || secs < 1) {
		*slash = '/';
		return fail(err, errlen, src, lineno,
			    "rate_limit: '%s' needs a COUNT from 1 to 1000 and SECONDS from 1 to 86400",
			    value);
	}
	cfg->rate_count = (unsigned int)count;
	cfg->rate_seconds = (unsigned int)secs;
	return 0;
}

/* One value, by its kind; on an error the configuration is unchanged. */
static int parse_value(struct config *cfg, const struct key_desc *k, char *value,
		       char *err, size_t errlen, const char *src,
		       unsigned int lineno)
{
	switch (k->type) {
	case T_HOSTS:
		if (strpbrk(value, " \t"))
			return fail(err, errlen, src, lineno,
				    "host: '%s' must not contain spaces (brokers are separated "
				    "by commas)", value);
		if (strlen(value) >= k->size)
			return fail(err, errlen, src, lineno,
				    "host: longer than %zu characters", k->size - 1);
		return parse_hosts(cfg, value, err, errlen, src, lineno);
	case T_PATH:
	case T_TOPIC:
	case T_STRING:
		return parse_text(cfg, k, value, err, errlen, src, lineno);
	case T_UINT:
		return parse_number(cfg, k, value, err, errlen, src, lineno);
	case T_BOOL:
		return parse_bool(cfg, k, value, err, errlen, src, lineno);
	case T_TLS_VERSION:
		return parse_tls_version(cfg, value, err, errlen, src, lineno);
	case T_MQTT_VERSION:
		return parse_mqtt_version(cfg, value, err, errlen, src, lineno);
	case T_LOG_LEVEL:
		return parse_log_level(cfg, value, err, errlen, src, lineno);
	case T_WORDS:
		return parse_words(words_field(cfg, k), value, k->name, err, errlen, src, lineno);
	case T_RATE:
		return parse_rate(cfg, value, err, errlen, src, lineno);
	}
	return fail(err, errlen, src, lineno, "%s: internal error", k->name);
}

/* Levenshtein distance of A and B, counted up to LIMIT + 1. */
static unsigned int distance(const char *a, const char *b, unsigned int limit)
{
	unsigned int row[CONFIG_LINE_MAX + 1], i, j, diag, up, best;
	size_t la = strlen(a), lb = strlen(b);

	if (la > lb + limit || lb > la + limit || lb > CONFIG_LINE_MAX)
		return limit + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (row[j] < best)
				best = row[j];
			diag = up;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

/*
 * The word is quoted back only when it is a misspelt key: a line that is
 * no configuration at all (a password file given by mistake, say) must
 * never be echoed into a terminal or a log.
 */
static int unknown_key(const char *key, char *err, size_t errlen,
		       const char *src, unsigned int lineno)
{
	unsigned int i, d, best = 3, nearest = 0;

	for (i = 0; i < KEY_COUNT && strlen(key) >= 3; i++) {
		d = distance(key, keys[i].name, 2);
		if (d < best) {
			best = d;
			nearest = i;
		}
	}
	if (best <= 2)
		return fail(err, errlen, src, lineno, "unknown key '%s' (did you mean %s?)",
			    key, keys[nearest].name);
	return fail(err, errlen, src, lineno, "unknown key");
}

int config_parse_line(struct config *cfg, const char *line, const char *src,
		      unsigned int lineno, char *err, size_t errlen)
{
	char buf[CONFIG_LINE_MAX + 1];
	char *key, *value, *end;
	size_t n = strlen(line);
	unsigned int i;

	if (n > CONFIG_LINE_MAX)
		return fail(err, errlen, src, lineno,
			    "line longer than %d characters", CONFIG_LINE_MAX);
	memcpy(buf, line, n + 1);
	/* Lines may end in LF or CRLF. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (!is_printable(buf))
		return fail(err, errlen, src, lineno, "control character in line");

	key = buf;
	while (is_space(*key))
		key++;
	if (*key == '\0' || *key == '#')
		return 0;
	end = key + strlen(key);
	while (end > key && is_space(end[-1]))
		*--end = '\0';
	value = key + strcspn(key, " \t");
	if (*value) {
		*value++ = '\0';
		while (is_space(*value))
			value++;
	}
	for (i = 0; i < KEY_COUNT; i++)
		if (!strcmp(key, keys[i].name))
			break;
	if (i == KEY_COUNT)
		return unknown_key(key, err, errlen, src, lineno);
	if (*value == '\0')
		return fail(err, errlen, src, lineno, "%s: missing value", key);
	/* In a file, a repeated key is a mistake; -o options override. */
	if (strcmp(src, CONFIG_CMDLINE) && cfg->origin[i].file &&
	    !strcmp(cfg->origin[i].file, src))
		return fail(err, errlen, src, lineno,
			    "%s: already set at line %u", key, cfg->origin[i].line);
	if (parse_value(cfg, &keys[i], value, err, errlen, src, lineno))
		return -1;
	cfg->origin[i].file = src;
	cfg->origin[i].line = lineno;
	return 0;
}

const char *config_where(const struct config *cfg, enum config_key key,
			 const char *fallback, char *buf, size_t size)
{
	if (!cfg->origin[key].file)
		return fallback;
	snprintf(buf, size, "%s:%u", cfg->origin[key].file, cfg->origin[key].line);
	return buf;
}

unsigned int config_broker_port(const struct config *cfg, unsigned int i)
{
	return cfg->broker[i].port ? cfg->broker[i].port : cfg->port;
}

size_t config_signed_payload_max(const struct config *cfg)
{
	size_t longest = 0, n;
	unsigned int i;

	for (i = 0; i < cfg->open_words.count; i++)
		if ((n = strlen(cfg->open_words.word[i])) > longest)
			longest = n;
	for (i = 0; i < cfg->close_words.count; i++)
		if ((n = strlen(cfg->close_words.word[i])) > longest)
			longest = n;
	return longest + CONFIG_SIGNED_EXTRA + (cfg->hmac_keys_dir[0] ? CONFIG_NAMED_EXTRA : 0);
}

static int check_fail(char *err, size_t errlen, const char *where,
		      const char *fmt, ...) LOG_PRINTF(4, 5);

static int check_fail(char *err, size_t errlen, const char *where,
		      const char *fmt, ...)
{
	int n = snprintf(err, errlen, "%s: ", where);
	va_list ap;

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int config_check(const struct config *cfg, const char *file, char *err,
		 size_t errlen)
{
	static const enum config_key tls_keys[] = {
		KEY_CAFILE, KEY_CAPATH, KEY_CERTFILE, KEY_KEYFILE,
	};
	char where[CONFIG_PATH_MAX + 16];
	unsigned int i, j;

	if (cfg->insecure_plaintext) {
		for (i = 0; i < sizeof(tls_keys) / sizeof(tls_keys[0]); i++)
			if (cfg->origin[tls_keys[i]].file)
				return check_fail(err, errlen,
						  config_where(cfg, KEY_INSECURE_PLAINTEXT, file,
							       where, sizeof(where)),
						  "insecure_plaintext true cannot be combined with %s",
						  keys[tls_keys[i]].name);
	} else if (!cfg->cafile[0] && !cfg->capath[0]) {
		return check_fail(err, errlen, file,
				  "no cafile or capath: TLS needs them to check the broker "
				  "(for a lab broker without TLS, set insecure_plaintext true)");
	}
	for (i = 0; i < cfg->brokers; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->broker[i].name, cfg->broker[j].name) &&
			    config_broker_port(cfg, i) == config_broker_port(cfg, j))
				return check_fail(err, errlen,
						  config_where(cfg, KEY_HOST, file, where,
							       sizeof(where)),
						  "host: %s port %u is named twice",
						  cfg->broker[i].name, config_broker_port(cfg, i));
	if (!cfg->certfile[0] != !cfg->keyfile[0])
		return check_fail(err, errlen,
				  cfg->certfile[0] ?
				  config_where(cfg, KEY_CERTFILE, file, where, sizeof(where)) :
				  config_where(cfg, KEY_KEYFILE, file, where, sizeof(where)),
				  "certfile and keyfile must both be given");
	if (cfg->password_file[0] && !cfg->username[0])
		return check_fail(err, errlen,
				  config_where(cfg, KEY_PASSWORD_FILE, file, where, sizeof(where)),
				  "password_file needs a username");
	if (cfg->open_words.count == 0 || cfg->close_words.count == 0)
		return check_fail(err, errlen, file, "open_words and close_words need a word each");
	for (i = 0; i < cfg->open_words.count; i++)
		for (j = 0; j < cfg->close_words.count; j++)
			if (!strcasecmp(cfg->open_words.word[i], cfg->close_words.word[j]))
				return check_fail(err, errlen,
						  config_where(cfg,
							       cfg->origin[KEY_CLOSE_WORDS].line ?
							       KEY_CLOSE_WORDS : KEY_OPEN_WORDS,
							       file, where, sizeof(where)),
						  "'%s' is both an open word and a close word",
						  cfg->close_words.word[j]);
	if ((cfg->hmac_key_file[0] || cfg->hmac_keys_dir[0]) &&
	    cfg->max_payload < config_signed_payload_max(cfg))
		return check_fail(err, errlen,
				  config_where(cfg, KEY_MAX_PAYLOAD, file, where, sizeof(where)),
				  "max_payload %u is too small for signed commands (they need %zu)",
				  cfg->max_payload, config_signed_payload_max(cfg));
	return 0;
}
