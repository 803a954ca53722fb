/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mqtt.h - the bridge's MQTT session on libmosquitto.
 *
 * The session runs inside the bridge's own poll() loop: mqtt_fd() and
 * mqtt_poll_events() say what to wait for, mqtt_deadline_ms() until when,
 * and mqtt_service() does the work. It reconnects forever, with capped
 * exponential backoff and jitter, because libmosquitto 2.0.11's own loop
 * gives up on TLS, auth and protocol errors. Every connection uses a
 * clean session and a last will of "offline" on B/availability, and
 * subscribes in the connect callback (on MQTT 5 with retain handling
 * "send never" and "retain as published"); the bridge is told it is up,
 * and says "online", only once the broker has granted the subscription to
 * the command topic, so that a phone that sees "online" is heard.
 *
 * The host list names one broker or several (a cluster's nodes, or a
 * primary and a standby); a lost or failed connection moves on to the
 * next one, after the same backoff. mqtt_version auto tries MQTT 5 on
 * each broker and falls back to 3.1.1 at once when the broker refuses it
 * (CONNACK "unsupported protocol version") or closes the connection after
 * CONNECT without a CONNACK, as RabbitMQ 3.10 does; a broker that once
 * accepted a version keeps it until the bridge restarts.
 *
 * The default client id ends in a random suffix, new at every start, so
 * that nobody can guess it and take the session over; a session taken
 * over anyway (MQTT 5's reason 0x8E, or on 3.1.1 connections dropped as
 * soon as they are made) is said so in the log, and the backoff keeps
 * growing instead of fighting for the id.
 */
#ifndef SESAME_MQTT_H
#define SESAME_MQTT_H

#include <mosquitto.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "backoff.h"
#include "config.h"
#include "secret.h"
#include "topics.h"

struct mqtt_handlers {
	/* connected, subscribed: publish availability, state, discovery */
	void (*up)(void *ctx);
	/* the connection is gone; the next attempt is scheduled */
	void (*down)(void *ctx);
	void (*message)(void *ctx, const char *topic, const void *payload,
			int len, bool retain);
};

enum mqtt_phase {
	MQTT_WAITING,		/* for the next attempt */
	MQTT_CONNECTING,	/* TCP up, TLS and CONNACK under way */
	MQTT_UP,
};

struct mqtt {
	struct mosquitto *mosq;
	const struct config *cfg;
	const struct topics *topics;
	struct mqtt_handlers handlers;
	void *ctx;
	const sigset_t *run_mask;	/* signal mask while blocking */
	enum mqtt_phase phase;
	struct backoff backoff;
	int64_t retry_at_ms;
	int64_t connect_deadline_ms;
	/* libmosquitto's keepalive clock, mirrored: see mqtt_deadline_ms() */
	int64_t last_in_s;
	int64_t last_out_s;
	int64_t misc_at_ms;
	char client_id[CONFIG_NAME_MAX + 16];
	unsigned int broker;		/* index in cfg->broker: this attempt's */
	char where[CONFIG_NAME_MAX + 16];	/* "name:port" of that broker */
	int version;			/* MQTT_PROTOCOL_5 or _311, this attempt */
	unsigned char spoken[CONFIG_BROKERS_MAX];	/* version each accepted, or 0 */
	bool fallback;			/* 5 was refused: try 3.1.1 next */
	bool connect_sent;		/* TLS is done: CONNECT went out */
	bool connack;			/* this attempt got an answer */
	bool hung_up;			/* the attempt ended in a close, not a timeout */
	bool warned_311;
	int refused;			/* CONNACK reason of a refusal, or 0 */
	int disconnect_reason;		/* of the broker's DISCONNECT (MQTT 5), or 0 */
	int64_t up_since_ms;
	unsigned int quick_drops;	/* connections in a row that ended at once */
	int mid_set, mid_ha;		/* SUBSCRIBE message ids */
	char lib_error[256];		/* last error libmosquitto logged */
	char tls_reason[256];		/* why the last handshake failed */
	struct ssl_ctx_st *ssl_ctx;
	mosquitto_property *connect_props;
};

/*
 * Sets up the client: TLS, credentials, will, callbacks. Nothing is sent
 * until mqtt_service(). RUN_MASK is the signal mask to use while a TCP
 * connect blocks, so that SIGTERM interrupts it. Returns 0, or -1 with a
 * message in ERR (such as a TLS file that cannot be read).
 */
int mqtt_init(struct mqtt *m, const struct config *cfg, const struct secrets *sec,
	      const struct topics *topics, const struct mqtt_handlers *handlers,
	      void *ctx, const sigset_t *run_mask, char *err, size_t errlen);

/* The socket to poll, or -1. */
int mqtt_fd(struct mqtt *m);
short mqtt_poll_events(struct mqtt *m);

/* When mqtt_service() must run even if the socket stays quiet. */
int64_t mqtt_deadline_ms(struct mqtt *m, int64_t now_ms);

/* Reads, writes, keeps alive, connects; REVENTS are the socket's. */
void mqtt_service(struct mqtt *m, short revents, int64_t now_ms);

static inline bool mqtt_up(const struct mqtt *m)
{
	return m->phase == MQTT_UP;
}

/* Publishes if connected; returns 0, or -1 if it was dropped. */
int mqtt_publish(struct mqtt *m, const char *topic, const char *payload,
		 int qos, bool retain);

/* Publishes "offline", disconnects, and waits (briefly) until sent. */
void mqtt_shutdown(struct mqtt *m);

void mqtt_destroy(struct mqtt *m);

#endif
