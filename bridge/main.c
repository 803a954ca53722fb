// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - sesame-bridge: open the door from an authenticated, encrypted
 * MQTT command.
 *
 *   sesame-bridge [-c FILE] [-n|--check] [-o 'KEY VALUE']... [-v] [--version]
 *
 * Startup in the manner of OpenBSD's ntpd: parse and check everything
 * first (-n stops there with "configuration OK"), then run in the
 * foreground, logging to stderr (the journal, under systemd). Signal
 * handlers only set flags; one ppoll() loop waits on the MQTT socket, the
 * device and its directory watch, with the signals unblocked only inside
 * ppoll(), so that none is lost between a check and the wait.
 *
 * The process holds the broker password, the TLS key and the HMAC key: it
 * makes itself non-dumpable first, so that no core file and no ptrace by
 * the same user can read them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <mosquitto.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bridge.h"
#include "clock.h"
#include "conffile.h"
#include "config.h"
#include "device.h"
#include "keyring.h"
#include "log.h"
#include "mqtt.h"
#include "notify.h"
#include "secret.h"
#include "sign.h"
#include "statefile.h"
#include "topics.h"

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

#define MAX_OVERRIDES 64

static volatile sig_atomic_t quit_signal;

static void on_quit(int sig)
{
	quit_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sesame-bridge [-c FILE] [-n|--check] [-o 'KEY VALUE']... [-v] [--version]\n"
		"  -c FILE        configuration file (default " CONFIG_DEFAULT_FILE ")\n"
		"  -n, --check    check the configuration, print \"configuration OK\", exit\n"
		"  -o 'KEY VALUE' override one configuration line\n"
		"  -v             log debug messages (log_level debug)\n"
		"  --version      print the version\n");
}

/*
 * Handlers without SA_RESTART: they must interrupt ppoll() and connect().
 * SIGALRM belongs to mqtt.c (its connect timeout) but is blocked here too.
 */
static void setup_signals(sigset_t *run_mask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A broken connection must be an error from write(), not a death. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, run_mask);
}

struct runtime {
	struct config cfg;
	struct secrets sec;
	struct topics topics;
	struct signer signer;
	struct keyring keyring;		/* hmac_keys_dir */
	bool signing;			/* hmac_key_file or hmac_keys_dir */
	struct device dev;
	struct mqtt mqtt;
	struct bridge bridge;
};

/*
 * Signed commands: the replay memory from the state file, or without one
 * (a first start, a lost or corrupt file) a floor at the start, so that
 * nothing signed before it can act. The file is locked for this process,
 * unless only checking.
 */
static void load_replay(struct runtime *rt, bool check)
{
	const char *path = rt->cfg.state_file;
	struct sign_clock now;
	static struct replay saved;
	char why[2 * CONFIG_PATH_MAX + 128];
	int rc;

	signer_init(&rt->signer, rt->sec.hmac_key_len ? rt->sec.hmac_key : NULL,
		    rt->sec.hmac_key_len, rt->cfg.signature_window);
	if (rt->keyring.dirfd >= 0)
		signer_set_lookup(&rt->signer, keyring_lookup, &rt->keyring);
	if (!check && statefile_lock(path, why, sizeof(why)) < 0)
		fatalx("state_file: %s", why);
	rc = statefile_load(path, rt->cfg.signature_window, &saved, why, sizeof(why));
	if (rc == STATEFILE_NO_DIR && check) {
		log_notice("state_file: %s; it must exist when the bridge runs", why);
		return;
	}
	if (rc < 0 || rc == STATEFILE_NO_DIR)
		fatalx("state_file: %s", why);
	if (rc == STATEFILE_LOADED) {
		signer_restore(&rt->signer, &saved);
		log_info("replay state %s: floor %lld (%s), %u nonces", path,
			 (long long)saved.floor, replay_origin_name(saved.origin), saved.used);
		return;
	}
	if (rc == STATEFILE_CORRUPT)
		log_warnx("%s; starting afresh: commands signed before now are refused", why);
	else if (!check)
		log_notice("%s: no replay state yet: commands signed before now are refused", path);
	if (check)
		return;
	bridge_read_clock(&rt->cfg, &now);
	signer_fresh_start(&rt->signer, &now);
	/* Saved now only if the floor is final: else at the first command. */
	if (!rt->signer.floor_at_sync && statefile_save(path, &rt->signer.replay, why, sizeof(why)))
		fatalx("state_file: %s", why);
	rt->signer.dirty = rt->signer.floor_at_sync;
}

