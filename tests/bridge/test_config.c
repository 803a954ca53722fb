// SPDX-License-Identifier: GPL-2.0
/*
 * test_config.c - the configuration parser: every key, every error, and
 * the checks across keys, with the exact "FILE:LINE: message" a user sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "config.h"

static struct config cfg;
static char err[1024];

static int setup(void **state)
{
	(void)state;
	config_init(&cfg, "door.example.org");
	memset(err, 0, sizeof(err));
	return 0;
}

static int parse(const char *line)
{
	return config_parse_line(&cfg, line, "t.conf", 7, err, sizeof(err));
}

/* A line that must fail, with exactly this message. */
static void expect_error(const char *line, const char *message)
{
	struct config before;

	memcpy(&before, &cfg, sizeof(cfg));
	assert_int_equal(parse(line), -1);
	assert_string_equal(err, message);
	/* Nothing changes on a bad line. */
	assert_memory_equal(&before, &cfg, sizeof(cfg));
}

/* host: one broker or several, each with its own port or the port key's. */
static void test_hosts(void **state)
{
	(void)state;
	assert_int_equal(parse("host n1.example:8884,n2.example,[fd00::1]:9000,::1,10.0.0.3:1"), 0);
	assert_string_equal(cfg.host, "n1.example:8884,n2.example,[fd00::1]:9000,::1,10.0.0.3:1");
	assert_int_equal(cfg.brokers, 5);
	assert_string_equal(cfg.broker[0].name, "n1.example");
	assert_int_equal(config_broker_port(&cfg, 0), 8884);
	assert_string_equal(cfg.broker[1].name, "n2.example");
	assert_int_equal(config_broker_port(&cfg, 1), 8883);
	assert_string_equal(cfg.broker[2].name, "fd00::1");
	assert_int_equal(config_broker_port(&cfg, 2), 9000);
	/* A bare IPv6 address is all address. */
	assert_string_equal(cfg.broker[3].name, "::1");
	assert_int_equal(cfg.broker[3].port, 0);
	assert_string_equal(cfg.broker[4].name, "10.0.0.3");
	assert_int_equal(config_broker_port(&cfg, 4), 1);
	/* The port key applies to the brokers without one, wherever it is. */
	assert_int_equal(parse("port 1883"), 0);
	assert_int_equal(config_broker_port(&cfg, 1), 1883);
	assert_int_equal(config_broker_port(&cfg, 0), 8884);
}

/* auto and 0 are values of their own, not the defaults left in place. */
static void test_auto_and_never(void **state)
{
	(void)state;
	cfg.mqtt_version = MQTT_PROTOCOL_5;
	assert_int_equal(parse("mqtt_version auto"), 0);
	assert_int_equal(cfg.mqtt_version, MQTT_PROTOCOL_AUTO);
	assert_int_equal(parse("republish_interval 0"), 0);
	assert_int_equal(cfg.republish_interval, 0);
}

static void test_host_errors(void **state)
{
	(void)state;
	expect_error("host a,,b", "t.conf:7: host: '' names no host");
	expect_error("host a,", "t.conf:7: host: '' names no host");
	expect_error("host :8883", "t.conf:7: host: ':8883' names no host");
	expect_error("host a:0", "t.conf:7: host: 'a:0' has a port that is not a number from 1 to 65535");
	expect_error("host a:65536",
		     "t.conf:7: host: 'a:65536' has a port that is not a number from 1 to 65535");
	expect_error("host a:x", "t.conf:7: host: 'a:x' has a port that is not a number from 1 to 65535");
	expect_error("host b,a:", "t.conf:7: host: 'a:' has a port that is not a number from 1 to 65535");
	expect_error("host [fd00::1", "t.conf:7: host: '[fd00::1' has an unclosed or misplaced ']'");
	expect_error("host [fd00::1]x", "t.conf:7: host: '[fd00::1]x' has an unclosed or misplaced ']'");
	expect_error("host [],b", "t.conf:7: host: '[]' names no host");
	expect_error("host a,b,c,d,e,f,g,h,i", "t.conf:7: host: more than 8 brokers");
}

