// SPDX-License-Identifier: GPL-2.0
/*
 * hammer.c - the device stress test's guest program: several processes
 * hammer sesame's devices for a fixed time, while the driver is unbound,
 * bound, removed and loaded again under them, and every system call's
 * result is held against the /dev/sesame protocol (README).
 *
 * Usage: hammer -t SECONDS -m MODULE.ko -d NAME... [-o REPORT]
 *   -d  a device by its platform name, which is also its node
 *       (/dev/NAME) and its misc name: "sesame", "sesame-side"
 *
 * Workers (one process each, all at once):
 *   writer x3   random valid and invalid writes, bad buffers (EFAULT)
 *   reader x2   status reads whole and in pieces, poll(), epoll
 *   opener x1   open/close races: two threads, one opening and using the
 *               files, the other closing them under it; children that
 *               inherit a file and close it last
 *   holder x1   keeps files open across unbind: afterwards every write
 *               and read must fail with ENODEV and poll() must hang up
 *   sysfs x1    reads every attribute, resets the statistics
 *   life x1     unbind/bind one device or the other with files open;
 *               rmmod with files open (refused: EWOULDBLOCK); now and
 *               then a quiet spell in which the others let go of their
 *               files between operations, so that rmmod succeeds while
 *               opens race it, then insmod
 *
 * What each call may return (anything else is a violation):
 *   open          a file, ENOENT or ENODEV/ENXIO (device going or gone)
 *   valid write   its length, or ENODEV once the file's device is gone
 *   bad write     EINVAL (EFAULT for a bad buffer), or ENODEV
 *   read          one status line, well formed, with a width that was
 *                 commanded and the angle that goes with it, opens never
 *                 going down on one file; or ENODEV
 *   poll          POLLOUT (and POLLIN) while bound; POLLHUP|POLLERR after
 * The life worker marks each unbind, bind, rmmod and insmod in the trace
 * ("stress: ..."), so that the host can judge the pulses of each binding.
 *
 * Output (the report): counts as "count NAME N", violations as
 * "violation WORKER: what", at most 20 per worker, and "hung WORKER: ..."
 * with its kernel stack for a worker that did not stop in time.
 * Exit status: 0 when the run went through (the host judges the report),
 * 2 on usage errors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVICES	4
#define MAX_WORKERS	16
#define MAX_NOTES	20
#define DRIVER		"/sys/bus/platform/drivers/sesame"
#define MARKER		"/sys/kernel/tracing/trace_marker"

/* Counters, one set per worker, in memory shared with the parent. */
enum counter {
	C_OPEN_OK, C_OPEN_GONE,
	C_WRITE_OK, C_WRITE_EINVAL, C_WRITE_EFAULT, C_WRITE_ENODEV,
	C_READ_OK, C_READ_PIECES, C_READ_ENODEV,
	C_POLL_IN, C_POLL_QUIET, C_POLL_HUP, C_EPOLL_WAITS,
	C_CLOSE_RACE, C_CHILD_CLOSE, C_EBADF,
	C_HELD_ACROSS_UNBIND, C_SYSFS_READ, C_SYSFS_GONE,
	C_UNBIND, C_BIND, C_RMMOD_BUSY, C_RMMOD_OK, C_INSMOD_OK,
	C_COUNT
};

static const char *const counter_names[C_COUNT] = {
	"open_ok", "open_gone",
	"write_ok", "write_einval", "write_efault", "write_enodev",
	"read_ok", "read_in_pieces", "read_enodev",
	"poll_in", "poll_quiet", "poll_hup", "epoll_waits",
	"close_races", "child_closes", "ebadf_after_race",
	"held_across_unbind", "sysfs_reads", "sysfs_gone",
	"unbind", "bind", "rmmod_refused_busy", "rmmod_ok", "insmod_ok",
};

struct worker {
	char name[16];
	pid_t pid;
	atomic_long count[C_COUNT];
	atomic_int notes;
	char note[MAX_NOTES][160];
};

