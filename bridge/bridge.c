// SPDX-License-Identifier: GPL-2.0
/*
 * bridge.c - between MQTT and /dev/sesame (see bridge.h).
 *
 * A command runs to the device inside the message callback, so that the
 * time from the broker's publish to write() is one read, one judgement and
 * one write. State comes only from the device's status line, read when
 * poll() says it changed, so the automatic close reaches B/state too.
 * A signed command's nonce reaches the state file before the device is
 * written, so that no crash can let the same command act twice.
 */
#include "bridge.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "command.h"
#include "discovery.h"
#include "event.h"
#include "log.h"
#include "statefile.h"

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

/*
 * A device policy refuses the node (see device_denied()): exit, so that
 * the service manager restarts the bridge (Restart=on-failure), which
 * resolves the policy for the node as it is now.
 */
static void check_denied(struct bridge *b)
{
	if (!device_denied(b->dev))
		return;
	log_warnx("%s: a device policy denies opening it (systemd resolves DeviceAllow= "
		  "when the service starts); exiting so that the service is restarted",
		  b->dev->path);
	b->fatal = true;
}

void bridge_read_clock(const struct config *cfg, struct sign_clock *clk)
{
	static bool warned;
	int synced = cfg->require_clock_sync ? clock_synced() : 1;

	if (synced < 0 && !warned) {
		log_warnx("cannot ask the kernel whether the clock is synchronised (adjtimex: %s), "
			  "so signed commands are refused; does a sandbox deny it (ProtectClock=)?",
			  strerror(-synced));
		warned = true;
	}
	clk->wall_ms = clock_wall_ms();
	clk->mono_ms = clock_mono_ms();
	clk->synced = synced > 0;
}

void bridge_init(struct bridge *b, const struct config *cfg,
		 const struct topics *topics, struct device *dev,
		 struct mqtt *mqtt, struct signer *signer)
{
	int64_t now = clock_mono_ms();

	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->topics = topics;
	b->dev = dev;
	b->mqtt = mqtt;
	b->signer = signer;
	ratelimit_init(&b->opens, cfg->rate_count, cfg->rate_seconds * 1000, now);
	ratelimit_init(&b->reports, REPORT_BURST, REPORT_PERIOD_MS, now);
	b->discovery_at_ms = INT64_MIN / 2;
	b->state = DEV_STATE_UNKNOWN;
	check_denied(b);
}

/*
 * Availability and discovery are retained and published again on every
 * connect, so QoS 0, as for the state: libmosquitto 2.0.11 keeps a QoS 1
 * message the broker never acknowledged and sends it again after the next
 * CONNACK, clean session or not (seen in tests/faults/soak.py), after what
 * the connect callback published. An "offline" stuck in a dead connection
 * would then overwrite the "online" of the new one, for good.
 */
static void publish_availability(struct bridge *b)
{
	mqtt_publish(b->mqtt, b->topics->availability,
		     device_present(b->dev) ? "online" : "offline", 0, true);
}

static void publish_discovery(struct bridge *b)
{
	char json[DISCOVERY_JSON_MAX];

	if (!b->cfg->ha_discovery)
		return;
	if (discovery_format(json, sizeof(json), b->cfg, b->topics, SESAME_VERSION) < 0) {
		log_warnx("cannot format the Home Assistant discovery message");
		return;
	}
	if (mqtt_publish(b->mqtt, b->topics->ha_config, json, 0, true) == 0)
		b->discovery_at_ms = clock_mono_ms();
}

/*
 * The device went away. If it is back at once (a quick unbind and bind),
 * its state is read on the next turn of the main loop, not from here,
 * which may be inside a read of that same state.
 */
static void gone(struct bridge *b)
{
	if (device_lost(b->dev))
		b->fatal = true;
	check_denied(b);
	publish_availability(b);
	if (device_present(b->dev)) {
		b->state_published = false;
		b->reread = true;
	}
}

/* Reads the status line; publishes B/state when it changed. */
static void refresh_state(struct bridge *b)
{
	enum dev_state state;
	int rc;

	rc = device_read_status(b->dev, &state);
	if (rc == -ENODEV) {
		gone(b);
		return;
	}
	if (rc)
		return;
	if (b->state_published && state == b->state)
		return;
	log_debug("device state: %s", status_mqtt(state));
	b->state = state;
	/*
	 * QoS 0: a QoS 1 PUBACK from the broker would be the small unacked
	 * segment behind which Nagle's algorithm on a broker without
	 * set_tcp_nodelay holds the next command for a delayed ACK (up to
	 * 40 ms). The state is published again on every connect anyway.
	 */
	if (mqtt_publish(b->mqtt, b->topics->state, status_mqtt(state), 0, true) == 0)
		b->state_published = true;
}

/*
 * Availability and state, retained, once more: for a subscriber the broker
 * will not tell (RabbitMQ 3.10 keeps retained messages on the node that
 * took them, and a phone on another node of the cluster sees nothing),
 * and for one that lost them (a broker restarted without persistence).
 */
static void republish(struct bridge *b)
{
	b->state_published = false;
	publish_availability(b);
	if (device_present(b->dev))
		refresh_state(b);
	if (b->cfg->republish_interval)
		b->republish_at_ms = clock_mono_ms() +
				     (int64_t)b->cfg->republish_interval * 1000;
}

