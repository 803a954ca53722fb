// SPDX-License-Identifier: GPL-2.0
/*
 * mqtt.c - the MQTT session on libmosquitto (see mqtt.h).
 */
#define _GNU_SOURCE
#include "mqtt.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "clock.h"
#include "log.h"
#include "tls.h"

#define BACKOFF_MIN_MS		1000
#define CONNECT_TIMEOUT_S	10	/* per address, for the blocking TCP connect */
#define HANDSHAKE_TIMEOUT_MS	20000	/* TLS handshake and CONNACK */
#define SHUTDOWN_FLUSH_MS	2000
/* A connection that lasts this long resets the backoff; shorter ones in a
 * row look like another client taking the session over. */
#define STABLE_MS		10000
#define QUICK_DROPS_SUSPECT	3
/* Room for the topic, packet id and properties of a command PUBLISH. */
#define PACKET_OVERHEAD		512

static int64_t mono_s(void)
{
	return clock_mono_ms() / 1000;
}

static const char *refusal(const struct mqtt *m, int rc)
{
	return m->version == MQTT_PROTOCOL_5 ?
	       mosquitto_reason_string(rc) : mosquitto_connack_string(rc);
}

static const char *version_name(int version)
{
	return version == MQTT_PROTOCOL_5 ? "5" : "3.1.1";
}

/* A broker, as the log names it: "name:port", "[v6]:port". */
static void broker_name(const struct config *cfg, unsigned int i, char *buf, size_t size)
{
	const char *name = cfg->broker[i].name;

	snprintf(buf, size, strchr(name, ':') ? "[%s]:%u" : "%s:%u", name,
		 config_broker_port(cfg, i));
}

/*
 * The broker let TLS finish (or there is none) and then closed without
 * answering CONNECT: what RabbitMQ 3.10 does to MQTT 5, and what brokers
 * do to a login or certificate they refuse without saying so.
 */
static bool closed_unanswered(const struct mqtt *m)
{
	return m->phase == MQTT_CONNECTING && m->connect_sent && !m->connack &&
	       !m->disconnect_reason && m->hung_up;
}

/* A broker that does not speak MQTT 5, in either of its ways of saying so. */
static bool refuses_v5(const struct mqtt *m)
{
	return m->version == MQTT_PROTOCOL_5 &&
	       (m->refused == MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION ||
		m->refused == CONNACK_REFUSED_PROTOCOL_VERSION || closed_unanswered(m));
}

/* Why a connection failed, in words. */
static void describe(struct mqtt *m, int rc, int err, char *buf, size_t size)
{
	int n;

	if (m->disconnect_reason == MQTT_RC_SESSION_TAKEN_OVER)
		snprintf(buf, size, "the broker says another client took over the session "
			 "of client id %s (docs/broker.md: tie client ids to users)", m->client_id);
	else if (m->disconnect_reason)
		snprintf(buf, size, "the broker disconnected it: %s",
			 mosquitto_reason_string(m->disconnect_reason));
	else if (m->refused)
		snprintf(buf, size, "the broker refused it: %s", refusal(m, m->refused));
	else if (closed_unanswered(m))
		snprintf(buf, size, "the broker closed the connection after CONNECT without "
			 "answering%s%s: it may not speak MQTT %s (mqtt_version), or it "
			 "refuses the login or the client certificate (its log says which)",
			 m->tls_reason[0] ? "; " : "", m->tls_reason, version_name(m->version));
	else if (m->tls_reason[0])
		snprintf(buf, size, "%s", m->tls_reason);
	else {
		if (rc == MOSQ_ERR_ERRNO)
			n = snprintf(buf, size, "%s", strerror(err));
		else
			n = snprintf(buf, size, "%s", mosquitto_strerror(rc));
		if (m->lib_error[0] && n > 0 && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n, " (%s)", m->lib_error);
	}
}

static void schedule_retry(struct mqtt *m, int64_t now_ms)
{
	m->phase = MQTT_WAITING;
	m->retry_at_ms = now_ms + backoff_next(&m->backoff, arc4random());
}