static void test_defaults(void **state)
{
	(void)state;
	assert_string_equal(cfg.host, "localhost");
	assert_int_equal(cfg.port, 8883);
	assert_string_equal(cfg.tls_version, "tlsv1.2");
	assert_false(cfg.insecure_plaintext);
	/* The short host name, not the domain. */
	assert_string_equal(cfg.client_id, "sesame-door");
	assert_string_equal(cfg.topic, "sesame/door");
	assert_int_equal(cfg.keepalive, 60);
	assert_int_equal(cfg.mqtt_version, MQTT_PROTOCOL_AUTO);
	assert_int_equal(cfg.brokers, 1);
	assert_string_equal(cfg.broker[0].name, "localhost");
	assert_int_equal(config_broker_port(&cfg, 0), 8883);
	assert_int_equal(cfg.republish_interval, 300);
	assert_string_equal(cfg.device, "/dev/sesame");
	assert_int_equal(cfg.open_words.count, 4);
	assert_string_equal(cfg.open_words.word[0], "open");
	assert_string_equal(cfg.open_words.word[1], "unlock");
	assert_string_equal(cfg.open_words.word[2], "press");
	assert_string_equal(cfg.open_words.word[3], "on");
	assert_int_equal(cfg.close_words.count, 3);
	assert_string_equal(cfg.close_words.word[0], "close");
	assert_string_equal(cfg.close_words.word[1], "lock");
	assert_string_equal(cfg.close_words.word[2], "off");
	assert_int_equal(cfg.rate_count, 6);
	assert_int_equal(cfg.rate_seconds, 60);
	assert_int_equal(cfg.max_payload, 256);
	assert_int_equal(cfg.signature_window, 30);
	assert_true(cfg.ha_discovery);
	assert_string_equal(cfg.ha_prefix, "homeassistant");
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	assert_null(cfg.origin[KEY_PORT].file);
}

static void test_default_names_are_safe(void **state)
{
	(void)state;
	/* MQTT wildcards and separators never reach a topic. */
	config_init(&cfg, "a+b#c/d.lan");
	assert_string_equal(cfg.topic, "sesame/a_b_c_d");
	assert_string_equal(cfg.client_id, "sesame-a_b_c_d");
	config_init(&cfg, "");
	assert_string_equal(cfg.topic, "sesame/localhost");
	/* No first label (found by fuzz-config): not "sesame/", which ends in /. */
	config_init(&cfg, ".lan");
	assert_string_equal(cfg.topic, "sesame/localhost");
	assert_string_equal(cfg.client_id, "sesame-localhost");
}