struct shared {
	atomic_int stop;
	atomic_int quiet;		/* let go of files between operations */
	struct worker w[MAX_WORKERS];
};

static struct shared *sh;
static struct worker *me;
static const char *devices[MAX_DEVICES];
static int n_devices;
static const char *module_path;
static uint64_t rng;

/* Commanded widths: every valid write below moves to one of these. */
static const unsigned int angles[] = { 0, 45, 90, 135, 180 };
static const unsigned int widths[] = { 500, 1000, 1234, 1500, 2000, 2345, 2500 };

static const char *const bad_writes[] = {
	"", "\n", "foo", "Open", "open x", "opens", "open\n\n", " 90", "90 ",
	"181", "-1", "+90", "angle", "angle 181", "angle  90", "499us",
	"2501us", "us", "1500 us", "1500uss", "0x10", "1e2", "0000001",
	"99999999999", "stop now", "open\r", "\xff\xfe", "clo\xc3\xa9se",
};

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void count(enum counter c)
{
	atomic_fetch_add(&me->count[c], 1);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A violation: kept (the first few) for the report. */
static void note(const char *fmt, ...)
{
	int i = atomic_fetch_add(&me->notes, 1);
	va_list ap;

	if (i >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(me->note[i], sizeof(me->note[i]), fmt, ap);
	va_end(ap);
}

static void mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mark(const char *fmt, ...)
{
	static int fd = -2;
	char line[200];
	va_list ap;
	int n;

	if (fd == -2)
		fd = open(MARKER, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "stress: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (write(fd, line, strlen(line)) < 0)
		return;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool stopping(void)
{
	return atomic_load(&sh->stop);
}

static const char *err_name(int err)
{
	switch (err) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENOMEM: return "ENOMEM";
	default: return strerror(err);
	}
}

static const char *pick_device(char *path, size_t size)
{
	const char *name = devices[below((uint32_t)n_devices)];

	snprintf(path, size, "/dev/%s", name);
	return name;
}

/* Opens a device node; a node or device going away is expected. */
static int dev_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd >= 0) {
		count(C_OPEN_OK);
		return fd;
	}
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		count(C_OPEN_GONE);
	else
		note("open %s: %s", path, err_name(errno));
	return -1;
}

/* One write of a random kind, its result checked. Returns -1 on ENODEV. */
static int random_write(int fd, const char *path)
{
	char buf[128];
	size_t len;
	ssize_t n;
	int kind = (int)below(100), err;
	enum { VALID, BAD, EFAULT_PTR } what;
	const char *src = buf;

	if (kind < 60) {
		what = VALID;
		switch (below(6)) {
		case 0: len = (size_t)snprintf(buf, sizeof(buf), "open"); break;
		case 1: len = (size_t)snprintf(buf, sizeof(buf), "close"); break;
		case 2: len = (size_t)snprintf(buf, sizeof(buf), "stop"); break;
		case 3: len = (size_t)snprintf(buf, sizeof(buf), "%u",
					      angles[below(5)]); break;
		case 4: len = (size_t)snprintf(buf, sizeof(buf), "angle %u",
					      angles[below(5)]); break;
		default: len = (size_t)snprintf(buf, sizeof(buf), "%uus",
						widths[below(7)]); break;
		}
		if (below(2))
			buf[len++] = '\n';
	} else if (kind < 95) {
		what = BAD;
		if (below(3)) {
			const char *b = bad_writes[below(sizeof(bad_writes) / sizeof(bad_writes[0]))];

			len = strlen(b);
			memcpy(buf, b, len);
		} else {
			/* Random bytes, never a command: the first is not ASCII. */
			len = 1 + below(100);
			for (size_t i = 0; i < len; i++)
				buf[i] = (char)rnd();
			buf[0] = (char)(0x80 | (unsigned char)buf[0]);
		}
	} else {
		what = EFAULT_PTR;
		src = (const char *)(uintptr_t)(below(2) ? 16 : 0xffffffffff000000ULL);
		len = 1 + below(64);
	}
	n = write(fd, src, len);
	err = n < 0 ? errno : 0;
	if (err == ENODEV) {
		count(C_WRITE_ENODEV);
		return -1;
	}
	switch (what) {
	case VALID:
		if (n == (ssize_t)len)
			count(C_WRITE_OK);
		else
			note("write %.*s to %s: %zd %s", (int)strcspn(buf, "\n"), buf, path, n,
			     err_name(err));
		break;
	case BAD:
		if (err == EINVAL)
			count(C_WRITE_EINVAL);
		else
			note("bad write (%zu bytes, %02x...) to %s: %zd %s", len,
			     (unsigned char)buf[0], path, n, err_name(err));
		break;
	case EFAULT_PTR:
		if (err == EFAULT)
			count(C_WRITE_EFAULT);
		else
			note("write from a bad pointer to %s: %zd %s", path, n, err_name(err));
		break;
	}
	return 0;
}

static int width_index(unsigned int us)
{
	for (int i = 0; i < 7; i++)
		if (widths[i] == us)
			return i;
	return -1;
}

/*
 * A status line: the driver's form, a state and a width that go together,
 * the angle of that width on the default 500..2500 us calibration, and an
 * opens count that never goes down on one file (*opens, -1 at first).
 */
static bool status_ok(const char *line, size_t len, long *opens)
{
	char state[16], nl;
	unsigned int pulse, pulsing;
	int angle, n = 0;
	long o;

	if (len == 0 || len >= 96 || line[len - 1] != '\n' || memchr(line, '\0', len))
		return false;
	if (sscanf(line, "state=%15[a-z] pulse_us=%u angle=%d pulsing=%u opens=%ld%c%n",
		   state, &pulse, &angle, &pulsing, &o, &nl, &n) != 6 || (size_t)n != len ||
	    nl != '\n' || pulsing > 1 || o < 0)
		return false;
	if (!strcmp(state, "unknown")) {
		if (angle != -1)
			return false;
	} else {
		if (width_index(pulse) < 0 ||
		    angle != (int)(((pulse - 500) * 180 + 1000) / 2000))
			return false;
		if ((!strcmp(state, "open") && pulse != 2000) ||
		    (!strcmp(state, "closed") && pulse != 1000) ||
		    (strcmp(state, "open") && strcmp(state, "closed") && strcmp(state, "angle")))
			return false;
	}
	if (o < *opens)
		return false;
	*opens = o;
	return true;
}

/* Reads the whole status, at once or in pieces. Returns -1 on ENODEV. */
static int random_read(int fd, const char *path, long *opens)
{
	char buf[256];
	size_t total = 0;
	ssize_t n;

	memset(buf, 0xa5, sizeof(buf));
	if (below(3)) {
		n = pread(fd, buf, sizeof(buf), 0);
		if (n > 0)
			total = (size_t)n;
	} else {
		size_t piece = 1 + below(20);

		count(C_READ_PIECES);
		if (lseek(fd, 0, SEEK_SET) < 0) {
			note("lseek %s: %s", path, err_name(errno));
			return 0;
		}
		while ((n = read(fd, buf + total, piece)) > 0 && total + piece < sizeof(buf))
			total += (size_t)n;
	}
	/* Gone before the read, or between two of its pieces. */
	if (n < 0 && errno == ENODEV) {
		count(C_READ_ENODEV);
		return -1;
	}
	if (n < 0 || !status_ok(buf, total, opens))
		note("read %s: %zd %s, %zu bytes: %.*s", path, n, n < 0 ? err_name(errno) : "",
		     total, (int)(total > 90 ? 90 : total), buf);
	else
		count(C_READ_OK);
	return 0;
}

/*
 * poll() with a short timeout, for POLLIN alone (it waits) or with POLLOUT
 * (always ready while bound). Returns -1 once the device hung up.
 */
static int random_poll(int fd, const char *path)
{
	short want = below(2) ? POLLIN : POLLIN | POLLOUT;
	struct pollfd p = { .fd = fd, .events = want };
	int n = poll(&p, 1, (int)below(20));

	if (n < 0) {
		note("poll %s: %s", path, err_name(errno));
		return 0;
	}
	if (p.revents == (POLLHUP | POLLERR)) {
		count(C_POLL_HUP);
		return -1;
	}
	if (n == 0 && !p.revents && want == POLLIN) {
		count(C_POLL_QUIET);
		return 0;
	}
	if ((p.revents & ~want) || ((want & POLLOUT) && !(p.revents & POLLOUT)))
		note("poll %s for 0x%x: revents 0x%x", path, want, p.revents);
	else if (p.revents & POLLIN)
		count(C_POLL_IN);
	return 0;
}

static void maybe_sleep(void)
{
	if (!below(4))
		sleep_us(below(3000));
}

/*
 * Between files: a short pause, longer in a quiet spell, so that moments
 * without any file open come, and rmmod can win its race with open.
 */
static void quiet_pause(void)
{
	sleep_us(below(5000));
	while (atomic_load(&sh->quiet) && !stopping())
		sleep_us(2000 + below(10000));
}

static void writer(void)
{
	char path[64];

	while (!stopping()) {
		int fd, ops = 1 + (int)below(20);

		pick_device(path, sizeof(path));
		fd = dev_open(path, below(4) ? O_RDWR : O_WRONLY);
		if (fd < 0) {
			sleep_us(1000 + below(5000));
			continue;
		}
		while (ops-- > 0 && !stopping()) {
			if (random_write(fd, path))
				break;
			if (atomic_load(&sh->quiet))
				break;
			maybe_sleep();
		}
		close(fd);
		quiet_pause();
	}
}

static void reader(void)
{
	char path[64];

	while (!stopping()) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
		int fd, ep = -1, ops = 1 + (int)below(30);
		long opens = -1;

		pick_device(path, sizeof(path));
		fd = dev_open(path, O_RDONLY);
		if (fd < 0) {
			sleep_us(1000 + below(5000));
			continue;
		}
		/* Sometimes watched by epoll as well, closed while registered. */
		if (!below(3)) {
			ep = epoll_create1(EPOLL_CLOEXEC);
			if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
				note("epoll %s: %s", path, err_name(errno));
		}
		while (ops-- > 0 && !stopping()) {
			int gone;

			if (ep >= 0 && !below(3)) {
				if (epoll_wait(ep, &out, 1, (int)below(10)) < 0)
					note("epoll_wait %s: %s", path, err_name(errno));
				count(C_EPOLL_WAITS);
			}
			gone = below(2) ? random_read(fd, path, &opens) : random_poll(fd, path);
			if (gone || atomic_load(&sh->quiet))
				break;
			maybe_sleep();
		}
		close(fd);
		if (ep >= 0)
			close(ep);
		quiet_pause();
	}
}