/*
 * A connection ended: a lasting one resets the backoff. One taken over,
 * or a run of them dropped at once, leaves it growing: two clients that
 * share an id would otherwise throw each other out every second.
 */
static void judge_connection(struct mqtt *m, int64_t now_ms)
{
	bool taken = m->disconnect_reason == MQTT_RC_SESSION_TAKEN_OVER;

	if (!taken && now_ms - m->up_since_ms >= STABLE_MS) {
		backoff_reset(&m->backoff);
		m->quick_drops = 0;
		return;
	}
	if (++m->quick_drops == QUICK_DROPS_SUSPECT && !taken)
		log_warnx("the broker ended %u connections in a row as soon as they were made: "
			  "another client may be using client id %s; backing off",
			  m->quick_drops, m->client_id);
}

/*
 * With mqtt_version auto, a broker that will not speak MQTT 5 is asked
 * again at once in 3.1.1. Returns whether that is the plan.
 */
static bool fall_back(struct mqtt *m, int64_t now_ms)
{
	if (m->cfg->mqtt_version != MQTT_PROTOCOL_AUTO || !refuses_v5(m))
		return false;
	log_notice("%s does not take MQTT 5 (%s); trying MQTT 3.1.1", m->where,
		   m->refused ? refusal(m, m->refused) : "it closed the connection unanswered");
	m->fallback = true;
	m->phase = MQTT_WAITING;
	m->retry_at_ms = now_ms;
	return true;
}

/* The connection failed or broke: log why, and plan the next attempt. */
static void lost(struct mqtt *m, int rc, int err, int64_t now_ms)
{
	bool was_up = m->phase == MQTT_UP;
	char why[512], next[sizeof(m->where)];

	/* Closed, rather than silent until the deadline. */
	m->hung_up = !(rc == MOSQ_ERR_ERRNO && err == ETIMEDOUT);
	if (fall_back(m, now_ms))
		return;
	describe(m, rc, err, why, sizeof(why));
	if (was_up)
		judge_connection(m, now_ms);
	schedule_retry(m, now_ms);
	/* The next broker of the list; a refused 3.1.1 starts again at 5. */
	m->fallback = false;
	m->broker = (m->broker + 1) % m->cfg->brokers;
	broker_name(m->cfg, m->broker, next, sizeof(next));
	if (was_up)
		log_warnx("lost the connection to %s: %s; reconnecting to %s in %.1f s",
			  m->where, why, next, (double)(m->retry_at_ms - now_ms) / 1000);
	else
		log_warnx("cannot connect to %s: %s; next attempt, to %s, in %.1f s",
			  m->where, why, next, (double)(m->retry_at_ms - now_ms) / 1000);
	if (was_up && m->handlers.down)
		m->handlers.down(m->ctx);
}

/* The socket hung up or failed: why, from its pending error. */
static void lost_socket(struct mqtt *m, int64_t now_ms)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(mosquitto_socket(m->mosq), SOL_SOCKET, SO_ERROR, &err, &len) || !err)
		lost(m, MOSQ_ERR_CONN_LOST, 0, now_ms);
	else
		lost(m, MOSQ_ERR_ERRNO, err, now_ms);
}

