/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - sesame-bridge's settings and their parser.
 *
 * The parser does no I/O: config_parse_line() takes one "key value" line
 * (from the file, or from a -o option on the command line) and fills a
 * struct config; config_check() then checks the keys against each other.
 * Errors name their source as "FILE:LINE: ...". Every key is documented in
 * sesame-bridge.conf(5).
 */
#ifndef SESAME_CONFIG_H
#define SESAME_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define CONFIG_DEFAULT_FILE	"/etc/sesame/bridge.conf"
#define CONFIG_DEFAULT_STATE	"/var/lib/sesame/replay.state"
#define CONFIG_LINE_MAX		1024
#define CONFIG_PATH_MAX		512
#define CONFIG_NAME_MAX		256	/* host, username, client_id */
#define CONFIG_TOPIC_MAX	128	/* base topic and discovery prefix */
#define CONFIG_WORDS_MAX	8	/* payload words per command */
#define CONFIG_WORD_MAX		16	/* bytes in one payload word */
#define CONFIG_BROKERS_MAX	8	/* brokers named by host */

/* Signed payload: "<word> <unix-time> <nonce> <mac>" (see sign.h). */
#define CONFIG_SIGNED_EXTRA	(1 + 20 + 1 + 64 + 1 + 64)
/* The named form adds " <name>", a name of at most 32 characters. */
#define CONFIG_NAMED_EXTRA	(1 + 32)

enum config_key {
	KEY_HOST,
	KEY_PORT,
	KEY_CAFILE,
	KEY_CAPATH,
	KEY_CERTFILE,
	KEY_KEYFILE,
	KEY_TLS_VERSION,
	KEY_INSECURE_PLAINTEXT,
	KEY_CLIENT_ID,
	KEY_KEEPALIVE,
	KEY_MQTT_VERSION,
	KEY_RECONNECT_MAX,
	KEY_USERNAME,
	KEY_PASSWORD_FILE,
	KEY_TOPIC,
	KEY_DEVICE,
	KEY_OPEN_WORDS,
	KEY_CLOSE_WORDS,
	KEY_RATE_LIMIT,
	KEY_MAX_PAYLOAD,
	KEY_HMAC_KEY_FILE,
	KEY_HMAC_KEYS_DIR,
	KEY_SIGNATURE_WINDOW,
	KEY_STATE_FILE,
	KEY_REQUIRE_CLOCK_SYNC,
	KEY_HA_DISCOVERY,
	KEY_HA_PREFIX,
	KEY_LOG_LEVEL,
	KEY_REPUBLISH_INTERVAL,
	KEY_COUNT
};

/* Where a key got its value: file and line, or file NULL for the default. */
struct config_origin {
	const char *file;
	unsigned int line;
};

/* A list of case-insensitive payload words, such as "open unlock". */
struct config_words {
	unsigned int count;
	char word[CONFIG_WORDS_MAX][CONFIG_WORD_MAX + 1];
};

enum mqtt_protocol {
	MQTT_PROTOCOL_AUTO = 0,	/* 5, or 3.1.1 where the broker refuses 5 */
	MQTT_PROTOCOL_311 = 4,	/* the values MQTT puts on the wire */
	MQTT_PROTOCOL_5 = 5,
};

/* One broker of the host list: a name or address, and its own port. */
struct config_broker {
	char name[CONFIG_NAME_MAX];
	unsigned int port;	/* 0: the port key's */
};

struct config {
	/* connection and TLS */
	char host[CONFIG_NAME_MAX];	/* as written: for messages */
	struct config_broker broker[CONFIG_BROKERS_MAX];	/* tried in turn */
	unsigned int brokers;
	unsigned int port;
	char cafile[CONFIG_PATH_MAX];
	char capath[CONFIG_PATH_MAX];
	char certfile[CONFIG_PATH_MAX];
	char keyfile[CONFIG_PATH_MAX];
	char tls_version[8];		/* "tlsv1.2" or "tlsv1.3": a minimum */
	bool insecure_plaintext;
	char client_id[CONFIG_NAME_MAX];
	unsigned int keepalive;		/* seconds */
	enum mqtt_protocol mqtt_version;
	unsigned int reconnect_max;	/* seconds: cap of the backoff */
	/* credentials */
	char username[CONFIG_NAME_MAX];
	char password_file[CONFIG_PATH_MAX];
	/* behaviour */
	char topic[CONFIG_TOPIC_MAX];
	char device[CONFIG_PATH_MAX];
	struct config_words open_words;
	struct config_words close_words;
	unsigned int rate_count;	/* accepted opens ... */
	unsigned int rate_seconds;	/* ... per this many seconds */
	unsigned int max_payload;	/* bytes */
	char hmac_key_file[CONFIG_PATH_MAX];
	char hmac_keys_dir[CONFIG_PATH_MAX];	/* one key file per opener */
	unsigned int signature_window;	/* seconds */
	char state_file[CONFIG_PATH_MAX];	/* replay memory of signed commands */
	bool require_clock_sync;	/* signed commands wait for NTP */
	bool ha_discovery;
	char ha_prefix[CONFIG_TOPIC_MAX];
	unsigned int republish_interval;	/* seconds; 0: never */
	enum log_level log_level;

	struct config_origin origin[KEY_COUNT];
};

/* The port of broker I: its own, or the port key's. */
unsigned int config_broker_port(const struct config *cfg, unsigned int i);

/* Source name of the -o options, in error messages. */
#define CONFIG_CMDLINE "command line"

/*
 * Fills in every default. The client id and the base topic default to
 * names made from HOSTNAME ("sesame-HOSTNAME", "sesame/HOSTNAME").
 */
void config_init(struct config *cfg, const char *hostname);

/*
 * Parses one line of SRC (a file name, or CONFIG_CMDLINE) at LINENO: a
 * "key value" pair, a comment or a blank line. SRC must outlive CFG.
 * Returns 0, or -1 with "SRC:LINENO: what is wrong" in ERR.
 */
int config_parse_line(struct config *cfg, const char *line, const char *src,
		      unsigned int lineno, char *err, size_t errlen);

/*
 * Checks the keys against each other, once everything is parsed. FILE
 * names the configuration in messages about keys that are missing.
 * Returns 0, or -1 with a message in ERR.
 */
int config_check(const struct config *cfg, const char *file, char *err,
		 size_t errlen);

/* "FILE:LINE" of KEY into BUF, or FALLBACK when the key was not set. */
const char *config_where(const struct config *cfg, enum config_key key,
			 const char *fallback, char *buf, size_t size);

const char *config_key_name(enum config_key key);

/* The longest payload a signed command with these words can need. */
size_t config_signed_payload_max(const struct config *cfg);

#endif