/* The opener: one thread opens and uses files, the other closes them. */
static atomic_int race_fd = -1;

static void *closer(void *arg)
{
	(void)arg;
	while (!stopping()) {
		int fd = atomic_exchange(&race_fd, -1);

		if (fd >= 0) {
			close(fd);
			count(C_CLOSE_RACE);
		}
		sleep_us(below(300));
	}
	return NULL;
}

static void opener(void)
{
	pthread_t t;
	char path[64];
	int old;

	if (pthread_create(&t, NULL, closer, NULL)) {
		note("pthread_create failed");
		return;
	}
	while (!stopping()) {
		const char *word = below(2) ? "open" : "close";
		char c = 'x';
		int fd;

		pick_device(path, sizeof(path));
		fd = dev_open(path, below(2) ? O_RDWR : O_RDWR | O_NONBLOCK);
		if (fd < 0) {
			sleep_us(below(2000));
			continue;
		}
		if (!below(20)) {
			/* A child holds the last reference and drops it. */
			pid_t pid = fork();

			if (pid == 0) {
				if (write(fd, "stop", 4) < 0 && errno != ENODEV)
					_exit(1);
				_exit(0);
			}
			if (pid > 0) {
				close(fd);
				if (waitpid(pid, NULL, 0) == pid)
					count(C_CHILD_CLOSE);
				continue;
			}
		}
		old = atomic_exchange(&race_fd, fd);
		if (old >= 0)
			close(old);
		/*
		 * The file may be closed under these (EBADF), or its number
		 * reused for another device file of this process.
		 */
		if (write(fd, word, strlen(word)) < 0) {
			if (errno == EBADF)
				count(C_EBADF);
			else if (errno != ENODEV)
				note("raced write %s: %s", path, err_name(errno));
		}
		if (pread(fd, &c, 1, 0) < 0) {
			if (errno == EBADF)
				count(C_EBADF);
			else if (errno != ENODEV)
				note("raced read %s: %s", path, err_name(errno));
		}
		if (atomic_load(&sh->quiet)) {
			fd = atomic_exchange(&race_fd, -1);
			if (fd >= 0)
				close(fd);
			sleep_us(below(2000));
		}
	}
	pthread_join(t, NULL);
	old = atomic_exchange(&race_fd, -1);
	if (old >= 0)
		close(old);
}

