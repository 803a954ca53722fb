// SPDX-License-Identifier: GPL-2.0
/*
 * conffile.c - read the configuration file into config_parse_line().
 */
#include "conffile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int config_load_file(struct config *cfg, const char *path, char *err,
		     size_t errlen)
{
	/* room for a line one byte too long, its newline and the NUL */
	char line[CONFIG_LINE_MAX + 3];
	unsigned int lineno = 0;
	FILE *f;
	int rc = 0;

	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		lineno++;
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line longer than %d characters",
				 path, lineno, CONFIG_LINE_MAX);
			rc = -1;
			break;
		}
		if (strlen(line) != n || memchr(line, '\0', n)) {
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