/* Returns the message id, to match the SUBACK, or -1. */
static int subscribe(struct mqtt *m, const char *topic)
{
	/* Retained commands are never wanted; "retain as published" lets the
	 * bridge see, and refuse, a command its sender marked retained. */
	int opts = MQTT_SUB_OPT_SEND_RETAIN_NEVER | MQTT_SUB_OPT_RETAIN_AS_PUBLISHED;
	int rc, mid = -1;

	if (m->version == MQTT_PROTOCOL_5)
		rc = mosquitto_subscribe_v5(m->mosq, &mid, topic, 1, opts, NULL);
	else
		rc = mosquitto_subscribe(m->mosq, &mid, topic, 1);
	if (rc) {
		log_warnx("cannot subscribe to %s: %s", topic, mosquitto_strerror(rc));
		return -1;
	}
	return mid;
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags,
		       const mosquitto_property *props)
{
	struct mqtt *m = obj;

	(void)mosq;
	(void)flags;
	(void)props;
	m->connack = true;
	if (rc) {
		/* loop_read() returns an error next; lost() reports this. */
		m->refused = rc;
		return;
	}
	m->phase = MQTT_UP;
	m->refused = 0;
	m->up_since_ms = clock_mono_ms();
	m->spoken[m->broker] = (unsigned char)m->version;
	m->fallback = false;
	log_info("connected to %s as %s (MQTT %s)", m->where, m->client_id,
		 version_name(m->version));
	if (m->version == MQTT_PROTOCOL_311 && !m->warned_311) {
		m->warned_311 = true;
		log_warnx("MQTT 3.1.1 with %s: a command its sender marked retained is only "
			  "recognised when the broker replays it, and signed commands are the "
			  "only defence against one it delivers live; prefer a broker with "
			  "MQTT 5", m->where);
	}
	/* Here, not once at start: a clean session forgets subscriptions. */
	m->mid_set = subscribe(m, m->topics->set);
	m->mid_ha = m->cfg->ha_discovery ? subscribe(m, m->topics->ha_status) : -1;
}

/*
 * Called for the broker's DISCONNECT (MQTT 5) with its reason code, and
 * for a connection lost otherwise with a MOSQ_ERR_* code. Only reason
 * codes from 0x80 up are the broker's errors; the first one counts.
 */
static void on_disconnect(struct mosquitto *mosq, void *obj, int rc,
			  const mosquitto_property *props)
{
	struct mqtt *m = obj;

	(void)mosq;
	(void)props;
	if (m->phase == MQTT_UP && rc >= 0x80 && !m->disconnect_reason)
		m->disconnect_reason = rc;
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count,
			 const int *granted, const mosquitto_property *props)
{
	struct mqtt *m = obj;
	int i;

	(void)mosq;
	(void)props;
	/* One topic per SUBSCRIBE. */
	for (i = 0; i < count; i++)
		if (granted[i] >= 0x80) {
			log_warnx("the broker refused the subscription to %s (%s): check its ACL",
				  mid == m->mid_set ? m->topics->set :
				  mid == m->mid_ha ? m->topics->ha_status : "?",
				  refusal(m, granted[i]));
			return;
		}
	/* Only now can a command be heard: say "online". */
	if (mid == m->mid_set && m->phase == MQTT_UP && m->handlers.up)
		m->handlers.up(m->ctx);
}

static void on_message(struct mosquitto *mosq, void *obj,
		       const struct mosquitto_message *msg,
		       const mosquitto_property *props)
{
	struct mqtt *m = obj;

	(void)mosq;
	(void)props;
	if (m->handlers.message)
		m->handlers.message(m->ctx, msg->topic, msg->payload,
				    msg->payloadlen, msg->retain);
}

static void on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
	struct mqtt *m = obj;

	(void)mosq;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		snprintf(m->lib_error, sizeof(m->lib_error), "%s", str);
	if (log_get_level() >= LOG_LEVEL_DEBUG)
		log_debug("libmosquitto: %s", str);
}

static volatile sig_atomic_t connect_timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	connect_timed_out = 1;	/* and connect() returns EINTR */
}