/*
 * Holds files open for a while. Once a file's device is gone, that file
 * must stay dead: ENODEV for writes and reads, a hang-up from poll().
 */
static void holder(void)
{
	char path[MAX_DEVICES][64];
	int fd[MAX_DEVICES], i;

	while (!stopping()) {
		bool gone[MAX_DEVICES] = { false };
		long opens[MAX_DEVICES];
		long until_ms = 300 + below(2500);
		struct timespec t0, t;

		for (i = 0; i < n_devices; i++) {
			snprintf(path[i], sizeof(path[i]), "/dev/%s", devices[i]);
			fd[i] = dev_open(path[i], O_RDWR);
			opens[i] = -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (stopping() || atomic_load(&sh->quiet) ||
			    (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > until_ms)
				break;
			for (i = 0; i < n_devices; i++) {
				struct pollfd p = { .fd = fd[i], .events = POLLIN };
				char buf[128];
				ssize_t n;

				if (fd[i] < 0)
					continue;
				if (!gone[i]) {
					if (random_write(fd[i], path[i]) == 0 &&
					    random_read(fd[i], path[i], &opens[i]) == 0)
						continue;
					gone[i] = true;
					count(C_HELD_ACROSS_UNBIND);
				}
				/* Dead for good: every operation says so. */
				n = write(fd[i], "open", 4);
				if (n >= 0 || errno != ENODEV)
					note("write after unbind on %s: %zd %s", path[i], n,
					     n < 0 ? err_name(errno) : "");
				n = pread(fd[i], buf, sizeof(buf), 0);
				if (n >= 0 || errno != ENODEV)
					note("read after unbind on %s: %zd %s", path[i], n,
					     n < 0 ? err_name(errno) : "");
				if (poll(&p, 1, 0) != 1 || p.revents != (POLLHUP | POLLERR))
					note("poll after unbind on %s: revents 0x%x", path[i], p.revents);
			}
			sleep_us(5000 + below(30000));
		}
		for (i = 0; i < n_devices; i++)
			if (fd[i] >= 0)
				close(fd[i]);
		sleep_us(below(300000));
		quiet_pause();
	}
}

/* Reads every attribute of every sesame device; resets the statistics. */
static void sysfs(void)
{
	while (!stopping()) {
		for (int i = 0; i < n_devices; i++) {
			char dir[96], file[400], buf[256];
			struct dirent *de;
			DIR *d;

			snprintf(dir, sizeof(dir), "/sys/class/misc/%s", devices[i]);
			d = opendir(dir);
			if (!d) {
				count(C_SYSFS_GONE);
				continue;
			}
			while ((de = readdir(d))) {
				int fd;
				ssize_t n;

				if (de->d_name[0] == '.' || de->d_type != DT_REG ||
				    !strcmp(de->d_name, "uevent"))
					continue;
				snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
				if (!strcmp(de->d_name, "reset_stats")) {
					fd = open(file, O_WRONLY | O_CLOEXEC);
					if (fd >= 0) {
						if (write(fd, "1", 1) < 0 && errno != ENODEV &&
						    errno != ENOENT)
							note("write %s: %s", file, err_name(errno));
						close(fd);
					}
					continue;
				}
				fd = open(file, O_RDONLY | O_CLOEXEC);
				if (fd < 0) {
					if (errno != ENOENT && errno != ENODEV)
						note("open %s: %s", file, err_name(errno));
					count(C_SYSFS_GONE);
					continue;
				}
				n = read(fd, buf, sizeof(buf) - 1);
				if (n > 0)
					count(C_SYSFS_READ);
				else if (n < 0 && errno != ENODEV && errno != ENOENT)
					note("read %s: %s", file, err_name(errno));
				close(fd);
			}
			closedir(d);
		}
		sleep_us(2000 + below(20000));
	}
}

/* Writes NAME to the driver's bind or unbind file; 0 or an errno. */
static int driver_file(const char *file, const char *name)
{
	char path[96];
	int fd, err = 0;

	snprintf(path, sizeof(path), DRIVER "/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, name, strlen(name)) < 0)
		err = errno;
	close(fd);
	return err;
}

static bool module_loaded(void)
{
	return access("/sys/module/sesame", F_OK) == 0;
}

static int rmmod(void)
{
	int err = syscall(SYS_delete_module, "sesame", O_NONBLOCK) ? errno : 0;

	mark("rmmod -> %s", err_name(err));
	return err;
}

static int insmod(void)
{
	int fd = open(module_path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return errno;
	mark("insmod");
	err = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	mark("insmod -> %s", err_name(err));
	close(fd);
	return err;
}

/* Unbinds a device with files open, waits a little, binds it again. */
static void cycle_binding(void)
{
	const char *name = devices[below((uint32_t)n_devices)];
	int err;

	mark("unbind %s", name);
	err = driver_file("unbind", name);
	mark("unbind %s -> %s", name, err_name(err));
	if (err) {
		note("unbind %s: %s", name, err_name(err));
		return;
	}
	count(C_UNBIND);
	sleep_us(below(200000));
	mark("bind %s", name);
	err = driver_file("bind", name);
	mark("bind %s -> %s", name, err_name(err));
	if (err)
		note("bind %s: %s", name, err_name(err));
	else
		count(C_BIND);
}

/* A quiet spell: the others let go between operations; rmmod, insmod. */
static void cycle_module(void)
{
	int err = EAGAIN, tries;

	atomic_store(&sh->quiet, 1);
	for (tries = 0; tries < 400 && err == EAGAIN; tries++) {
		err = rmmod();
		if (err == EAGAIN)
			sleep_us(below(5000));
	}
	if (err == 0) {
		count(C_RMMOD_OK);
		sleep_us(below(100000));
		err = insmod();
		if (err)
			note("insmod: %s", err_name(err));
		else
			count(C_INSMOD_OK);
	} else if (err != EAGAIN) {
		note("rmmod in a quiet spell: %s", err_name(err));
	}
	atomic_store(&sh->quiet, 0);
}

static void life(void)
{
	int round = 0;

	while (!stopping()) {
		int err;

		sleep_us(200000 + below(600000));
		if (stopping())
			break;
		if (!module_loaded()) {
			note("the module is gone outside a quiet spell");
			break;
		}
		/* With files open, rmmod must be refused, and change nothing. */
		err = rmmod();
		if (err == EAGAIN)
			count(C_RMMOD_BUSY);
		else if (err == 0) {
			/* Nothing happened to be open: load it again. */
			count(C_RMMOD_OK);
			err = insmod();
			if (err)
				note("insmod after rmmod: %s", err_name(err));
			else
				count(C_INSMOD_OK);
		} else {
			note("rmmod with files open: %s", err_name(err));
		}
		if (++round % 5 == 0)
			cycle_module();
		else
			cycle_binding();
	}
}

static void run_worker(struct worker *w, void (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		me = w;
		rng = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)time(NULL);
		fn();
		_exit(0);
	}
	w->pid = pid;
}

/* Its kernel stack, for a worker that did not stop: where it hangs. */
static void print_stack(FILE *out, struct worker *w)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stack", w->pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(out, "hung %s: %s", w->name, line);
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
		int n;
	} kinds[] = {
		{ "writer", writer, 3 }, { "reader", reader, 2 }, { "opener", opener, 1 },
		{ "holder", holder, 1 }, { "sysfs", sysfs, 1 }, { "life", life, 1 },
	};
	const char *report = NULL;
	int seconds = 0, n_workers = 0, opt, i, k, left;
	FILE *out = stdout;
	long total[C_COUNT] = { 0 };

	while ((opt = getopt(argc, argv, "t:m:d:o:")) != -1) {
		switch (opt) {
		case 't': seconds = atoi(optarg); break;
		case 'm': module_path = optarg; break;
		case 'd':
			if (n_devices < MAX_DEVICES)
				devices[n_devices++] = optarg;
			break;
		case 'o': report = optarg; break;
		default: goto usage;
		}
	}
	if (seconds <= 0 || !module_path || !n_devices)
		goto usage;
	if (report && !(out = fopen(report, "w"))) {
		perror(report);
		return 1;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	mark("start %d s", seconds);
	for (k = 0; k < (int)(sizeof(kinds) / sizeof(kinds[0])); k++) {
		for (i = 0; i < kinds[k].n; i++) {
			struct worker *w = &sh->w[n_workers++];

			snprintf(w->name, sizeof(w->name), "%s%d", kinds[k].name, i + 1);
			run_worker(w, kinds[k].fn);
		}
	}
	sleep_us((unsigned int)seconds * 1000000u);
	atomic_store(&sh->stop, 1);
	mark("stop");

	/* Every worker must come back: one stuck in the driver is a finding. */
	for (left = 200; left > 0; left--) {
		bool all = true;

		for (i = 0; i < n_workers; i++) {
			if (sh->w[i].pid > 0 && waitpid(sh->w[i].pid, NULL, WNOHANG) == sh->w[i].pid)
				sh->w[i].pid = 0;
			all &= sh->w[i].pid == 0;
		}
		if (all)
			break;
		sleep_us(100000);
	}
	for (i = 0; i < n_workers; i++) {
		struct worker *w = &sh->w[i];
		int n;

		if (w->pid > 0) {
			fprintf(out, "hung %s: did not stop within 20 s\n", w->name);
			print_stack(out, w);
			kill(w->pid, SIGKILL);
			waitpid(w->pid, NULL, 0);
		}
		for (k = 0; k < C_COUNT; k++)
			total[k] += atomic_load(&w->count[k]);
		n = atomic_load(&w->notes);
		for (k = 0; k < n && k < MAX_NOTES; k++)
			fprintf(out, "violation %s: %s\n", w->name, w->note[k]);
		if (n > MAX_NOTES)
			fprintf(out, "violation %s: ... and %d more\n", w->name, n - MAX_NOTES);
	}
	for (k = 0; k < C_COUNT; k++)
		fprintf(out, "count %s %ld\n", counter_names[k], total[k]);
	fprintf(out, "module %s\n", module_loaded() ? "loaded" : "gone");
	if (out != stdout)
		fclose(out);
	return 0;
usage:
	fprintf(stderr, "usage: hammer -t SECONDS -m MODULE.ko -d NAME... [-o REPORT]\n");
	return 2;
}
