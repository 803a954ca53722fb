/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conffile.h - read the configuration file, line by line, into the parser.
 */
#ifndef SESAME_CONFFILE_H
#define SESAME_CONFFILE_H

#include <stddef.h>

#include "config.h"

/*
 * Feeds every line of PATH to config_parse_line(). PATH must outlive CFG
 * (error messages and origins point at it). Returns 0, or -1 with
 * "PATH:LINE: ..." (or "PATH: ..." when it cannot be read) in ERR.
 */
int config_load_file(struct config *cfg, const char *path, char *err,
		     size_t errlen);

#endif