static int run(struct runtime *rt, uint64_t watchdog_usec, const sigset_t *run_mask)
{
	int64_t watchdog_ms = (int64_t)(watchdog_usec / 2000);
	int64_t now, deadline, next_watchdog = clock_mono_ms() + watchdog_ms;
	struct pollfd pfd[3];
	struct timespec ts;
	int n, i_mqtt, i_dev, i_watch;

	while (!quit_signal && !rt->bridge.fatal) {
		now = clock_mono_ms();
		deadline = mqtt_deadline_ms(&rt->mqtt, now);
		if (bridge_deadline_ms(&rt->bridge) < deadline)
			deadline = bridge_deadline_ms(&rt->bridge);
		if (watchdog_ms && next_watchdog < deadline)
			deadline = next_watchdog;

		n = 0;
		i_mqtt = i_dev = i_watch = -1;
		if (mqtt_fd(&rt->mqtt) >= 0) {
			pfd[n].fd = mqtt_fd(&rt->mqtt);
			pfd[n].events = mqtt_poll_events(&rt->mqtt);
			i_mqtt = n++;
		}
		if (rt->dev.fd >= 0) {
			pfd[n].fd = rt->dev.fd;
			pfd[n].events = POLLIN;
			i_dev = n++;
		}
		if (rt->dev.watch >= 0) {
			pfd[n].fd = rt->dev.inotify_fd;
			pfd[n].events = POLLIN;
			i_watch = n++;
		}
		ts.tv_sec = deadline > now ? (deadline - now) / 1000 : 0;
		ts.tv_nsec = deadline > now ? (long)((deadline - now) % 1000) * 1000000 : 0;
		if (ppoll(pfd, (nfds_t)n, &ts, run_mask) < 0) {
			if (errno != EINTR) {
				log_warn("ppoll");
				return 1;
			}
			continue;
		}
		now = clock_mono_ms();
		/* The device first: a command must not go to a node known gone. */
		if (i_dev >= 0 && pfd[i_dev].revents)
			bridge_device_ready(&rt->bridge, pfd[i_dev].revents);
		if (i_watch >= 0 && pfd[i_watch].revents)
			bridge_device_watch(&rt->bridge);
		mqtt_service(&rt->mqtt, i_mqtt >= 0 ? pfd[i_mqtt].revents : 0, now);
		bridge_housekeeping(&rt->bridge);
		if (watchdog_ms && clock_mono_ms() >= next_watchdog) {
			notify("WATCHDOG=1");
			next_watchdog = clock_mono_ms() + watchdog_ms;
		}
	}
	if (rt->bridge.fatal) {
		log_warnx("giving up on %s; exiting", rt->cfg.device);
		return 1;
	}
	return 0;
}

/* What the command line asked for. */
struct options {
	const char *file;
	const char *overrides[MAX_OVERRIDES];
	unsigned int n_over;
	bool check;
	bool verbose;
};

