/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake-device.h - the state of the stand-in /dev/sesame (fake-sesame.c),
 * kept by the driver's own core (driver/sesame-core.c).
 *
 * The stand-in has no timer: time moves only when a test says so, and a
 * command reaches "the wire" at once, as if a period boundary fell just
 * after it. Everything a reader sees (the grammar, the widths, the status
 * line, what counts as a change) is therefore the driver's, not a copy.
 *
 * Plain C types only, so that the FUSE side need not see tests/shim/.
 */
#ifndef FAKE_DEVICE_H
#define FAKE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

/* A command, as one write(): 0, or a negative errno. */
int fake_device_command(const char *buf, size_t len, bool *changed);

/* The hold time runs out: an open door closes, as the driver does it. */
void fake_device_expire(bool *changed);

/* A new device, as after insmod: nothing commanded yet. */
void fake_device_reset(void);

/* The status line a read() returns, NUL-terminated; its length. */
size_t fake_device_status(char *buf, size_t size);

#endif /* FAKE_DEVICE_H */