/* Subscribed: commands can be heard from now on. */
void bridge_up(void *ctx)
{
	struct bridge *b = ctx;

	republish(b);
	publish_discovery(b);
}

void bridge_down(void *ctx)
{
	struct bridge *b = ctx;

	b->state_published = false;
	b->republish_at_ms = 0;
}

/* The audit trail: every command message gets an event and a log line,
 * except rejections beyond the report rate, which are counted. */
static void report(struct bridge *b, const struct verdict *v)
{
	char json[EVENT_JSON_MAX];
	const char *cmd = command_name(v->cmd);

	if (v->reason != REASON_NONE && !ratelimit_take(&b->reports, clock_mono_ms())) {
		b->suppressed++;
		return;
	}
	if (v->reason == REASON_NONE)
		log_info("command %s accepted%s%s%s", cmd,
			 !v->is_signed ? "" : v->opener[0] ? " (signed by " : " (signed",
			 v->opener, v->is_signed ? ")" : "");
	else
		log_warnx("command%s%s%s%s rejected: %s: %s", cmd ? " " : "", cmd ? cmd : "",
			  v->opener[0] ? " from " : "", v->opener,
			  reason_name(v->reason), v->detail);
	if (b->suppressed)
		log_warnx("%lu more rejected commands were not reported", b->suppressed);
	if (event_format(json, sizeof(json), v, clock_wall_s(), b->suppressed) < 0) {
		log_warnx("cannot format an event");
		return;
	}
	if (mqtt_publish(b->mqtt, b->topics->event, json, 0, false) == 0)
		b->suppressed = 0;
}

static void act(struct bridge *b, struct verdict *v)
{
	int64_t now = clock_mono_ms();
	int rc;

	if (!device_present(b->dev)) {
		v->reason = REASON_DEVICE_ERROR;
		snprintf(v->detail, sizeof(v->detail), "%.64s is not there", b->cfg->device);
		return;
	}
	/* Opens are limited; closing is always safe. */
	if (v->cmd == CMD_OPEN && !ratelimit_take(&b->opens, now)) {
		v->reason = REASON_RATE_LIMITED;
		snprintf(v->detail, sizeof(v->detail),
			 "more than %u opens in %u s; next one possible in %lld s",
			 b->cfg->rate_count, b->cfg->rate_seconds,
			 (long long)(ratelimit_wait_ms(&b->opens, now) + 999) / 1000);
		return;
	}
	rc = device_command(b->dev, v->cmd);
	if (rc) {
		v->reason = REASON_DEVICE_ERROR;
		snprintf(v->detail, sizeof(v->detail), "writing to %.64s failed: %.40s",
			 b->cfg->device, strerror(-rc));
		if (rc == -ENODEV)
			gone(b);
	}
}

/*
 * The replay memory reaches the disk before the door moves. Not while a
 * fresh start waits for the clock: its floor is not final, and nothing is
 * accepted until it is.
 */
static void save_replay(struct bridge *b, struct verdict *v)
{
	char why[CONFIG_PATH_MAX + 128];

	if (!b->signer || !b->signer->dirty || b->signer->floor_at_sync)
		return;
	if (!statefile_save(b->cfg->state_file, &b->signer->replay, why, sizeof(why))) {
		b->signer->dirty = false;
		return;
	}
	log_warnx("%s", why);
	if (v->reason == REASON_NONE) {
		v->reason = REASON_STATE_ERROR;
		snprintf(v->detail, sizeof(v->detail),
			 "the replay state could not be saved, so the command does not act");
	}
}

void bridge_message(void *ctx, const char *topic, const void *payload,
		    int len, bool retain)
{
	struct bridge *b = ctx;
	struct sign_clock clk = { 0 };
	struct verdict v;

	if (len < 0)
		return;
	if (!strcmp(topic, b->topics->ha_status)) {
		/* Home Assistant restarted: it needs the discovery message again. */
		if (len == 6 && !memcmp(payload, "online", 6) && !retain &&
		    clock_mono_ms() - b->discovery_at_ms >= DISCOVERY_MIN_GAP_MS) {
			publish_discovery(b);
			republish(b);
		}
		return;
	}
	if (strcmp(topic, b->topics->set))
		return;
	if (b->signer)
		bridge_read_clock(b->cfg, &clk);
	command_judge(b->cfg, b->signer, topic, payload, (size_t)len, retain, &clk, &v);
	save_replay(b, &v);
	if (v.reason == REASON_NONE)
		act(b, &v);
	report(b, &v);
}

void bridge_device_ready(struct bridge *b, short revents)
{
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		gone(b);
		return;
	}
	if (revents & POLLIN)
		refresh_state(b);
}

int64_t bridge_deadline_ms(const struct bridge *b)
{
	if (!b->cfg->republish_interval || !b->republish_at_ms || !mqtt_up(b->mqtt))
		return INT64_MAX;
	return b->republish_at_ms;
}

void bridge_housekeeping(struct bridge *b)
{
	if (b->reread) {
		b->reread = false;
		refresh_state(b);
	}
	if (mqtt_up(b->mqtt) && b->republish_at_ms &&
	    clock_mono_ms() >= bridge_deadline_ms(b))
		republish(b);
}

void bridge_device_watch(struct bridge *b)
{
	if (!device_inotify(b->dev))
		return;
	if (!device_open(b->dev)) {
		check_denied(b);
		return;
	}
	publish_availability(b);
	b->state_published = false;
	refresh_state(b);
}
