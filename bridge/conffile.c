// SPDX-License-Identifier: GPL-2.0
/*
 * conffile.c - read the configuration file into config_parse_line().
 *
 * The file decides which broker the door trusts, and which key opens it,
 * so it is read only if nobody but its owner and root can change it. A
 * file that is no configuration at all (a password or key file given with
 * -c by mistake) is recognised as such and never quoted back.
 */
#define _GNU_SOURCE
#include "conffile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Reads one line (without its newline) into LINE, at most CONFIG_LINE_MAX
 * bytes. Returns its length, -1 at end of file, -2 for a line too long, -3
 * for a NUL byte (fgets() would silently cut the line there).
 */
static long read_line(FILE *f, char *line)
{
	long n = 0;
	bool nul = false;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0')
			nul = true;
		if (n < CONFIG_LINE_MAX)
			line[n] = (char)c;
		n++;
	}
	if (c == EOF && n == 0)
		return -1;
	if (n > CONFIG_LINE_MAX)
		return -2;
	if (nul)
		return -3;
	line[n] = '\0';
	return n;
}

/* Opens PATH if it is a regular file that only its owner and root may
 * change; otherwise NULL with ERR filled. */
static FILE *open_config(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd;

	/* O_NONBLOCK: a FIFO must be refused, not waited on. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != 0)) {
		snprintf(err, errlen,
			 "%s: others than its owner and root may change it (mode %04o), and it "
			 "decides which broker the door trusts: run chmod go-w %s",
			 path, (unsigned int)(st.st_mode & 07777), path);
		goto fail;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	return f;
fail:
	close(fd);
	return NULL;
}

/* True if P holds one word, perhaps followed by blanks, and it is not a key. */
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
 * A password, key or PEM file is no configuration: one word on its only
 * line, or a "-----BEGIN" line. Says so in ERR, without a word of it.
 */
static void say_if_secret(FILE *f, const char *path, char *err, size_t errlen)
{
	char line[CONFIG_LINE_MAX + 1];
	unsigned int lines = 0;
	bool pem = false, word = false;
	const char *p;
	long n;

	if (fseek(f, 0, SEEK_SET))
		return;
	while (!pem && (n = read_line(f, line)) != -1) {
		if (n < 0)
			break;
		p = line + strspn(line, " \t\r");
		if (!*p || *p == '#')
			continue;
		lines++;
		pem = !strncmp(p, "-----BEGIN ", 11);
		word = lone_word(p);
	}
	explicit_bzero(line, sizeof(line));
	if (pem || (lines == 1 && word))
		snprintf(err, errlen, "%s: this looks like a secret (a password, key or "
			 "certificate file), not a sesame-bridge configuration; nothing of it "
			 "is shown", path);
}

int config_load_file(struct config *cfg, const char *path, char *err,
		     size_t errlen)
{
	char line[CONFIG_LINE_MAX + 1];
	unsigned int lineno = 0;
	FILE *f;
	long n;
	int rc = 0;

	f = open_config(path, err, errlen);
	if (!f)
		return -1;
	while ((n = read_line(f, line)) != -1) {
		lineno++;
		if (n == -2) {
			snprintf(err, errlen, "%s:%u: line longer than %d characters",
				 path, lineno, CONFIG_LINE_MAX);
			rc = -1;
			break;
		}
		if (n == -3) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", path, lineno);
			rc = -1;
			break;
		}
		rc = config_parse_line(cfg, line, path, lineno, err, errlen);
		if (rc)
			break;
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc && !ferror(f))
		say_if_secret(f, path, err, errlen);
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return rc;
}