static void test_every_key(void **state)
{
	(void)state;
	assert_int_equal(parse("host broker.example.org"), 0);
	assert_string_equal(cfg.host, "broker.example.org");
	assert_int_equal(cfg.origin[KEY_HOST].line, 7);
	assert_string_equal(cfg.origin[KEY_HOST].file, "t.conf");
	assert_int_equal(parse("port 1"), 0);
	assert_int_equal(cfg.port, 1);
	setup(NULL);
	assert_int_equal(parse("port 65535"), 0);
	assert_int_equal(cfg.port, 65535);
	assert_int_equal(parse("cafile /etc/ssl/ca.pem"), 0);
	assert_string_equal(cfg.cafile, "/etc/ssl/ca.pem");
	assert_int_equal(parse("capath /etc/ssl/certs"), 0);
	assert_string_equal(cfg.capath, "/etc/ssl/certs");
	assert_int_equal(parse("certfile /c.pem"), 0);
	assert_string_equal(cfg.certfile, "/c.pem");
	assert_int_equal(parse("keyfile /k.pem"), 0);
	assert_string_equal(cfg.keyfile, "/k.pem");
	assert_int_equal(parse("tls_version tlsv1.3"), 0);
	assert_string_equal(cfg.tls_version, "tlsv1.3");
	assert_int_equal(parse("insecure_plaintext true"), 0);
	assert_true(cfg.insecure_plaintext);
	assert_int_equal(parse("client_id front-door"), 0);
	assert_string_equal(cfg.client_id, "front-door");
	assert_int_equal(parse("keepalive 5"), 0);
	assert_int_equal(cfg.keepalive, 5);
	assert_int_equal(parse("mqtt_version 3.1.1"), 0);
	assert_int_equal(cfg.mqtt_version, MQTT_PROTOCOL_311);
	assert_int_equal(parse("republish_interval 10"), 0);
	assert_int_equal(cfg.republish_interval, 10);
	assert_int_equal(parse("reconnect_max 3600"), 0);
	assert_int_equal(cfg.reconnect_max, 3600);
	assert_int_equal(parse("username door user"), 0);
	assert_string_equal(cfg.username, "door user");
	assert_int_equal(parse("password_file /etc/sesame/pw"), 0);
	assert_string_equal(cfg.password_file, "/etc/sesame/pw");
	assert_int_equal(parse("topic home/front door"), -1);
	assert_int_equal(parse("topic home/front-door"), 0);
	assert_string_equal(cfg.topic, "home/front-door");
	assert_int_equal(parse("device /dev/sesame-front"), 0);
	assert_string_equal(cfg.device, "/dev/sesame-front");
	assert_int_equal(parse("open_words Open sesam_e x-1"), 0);
	assert_int_equal(cfg.open_words.count, 3);
	assert_string_equal(cfg.open_words.word[0], "Open");
	assert_string_equal(cfg.open_words.word[2], "x-1");
	assert_int_equal(parse("close_words shut"), 0);
	assert_int_equal(cfg.close_words.count, 1);
	assert_int_equal(parse("rate_limit 1000/86400"), 0);
	assert_int_equal(cfg.rate_count, 1000);
	assert_int_equal(cfg.rate_seconds, 86400);
	assert_int_equal(parse("max_payload 4096"), 0);
	assert_int_equal(cfg.max_payload, 4096);
	assert_int_equal(parse("hmac_key_file /etc/sesame/hmac.key"), 0);
	assert_string_equal(cfg.hmac_key_file, "/etc/sesame/hmac.key");
	assert_int_equal(parse("hmac_keys_dir /etc/sesame/openers"), 0);
	assert_string_equal(cfg.hmac_keys_dir, "/etc/sesame/openers");
	assert_int_equal(parse("signature_window 3600"), 0);
	assert_int_equal(cfg.signature_window, 3600);
	assert_string_equal(cfg.state_file, "/var/lib/sesame/replay.state");
	assert_int_equal(parse("state_file /var/lib/sesame/front.state"), 0);
	assert_string_equal(cfg.state_file, "/var/lib/sesame/front.state");
	assert_true(cfg.require_clock_sync);
	assert_int_equal(parse("require_clock_sync false"), 0);
	assert_false(cfg.require_clock_sync);
	assert_int_equal(parse("ha_discovery false"), 0);
	assert_false(cfg.ha_discovery);
	assert_int_equal(parse("ha_prefix ha"), 0);
	assert_string_equal(cfg.ha_prefix, "ha");
	assert_int_equal(parse("log_level debug"), 0);
	assert_int_equal(cfg.log_level, LOG_LEVEL_DEBUG);
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("\n"), 0);
	assert_int_equal(parse("   \t "), 0);
	assert_int_equal(parse("# port 1"), 0);
	assert_int_equal(parse("   # comment"), 0);
	assert_int_equal(cfg.port, 8883);
	/* Tabs separate, surrounding blanks and CRLF endings do not matter. */
	assert_int_equal(parse("  port\t\t1884  \r\n"), 0);
	assert_int_equal(cfg.port, 1884);
}

static void test_line_errors(void **state)
{
	char line[CONFIG_LINE_MAX + 2];

	(void)state;
	expect_error("prot 8883", "t.conf:7: unknown key 'prot' (did you mean port?)");
	expect_error("Port 8883", "t.conf:7: unknown key 'Port' (did you mean port?)");
	expect_error("pasword_file /etc/sesame/pw",
		     "t.conf:7: unknown key 'pasword_file' (did you mean password_file?)");
	/* A word that is no key near a real one is never echoed: it may be
	 * a secret from a file given as the configuration by mistake. */
	expect_error("hunter2", "t.conf:7: unknown key");
	expect_error("correct horse battery staple", "t.conf:7: unknown key");
	expect_error("0123456789abcdef0123456789abcdef", "t.conf:7: unknown key");
	expect_error("ab 1", "t.conf:7: unknown key");
	expect_error("port", "t.conf:7: port: missing value");
	expect_error("port   ", "t.conf:7: port: missing value");
	expect_error("port 88\0283", "t.conf:7: control character in line");
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "host ", 5);
	expect_error(line, "t.conf:7: line longer than 1024 characters");
}