/* Returns -1 to go on, or the exit status (--help, --version, a misuse). */
static int parse_args(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opt->file = CONFIG_DEFAULT_FILE;
	while ((ch = getopt_long(argc, argv, "c:hno:vV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opt->file = optarg;
			break;
		case 'n':
			opt->check = true;
			break;
		case 'o':
			if (opt->n_over == MAX_OVERRIDES) {
				fprintf(stderr, "sesame-bridge: more than %d -o options\n",
					MAX_OVERRIDES);
				return 2;
			}
			opt->overrides[opt->n_over++] = optarg;
			break;
		case 'v':
			opt->verbose = true;
			break;
		case 'V':
			printf("sesame-bridge %s\n", SESAME_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* The file, then each -o line through the same parser, then the secrets. */
static void load_config(struct runtime *rt, const struct options *opt)
{
	char hostname[256] = "", err[1024];
	unsigned int i;

	gethostname(hostname, sizeof(hostname) - 1);
	config_init(&rt->cfg, hostname);
	if (config_load_file(&rt->cfg, opt->file, err, sizeof(err)))
		fatalx("%s", err);
	for (i = 0; i < opt->n_over; i++)
		if (config_parse_line(&rt->cfg, opt->overrides[i], CONFIG_CMDLINE, i + 1,
				      err, sizeof(err)))
			fatalx("%s (-o '%s')", err, opt->overrides[i]);
	if (opt->verbose)
		rt->cfg.log_level = LOG_LEVEL_DEBUG;
	if (config_check(&rt->cfg, opt->file, err, sizeof(err)))
		fatalx("%s", err);
	log_set_level(rt->cfg.log_level);
	if (secrets_load(&rt->cfg, opt->file, &rt->sec, err, sizeof(err)))
		fatalx("%s", err);
}

/*
 * The MQTT client, the phones' keys and the replay state: everything -n
 * checks. The password and TLS key are wiped once libmosquitto and OpenSSL
 * hold their own copies.
 */
static void prepare(struct runtime *rt, const struct options *opt, const sigset_t *run_mask)
{
	static const struct mqtt_handlers handlers = {
		.up = bridge_up,
		.down = bridge_down,
		.message = bridge_message,
	};
	char err[1024];

	topics_init(&rt->topics, &rt->cfg);
	mosquitto_lib_init();
	if (mqtt_init(&rt->mqtt, &rt->cfg, &rt->sec, &rt->topics, &handlers, &rt->bridge,
		      run_mask, err, sizeof(err)))
		fatalx("%s", err);
	explicit_bzero(rt->sec.password, sizeof(rt->sec.password));
	secrets_wipe_tls_key(&rt->sec);
	rt->keyring.dirfd = -1;
	if (rt->cfg.hmac_keys_dir[0] &&
	    keyring_open(&rt->keyring, rt->cfg.hmac_keys_dir, err, sizeof(err))) {
		char where[CONFIG_PATH_MAX + 16];

		fatalx("%s: hmac_keys_dir: %s",
		       config_where(&rt->cfg, KEY_HMAC_KEYS_DIR, opt->file, where, sizeof(where)),
		       err);
	}
	rt->signing = rt->sec.hmac_key_len || rt->keyring.dirfd >= 0;
	if (rt->signing)
		load_replay(rt, opt->check);
}

/* The device, the bridge between it and MQTT, and word to systemd. */
static uint64_t start(struct runtime *rt)
{
	if (rt->cfg.insecure_plaintext)
		log_warnx("insecure_plaintext is set: commands, state and the password "
			  "cross the network unencrypted, and the broker is not authenticated");
	if (rt->cfg.ha_discovery && rt->signing)
		log_notice("signed commands are required, so the Home Assistant lock "
			   "can show the state but not open the door");
	if (device_init(&rt->dev, rt->cfg.device))
		fatalx("cannot watch %s", rt->cfg.device);
	bridge_init(&rt->bridge, &rt->cfg, &rt->topics, &rt->dev, &rt->mqtt,
		    rt->signing ? &rt->signer : NULL);

	notify("READY=1\nSTATUS=bridging %s to %s (port %u unless named)", rt->cfg.device,
	       rt->cfg.host, rt->cfg.port);
	log_info("sesame-bridge %s: %s on %s (port %u unless named), topic %s",
		 SESAME_VERSION, rt->cfg.device, rt->cfg.host, rt->cfg.port, rt->cfg.topic);
	return notify_watchdog_usec(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid());
}

/* Frees what prepare() (and start(), when it ran) took; wipes the secrets. */
static void finish(struct runtime *rt, bool started)
{
	mqtt_destroy(&rt->mqtt);
	mosquitto_lib_cleanup();
	if (started)
		device_close(&rt->dev);
	keyring_close(&rt->keyring);
	secrets_wipe(&rt->sec);
}

int main(int argc, char **argv)
{
	static struct runtime rt;
	static struct options opt;
	uint64_t watchdog_usec;
	sigset_t run_mask;
	int rc;

	/* Before any secret is read. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	log_init();
	rc = parse_args(argc, argv, &opt);
	if (rc >= 0)
		return rc;
	load_config(&rt, &opt);
	setup_signals(&run_mask);
	prepare(&rt, &opt, &run_mask);
	if (opt.check) {
		printf("configuration OK\n");
		finish(&rt, false);
		return 0;
	}

	watchdog_usec = start(&rt);
	rc = run(&rt, watchdog_usec, &run_mask);

	notify("STOPPING=1");
	if (quit_signal)
		log_info("%s: going offline", strsignal(quit_signal));
	mqtt_shutdown(&rt.mqtt);
	finish(&rt, true);
	return rc;
}
