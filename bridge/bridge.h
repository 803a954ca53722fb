/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bridge.h - what the bridge does with messages and device changes: act on
 * accepted commands, publish state, availability, events and discovery.
 */
#ifndef SESAME_BRIDGE_H
#define SESAME_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "device.h"
#include "mqtt.h"
#include "ratelimit.h"
#include "sign.h"
#include "status.h"
#include "topics.h"

/* Rejections reported (event and log) at most this often; the rest are
 * counted, so that a flood of junk costs neither memory nor log space. */
#define REPORT_BURST		20
#define REPORT_PERIOD_MS	1000
#define DISCOVERY_MIN_GAP_MS	1000

struct bridge {
	const struct config *cfg;
	const struct topics *topics;
	struct device *dev;
	struct mqtt *mqtt;
	struct signer *signer;		/* NULL: commands are not signed */
	struct ratelimit opens;
	struct ratelimit reports;
	unsigned long suppressed;	/* rejections not reported yet */
	int64_t discovery_at_ms;
	int64_t republish_at_ms;	/* state and availability again */
	bool state_published;		/* since the last connect */
	enum dev_state state;		/* last read from the device */
	bool reread;			/* the device came back: read its state */
	bool fatal;			/* the device cannot be watched */
};

/*
 * The time as signed commands are judged by it: wall and monotonic clocks,
 * and whether the wall clock is synchronised (always, if the configuration
 * says require_clock_sync false).
 */
void bridge_read_clock(const struct config *cfg, struct sign_clock *clk);

void bridge_init(struct bridge *b, const struct config *cfg,
		 const struct topics *topics, struct device *dev,
		 struct mqtt *mqtt, struct signer *signer);

/* mqtt_handlers */
void bridge_up(void *ctx);
void bridge_down(void *ctx);
void bridge_message(void *ctx, const char *topic, const void *payload,
		    int len, bool retain);

/* When bridge_housekeeping() must run next (INT64_MAX: no need). */
int64_t bridge_deadline_ms(const struct bridge *b);

/* The device's fd reported REVENTS. */
void bridge_device_ready(struct bridge *b, short revents);

/* The device's directory changed (inotify). */
void bridge_device_watch(struct bridge *b);

/* Work left for after the events of one turn of the main loop. */
void bridge_housekeeping(struct bridge *b);

#endif