static void test_duplicate_in_file(void **state)
{
	(void)state;
	assert_int_equal(config_parse_line(&cfg, "port 1", "t.conf", 3, err, sizeof(err)), 0);
	expect_error("port 2", "t.conf:7: port: already set at line 3");
	/* The command line overrides the file, even twice. */
	assert_int_equal(config_parse_line(&cfg, "port 2", CONFIG_CMDLINE, 1, err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&cfg, "port 3", CONFIG_CMDLINE, 2, err, sizeof(err)), 0);
	assert_int_equal(cfg.port, 3);
	assert_int_equal(config_parse_line(&cfg, "port x", CONFIG_CMDLINE, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "command line:3: port: 'x' is not a whole number from 1 to 65535");
}

static void test_value_errors(void **state)
{
	char big[300];

	(void)state;
	expect_error("port 0", "t.conf:7: port: '0' is not a whole number from 1 to 65535");
	expect_error("port 65536", "t.conf:7: port: '65536' is not a whole number from 1 to 65535");
	expect_error("port 99999999999999999999999",
		     "t.conf:7: port: '99999999999999999999999' is not a whole number from 1 to 65535");
	expect_error("port -1", "t.conf:7: port: '-1' is not a whole number from 1 to 65535");
	expect_error("port +1", "t.conf:7: port: '+1' is not a whole number from 1 to 65535");
	expect_error("port 1 2", "t.conf:7: port: '1 2' is not a whole number from 1 to 65535");
	expect_error("port 0x10", "t.conf:7: port: '0x10' is not a whole number from 1 to 65535");
	expect_error("keepalive 4", "t.conf:7: keepalive: '4' is not a whole number from 5 to 65535");
	expect_error("reconnect_max 0",
		     "t.conf:7: reconnect_max: '0' is not a whole number from 1 to 3600");
	expect_error("max_payload 31",
		     "t.conf:7: max_payload: '31' is not a whole number from 32 to 4096");
	expect_error("max_payload 4097",
		     "t.conf:7: max_payload: '4097' is not a whole number from 32 to 4096");
	expect_error("signature_window 0",
		     "t.conf:7: signature_window: '0' is not a whole number from 1 to 3600");
	expect_error("insecure_plaintext yes",
		     "t.conf:7: insecure_plaintext: 'yes' is neither true nor false");
	expect_error("ha_discovery 1", "t.conf:7: ha_discovery: '1' is neither true nor false");
	expect_error("tls_version tlsv1.1",
		     "t.conf:7: tls_version: 'tlsv1.1' is neither tlsv1.2 nor tlsv1.3");
	expect_error("mqtt_version 3.1",
		     "t.conf:7: mqtt_version: '3.1' is not auto, 5 or 3.1.1");
	expect_error("republish_interval 9",
		     "t.conf:7: republish_interval: 9 s is too often: 0 (never) or 10 to 86400 seconds");
	expect_error("republish_interval 86401",
		     "t.conf:7: republish_interval: '86401' is not a whole number from 0 to 86400");
	expect_error("log_level verbose",
		     "t.conf:7: log_level: 'verbose' is not one of error, warning, notice, info, debug");
	expect_error("cafile /etc/my ca.pem",
		     "t.conf:7: cafile: '/etc/my ca.pem' must not contain spaces");
	expect_error("host a b", "t.conf:7: host: 'a b' must not contain spaces "
		     "(brokers are separated by commas)");
	memset(big, 'h', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "host ", 5);
	expect_error(big, "t.conf:7: host: longer than 255 characters");
	memset(big, 'u', sizeof(big) - 1);
	memcpy(big, "username ", 9);
	expect_error(big, "t.conf:7: username: longer than 255 characters");
}

static void test_topic_errors(void **state)
{
	char big[200];

	(void)state;
	expect_error("topic home/+/door", "t.conf:7: topic: 'home/+/door' must not contain the wildcards + or #");
	expect_error("topic home/#", "t.conf:7: topic: 'home/#' must not contain the wildcards + or #");
	expect_error("topic home/door/", "t.conf:7: topic: 'home/door/' must not end with /");
	expect_error("topic $SYS/door", "t.conf:7: topic: '$SYS/door' must not start with $ (reserved for the broker)");
	expect_error("ha_prefix home assistant", "t.conf:7: ha_prefix: 'home assistant' must not contain spaces");
	memset(big, 't', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "topic ", 6);
	expect_error(big, "t.conf:7: topic: longer than 127 characters");
}

static void test_word_errors(void **state)
{
	(void)state;
	expect_error("open_words a b c d e f g h i",
		     "t.conf:7: open_words: more than 8 words");
	expect_error("open_words abcdefghijklmnopq",
		     "t.conf:7: open_words: word 'abcdefghijklmnopq...' is longer than 16 characters");
	expect_error("close_words shut! now",
		     "t.conf:7: close_words: word 'shut!' may only contain letters, digits, _ and -");
	expect_error("close_words shut SHUT",
		     "t.conf:7: close_words: word 'SHUT' is listed twice");
	assert_int_equal(parse("open_words a b c d e f g h"), 0);
	assert_int_equal(cfg.open_words.count, 8);
	assert_int_equal(parse("close_words abcdefghijklmnop"), 0);
}

static void test_rate_errors(void **state)
{
	(void)state;
	expect_error("rate_limit 6", "t.conf:7: rate_limit: '6' is not COUNT/SECONDS, such as 6/60");
	expect_error("rate_limit 0/60",
		     "t.conf:7: rate_limit: '0/60' needs a COUNT from 1 to 1000 and SECONDS from 1 to 86400");
	expect_error("rate_limit 6/0",
		     "t.conf:7: rate_limit: '6/0' needs a COUNT from 1 to 1000 and SECONDS from 1 to 86400");
	expect_error("rate_limit 1001/60",
		     "t.conf:7: rate_limit: '1001/60' needs a COUNT from 1 to 1000 and SECONDS from 1 to 86400");
	expect_error("rate_limit 6/86401",
		     "t.conf:7: rate_limit: '6/86401' needs a COUNT from 1 to 1000 and SECONDS from 1 to 86400");
	expect_error("rate_limit 6/60/2",
		     "t.conf:7: rate_limit: '6/60/2' needs a COUNT from 1 to 1000 and SECONDS from 1 to 86400");
	assert_int_equal(parse("rate_limit 1/1"), 0);
	assert_int_equal(cfg.rate_count, 1);
	assert_int_equal(cfg.rate_seconds, 1);
}

/* The file that the checks below start from: TLS to a private CA. */
static void base(void)
{
	setup(NULL);
	assert_int_equal(config_parse_line(&cfg, "cafile /ca.pem", "b.conf", 1, err, sizeof(err)), 0);
}

static int check(void)
{
	return config_check(&cfg, "b.conf", err, sizeof(err));
}

static void set_line(const char *line, unsigned int lineno)
{
	assert_int_equal(config_parse_line(&cfg, line, "b.conf", lineno, err, sizeof(err)), 0);
}

static void test_check(void **state)
{
	(void)state;
	base();
	assert_int_equal(check(), 0);

	setup(NULL);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf: no cafile or capath: TLS needs them to check the broker "
			    "(for a lab broker without TLS, set insecure_plaintext true)");
	set_line("capath /etc/ssl/certs", 1);
	assert_int_equal(check(), 0);

	setup(NULL);
	set_line("insecure_plaintext true", 4);
	assert_int_equal(check(), 0);
	set_line("capath /etc/ssl/certs", 5);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:4: insecure_plaintext true cannot be combined with capath");

	base();
	set_line("certfile /c.pem", 2);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:2: certfile and keyfile must both be given");

	/* The same broker twice: once with the port key's port. */
	base();
	set_line("host a:8883,b,a", 2);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:2: host: a port 8883 is named twice");
	base();
	set_line("host a:8884,b,a", 2);
	assert_int_equal(check(), 0);
	base();
	set_line("keyfile /k.pem", 3);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:3: certfile and keyfile must both be given");
	set_line("certfile /c.pem", 4);
	assert_int_equal(check(), 0);

	base();
	set_line("password_file /pw", 6);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:6: password_file needs a username");
	set_line("username door", 7);
	assert_int_equal(check(), 0);

	base();
	set_line("close_words close Unlock", 9);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:9: 'Unlock' is both an open word and a close word");

	base();
	set_line("max_payload 64", 2);
	assert_int_equal(check(), 0);	/* unsigned commands are short */
	set_line("hmac_key_file /k", 3);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:2: max_payload 64 is too small for signed commands (they need 157)");
	assert_int_equal(config_parse_line(&cfg, "max_payload 157", CONFIG_CMDLINE, 1, err, sizeof(err)), 0);
	assert_int_equal(check(), 0);
	/* Named commands carry the opener's name too. */
	base();
	set_line("max_payload 157", 2);
	set_line("hmac_keys_dir /openers", 3);
	assert_int_equal(check(), -1);
	assert_string_equal(err, "b.conf:2: max_payload 157 is too small for signed commands (they need 190)");
}

