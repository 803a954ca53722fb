// SPDX-License-Identifier: GPL-2.0
/*
 * conffile.c - read the configuration file into config_parse_line().
 */
#include "conffile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

int config_load_file(struct config *cfg, const char *path, char *err,
		     size_t errlen)
{
	char line[CONFIG_LINE_MAX + 1];
	unsigned int lineno = 0;
	FILE *f;
	long n;
	int rc = 0;

	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
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
	fclose(f);
	return rc;
}