static void alarm_in(unsigned int seconds)
{
	struct itimerval it = {
		.it_interval = { .tv_sec = seconds },
		.it_value = { .tv_sec = seconds },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

int mqtt_init(struct mqtt *m, const struct config *cfg, const struct secrets *sec,
	      const struct topics *topics, const struct mqtt_handlers *handlers,
	      void *ctx, const sigset_t *run_mask, char *err, size_t errlen)
{
	struct sigaction sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;	/* no SA_RESTART: connect() must stop */
	sigaction(SIGALRM, &sa, NULL);

	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->topics = topics;
	m->handlers = *handlers;
	m->ctx = ctx;
	m->run_mask = run_mask;
	m->phase = MQTT_WAITING;
	m->retry_at_ms = 0;	/* the first attempt comes at once */
	backoff_init(&m->backoff, BACKOFF_MIN_MS, cfg->reconnect_max * 1000);

	/* Not guessable, so not to be taken over; new at every start, which
	 * loses nothing, since every session is clean anyway. */
	if (cfg->origin[KEY_CLIENT_ID].file)
		snprintf(m->client_id, sizeof(m->client_id), "%s", cfg->client_id);
	else
		snprintf(m->client_id, sizeof(m->client_id), "%s-%08x", cfg->client_id,
			 arc4random());
	/* A clean session: no command queued while away fires late. */
	m->mosq = mosquitto_new(m->client_id, true, m);
	if (!m->mosq) {
		snprintf(err, errlen, "cannot create the MQTT client: %s", strerror(errno));
		return -1;
	}
	mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_v5_callback_set(m->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(m->mosq, on_disconnect);
	mosquitto_subscribe_v5_callback_set(m->mosq, on_subscribe);
	mosquitto_message_v5_callback_set(m->mosq, on_message);
	mosquitto_log_callback_set(m->mosq, on_log);

	if (!cfg->insecure_plaintext) {
		m->ssl_ctx = tls_context(cfg, sec, m->tls_reason, err, errlen);
		if (!m->ssl_ctx)
			return -1;
		/* Without libmosquitto's defaults: the context is complete. */
		mosquitto_void_option(m->mosq, MOSQ_OPT_SSL_CTX, m->ssl_ctx);
		mosquitto_int_option(m->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
	}
	if (cfg->username[0]) {
		rc = mosquitto_username_pw_set(m->mosq, cfg->username,
					       sec->password[0] ? sec->password : NULL);
		if (rc) {
			snprintf(err, errlen, "username: %s", mosquitto_strerror(rc));
			return -1;
		}
	}
	rc = mosquitto_will_set(m->mosq, topics->availability, 7, "offline", 1, true);
	if (rc) {
		snprintf(err, errlen, "last will on %s: %s", topics->availability,
			 mosquitto_strerror(rc));
		return -1;
	}
	/* MQTT 5 lets the broker drop oversized messages before they reach
	 * libmosquitto, which would otherwise allocate whatever arrives. */
	if (cfg->mqtt_version != MQTT_PROTOCOL_311) {
		rc = mosquitto_property_add_int32(&m->connect_props,
						  MQTT_PROP_MAXIMUM_PACKET_SIZE,
						  cfg->max_payload + PACKET_OVERHEAD +
						  (uint32_t)strlen(topics->set));
		if (rc) {
			snprintf(err, errlen, "CONNECT properties: %s", mosquitto_strerror(rc));
			return -1;
		}
	}
	return 0;
}

/* This attempt's protocol: the one asked for, or the broker's own. */
static int choose_version(const struct mqtt *m)
{
	if (m->cfg->mqtt_version != MQTT_PROTOCOL_AUTO)
		return (int)m->cfg->mqtt_version;
	if (m->spoken[m->broker])
		return m->spoken[m->broker];
	return m->fallback ? MQTT_PROTOCOL_311 : MQTT_PROTOCOL_5;
}

static void attempt(struct mqtt *m, int64_t now_ms)
{
	const struct config_broker *b = &m->cfg->broker[m->broker];
	char err_text[256];
	sigset_t blocked;
	int rc, err;

	m->refused = 0;
	m->disconnect_reason = 0;
	m->connack = false;
	m->connect_sent = false;
	m->lib_error[0] = '\0';
	m->tls_reason[0] = '\0';
	m->version = choose_version(m);
	broker_name(m->cfg, m->broker, m->where, sizeof(m->where));
	mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
			     m->version == MQTT_PROTOCOL_5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
	/* The certificate must name this broker, not another of the list. */
	if (m->ssl_ctx && tls_expect_host(m->ssl_ctx, b->name, err_text, sizeof(err_text))) {
		snprintf(m->tls_reason, sizeof(m->tls_reason), "%s", err_text);
		lost(m, MOSQ_ERR_TLS, 0, now_ms);
		return;
	}
	log_debug("connecting to %s (MQTT %s)", m->where, version_name(m->version));
	/*
	 * libmosquitto's connect with CONNECT properties resolves the name and
	 * connects TCP in blocking calls (TLS and MQTT then go on in the
	 * loop). A repeating SIGALRM bounds each address, and SIGTERM is let
	 * through, so that neither a dead route nor a stop waits for the
	 * kernel's SYN timeout of two minutes.
	 */
	connect_timed_out = 0;
	sigprocmask(SIG_SETMASK, m->run_mask, &blocked);
	alarm_in(CONNECT_TIMEOUT_S);
	rc = mosquitto_connect_bind_v5(m->mosq, b->name,
				       (int)config_broker_port(m->cfg, m->broker),
				       (int)m->cfg->keepalive, NULL,
				       m->version == MQTT_PROTOCOL_5 ? m->connect_props : NULL);
	err = errno;
	alarm_in(0);
	sigprocmask(SIG_SETMASK, &blocked, NULL);
	if (rc == MOSQ_ERR_ERRNO && err == EINTR && connect_timed_out)
		err = ETIMEDOUT;
	if (rc) {
		lost(m, rc, err, clock_mono_ms());
		return;
	}
	m->phase = MQTT_CONNECTING;
	/* Without TLS, the CONNECT went out with the connection. */
	m->connect_sent = !m->ssl_ctx;
	m->connect_deadline_ms = now_ms + HANDSHAKE_TIMEOUT_MS;
	m->last_in_s = m->last_out_s = mono_s();
}

int mqtt_fd(struct mqtt *m)
{
	return m->phase == MQTT_WAITING ? -1 : mosquitto_socket(m->mosq);
}

/* The TLS handshake runs in mosquitto_loop_read(), whichever way it waits. */
static bool handshaking(struct mqtt *m)
{
	SSL *ssl = mosquitto_ssl_get(m->mosq);

	return ssl && !SSL_is_init_finished(ssl);
}

short mqtt_poll_events(struct mqtt *m)
{
	SSL *ssl = mosquitto_ssl_get(m->mosq);

	/* The queued CONNECT makes libmosquitto "want to write" all through
	 * the handshake: waiting for POLLOUT then would spin. */
	if (handshaking(m))
		return SSL_want_write(ssl) ? POLLOUT : POLLIN;
	return POLLIN | (mosquitto_want_write(m->mosq) ? POLLOUT : 0);
}

/*
 * libmosquitto pings when, in whole seconds of CLOCK_MONOTONIC, keepalive
 * has passed since the last packet out or in; it cannot tell when that
 * will be, so the bridge keeps the same two times and wakes only then:
 * one wakeup per keepalive while idle, not one per second.
 */
int64_t mqtt_deadline_ms(struct mqtt *m, int64_t now_ms)
{
	int64_t last, due;

	switch (m->phase) {
	case MQTT_WAITING:
		return m->retry_at_ms;
	case MQTT_CONNECTING:
		return m->connect_deadline_ms;
	case MQTT_UP:
		break;
	}
	last = m->last_in_s < m->last_out_s ? m->last_in_s : m->last_out_s;
	due = (last + m->cfg->keepalive) * 1000 + 1;
	/* Never spin if the mirror and the library disagree. */
	if (due < m->misc_at_ms + 1000)
		due = m->misc_at_ms + 1000;
	return due > now_ms ? due : now_ms;
}

static bool drain_tls(struct mqtt *m)
{
	SSL *ssl = mosquitto_ssl_get(m->mosq);

	/* Records OpenSSL has read but not handed out yet: poll() cannot see
	 * them (libmosquitto issue #1507). */
	return ssl && SSL_has_pending(ssl);
}

/* Once TLS is done, the queued CONNECT is on its way to the broker. */
static void note_handshake(struct mqtt *m)
{
	if (m->phase == MQTT_CONNECTING && !m->connect_sent && mosquitto_ssl_get(m->mosq) &&
	    !handshaking(m))
		m->connect_sent = true;
}

void mqtt_service(struct mqtt *m, short revents, int64_t now_ms)
{
	int rc, rounds;

	if (m->phase == MQTT_WAITING) {
		if (now_ms >= m->retry_at_ms)
			attempt(m, now_ms);
		return;
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) ||
	    ((revents & POLLOUT) && handshaking(m))) {
		rounds = 0;
		do {
			note_handshake(m);
			errno = 0;
			rc = mosquitto_loop_read(m->mosq, 1);
			if (rc) {
				lost(m, rc, errno, now_ms);
				return;
			}
		} while (m->phase != MQTT_WAITING && drain_tls(m) && ++rounds < 64);
		m->last_in_s = mono_s();
		/* The broker's DISCONNECT closes the socket, and libmosquitto
		 * 2.0.11 reports success: without this, the bridge would sit
		 * unconnected until the next keepalive. */
		if (m->phase == MQTT_UP && mosquitto_socket(m->mosq) < 0) {
			lost(m, MOSQ_ERR_CONN_LOST, 0, now_ms);
			return;
		}
	}
	/*
	 * A dead socket in the middle of the TLS handshake: libmosquitto
	 * 2.0.11 takes a write that failed there (SSL_ERROR_SYSCALL, the
	 * broker's reset) for "try again", and poll() then reports the hang-up
	 * at once, again and again: a busy loop until the handshake deadline.
	 * The read above has taken whatever the broker said before it went.
	 */
	if ((revents & (POLLHUP | POLLERR)) && m->phase == MQTT_CONNECTING &&
	    handshaking(m)) {
		lost_socket(m, now_ms);
		return;
	}
	note_handshake(m);
	if (mosquitto_want_write(m->mosq) && !handshaking(m)) {
		errno = 0;
		rc = mosquitto_loop_write(m->mosq, 1);
		if (rc) {
			lost(m, rc, errno, now_ms);
			return;
		}
		m->last_out_s = mono_s();
	}
	if (m->phase == MQTT_CONNECTING && now_ms >= m->connect_deadline_ms) {
		lost(m, MOSQ_ERR_ERRNO, ETIMEDOUT, now_ms);
		return;
	}
	if (m->phase == MQTT_UP && now_ms >= mqtt_deadline_ms(m, now_ms)) {
		m->misc_at_ms = now_ms;
		rc = mosquitto_loop_misc(m->mosq);
		if (rc || mosquitto_socket(m->mosq) < 0) {
			lost(m, rc ? rc : MOSQ_ERR_KEEPALIVE, 0, now_ms);
			return;
		}
		/* It pinged, and reset both clocks. */
		m->last_in_s = m->last_out_s = mono_s();
	}
}

int mqtt_publish(struct mqtt *m, const char *topic, const char *payload,
		 int qos, bool retain)
{
	int rc;

	if (m->phase != MQTT_UP)
		return -1;
	rc = mosquitto_publish(m->mosq, NULL, topic, (int)strlen(payload), payload,
			       qos, retain);
	if (rc) {
		log_warnx("cannot publish to %s: %s", topic, mosquitto_strerror(rc));
		return -1;
	}
	m->last_out_s = mono_s();
	return 0;
}

void mqtt_shutdown(struct mqtt *m)
{
	int64_t until = clock_mono_ms() + SHUTDOWN_FLUSH_MS;
	struct pollfd pfd;

	if (m->phase != MQTT_UP)
		return;
	mqtt_publish(m, m->topics->availability, "offline", 1, true);
	mosquitto_disconnect(m->mosq);
	/* The publish and DISCONNECT usually went out at once; if the socket
	 * was full, give them a moment. */
	while (mosquitto_want_write(m->mosq) && clock_mono_ms() < until) {
		pfd.fd = mosquitto_socket(m->mosq);
		pfd.events = POLLOUT;
		if (pfd.fd < 0 || poll(&pfd, 1, 100) < 0)
			break;
		if (mosquitto_loop_write(m->mosq, 1))
			break;
	}
	m->phase = MQTT_WAITING;
}

void mqtt_destroy(struct mqtt *m)
{
	mosquitto_property_free_all(&m->connect_props);
	if (m->mosq)
		mosquitto_destroy(m->mosq);
	m->mosq = NULL;
	SSL_CTX_free(m->ssl_ctx);
	m->ssl_ctx = NULL;
}