static void test_where(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(config_where(&cfg, KEY_PORT, "x.conf", buf, sizeof(buf)), "x.conf");
	parse("port 1");
	assert_string_equal(config_where(&cfg, KEY_PORT, "x.conf", buf, sizeof(buf)), "t.conf:7");
	assert_string_equal(config_key_name(KEY_HMAC_KEY_FILE), "hmac_key_file");
}

/* PATH holds TEXT with MODE; loading it must fail with WANT (its start). */
static void file_refused(const char *path, const char *text, mode_t mode,
			 const char *want)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	setup(NULL);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)), -1);
	if (strncmp(err, want, strlen(want)))
		fail_msg("'%s', not '%s...'", err, want);
}

static void test_file(void **state)
{
	char dir[] = "/tmp/sesame-test-config.XXXXXX", path[64], want[256], cmd[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bridge.conf", dir);

	/* It decides which broker the door trusts: nobody else may change it. */
	snprintf(want, sizeof(want), "%s: others than its owner and root may change it "
		 "(mode 0666), and it decides which broker the door trusts: run chmod go-w %s",
		 path, path);
	file_refused(path, "host broker\n", 0666, want);
	snprintf(want, sizeof(want), "%s: others than its owner and root may change it (mode 0602)",
		 path);
	file_refused(path, "host broker\n", 0602, want);
	if (getegid() != 0) {
		/* Group write is fine only for group root. */
		snprintf(want, sizeof(want), "%s: others than its owner and root may change it",
			 path);
		file_refused(path, "host broker\n", 0664, want);
	}
	assert_int_equal(chmod(path, 0644), 0);
	setup(NULL);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)), 0);
	assert_string_equal(cfg.host, "broker");

	/* Secret files given by mistake: said so, and nothing of them shown. */
	snprintf(want, sizeof(want), "%s: this looks like a secret (a password, key or "
		 "certificate file), not a sesame-bridge configuration; nothing of it is shown",
		 path);
	file_refused(path, "hunter2-door\n", 0600, want);
	assert_null(strstr(err, "hunter2"));
	file_refused(path, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		     0600, want);
	file_refused(path, "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n"
		     "-----END PRIVATE KEY-----\n", 0600, want);
	assert_null(strstr(err, "MIGH"));
	/* A real mistake in a real file is still named. */
	snprintf(want, sizeof(want), "%s:2: unknown key", path);
	file_refused(path, "host broker\nbogus value\n", 0600, want);
	snprintf(want, sizeof(want), "%s:1: port: missing value", path);
	file_refused(path, "port\n", 0600, want);

	/* A FIFO is refused at once, not waited on. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	setup(NULL);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_default_names_are_safe, setup),
		cmocka_unit_test_setup(test_every_key, setup),
		cmocka_unit_test_setup(test_layout, setup),
		cmocka_unit_test_setup(test_line_errors, setup),
		cmocka_unit_test_setup(test_duplicate_in_file, setup),
		cmocka_unit_test_setup(test_value_errors, setup),
		cmocka_unit_test_setup(test_topic_errors, setup),
		cmocka_unit_test_setup(test_word_errors, setup),
		cmocka_unit_test_setup(test_rate_errors, setup),
		cmocka_unit_test_setup(test_check, setup),
		cmocka_unit_test_setup(test_hosts, setup),
		cmocka_unit_test_setup(test_host_errors, setup),
		cmocka_unit_test_setup(test_auto_and_never, setup),
		cmocka_unit_test_setup(test_where, setup),
		cmocka_unit_test_setup(test_file, setup),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
